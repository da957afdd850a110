//! The TUI without a terminal: key → action → state, and every view rendered on ratatui's
//! TestBackend at 80x24 and 120x40, compared with reviewed snapshots (src/tui/snapshots/).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::keymap::Keymap;
use super::state::MESSAGE_PAGE;
use super::state::{
    CaseDetail, Command, Dialog, MessageDetail, PollStatus, Purpose, Snapshot, State, View,
};
use super::update::{Effect, Msg, Refusal, update};
use crate::config::KeysConfig;
use crate::domain::audit::EventRecord;
use crate::domain::case::CaseState;
use crate::domain::email::Email;
use crate::domain::member::ContactState;
use crate::domain::message::parse;
use crate::domain::region::Region;
use crate::domain::roster::{IanaContact, Tld};
use crate::domain::template::Kind;
use crate::domain::tld::TldCode;
use crate::domain::triage::{Contact, Verdict};
use crate::service::MessageQuery;
use crate::service::{CaseSummary, ContactRow, MessageRow, RosterRow};
use crate::service::{Counts, QueueItem, RegionCounts, Stats};
use crate::service::{Effects, MessagePage, Plan, Planned};

const NOW: &str = "2026-03-10T12:00:00Z";

fn row(
    code: &str,
    country: &str,
    region: Option<Region>,
    state: CaseState,
    admin: &str,
) -> RosterRow {
    RosterRow {
        tld: Tld {
            language: None,
            code: TldCode::parse(code).unwrap(),
            country: country.into(),
            region,
            admin: IanaContact {
                name: "Ann de Vries".into(),
                email: Email::parse(admin).unwrap(),
            },
            tech: IanaContact {
                name: "Tom Bakker".into(),
                email: Email::parse("noc@nic.example").unwrap(),
            },
            retired: false,
        },
        case: CaseSummary {
            state,
            invited_at: Some("2026-03-02T09:00:00Z".into()),
            reminders: 0,
            answered_at: None,
            decided_at: None,
            decided_by: None,
            admin_changed_at: None,
        },
    }
}

fn contact(tld: &str, email: &str, name: &str, state: &str) -> ContactRow {
    let state = match state {
        "subscribed" => ContactState::Subscribed,
        _ => ContactState::Proposed,
    };
    ContactRow {
        id: 1,
        tld: tld.into(),
        email: email.into(),
        name: Some(name.into()),
        phone: Some("+31 26 352 5511".into()),
        state,
        message: Some(1),
        approved_at: None,
        backend_error: None,
        updated_at: NOW.into(),
    }
}

fn item(
    kind: &str,
    tld: Option<&str>,
    country: &str,
    state: Option<CaseState>,
    why: &str,
    message: Option<i64>,
) -> QueueItem {
    QueueItem {
        kind: kind.parse().unwrap(),
        tld: tld.map(str::to_string),
        country: (!country.is_empty()).then(|| country.to_string()),
        state,
        why: why.into(),
        since: "2026-03-07T08:00:00Z".into(),
        message,
        mail: None,
    }
}

fn event(id: i64, tld: &str, action: &str, detail: &str) -> EventRecord {
    EventRecord {
        id,
        at: "2026-03-04T10:12:00Z".into(),
        operator: "alice".into(),
        tld: Some(tld.into()),
        action: action.into(),
        detail: detail.into(),
        prev_hash: String::new(),
        hash: String::new(),
    }
}

fn counts(tlds: usize, on_list: usize, invited: usize) -> Counts {
    Counts {
        tlds,
        on_list,
        invited,
        answered: on_list + 1,
        approved: on_list,
        rejected: 0,
        bounced: 1,
        waiting: invited - on_list - 1,
    }
}

/// A realistic world: IDN and right-to-left ccTLDs, a very long country name, every state.
fn snapshot() -> Snapshot {
    Snapshot {
        loaded_at: NOW.into(),
        queue: vec![
            item(
                "decide",
                Some("nl"),
                "Netherlands",
                Some(CaseState::Answered),
                "verified reply (admin_from) naming 2 contacts: From is the IANA admin address of .nl; In-Reply-To matches the invitation sent 2026-03-02",
                Some(12),
            ),
            item(
                "review",
                Some("ch"),
                "Switzerland",
                Some(CaseState::Invited),
                "unverified reply naming 1 contact: In-Reply-To matches the invitation sent 2026-03-02, but the admin address is in none of From, To, Cc",
                Some(14),
            ),
            item(
                "assign",
                None,
                "",
                None,
                "from registry@nic.fr.example: the admin address is shared by .fr, .pm, .re, .yt and nothing in the message decides which",
                Some(15),
            ),
            item(
                "bounced",
                Some("ar"),
                "Argentina",
                Some(CaseState::Bounced),
                "delivery failure of the invitation sent 2026-03-02 to .ar: check the admin address, invite again",
                Some(16),
            ),
            item(
                "chase",
                Some("xn--wgbh1c"),
                "Egypt",
                Some(CaseState::Invited),
                "invited 2026-02-10, no answer: reminder 1 of 3 is due",
                None,
            ),
        ],
        roster: vec![
            row(
                "ar",
                "Argentina",
                Some(Region::Lactld),
                CaseState::Bounced,
                "domain-admin@nic.ar.example",
            ),
            row(
                "br",
                "Brazil",
                Some(Region::Lactld),
                CaseState::Approved,
                "domain-admin@nic.br.example",
            ),
            row(
                "ch",
                "Switzerland",
                Some(Region::Centr),
                CaseState::Invited,
                "registry@nic.ch.example",
            ),
            row(
                "gs",
                "South Georgia and the South Sandwich Islands",
                Some(Region::Centr),
                CaseState::Uninvited,
                "admin@nic.gs.example",
            ),
            row(
                "nl",
                "Netherlands",
                Some(Region::Centr),
                CaseState::Answered,
                "ccadmin@nic.nl.example",
            ),
            row(
                "us",
                "United States",
                None,
                CaseState::Rejected,
                "registry@nic.us.example",
            ),
            row(
                "xn--fiqs8s",
                "China",
                Some(Region::Aptld),
                CaseState::Reminded,
                "admin@nic.cn.example",
            ),
            row(
                "xn--wgbh1c",
                "Egypt",
                Some(Region::Aftld),
                CaseState::Invited,
                "hostmaster@nic.eg.example",
            ),
        ],
        members: vec![contact(
            "br",
            "csirt@nic.br.example",
            "Ana Souza",
            "subscribed",
        )],
        proposed: vec![
            contact("nl", "jan.jansen@nic.nl.example", "Jan Jansen", "proposed"),
            contact(
                "nl",
                "marieke@nic.nl.example",
                "Marieke de Boer",
                "proposed",
            ),
        ],
        stats: Some(Stats {
            total: counts(309, 29, 48),
            contacts: 61,
            by_region: vec![
                RegionCounts {
                    region: Some(Region::Aftld),
                    counts: counts(60, 4, 10),
                },
                RegionCounts {
                    region: Some(Region::Aptld),
                    counts: counts(119, 9, 14),
                },
                RegionCounts {
                    region: Some(Region::Centr),
                    counts: counts(87, 12, 16),
                },
                RegionCounts {
                    region: Some(Region::Lactld),
                    counts: counts(36, 4, 8),
                },
            ],
            median_days_to_answer: Some(6.5),
            approvals_by_month: vec![
                ("2026-01".into(), 3),
                ("2026-02".into(), 11),
                ("2026-03".into(), 15),
            ],
            answer_times: vec![],
            confirmed_within_year: 29,
            confirmation_due: 0,
            lapsed: 0,
        }),
        log: vec![
            event(
                3,
                "nl",
                "case_answered",
                r#"{"from":"invited","to":"answered"}"#,
            ),
            event(
                2,
                "br",
                "approved",
                r#"{"contacts":["csirt@nic.br.example"]}"#,
            ),
            event(1, "nl", "invited", r#"{"to":"ccadmin@nic.nl.example"}"#),
        ],
        outbox_backlog: 2,
    }
}

fn state(w: u16, h: u16) -> State {
    let mut s = State::new(
        Keymap::new(&KeysConfig::default()).unwrap(),
        "alice".into(),
        false,
    );
    s.clock = || "12:00:00".into();
    update(&mut s, Msg::Resize(w, h));
    update(&mut s, Msg::Data(Box::new(snapshot())));
    update(
        &mut s,
        Msg::Poll(PollStatus {
            source: Some("imap:secretariat@imap.example.org:993/INBOX".into()),
            polling: false,
            last_poll: Some("11:58:02".into()),
            next_poll: Some("11:59:02".into()),
            error: None,
            off: None,
        }),
    );
    s
}

fn message_row(id: i64, verdict: Verdict, subject: &str, why: &str) -> MessageRow {
    MessageRow {
        id,
        message_id: Some(format!("m{id}@mail.example")),
        from: Some("ccadmin@nic.nl.example".into()),
        subject: subject.into(),
        date: Some("2026-03-04T10:00:00+01:00".into()),
        verdict,
        tld: Some("nl".into()),
        why: why.into(),
        parse_error: None,
        ingested_at: "2026-03-04T10:05:00Z".into(),
        filed_at: "2026-03-04T10:05:00Z".into(),
        contacts: vec![Contact {
            email: "jan.jansen@nic.nl.example".into(),
            name: Some("Jan Jansen".into()),
            phone: None,
        }],
        intent: None,
        settled_at: None,
    }
}

/// The first 200 of 3,012 messages, newest first: a reply from a personal address triage
/// could not tie to a TLD on top, then the usual list mail.
fn message_page(query: MessageQuery, offset: usize) -> MessagePage {
    let rows = (offset..offset + 200)
        .map(|n| {
            let id = 3012 - n as i64;
            let mut m = match n % 3 {
                0 => message_row(
                    id,
                    Verdict::Unrelated,
                    "Re: TLD-OPS: name the security contacts of .fr",
                    "no TLD: From, Cc and the subject name none",
                ),
                1 => message_row(id, Verdict::Unrelated, "DNS-OARC newsletter", "list mail"),
                _ => message_row(id, Verdict::AutoReply, "Out of office", "auto-reply"),
            };
            m.tld = None;
            m.from = Some(if n % 3 == 0 {
                "Marie Dupont <marie.dupont1969@gmail.example>".into()
            } else {
                "news@dns-oarc.example".into()
            });
            m
        })
        .collect();
    MessagePage {
        query,
        offset,
        rows,
        total: 3012,
    }
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
            &s.dialog,
            Some(Dialog::Prompt {
                purpose: Purpose::AssignTld { message: 3012 },
                ..
            })
        ),
        "{:?}",
        s.dialog
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

fn case_detail() -> CaseDetail {
    CaseDetail {
        row: snapshot().roster[4].clone(),
        messages: vec![
            message_row(
                12,
                Verdict::AdminFrom,
                "Re: [TLD-OPS .nl #k3x9] Invitation",
                "From is the IANA admin address of .nl (ccadmin@nic.nl.example); In-Reply-To matches the invitation sent 2026-03-02",
            ),
            message_row(
                9,
                Verdict::AutoReply,
                "Automatic reply: [TLD-OPS .nl #k3x9] Invitation",
                "automatic reply: Auto-Submitted: auto-replied",
            ),
        ],
        contacts: snapshot().proposed,
        rounds: Vec::new(),
        events: snapshot()
            .log
            .into_iter()
            .filter(|e| e.tld.as_deref() == Some("nl"))
            .collect(),
    }
}

/// A message whose Subject and From name decode to escape sequences and a bidi override.
fn hostile_message() -> MessageDetail {
    let raw = b"From: =?UTF-8?B?QWRtaW4g4oCuIGdubGFl?= <ccadmin@nic.nl.example>\r\n\
        To: secretariat@ccnso.example.org\r\nSubject: =?UTF-8?B?G1sySkNsZWFyZWQbXTA7cHduZWQHIHNjcmVlbg==?=\r\n\
        Message-ID: <hostile@mail.example>\r\nDate: Wed, 4 Mar 2026 10:00:00 +0100\r\n\r\n\
        Hello \x1b[31mred\x1b[0m world\r\n";
    let m = parse(raw, true);
    let mut row = message_row(
        21,
        Verdict::Unrelated,
        &m.subject,
        "no admin address, no thread of ours",
    );
    row.from = m.from_address().map(str::to_string);
    let body = m.text.clone();
    MessageDetail {
        authentication: vec![
            "mx.ccnso.example.org; dkim=pass header.d=nic.nl.example; dmarc=pass".into(),
        ],
        ..MessageDetail::new(row, &m, body)
    }
}

fn render(s: &State) -> String {
    let mut t = Terminal::new(TestBackend::new(s.width, s.height)).unwrap();
    t.draw(|f| super::view::draw(f, s)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let symbol = buf[(x, y)].symbol();
            // A wide character covers the next cell too.
            skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
            line.push_str(symbol);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn key(s: &mut State, code: KeyCode) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn keys(s: &mut State, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in text.chars() {
        effects.extend(key(s, KeyCode::Char(c)));
    }
    effects
}

/// Every view at every size: a split pane (60x16), tmux's pane in an 80x24 window with its
/// status bar (80x23), a plain terminal (80x24), a large one (120x40).
#[test]
fn views() {
    for (w, h) in [(60, 16), (80, 23), (80, 24), (120, 40)] {
        let mut s = state(w, h);
        insta::assert_snapshot!(format!("queue_{w}x{h}"), render(&s));
        key(&mut s, KeyCode::Char('2'));
        insta::assert_snapshot!(format!("roster_{w}x{h}"), render(&s));
        key(&mut s, KeyCode::Char('3'));
        insta::assert_snapshot!(format!("log_{w}x{h}"), render(&s));
        key(&mut s, KeyCode::Char('4'));
        insta::assert_snapshot!(format!("coverage_{w}x{h}"), render(&s));
        key(&mut s, KeyCode::Char('5'));
        update(
            &mut s,
            Msg::Messages(Box::new(message_page(MessageQuery::default(), 0))),
        );
        insta::assert_snapshot!(format!("messages_{w}x{h}"), render(&s));
        key(&mut s, KeyCode::Char('1'));
        assert_eq!(key(&mut s, KeyCode::Enter), [Effect::LoadCase("nl".into())]);
        update(&mut s, Msg::Case(Box::new(case_detail())));
        insta::assert_snapshot!(format!("case_{w}x{h}"), render(&s));
        assert_eq!(key(&mut s, KeyCode::Enter), [Effect::LoadMessage(12)]);
        update(&mut s, Msg::Message(Box::new(hostile_message())));
        insta::assert_snapshot!(format!("message_hostile_{w}x{h}"), render(&s));
        key(&mut s, KeyCode::Char('?'));
        insta::assert_snapshot!(format!("help_{w}x{h}"), render(&s));
        // Past the messages, the cursor walks the history; Enter shows an event in full.
        key(&mut s, KeyCode::Esc);
        key(&mut s, KeyCode::Esc);
        assert_eq!(s.view, View::Case);
        key(&mut s, KeyCode::Char('G'));
        insta::assert_snapshot!(format!("case_history_{w}x{h}"), render(&s));
        assert_eq!(key(&mut s, KeyCode::Enter), []);
        assert_eq!(s.view, View::Event);
        insta::assert_snapshot!(format!("event_{w}x{h}"), render(&s));
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
            loaded_at: NOW.into(),
            ..Snapshot::default()
        })),
    );
    insta::assert_snapshot!("queue_empty", render(&s));
    key(&mut s, KeyCode::Char('2'));
    insta::assert_snapshot!("roster_empty", render(&s));
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
}

/// The plan of approving .nl as the service would give it: two new members, one removed.
fn approve_plan(command: Command) -> Plan {
    let c = |email: &str, name: &str, phone: Option<&str>| {
        (
            "nl".to_string(),
            Contact {
                email: email.into(),
                name: Some(name.into()),
                phone: phone.map(str::to_string),
            },
        )
    };
    let mail = |kind, to: &str| Planned {
        kind,
        tld: Some("nl".into()),
        to: vec![to.into()],
        cc: vec![],
        subject: "[TLD-OPS .nl #k3x9] …".into(),
        message_id: format!("{to}.1@ccnso.example.org"),
    };
    Plan {
        command,
        effects: Effects {
            transitions: vec![("nl".into(), CaseState::Answered, CaseState::Approved)],
            subscribe: vec![
                c(
                    "jan.jansen@nic.nl.example",
                    "Jan Jansen",
                    Some("+31 26 352 5511"),
                ),
                c("marieke@nic.nl.example", "Marieke Smit", None),
            ],
            remove: vec![c("old.hand@nic.nl.example", "Piet de Oude", None)],
            mails: vec![
                mail(Kind::Approval, "ccadmin@nic.nl.example"),
                mail(Kind::Welcome, "jan.jansen@nic.nl.example"),
                mail(Kind::Welcome, "marieke@nic.nl.example"),
            ],
            ..Effects::default()
        },
    }
}

#[test]
fn approving_plans_first_then_asks_with_everything_the_plan_says() {
    let mut s = state(80, 24);
    let approve = Command::Approve {
        tld: "nl".into(),
        contacts: vec![],
        override_reason: None,
    };
    assert_eq!(
        key(&mut s, KeyCode::Char('a')),
        [Effect::Plan(approve.clone())]
    );
    assert!(
        s.dialog.is_none() && s.busy.is_some(),
        "no dialog before the plan"
    );
    update(
        &mut s,
        Msg::Planned(Box::new(Ok(approve_plan(approve.clone())))),
    );
    let Some(Dialog::Confirm {
        title,
        lines,
        command,
    }) = &s.dialog
    else {
        panic!("{:?}", s.dialog)
    };
    assert_eq!(title, "Approve .nl?");
    let text = lines.join("\n");
    for want in [
        "Subscribe to .nl: Jan Jansen <jan.jansen@nic.nl.example>, +31 26 352 5511",
        "Remove from .nl: Piet de Oude <old.hand@nic.nl.example>",
        "Mail: the approval notice to ccadmin@nic.nl.example",
        "Mail: a welcome to marieke@nic.nl.example",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    assert_eq!(*command, approve);
    insta::assert_snapshot!("approve_dialog", render(&s));
    assert_eq!(key(&mut s, KeyCode::Char('y')), [Effect::Run(approve)]);
    assert!(s.dialog.is_none() && s.busy.is_some());
    assert_eq!(
        update(
            &mut s,
            Msg::Failed(".nl: already approved by bob at 2026-03-04T10:12:00Z".into())
        ),
        [Effect::Reload]
    );
    assert!(render(&s).contains("✗ .nl: already approved by bob at 2026-03-04T10:12:00Z"));
}

#[test]
fn a_refused_plan_shows_its_reason_and_no_dialog() {
    let mut s = state(80, 24);
    key(&mut s, KeyCode::Char('a'));
    update(
        &mut s,
        Msg::Planned(Box::new(Err(Refusal::Refused(
            ".nl: 4 contacts, more than list.max_contacts (3): choose with --contacts".into(),
        )))),
    );
    assert!(s.dialog.is_none() && s.busy.is_none());
    let notice = s.notice.clone().unwrap();
    assert!(notice.error && notice.text.contains("more than list.max_contacts"));
}

#[test]
fn an_unverified_reply_is_approved_with_a_prompted_override_reason() {
    let mut s = state(80, 24);
    key(&mut s, KeyCode::Char('a'));
    update(
        &mut s,
        Msg::Planned(Box::new(Err(Refusal::NeedsOverride {
            tld: "nl".into(),
            why: ".nl: the only reply is unverified (…)".into(),
        }))),
    );
    assert!(matches!(
        &s.dialog,
        Some(Dialog::Prompt { purpose: Purpose::OverrideReason { tld }, .. }) if tld == "nl"
    ));
    keys(&mut s, "confirmed by phone with the admin");
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        [Effect::Plan(Command::Approve {
            tld: "nl".into(),
            contacts: vec![],
            override_reason: Some("confirmed by phone with the admin".into()),
        })]
    );
}

/// The worker's answer to the check of the action asked last: it can be done.
fn check_passes(s: &mut State) {
    let command = Command::Reject {
        tld: "ch".into(),
        reason: "(checked)".into(),
    };
    update(
        s,
        Msg::Planned(Box::new(Ok(Plan {
            command,
            effects: Effects::default(),
        }))),
    );
}

#[test]
fn rejecting_prompts_for_a_reason_then_plans() {
    let mut s = state(80, 24);
    key(&mut s, KeyCode::Char('j'));
    // Checked first: a reason is asked for only when the rejection can be done.
    let effects = key(&mut s, KeyCode::Char('r'));
    assert!(
        matches!(effects.as_slice(), [Effect::Plan(Command::Reject { tld, .. })] if tld == "ch"),
        "{effects:?}"
    );
    assert!(s.dialog.is_none());
    update(
        &mut s,
        Msg::Planned(Box::new(Err(Refusal::Refused(
            ".ch: already rejected by bob at 2026-03-09".into(),
        )))),
    );
    assert!(
        s.dialog.is_none(),
        "no reason asked for what cannot be done"
    );
    assert!(s.notice.as_ref().is_some_and(|n| n.error));
    key(&mut s, KeyCode::Char('r'));
    check_passes(&mut s);
    assert!(matches!(s.dialog, Some(Dialog::Prompt { .. })));
    keys(&mut s, "No admin copy");
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        [Effect::Plan(Command::Reject {
            tld: "ch".into(),
            reason: "No admin copy".into()
        })]
    );
    assert!(s.dialog.is_none());
}

#[test]
fn the_command_line_never_changes_the_view() {
    let mut s = state(80, 24);
    key(&mut s, KeyCode::Char('3'));
    key(&mut s, KeyCode::Char(':'));
    keys(&mut s, "approve nl");
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        [Effect::Plan(Command::Approve {
            tld: "nl".into(),
            contacts: vec![],
            override_reason: None,
        })]
    );
    assert_eq!(s.view, View::Log, "the dialog opens over the log");
    s.busy = None;
    key(&mut s, KeyCode::Char(':'));
    keys(&mut s, "reject ch");
    let effects = key(&mut s, KeyCode::Enter);
    assert!(
        matches!(effects.as_slice(), [Effect::Plan(Command::Reject { tld, .. })] if tld == "ch"),
        "checked before the reason is asked: {effects:?}"
    );
    check_passes(&mut s);
    assert!(matches!(s.dialog, Some(Dialog::Prompt { .. })));
    assert_eq!(s.view, View::Log);
}

#[test]
fn command_line_and_contacts_form() {
    let mut s = state(80, 24);
    key(&mut s, KeyCode::Char(':'));
    keys(&mut s, "reject nl The reply did not copy the admin address");
    assert!(matches!(
        key(&mut s, KeyCode::Enter).as_slice(),
        [Effect::Plan(Command::Reject { tld, .. })] if tld == "nl"
    ));
    s.busy = None;
    key(&mut s, KeyCode::Char(':'));
    keys(&mut s, "approve zz");
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(
        s.notice
            .as_ref()
            .unwrap()
            .text
            .contains(".zz is not in the roster")
    );

    key(&mut s, KeyCode::Char('1'));
    key(&mut s, KeyCode::Char('e'));
    let Some(Dialog::Contacts { editor, .. }) = &s.dialog else {
        panic!("{:?}", s.dialog)
    };
    assert_eq!(
        editor.line_texts()[0],
        "jan.jansen@nic.nl.example, Jan Jansen, +31 26 352 5511"
    );
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Down);
    keys(&mut s, "not-an-address");
    key(&mut s, KeyCode::Enter);
    let Some(Dialog::Contacts { error, .. }) = &s.dialog else {
        panic!()
    };
    assert!(error.as_deref().unwrap().contains("line 3"), "{error:?}");
    for _ in 0.."not-an-address".len() {
        key(&mut s, KeyCode::Backspace);
    }
    let effects = key(&mut s, KeyCode::Enter);
    let [Effect::Plan(Command::SetContacts { contacts, .. })] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(contacts.len(), 2);
}

#[test]
fn keys_from_the_config_apply() {
    let mut cfg = KeysConfig::default();
    cfg.queue
        .insert("approve".into(), crate::config::KeySpec::One("A".into()));
    let mut s = State::new(Keymap::new(&cfg).unwrap(), "alice".into(), false);
    update(&mut s, Msg::Resize(80, 24));
    update(&mut s, Msg::Data(Box::new(snapshot())));
    assert!(key(&mut s, KeyCode::Char('a')).is_empty());
    assert!(matches!(
        key(&mut s, KeyCode::Char('A')).as_slice(),
        [Effect::Plan(Command::Approve { .. })]
    ));
    s.busy = None;
    key(&mut s, KeyCode::Char('?'));
    keys(&mut s, "/approve");
    key(&mut s, KeyCode::Enter);
    let help = render(&s);
    assert!(
        help.contains("  A              approve the TLD's proposed contacts  [approve]"),
        "{help}"
    );
}

#[test]
fn a_failing_poll_shows_its_retry() {
    let mut s = state(80, 24);
    update(
        &mut s,
        Msg::Poll(PollStatus {
            source: Some("imap:secretariat@imap.example.org:993/INBOX".into()),
            polling: false,
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
    assert_eq!(s.notice.as_ref().unwrap().text, "polling…");
}

#[test]
fn text_views_never_scroll_past_their_end() {
    let mut s = state(80, 24);
    key(&mut s, KeyCode::Char('?'));
    render(&s);
    key(&mut s, KeyCode::Char('G'));
    let bottom = render(&s);
    assert!(bottom.contains("States: - uninvited"), "{bottom}");
    let end = s.help_scroll;
    for _ in 0..50 {
        key(&mut s, KeyCode::Char('j'));
        render(&s);
    }
    assert_eq!(s.help_scroll, end, "j at the end stays at the end");
    key(&mut s, KeyCode::Char('k'));
    let up = render(&s);
    assert_eq!(s.help_scroll, end - 1);
    assert!(!up.contains("States: - uninvited") || end == 0, "{up}");
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
fn an_interrupted_mail_is_resent_or_marked_sent_from_the_queue() {
    let mut s = state(80, 24);
    let mut q = item(
        "mail_interrupted",
        Some("be"),
        "Belgium",
        None,
        "its send was interrupted",
        None,
    );
    q.mail = Some("invitation.be.1@ccnso.example.org".into());
    s.data.queue.insert(0, q);
    s.queue.selected = 0;
    key(&mut s, KeyCode::Char(':'));
    keys(&mut s, "resend");
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        [Effect::Plan(Command::ResendMail {
            message_id: "invitation.be.1@ccnso.example.org".into()
        })]
    );
    s.busy = None;
    key(&mut s, KeyCode::Char(':'));
    keys(&mut s, "mark-sent <other@ccnso.example.org>");
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        [Effect::Plan(Command::MarkMailSent {
            message_id: "other@ccnso.example.org".into()
        })]
    );
}

#[test]
fn the_bottom_bar_keeps_the_retry_time_and_the_outbox_at_80_columns() {
    for (w, h) in [(80, 23), (60, 16)] {
        let mut s = state(w, h);
        update(
            &mut s,
            Msg::Poll(PollStatus {
                source: Some("imap:secretariat@imap.example.org:993/INBOX".into()),
                polling: false,
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
        assert!(bar.contains("…; retry 12:00:32 · outbox 2"), "{bar}");
    }
}

#[test]
fn missing_passwords_show_in_the_bottom_bar_and_polling_says_what_to_set() {
    use super::missing::{Missing, Secret};
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
             $TLDOPS_IMAP_PASSWORD is not set; set it and restart tldops"
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
    assert!(bar.ends_with('…') && bar.chars().count() == 80, "{bar}");

    key(&mut s, KeyCode::Char('@'));
    assert_eq!(s.view, View::Notifications);
    assert_eq!(s.notifications.len(), 4, "{:?}", s.notifications);
    let text = render(&s);
    insta::assert_snapshot!("notifications_80x23", text);
    assert!(text.contains("12:00:00 ✓ approved .nl"), "{text}");
    assert!(text.contains("marieke@nic.nl.example"), "whole: {text}");
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.view, View::Queue);
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

fn ctrl(s: &mut State, c: char) -> Vec<Effect> {
    update(
        s,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

#[test]
fn a_reject_reason_is_edited_with_readline_keys_never_typed_as_letters() {
    let mut s = state(80, 23);
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Char('r'));
    check_passes(&mut s);
    keys(&mut s, "Teh reply");
    ctrl(&mut s, 'w');
    keys(&mut s, "wrong words");
    ctrl(&mut s, 'u');
    keys(&mut s, "reply did not copy the admin address.");
    ctrl(&mut s, 'a');
    keys(&mut s, "The ");
    ctrl(&mut s, 'e');
    ctrl(&mut s, 'j');
    update(
        &mut s,
        Msg::Paste("Please reply again\r\nwith it in Cc.\u{1b}[2J".into()),
    );
    insta::assert_snapshot!("reject_reason_80x23", render(&s));
    let reason = "The reply did not copy the admin address.\nPlease reply again\nwith it in Cc.[2J";
    let reject = Command::Reject {
        tld: "ch".into(),
        reason: reason.into(),
    };
    assert_eq!(key(&mut s, KeyCode::Enter), [Effect::Plan(reject.clone())]);
    // The plan's lines show the reason as it will be mailed, line by line.
    let plan = Plan {
        command: reject,
        effects: Effects {
            notes: vec![format!("Reason: {reason}")],
            ..Effects::default()
        },
    };
    update(&mut s, Msg::Planned(Box::new(Ok(plan))));
    let text = render(&s);
    assert!(
        text.contains("Reason: The reply did not copy the admin address."),
        "{text}"
    );
    assert!(text.contains("with it in Cc."), "{text}");
}

#[test]
fn the_search_and_command_lines_edit_too() {
    let mut s = state(80, 23);
    keys(&mut s, "2/braz");
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::ALT)),
    );
    keys(&mut s, "br");
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.search.as_deref(), Some("br"));
    keys(&mut s, ":chase");
    ctrl(&mut s, 'a');
    ctrl(&mut s, 'k');
    update(&mut s, Msg::Paste("roster\n".into()));
    assert!(render(&s).contains(":roster"));
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.view, View::Roster);
    assert!(s.notice.is_none(), "{:?}", s.notice);
}

/// Every IDN ccTLD of the demo roster, as roster rows (in the roster's order).
fn idn_roster() -> Vec<RosterRow> {
    let csv = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/demo/roster.csv"
    ))
    .unwrap();
    crate::domain::roster::parse(&csv, None)
        .unwrap()
        .into_iter()
        .filter(|e| e.code.as_str().starts_with("xn--"))
        .map(|e| {
            let mut r = row(
                "nl",
                &e.country,
                e.region.flatten(),
                CaseState::Uninvited,
                e.admin.email.as_str(),
            );
            r.tld.code = e.code;
            r
        })
        .collect()
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
    insta::assert_snapshot!("roster_idn_100x70", text);
    for line in text.lines().filter(|l| l.starts_with("- uninvited")) {
        // COUNTRY starts at the same column on every row, whatever script the TLD is in.
        let (tld, rest) = line.split_at(line.find(" .").unwrap() + 1);
        let label_and_pad: String = rest
            .chars()
            .take_while(|c| !c.is_ascii_alphabetic())
            .collect();
        assert_eq!(
            super::view::fit::width(tld) + super::view::fit::width(&label_and_pad),
            22,
            "{line}"
        );
    }
}

#[test]
fn the_queue_acts_on_requests_leaving_members_and_re_confirmations() {
    let mut s = state(80, 24);
    let leave = item(
        "remove",
        Some("za"),
        "South Africa",
        None,
        "asks to leave",
        Some(15),
    );
    let join = item("request", None, "", None, "asks to join", Some(16));
    let confirm = item("confirm", Some("se"), "Sweden", None, "confirms", Some(17));
    s.data.queue.splice(0..0, [leave, join, confirm]);
    s.queue.selected = 0;
    assert_eq!(
        key(&mut s, KeyCode::Char('x')),
        [Effect::Plan(Command::Remove {
            message: "#15".into()
        })]
    );
    s.busy = None;
    s.queue.selected = 1;
    assert!(key(&mut s, KeyCode::Char('K')).is_empty());
    assert!(
        s.notice.as_ref().unwrap().text.contains("assign it first"),
        "{:?}",
        s.notice
    );
    s.queue.selected = 2;
    assert_eq!(
        key(&mut s, KeyCode::Char('C')),
        [Effect::Plan(Command::Confirm { tld: "se".into() })]
    );
    s.busy = None;
    assert_eq!(
        key(&mut s, KeyCode::Char('R')),
        [Effect::Plan(Command::Reconfirm {
            tlds: vec!["se".into()],
            due_only: false
        })]
    );
}

/// The queue's actions on requests.
mod requests;

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
