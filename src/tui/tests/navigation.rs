//! Moving about: cursors, views, search, opening items; cursors that stay on their item
//! when a reload inserts rows.

use super::*;

#[test]
fn navigation_and_opening() {
    let mut s = state(80, 24);
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Char('j'));
    assert_eq!(s.queue.selected, 2);
    key(&mut s, KeyCode::Char('G'));
    assert_eq!(s.queue.selected, 4);
    key(&mut s, KeyCode::Char('g'));
    assert_eq!(s.queue.selected, 0);
    key(&mut s, KeyCode::Char('k'));
    assert_eq!(s.queue.selected, 0, "stops at the top");
    // An ambiguous message has no TLD: Enter reads the message.
    keys(&mut s, "jj");
    assert_eq!(key(&mut s, KeyCode::Enter), [Effect::LoadMessage(15)]);
    assert_eq!(s.view, View::Message);
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.view, View::Queue);
    key(&mut s, KeyCode::Tab);
    assert_eq!(s.view, View::Roster);
    assert_eq!(key(&mut s, KeyCode::Char('q')), [Effect::Quit]);
}

#[test]
fn search_finds_the_security_contact_of_br() {
    let mut s = state(80, 24);
    keys(&mut s, "2/br");
    key(&mut s, KeyCode::Enter);
    let rows = s.roster_rows();
    assert_eq!(rows[0].tld.code.as_str(), "br");
    assert!(render(&s).contains("Ana Souza <csirt@nic.br.example>"));
    // By a member's name, fuzzy.
    keys(&mut s, "/souza");
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.roster_rows()[0].tld.code.as_str(), "br");
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.roster_rows().len(), 8, "Esc clears the search");
    // A country typed out finds that country, not every row holding its letters in order
    // (fuzzy alone, "/austria" matched a third of the roster); a misspelling still finds it.
    s.data.roster.push(row(
        "at",
        "Austria",
        None,
        CaseState::Uninvited,
        "a@nic.at.example",
    ));
    // "a-u-s-t-r-i-a" in order, but not Austria.
    s.data.roster.push(row(
        "au",
        "Australia",
        None,
        CaseState::Uninvited,
        "a@auda.example",
    ));
    keys(&mut s, "/austria");
    key(&mut s, KeyCode::Enter);
    let codes: Vec<&str> = s
        .roster_rows()
        .iter()
        .map(|r| r.tld.code.as_str())
        .collect();
    assert_eq!(codes, ["at"]);
    keys(&mut s, "/swizerland");
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.roster_rows()[0].tld.code.as_str(), "ch");
}

/// A letter changed is no subsequence: a country spelt nearly so is found, and first.
#[test]
fn search_finds_a_country_spelt_nearly() {
    let mut s = state(80, 24);
    s.data.members.clear();
    s.data.roster = vec![
        row(
            "br",
            "Brazil",
            None,
            CaseState::Uninvited,
            "a@nic.br.example",
        ),
        row(
            "de",
            "Germany",
            None,
            CaseState::Uninvited,
            "a@denic.example",
        ),
        row(
            "nl",
            "Netherlands",
            None,
            CaseState::Uninvited,
            "a@sidn.example",
        ),
        // "brasil" in order, and closer together than in .br's row.
        row(
            "xb",
            "Bras Ilha",
            None,
            CaseState::Uninvited,
            "a@xb.example",
        ),
    ];
    for (typed, code) in [("brasil", "br"), ("germnay", "de")] {
        keys(&mut s, &format!("2/{typed}"));
        key(&mut s, KeyCode::Enter);
        let rows = s.roster_rows();
        let codes: Vec<&str> = rows.iter().map(|r| r.tld.code.as_str()).collect();
        assert_eq!(
            codes,
            [code],
            "{typed}: the country alone, not the fuzzy tail"
        );
    }
}

#[test]
fn the_log_filters_by_tld_and_operator() {
    let mut s = state(80, 24);
    keys(&mut s, "3/.nl");
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.log_rows().len(), 2);
    assert!(s.log_rows().iter().all(|e| e.tld.as_deref() == Some("nl")));
    let text = render(&s);
    assert!(!text.contains("approved"), "{text}");
    // Enter shows the event in full, as fields; Enter there opens its case.
    assert_eq!(key(&mut s, KeyCode::Enter), []);
    assert_eq!(s.view, View::Event);
    let shown = s.event.clone().unwrap();
    let text = render(&s);
    assert!(
        text.contains(&format!("#{} {}", shown.id, shown.action)),
        "{text}"
    );
    assert!(text.contains("operator"), "{text}");
    assert_eq!(key(&mut s, KeyCode::Enter), [Effect::LoadCase("nl".into())]);
    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.view, View::Log);
    key(&mut s, KeyCode::Esc);
    keys(&mut s, "/alice");
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.log_rows().len(), 3);
    keys(&mut s, "/bob");
    key(&mut s, KeyCode::Enter);
    assert!(render(&s).contains("No event matches the search"));
}

#[test]
fn the_messages_view_pages_filters_opens_and_assigns() {
    let mut s = state(80, 23);
    let all = MessageQuery::default();
    assert_eq!(
        key(&mut s, KeyCode::Char('5')),
        [Effect::LoadMessages {
            query: all.clone(),
            offset: 0
        }]
    );
    assert_eq!(s.view, View::Messages);
    assert!(render(&s).contains("loading…"));
    assert!(key(&mut s, KeyCode::Char('j')).is_empty(), "asked once");
    update(
        &mut s,
        Msg::Messages(Box::new(message_page(all.clone(), 0))),
    );
    let text = render(&s);
    assert!(text.contains("3,012 messages"), "{text}");
    assert!(text.contains("#3012"), "{text}");

    // The end of 3,012: only the page around it is asked for.
    let effects = key(&mut s, KeyCode::Char('G'));
    let h = s.list_height();
    assert_eq!(s.messages.cursor.selected, 3011);
    assert_eq!(
        effects,
        [Effect::LoadMessages {
            query: all.clone(),
            offset: 3012 - h - MESSAGE_PAGE / 4
        }]
    );
    assert!(render(&s).contains('…'), "rows not loaded yet");
    key(&mut s, KeyCode::Char('g'));
    assert!(render(&s).contains("#3012"), "the first page is still here");

    // v: the verdict; / text and .TLD; a page of an earlier search is dropped.
    let effects = key(&mut s, KeyCode::Char('v'));
    let unrelated = MessageQuery {
        verdict: Some(Verdict::Unrelated),
        ..all.clone()
    };
    assert_eq!(
        effects,
        [Effect::LoadMessages {
            query: unrelated.clone(),
            offset: 0
        }]
    );
    key(&mut s, KeyCode::Char('/'));
    keys(&mut s, "tld-ops .FR");
    let effects = key(&mut s, KeyCode::Enter);
    let search = MessageQuery {
        verdict: Some(Verdict::Unrelated),
        tld: Some("fr".into()),
        text: Some("tld-ops".into()),
    };
    assert_eq!(
        effects,
        [Effect::LoadMessages {
            query: search.clone(),
            offset: 0
        }]
    );
    update(&mut s, Msg::Messages(Box::new(message_page(unrelated, 0))));
    assert!(render(&s).contains("loading…"), "a stale page is not shown");
    let mut found = message_page(search.clone(), 0);
    found.rows.truncate(1);
    found.total = 1;
    update(&mut s, Msg::Messages(Box::new(found)));
    let text = render(&s);
    assert!(
        text.contains("1 message · verdict unrelated · .fr · \"tld-ops\""),
        "{text}"
    );

    // Enter reads it; Esc comes back; s assigns it.
    assert_eq!(key(&mut s, KeyCode::Enter), [Effect::LoadMessage(3012)]);
    assert_eq!(s.view, View::Message);
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.view, View::Messages);
    key(&mut s, KeyCode::Char('s'));
    assert!(
        matches!(
            s.dialog(),
            Some(Dialog::Prompt {
                purpose: Purpose::AssignTld { message: 3012 },
                ..
            })
        ),
        "{:?}",
        s.dialog()
    );
    key(&mut s, KeyCode::Esc);

    // New data (an assignment done): the page on screen is asked again. Esc clears the search.
    let effects = update(&mut s, Msg::Data(Box::new(snapshot())));
    assert!(effects.contains(&Effect::LoadMessages {
        query: search,
        offset: 0
    }));
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.messages.query.text, None);
    assert_eq!(s.messages.query.tld, None);
    assert_eq!(s.view, View::Messages);
}

/// New mail inserts queue rows above the one the operator is on: the cursor stays on that
/// item, so the next action is not taken on another ccTLD's.
#[test]
fn the_queue_cursor_stays_on_its_item_when_rows_come_in_above() {
    let mut s = state(80, 24);
    let before = s.data.queue.len();
    assert!(before >= 2);
    key(&mut s, KeyCode::Char('j'));
    let on = s.data.queue[s.queue.selected].clone();
    let mut news = snapshot();
    news.queue.insert(
        0,
        item(
            "decide",
            Some("za"),
            "South Africa",
            None,
            "a new reply",
            Some(99),
        ),
    );
    update(&mut s, Msg::Data(Box::new(news)));
    let now = &s.data.queue[s.queue.selected];
    assert_eq!(
        (now.kind, &now.tld, now.message),
        (on.kind, &on.tld, on.message)
    );
}

/// A reload that inserts rows above the cursor (a new ccTLD in the roster, a new event at the
/// top of the log) leaves the roster's and the log's cursors on the row they were on.
#[test]
fn the_roster_and_log_cursors_stay_on_their_rows_when_rows_come_in_above() {
    let mut s = state(80, 24);
    keys(&mut s, "2jj");
    let on_tld = s.selected_roster_row().unwrap().tld.code.to_string();
    keys(&mut s, "3j");
    let on_event = s.log_rows()[s.log.selected].id;
    let mut news = snapshot();
    news.roster.insert(
        0,
        row(
            "ad",
            "Andorra",
            None,
            CaseState::Uninvited,
            "admin@nic.ad.example",
        ),
    );
    news.log.insert(0, event(99, "ad", "invited", "{}"));
    update(&mut s, Msg::Data(Box::new(news)));
    assert_eq!(s.log_rows()[s.log.selected].id, on_event, "the log cursor");
    key(&mut s, KeyCode::Char('2'));
    assert_eq!(
        s.selected_roster_row().unwrap().tld.code.to_string(),
        on_tld,
        "the roster cursor"
    );
}

/// An event's long value wraps under itself, not back at the left edge where the names are,
/// and the hashes each have a line (the `(after` of the old one-line form was cut at 80).
#[test]
fn an_event_wraps_its_values_under_themselves() {
    let mut s = state(80, 24);
    let why = "From is the IANA admin address of .jp (admin@nic.jp.example); In-Reply-To \
               matches the invitation sent 2026-11-29";
    let mut e = event(
        7,
        "jp",
        "case_answered",
        &format!(r#"{{"evidence": {{"why": "{why}"}}}}"#),
    );
    e.hash = "4b62".repeat(16);
    e.prev_hash = "9e1f".repeat(16);
    s.event = Some(e);
    s.view = View::Event;
    let text = render(&s);
    let at = |needle: &str| {
        text.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle}: {text}"))
            .to_string()
    };
    assert!(at("evidence.why").contains("From is the IANA"), "{text}");
    let more = at("In-Reply-To");
    assert!(
        more.starts_with(&" ".repeat("evidence.why  ".len())),
        "{text}"
    );
    assert!(at("this").contains(&"4b62".repeat(16)), "{text}");
    assert!(at("after").contains(&"9e1f".repeat(16)), "{text}");
}

/// The queue's selected item has its reason whole under the list (the WHY column is cut at
/// 80 columns), and the list scrolls so that the cursor never hides behind it.
#[test]
fn the_queue_shows_the_selected_reason_whole_and_scrolls_above_it() {
    let mut s = state(80, 23);
    s.data.queue = (1..=30)
        .map(|k| {
            item(
                "review",
                Some("ch"),
                "Switzerland",
                None,
                &format!("reason number {k}, long enough that the WHY column cuts it short"),
                Some(k),
            )
        })
        .collect();
    let screen = render(&s);
    assert!(
        screen.contains(" .ch #1: reason number 1, long enough that the WHY column cuts it short"),
        "{screen}"
    );
    key(&mut s, KeyCode::Char('G'));
    let screen = render(&s);
    let lines: Vec<&str> = screen.lines().collect();
    let rule = lines
        .iter()
        .position(|l| l.starts_with('─'))
        .expect("the rule");
    assert!(
        lines[..rule].iter().any(|l| l.contains("#30 reason")),
        "the last item is in the list, above the rule:\n{screen}"
    );
    assert!(
        lines[rule + 1].contains(".ch #30: reason number 30"),
        "{screen}"
    );
}

/// The log's selected event has its detail whole under the list, as the queue's reason.
#[test]
fn the_log_shows_the_selected_detail_whole() {
    let mut s = state(80, 23);
    key(&mut s, KeyCode::Char('3'));
    key(&mut s, KeyCode::Char('j'));
    let screen = render(&s);
    assert!(
        screen.contains(" .br approved: 1 contact: csirt@nic.br.example"),
        "{screen}"
    );
}
