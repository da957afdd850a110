//! Every view drawn at every size, and what no screen may show: raw escapes, cut cells
//! without an ellipsis, a column shifted by wide script.

use super::*;

/// Every view at every size: a split pane (60x16), tmux's pane in an 80x24 window with its
/// status bar (80x23), a plain terminal (80x24), a large one (120x40).
#[test]
fn views() {
    for (w, h) in [(60, 16), (80, 23), (80, 24), (120, 40)] {
        let mut s = state(w, h);
        assert_reviewed(&format!("queue_{w}x{h}"), &render(&s));
        key(&mut s, KeyCode::Char('2'));
        assert_reviewed(&format!("roster_{w}x{h}"), &render(&s));
        key(&mut s, KeyCode::Char('3'));
        assert_reviewed(&format!("log_{w}x{h}"), &render(&s));
        key(&mut s, KeyCode::Char('4'));
        assert_reviewed(&format!("coverage_{w}x{h}"), &render(&s));
        key(&mut s, KeyCode::Char('5'));
        update(
            &mut s,
            Msg::Messages(Box::new(message_page(MessageQuery::default(), 0))),
        );
        assert_reviewed(&format!("messages_{w}x{h}"), &render(&s));
        key(&mut s, KeyCode::Char('1'));
        assert_eq!(key(&mut s, KeyCode::Enter), [Effect::LoadCase("nl".into())]);
        update(&mut s, Msg::Case(Box::new(case_detail())));
        assert_reviewed(&format!("case_{w}x{h}"), &render(&s));
        assert_eq!(key(&mut s, KeyCode::Enter), [Effect::LoadMessage(12)]);
        update(&mut s, Msg::Message(Box::new(hostile_message())));
        assert_reviewed(&format!("message_hostile_{w}x{h}"), &render(&s));
        key(&mut s, KeyCode::Char('?'));
        assert_reviewed(&format!("help_{w}x{h}"), &render(&s));
        // Past the messages, the cursor walks the history; Enter shows an event in full.
        key(&mut s, KeyCode::Esc);
        key(&mut s, KeyCode::Esc);
        assert_eq!(s.view, View::Case);
        key(&mut s, KeyCode::Char('G'));
        assert_reviewed(&format!("case_history_{w}x{h}"), &render(&s));
        assert_eq!(key(&mut s, KeyCode::Enter), []);
        assert_eq!(s.view, View::Event);
        assert_reviewed(&format!("event_{w}x{h}"), &render(&s));
    }
}

#[test]
fn empty_states() {
    let mut s = State::new(
        Keymap::new(&KeysConfig::default()).unwrap(),
        "alice".into(),
        false,
    );
    update(&mut s, Msg::Resize(80, 24));
    update(
        &mut s,
        Msg::Data(Box::new(Snapshot {
            loaded_at: Some(NOW.parse().unwrap()),
            ..Snapshot::default()
        })),
    );
    assert_reviewed("queue_empty", &render(&s));
    key(&mut s, KeyCode::Char('2'));
    assert_reviewed("roster_empty", &render(&s));
}

#[test]
fn a_small_terminal_says_so() {
    let mut s = state(59, 15);
    let text = render(&s);
    assert!(
        text.contains("tldops needs a terminal of at least 60x16;"),
        "{text}"
    );
    assert!(text.contains("this one is 59x15."), "{text}");
    update(&mut s, Msg::Resize(60, 16));
    assert!(render(&s).contains("1 Queue (5)"));
    update(&mut s, Msg::Resize(80, 23));
    assert!(
        render(&s).contains("1 Queue (5)"),
        "tmux's 80x23 pane works"
    );
}

#[test]
fn a_too_small_terminal_takes_only_quit() {
    let mut s = state(59, 16);
    assert!(key(&mut s, KeyCode::Char('j')).is_empty());
    assert!(key(&mut s, KeyCode::Char('?')).is_empty());
    assert_eq!(s.view, View::Queue);
    assert_eq!(s.queue.selected, 0);
    assert_eq!(key(&mut s, KeyCode::Char('q')), vec![Effect::Quit]);
}

#[test]
fn hostile_text_never_reaches_the_screen_raw() {
    let mut s = state(80, 24);
    s.view = View::Message;
    s.message = Some(hostile_message());
    s.show_headers = true;
    let text = render(&s);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}'),
        "{text:?}"
    );
    assert!(text.contains("Subject: Cleared screen"), "{text}");
    assert!(text.contains("Hello red world"), "{text}");
}

#[test]
fn every_cut_cell_ends_in_an_ellipsis() {
    let mut s = state(80, 23);
    s.data.members = vec![ContactRow {
        phone: Some("+33 1 55 50 12 34".into()),
        ..contact(
            "br",
            "security-and-stability-team@registro.br.example",
            "Ana Souza",
            "subscribed",
        )
    }];
    key(&mut s, KeyCode::Char('2'));
    let text = render(&s);
    let br = text.lines().find(|l| l.contains(".br")).unwrap();
    assert!(br.ends_with('…'), "{br}");
    // The queue's WHY column is never cut mid-word without saying so.
    key(&mut s, KeyCode::Char('1'));
    let text = render(&s);
    let nl = text.lines().find(|l| l.contains(".nl")).unwrap();
    assert!(nl.ends_with('…'), "{nl}");
}

/// Indic, Thai, Lao, Arabic, Hebrew, CJK, Cyrillic, Greek, Armenian, Georgian: every IDN ccTLD
/// of the demo roster on one screen, every column in its place.
#[test]
fn every_idn_cctld_of_the_demo_roster_renders_in_its_columns() {
    let mut s = state(100, 70);
    s.data.roster = idn_roster();
    assert_eq!(s.data.roster.len(), 61);
    key(&mut s, KeyCode::Char('2'));
    let text = render(&s);
    assert_reviewed("roster_idn_100x70", &text);
    for line in text.lines().filter(|l| l.starts_with("- uninvited")) {
        // COUNTRY starts at the same column on every row, whatever script the TLD is in.
        let (tld, rest) = line.split_at(line.find(" .").unwrap() + 1);
        let label_and_pad: String = rest
            .chars()
            .take_while(|c| !c.is_ascii_alphabetic())
            .collect();
        assert_eq!(
            crate::tui::view::fit::width(tld) + crate::tui::view::fit::width(&label_and_pad),
            22,
            "{line}"
        );
    }
}

#[test]
fn text_views_never_scroll_past_their_end() {
    let mut s = state(80, 24);
    key(&mut s, KeyCode::Char('?'));
    render(&s);
    key(&mut s, KeyCode::Char('G'));
    let bottom = render(&s);
    assert!(bottom.contains("! bounced"), "{bottom}");
    let end = s.help_scroll;
    for _ in 0..50 {
        key(&mut s, KeyCode::Char('j'));
        render(&s);
    }
    assert_eq!(s.help_scroll, end, "j at the end stays at the end");
    key(&mut s, KeyCode::Char('k'));
    let up = render(&s);
    assert_eq!(s.help_scroll, end - 1);
    assert!(!up.contains("! bounced") || end == 0, "{up}");
}

/// The log sums each event up in words, never raw JSON cut at the edge; what mail put in a
/// detail is sanitised on the way.
#[test]
fn the_log_sums_up_events_in_sanitised_words() {
    let mut s = state(80, 23);
    s.data.log.insert(
        0,
        event(
            50,
            "za",
            "message_received",
            r#"{"authentication_results":["mx; dkim=pass"],"message":15,"verdict":"request","from":"th\u001b[2Jabo\u202e@za.example"}"#,
        ),
    );
    key(&mut s, KeyCode::Char('3'));
    let text = render(&s);
    assert!(
        text.contains("message_received #15 request from th"),
        "{text}"
    );
    assert!(
        text.contains("case_answered    invited → answered"),
        "{text}"
    );
    assert!(!text.contains(['{', '"', '\u{1b}', '\u{202e}']), "{text:?}");
}

/// More proposed contacts than the case view has rows for are counted, never left out
/// unsaid (five at 80x23 showed four).
#[test]
fn the_case_counts_the_contacts_it_has_no_room_for() {
    let mut case = case_detail();
    let first = case.contacts[0].clone();
    case.contacts = (1..=6)
        .map(|k| {
            let mut c = first.clone();
            c.email = format!("contact{k}@nic.nl.example");
            c
        })
        .collect();
    let screen = render(&case_view(80, 23, case));
    let shown = (1..=6)
        .filter(|k| screen.contains(&format!("contact{k}@nic.nl.example")))
        .count();
    assert!(
        screen.contains(&format!(" … {} more (e shows them all)", 6 - shown)),
        "{screen}"
    );
}

/// A request's line under the case wraps under itself: cut at 80 columns, it lost the
/// requester's phone.
#[test]
fn a_case_request_line_wraps_under_itself() {
    let mut case = case_detail();
    case.rounds = vec![crate::service::RoundLine {
        label: "request",
        text:
            "if the admin agrees: Amina Njoroge <amina.njoroge@nic.ke.example>, +254 20 555 0199 \
               joins (asked 2026-12-06, #16)"
                .into(),
    }];
    let screen = render(&case_view(80, 23, case));
    assert!(
        screen.contains("        request: if the admin agrees: Amina Njoroge"),
        "{screen}"
    );
    assert!(screen.contains("          "), "{screen}");
    assert!(
        screen.contains("+254 20 555 0199"),
        "the phone is not cut: {screen}"
    );
}
