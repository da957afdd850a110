//! The world the tests look at: a roster with IDN and right-to-left ccTLDs, a very long
//! country name, every case state; a queue, a log, messages, a case.

use super::*;

pub(super) fn row(
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
            invited_at: Some("2026-03-02T09:00:00Z".parse().unwrap()),
            reminders: 0,
            answered_at: None,
            decided_at: None,
            decided_by: None,
            admin_changed_at: None,
        },
    }
}

pub(super) fn contact(tld: &str, email: &str, name: &str, state: &str) -> ContactRow {
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
        updated_at: NOW.parse().unwrap(),
    }
}

pub(super) fn item(
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
        since: Some("2026-03-07T08:00:00Z".parse().unwrap()),
        message,
        mail: None,
    }
}

pub(super) fn event(id: i64, tld: &str, action: &str, detail: &str) -> EventRecord {
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

pub(super) fn counts(tlds: usize, on_list: usize, invited: usize) -> Counts {
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
pub(super) fn snapshot() -> Snapshot {
    Snapshot {
        loaded_at: Some(NOW.parse().unwrap()),
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

pub(super) fn state(w: u16, h: u16) -> State {
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
            idle: false,
            source: Some("imap:secretariat@imap.example.org:993/INBOX".into()),
            polling: false,
            news: false,
            stored: 0,
            last_poll: Some("11:58:02".into()),
            next_poll: Some("11:59:02".into()),
            error: None,
            off: None,
        }),
    );
    s
}

/// The case view of `case`, opened from the queue's first row on a `w`×`h` screen.
pub(super) fn case_view(w: u16, h: u16, case: CaseDetail) -> State {
    let mut s = state(w, h);
    key(&mut s, KeyCode::Char('1'));
    key(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Case(Box::new(case)));
    s
}

pub(super) fn message_row(id: i64, verdict: Verdict, subject: &str, why: &str) -> MessageRow {
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
        ingested_at: "2026-03-04T10:05:00Z".parse().unwrap(),
        filed_at: "2026-03-04T10:05:00Z".parse().unwrap(),
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
pub(super) fn message_page(query: MessageQuery, offset: usize) -> MessagePage {
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

pub(super) fn case_detail() -> CaseDetail {
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
pub(super) fn hostile_message() -> MessageDetail {
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

/// The plan of approving .nl as the service would give it: two new members, one removed.
pub(super) fn approve_plan(command: Command) -> Plan {
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

/// Every IDN ccTLD of the demo roster, as roster rows (in the roster's order).
pub(super) fn idn_roster() -> Vec<RosterRow> {
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
