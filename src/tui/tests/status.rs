//! The status and bottom bars: the poller, missing secrets, long status lines and the
//! notifications view that keeps them.

use super::*;
use crate::tui::state::Notice;

#[test]
fn a_failing_poll_shows_its_retry() {
    let mut s = state(80, 24);
    update(
        &mut s,
        Msg::Poll(PollStatus {
            idle: false,
            source: Some("imap:secretariat@imap.example.org:993/INBOX".into()),
            polling: false,
            news: false,
            stored: 0,
            last_poll: Some("11:58:02".into()),
            next_poll: None,
            error: Some((
                "cannot connect: connection refused".into(),
                "12:00:32".into(),
            )),
            off: None,
        }),
    );
    let text = render(&s);
    assert!(
        text.contains("✗ mailbox: cannot connect: connection refused; retry 12:00:32"),
        "{text}"
    );
}

#[test]
fn polling_without_a_mailbox_says_so() {
    let mut s = state(80, 24);
    s.poll.source = None;
    assert!(key(&mut s, KeyCode::Char('p')).is_empty());
    let notice = s.notice.clone().unwrap();
    assert!(
        notice.error && notice.text.starts_with("no mailbox to poll"),
        "{notice:?}"
    );
    key(&mut s, KeyCode::Char(':'));
    keys(&mut s, "poll");
    assert!(key(&mut s, KeyCode::Enter).is_empty());

    s.poll.source = Some("imap:ccnso@imap.example.org:993/INBOX".into());
    assert_eq!(key(&mut s, KeyCode::Char('p')), vec![Effect::PollNow]);
    assert!(s.poll_asked && s.notice.is_none(), "{:?}", s.notice);
}

#[test]
fn the_bottom_bar_keeps_the_retry_time_and_the_outbox_at_80_columns() {
    for (w, h) in [(80, 23), (60, 16)] {
        let mut s = state(w, h);
        update(
            &mut s,
            Msg::Poll(PollStatus {
                idle: false,
                source: Some("imap:secretariat@imap.example.org:993/INBOX".into()),
                polling: false,
                news: false,
                stored: 0,
                last_poll: Some("11:58:02".into()),
                next_poll: None,
                error: Some((
                    "cannot connect to imap.example.org:993: TLS handshake failed: invalid peer certificate: UnknownIssuer".into(),
                    "12:00:32".into(),
                )),
                off: None,
            }),
        );
        let text = render(&s);
        let bar = text.lines().nth(h as usize - 1).unwrap();
        assert!(bar.starts_with("✗ mailbox: cannot connect"), "{bar}");
        // Cut between words: what shows is whole words.
        let (shown, tail) = bar.split_once(" …").unwrap_or_else(|| panic!("{bar}"));
        assert_eq!(tail, "; retry 12:00:32 · outbox 2", "{bar}");
        let error = "✗ mailbox: cannot connect to imap.example.org:993: TLS handshake failed: invalid peer certificate: UnknownIssuer";
        assert!(error.starts_with(&format!("{shown} ")), "{bar}");
    }
}

#[test]
fn missing_passwords_show_in_the_bottom_bar_and_polling_says_what_to_set() {
    use crate::tui::missing::{Missing, Secret};
    for (w, h) in [(80, 23), (60, 16)] {
        let mut s = state(w, h);
        let mut missing = Missing::default();
        missing.add(
            Secret::Imap,
            "password_env: $TLDOPS_IMAP_PASSWORD is not set",
        );
        missing.add(
            Secret::Outgoing,
            "password_env: $TLDOPS_SMTP_PASSWORD is not set",
        );
        s.poll = PollStatus {
            idle: false,
            source: Some("imap:secretariat@imap.example.org:993/INBOX".into()),
            off: missing.fix(Secret::Imap),
            ..PollStatus::default()
        };
        s.missing = missing;
        let text = render(&s);
        let bar = text.lines().nth(h as usize - 1).unwrap();
        assert!(bar.starts_with("✗ not polled: [imap] "), "{bar}");
        assert!(bar.contains("… · outbox 2 · ✗ no SMTP password"), "{bar}");

        key(&mut s, KeyCode::Char('p'));
        let notice = s.notice.clone().unwrap();
        assert!(notice.error);
        assert_eq!(
            notice.text,
            "cannot poll imap:secretariat@imap.example.org:993/INBOX: [imap] password_env: \
             $TLDOPS_IMAP_PASSWORD is not set; fix it and restart tldops"
        );
    }
}

#[test]
fn a_long_status_line_ends_in_an_ellipsis_and_the_notifications_view_keeps_it() {
    let mut s = state(80, 23);
    let long = "approved .nl: 2 contact(s); approval notice queued to ccadmin@nic.nl.example, welcome queued to jan.jansen@nic.nl.example and marieke@nic.nl.example";
    update(&mut s, Msg::Done(long.into()));
    update(&mut s, Msg::Failed(".ch: already rejected by bob".into()));
    update(&mut s, Msg::Failed(".ch: already rejected by bob".into()));
    let text = render(&s);
    let bar = text.lines().nth(21).unwrap();
    assert_eq!(bar, "✗ .ch: already rejected by bob");
    update(&mut s, Msg::Done(long.into()));
    let bar = render(&s).lines().nth(21).unwrap().to_string();
    // Cut between words, not inside an address.
    let kept = bar.strip_suffix(" …").expect(&bar);
    let whole = format!("✓ {long}");
    assert!(whole.starts_with(kept), "{bar}");
    assert_eq!(whole[kept.len()..].chars().next(), Some(' '), "{bar}");
    assert!(
        bar.chars().count() <= 80 && bar.chars().count() >= 40,
        "{bar}"
    );

    key(&mut s, KeyCode::Char('@'));
    assert_eq!(s.view, View::Notifications);
    assert_eq!(s.notifications.len(), 4, "{:?}", s.notifications);
    let text = render(&s);
    assert_reviewed("notifications_80x23", &text);
    assert!(text.contains("12:00:00 ✓ approved .nl"), "{text}");
    assert!(text.contains("marieke@nic.nl.example"), "whole: {text}");
    // A wrapped line hangs under its text, after the time and mark, not at column 0.
    let continued: Vec<&str> = text
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("? help"))
        .filter(|l| !l.is_empty() && !l.starts_with("12:00:00 "))
        .collect();
    assert!(!continued.is_empty(), "{text}");
    for l in continued {
        assert!(
            l.starts_with(&" ".repeat(11)) && !l.starts_with(&" ".repeat(12)),
            "{l:?}"
        );
    }
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.view, View::Queue);
}

/// A failing token helper's error was only in the log file: the bar cut it, and `@` had
/// nothing of it. Every mailbox failure is in `@` whole, once while the same one repeats.
#[test]
fn a_mailbox_failure_is_whole_in_the_notifications_view() {
    let mut s = state(80, 23);
    let token = "localhost:11993: imap.oauth2_token_command `oama access ann@example.org` \
                 failed with exit status 1: oama: no refresh token for ann@example.org, run \
                 `oama authorize microsoft ann@example.org`";
    let refused = "localhost:11994: cannot connect: Connection refused (os error 111)";
    let failed = |error: &str, retry: &str| PollStatus {
        idle: false,
        source: Some("imap:ann@localhost:11993/INBOX".into()),
        error: Some((error.into(), retry.into())),
        ..PollStatus::default()
    };
    let polling = |error: &str| PollStatus {
        polling: true,
        ..failed(error, "23:27:54")
    };
    update(&mut s, Msg::Poll(polling(token)));
    update(&mut s, Msg::Poll(failed(token, "23:27:54")));
    update(&mut s, Msg::Poll(polling(token)));
    update(&mut s, Msg::Poll(failed(token, "23:28:04")));
    update(&mut s, Msg::Poll(polling(token)));
    update(&mut s, Msg::Poll(failed(refused, "23:28:24")));
    assert_eq!(s.notice, None, "a background failure keeps the status line");
    let logged: Vec<_> = s.notifications.iter().map(|l| &l.notice).collect();
    assert_eq!(
        logged,
        [
            &Notice {
                text: format!("mailbox: {token}"),
                error: true
            },
            &Notice {
                text: format!("mailbox: {refused}"),
                error: true
            },
        ]
    );
    key(&mut s, KeyCode::Char('@'));
    let text = render(&s);
    assert!(
        text.contains("12:00:00 ✗ mailbox: localhost:11994: cannot connect:"),
        "{text}"
    );
    assert!(
        text.contains("oama authorize microsoft ann@example.org`"),
        "{text}"
    );
}

/// The bar spent its room on `localhost:14993: ` and cut "Connection refused": the one
/// server there is need not be named on it (`@` has the error whole).
#[test]
fn the_bar_says_what_failed_not_which_server() {
    let mut s = state(80, 23);
    let error = "localhost:14993: cannot connect: Connection refused (os error 111) (nothing \
                 listens on port 14993: check imap.port, and that the server runs)";
    update(
        &mut s,
        Msg::Poll(PollStatus {
            source: Some("imap:secretariat@localhost:14993/INBOX".into()),
            error: Some((error.into(), "04:10:05".into())),
            ..PollStatus::default()
        }),
    );
    let text = render(&s);
    let bar = text.lines().nth(22).unwrap();
    assert!(
        bar.starts_with("✗ mailbox: cannot connect: Connection refused "),
        "{bar}"
    );
    assert!(bar.contains("; retry 04:10:05 · outbox"), "{bar}");
    let logged = &s.notifications.last().unwrap().notice.text;
    assert_eq!(logged, &format!("mailbox: {error}"));
}
