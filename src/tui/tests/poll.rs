//! The status bar's poll line and what a finished pass asks of the data worker.

use super::*;

fn status(polling: bool, news: bool) -> PollStatus {
    PollStatus {
        source: Some("imap:secretariat@imap.example.org:993/INBOX".into()),
        polling,
        news,
        last_poll: Some("12:01:00".into()),
        next_poll: Some("12:02:00".into()),
        error: None,
        off: None,
    }
}

/// The poll timer's pass while IDLE waits finds nothing new once a minute: reloading every
/// view then woke the data worker for nothing (an idle TUI's wake-ups, issue 11 point 9).
#[test]
fn only_a_pass_that_wrote_reloads_the_views() {
    let mut s = state(80, 24);
    assert_eq!(update(&mut s, Msg::Poll(status(true, false))), []);
    assert_eq!(update(&mut s, Msg::Poll(status(false, false))), []);
    assert!(render(&s).contains("12:01:00"), "{}", render(&s));
    assert_eq!(update(&mut s, Msg::Poll(status(true, false))), []);
    assert_eq!(
        update(&mut s, Msg::Poll(status(false, true))),
        [Effect::Reload]
    );
}
