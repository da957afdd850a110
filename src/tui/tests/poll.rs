//! The status bar's poll line and what a finished pass asks of the data worker.

use super::*;

fn status(polling: bool, news: bool) -> PollStatus {
    PollStatus {
        idle: false,
        source: Some("imap:secretariat@imap.example.org:993/INBOX".into()),
        polling,
        news,
        stored: 0,
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

/// A pass nobody asked for (the timer, IDLE) that brought mail leaves a line in `@`, not in
/// the status line; one that found nothing leaves none (a new user found a first poll of
/// 3,000 messages in the TUI without a trace in `@`).
#[test]
fn a_pass_that_brought_mail_is_in_the_notifications() {
    let mut s = state(80, 24);
    update(&mut s, Msg::Poll(status(true, false)));
    update(&mut s, Msg::Poll(status(false, false)));
    assert!(s.notifications.is_empty(), "{:?}", s.notifications);
    update(&mut s, Msg::Poll(status(true, false)));
    let mut found = status(false, true);
    found.stored = 3000;
    assert_eq!(update(&mut s, Msg::Poll(found)), [Effect::Reload]);
    assert!(s.notice.is_none(), "{:?}", s.notice);
    assert_eq!(s.notifications.len(), 1);
    assert_eq!(s.notifications[0].notice.text, "polled: 3000 new messages");
    assert!(!s.notifications[0].notice.error);
}

/// `p` says "polling…" and then what the pass found (it stayed "polling…" for ever).
#[test]
fn a_poll_asked_for_says_what_it_found() {
    let mut s = state(80, 24);
    assert_eq!(key(&mut s, KeyCode::Char('p')), vec![Effect::PollNow]);
    update(&mut s, Msg::Poll(status(true, false)));
    assert!(render(&s).contains("polling…"), "{}", render(&s));
    update(&mut s, Msg::Poll(status(false, false)));
    assert!(render(&s).contains("polled: nothing new"), "{}", render(&s));
    key(&mut s, KeyCode::Char('p'));
    update(&mut s, Msg::Poll(status(true, false)));
    let mut found = status(false, true);
    found.stored = 2;
    assert_eq!(update(&mut s, Msg::Poll(found)), [Effect::Reload]);
    assert!(
        render(&s).contains("polled: 2 new messages"),
        "{}",
        render(&s)
    );
}

/// An open message is read again when the data changes (after an assign it showed the old
/// verdict until reopened), keeping its place.
#[test]
fn an_open_message_follows_a_reload() {
    let mut s = case_view(80, 24, case_detail());
    assert_eq!(key(&mut s, KeyCode::Enter), [Effect::LoadMessage(12)]);
    update(&mut s, Msg::Message(Box::new(hostile_message())));
    let id = s.message.as_ref().unwrap().row.id;
    s.message_scroll = 3;
    assert_eq!(
        update(&mut s, Msg::Data(Box::new(snapshot()))),
        [Effect::LoadMessage(id)]
    );
    update(&mut s, Msg::Message(Box::new(hostile_message())));
    assert_eq!(s.message_scroll, 3);
}

/// `p` while the login kept failing said "✓ polling…" and then nothing: the pass is not
/// ticked as done while it runs, and its failure is said (and in `@`, once).
#[test]
fn a_poll_asked_for_that_fails_says_why() {
    let mut s = state(80, 23);
    let error = "imap.oauth2_token_command `false` failed with exit status 1";
    let failed = |polling: bool, retry: &str| PollStatus {
        polling,
        error: Some((error.into(), retry.into())),
        ..status(false, false)
    };
    update(&mut s, Msg::Poll(failed(true, "-")));
    update(&mut s, Msg::Poll(failed(false, "23:28:46")));
    assert_eq!(key(&mut s, KeyCode::Char('p')), vec![Effect::PollNow]);
    update(&mut s, Msg::Poll(failed(true, "23:28:46")));
    let line = |s: &State| render(s).lines().nth(21).unwrap().to_string();
    assert!(!line(&s).contains('✓'), "{}", line(&s));
    assert!(line(&s).contains("polling"), "{}", line(&s));
    // Another key meanwhile does not lose the answer.
    key(&mut s, KeyCode::Char('j'));
    update(&mut s, Msg::Poll(failed(false, "23:29:22")));
    assert_eq!(line(&s), format!("✗ mailbox: {error}"), "{}", render(&s));
    let logged: Vec<_> = s.notifications.iter().map(|l| &l.notice.text).collect();
    let said = format!("mailbox: {error}");
    assert_eq!(logged, [&said, &said], "the pass, then `p`");
}

/// While a retry (or `p`) runs, the bar showed the retry time it had reached, past for as
/// long as the pass took (25 s of a failing login).
#[test]
fn a_retry_under_way_shows_no_past_retry_time() {
    let mut s = state(80, 23);
    let failed = |polling: bool| PollStatus {
        polling,
        error: Some(("cannot connect: refused".into(), "23:28:46".into())),
        ..status(false, false)
    };
    update(&mut s, Msg::Poll(failed(false)));
    let bar = |s: &State| render(s).lines().nth(22).unwrap().to_string();
    assert!(bar(&s).contains("; retry 23:28:46 ·"), "{}", bar(&s));
    update(&mut s, Msg::Poll(failed(true)));
    assert!(!bar(&s).contains("23:28:46"), "{}", bar(&s));
    assert!(
        bar(&s).starts_with("✗ mailbox: cannot connect: refused; retrying now · outbox 2"),
        "{}",
        bar(&s)
    );
}

/// A failure `p` showed stayed in the status line under a green bar for twenty minutes of
/// passes that worked: the first pass that works after failing says so in its place.
#[test]
fn a_pass_that_works_again_replaces_the_failure_shown() {
    let mut s = state(80, 24);
    key(&mut s, KeyCode::Char('p'));
    update(&mut s, Msg::Poll(status(true, false)));
    let mut failed = status(false, false);
    failed.error = Some((
        "localhost:1: cannot connect: Connection refused".into(),
        "12:03:00".into(),
    ));
    update(&mut s, Msg::Poll(failed.clone()));
    assert!(
        render(&s).contains("mailbox: localhost:1: cannot connect"),
        "{}",
        render(&s)
    );
    // The timer's retry: still failing, then working.
    update(
        &mut s,
        Msg::Poll(PollStatus {
            polling: true,
            ..failed
        }),
    );
    update(&mut s, Msg::Poll(status(false, false)));
    assert!(
        render(&s).contains("mailbox: working again; polled: nothing new"),
        "{}",
        render(&s)
    );
    assert!(!render(&s).contains("cannot connect"), "{}", render(&s));
    let last = &s.notifications.last().unwrap().notice;
    assert_eq!(last.text, "mailbox: working again; polled: nothing new");
}

/// In IDLE new mail comes at once: "next 12:02:00" said it would wait a minute.
#[test]
fn the_bar_says_when_new_mail_comes_at_once() {
    let mut s = state(80, 24);
    let mut idle = status(false, false);
    idle.idle = true;
    update(&mut s, Msg::Poll(idle));
    let screen = render(&s);
    assert!(
        screen.contains("polled 12:01:00 · live (IDLE) · outbox"),
        "{screen}"
    );
    assert!(!screen.contains("next 12:02:00"), "{screen}");
}
