//! The approval decision on plain values: no database, no mail.

use super::*;

fn person(id: i64, email: &str, name: &str, phone: Option<&str>) -> Person {
    Person {
        id,
        contact: Contact {
            email: email.into(),
            name: Some(name.into()),
            phone: phone.map(str::to_string),
        },
    }
}

fn reply(verdict: Verdict, news: bool) -> Reply {
    Reply {
        verdict,
        why: "From is the admin address".into(),
        news,
    }
}

fn case<'a>(state: CaseState, proposed: &'a [Person], members: &'a [Person]) -> Case<'a> {
    Case {
        tld: "nl",
        state,
        verified: None,
        doubtful: None,
        override_reason: None,
        proposed,
        members,
        only: &[],
        max_contacts: 3,
    }
}

fn emails(people: &[Person]) -> Vec<&str> {
    people.iter().map(|p| p.contact.email.as_str()).collect()
}

#[test]
fn a_verified_reply_approves_every_proposal() {
    let proposed = [
        person(1, "jan@sidn.example", "Jan", None),
        person(2, "els@sidn.example", "Els", None),
    ];
    let verified = reply(Verdict::AdminFrom, false);
    let d = decide(&Case {
        verified: Some(&verified),
        ..case(CaseState::Answered, &proposed, &[])
    })
    .unwrap();
    assert_eq!(d.evidence, Evidence::Verified);
    assert!(!d.overridden());
    assert_eq!(emails(&d.chosen), ["jan@sidn.example", "els@sidn.example"]);
    assert_eq!(d.new, d.chosen);
    assert!(d.replaced.is_empty() && d.updated.is_empty());
}

#[test]
fn an_unverified_reply_needs_a_reason_and_then_is_the_evidence() {
    let proposed = [person(1, "jan@sidn.example", "Jan", None)];
    let doubtful = reply(Verdict::Unverified, false);
    let base = Case {
        doubtful: Some(&doubtful),
        ..case(CaseState::Answered, &proposed, &[])
    };
    match decide(&base) {
        Err(Refusal::NeedsOverride(why)) => {
            assert!(why.contains("the only reply is unverified"), "{why}")
        }
        other => panic!("{other:?}"),
    }
    let d = decide(&Case {
        override_reason: Some("phoned the admin"),
        ..base
    })
    .unwrap();
    assert_eq!((d.evidence, d.overridden()), (Evidence::Doubtful, true));

    // With nothing proposed, no reason is asked for: there is nothing to approve.
    assert_eq!(
        decide(&Case {
            proposed: &[],
            ..base
        }),
        Err(Refusal::Usage(no_proposals("nl")))
    );
}

#[test]
fn more_contacts_than_the_list_allows_are_refused_until_some_are_chosen() {
    let proposed: Vec<Person> = (1..=4)
        .map(|i| person(i, &format!("c{i}@sidn.example"), "C", None))
        .collect();
    let verified = reply(Verdict::AdminCc, false);
    let base = Case {
        verified: Some(&verified),
        ..case(CaseState::Answered, &proposed, &[])
    };
    match decide(&base) {
        Err(Refusal::Usage(why)) => assert!(
            why.contains("4 proposed contacts, more than list.max_contacts (3)"),
            "{why}"
        ),
        other => panic!("{other:?}"),
    }
    let only = ["C2@sidn.example".to_string(), "c4@sidn.example".to_string()];
    let d = decide(&Case {
        only: &only,
        ..base
    })
    .unwrap();
    assert_eq!(emails(&d.chosen), ["c2@sidn.example", "c4@sidn.example"]);

    let unknown = ["nobody@sidn.example".to_string()];
    match decide(&Case {
        only: &unknown,
        ..base
    }) {
        Err(Refusal::Usage(why)) => assert!(
            why.contains("nobody@sidn.example is not a proposed contact (proposed: c1@"),
            "{why}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_newer_reply_for_an_approved_tld_replaces_keeps_and_updates_members() {
    let members = [
        person(10, "jan@sidn.example", "Jan", Some("+31 1")),
        person(11, "old@sidn.example", "Old", None),
        person(12, "els@sidn.example", "Els", Some("+31 2")),
    ];
    let proposed = [
        // Named again with a new phone: updated, not subscribed again.
        person(20, "JAN@sidn.example", "Jan", Some("+31 9")),
        // Named again as it is: kept as it is.
        person(21, "els@sidn.example", "Els", None),
        person(22, "new@sidn.example", "New", None),
    ];
    let verified = reply(Verdict::AdminFrom, true);
    let d = decide(&Case {
        verified: Some(&verified),
        ..case(CaseState::Approved, &proposed, &members)
    })
    .unwrap();
    assert_eq!(emails(&d.new), ["new@sidn.example"]);
    assert_eq!(emails(&d.replaced), ["old@sidn.example"]);
    assert_eq!(d.updated.len(), 1);
    assert_eq!(d.updated[0].id, 10, "the member's row, not the proposal's");
    assert_eq!(d.updated[0].contact.email, "jan@sidn.example");
    assert_eq!(d.updated[0].contact.phone.as_deref(), Some("+31 9"));
}

#[test]
fn an_approved_tld_without_news_is_refused_by_its_lifecycle() {
    let proposed = [person(1, "jan@sidn.example", "Jan", None)];
    let old = reply(Verdict::AdminFrom, false);
    let refused = decide(&Case {
        verified: Some(&old),
        ..case(CaseState::Approved, &proposed, &[])
    });
    let expected = CaseState::Approved
        .next(Event::Approve {
            override_reason: false,
            newer_evidence: false,
        })
        .unwrap_err();
    assert_eq!(refused, Err(Refusal::Lifecycle(expected)));

    let uninvited = decide(&Case {
        verified: Some(&old),
        ..case(CaseState::Uninvited, &proposed, &[])
    });
    assert!(
        matches!(uninvited, Err(Refusal::Lifecycle(_))),
        "{uninvited:?}"
    );
}

#[test]
fn an_address_proposed_twice_is_one_contact_the_latest() {
    let proposed = [
        person(1, "jan@sidn.example", "Jan", None),
        person(2, "Jan@SIDN.example", "Jan Jansen", Some("+31 3")),
    ];
    let verified = reply(Verdict::AdminFrom, false);
    let d = decide(&Case {
        verified: Some(&verified),
        ..case(CaseState::Answered, &proposed, &[])
    })
    .unwrap();
    assert_eq!(d.chosen.len(), 1);
    assert_eq!(d.chosen[0].id, 2);
}

#[test]
fn no_reply_at_all_is_nothing_to_approve() {
    let proposed = [person(1, "jan@sidn.example", "Jan", None)];
    assert_eq!(
        decide(&case(CaseState::Answered, &proposed, &[])),
        Err(Refusal::Usage(
            ".nl: no reply names contacts to approve".into()
        ))
    );
}
