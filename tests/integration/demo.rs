//! `tldops demo`'s seed: the demo mailbox (assets/demo/maildir/README.md) ingested through the
//! real Maildir source gives every triage verdict, as its README says; after .za and .se are
//! approved and .se's admin changes, a .za member asks to leave and someone asks to join .ke.

use std::collections::BTreeMap;

#[test]
fn the_demo_shows_every_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("demo");
    std::fs::create_dir(&root).unwrap();
    tldops::cli::demo::seed(&root).unwrap();
    let db = rusqlite::Connection::open(root.join("data/tldops.sqlite3")).unwrap();
    let mut stmt = db
        .prepare("SELECT verdict, coalesce(tld, '-') FROM messages ORDER BY id")
        .unwrap();
    let got: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut by_verdict: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (v, t) in &got {
        by_verdict.entry(v.as_str()).or_default().push(t.as_str());
    }
    let want: BTreeMap<&str, Vec<&str>> = BTreeMap::from([
        ("admin_cc", vec!["de"]),
        ("admin_from", vec!["nl", "jp", "se", "re", "kr", "za"]),
        ("ambiguous", vec!["-"]),
        ("auto_reply", vec!["br"]),
        ("request", vec!["za", "ke"]),
        ("bounce", vec!["ar"]),
        ("suspicious", vec!["mx"]),
        ("unrelated", vec!["-", "-"]),
        ("unverified", vec!["ch"]),
    ]);
    assert_eq!(by_verdict, want);
    let state = |tld: &str| -> String {
        db.query_row("SELECT state FROM cases WHERE tld = ?1", [tld], |r| {
            r.get(0)
        })
        .unwrap()
    };
    assert_eq!(state("nl"), "answered");
    assert_eq!(state("za"), "approved");
    assert_eq!(state("se"), "approved");
    assert_eq!(state("ar"), "bounced");
    assert_eq!(state("ke"), "invited");
    // The requests: what each asks (a member's leave, a newcomer's join).
    let intent = |tld: &str| -> String {
        db.query_row(
            "SELECT intent FROM messages WHERE verdict = 'request' AND tld = ?1",
            [tld],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(intent("za"), "leave");
    assert_eq!(intent("ke"), "join");
    let invitations = std::fs::read_dir(root.join("sent-mail"))
        .unwrap()
        .filter(|f| {
            std::fs::read_to_string(f.as_ref().unwrap().path())
                .unwrap()
                .contains("Invitation to name")
        })
        .count();
    assert_eq!(invitations, tldops::cli::demo::PILOT.len());
    // The .kr reply names four contacts: flagged, none dropped.
    let kr: i64 = db
        .query_row("SELECT count(*) FROM contacts WHERE tld = 'kr'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(kr, 4);
    // The suspicious reply is kept whole: its text is what the operator reviews.
    let mx: Vec<u8> = db
        .query_row(
            "SELECT raw FROM messages WHERE verdict = 'suspicious'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        String::from_utf8_lossy(&mx).contains("Gracias por la invitaci"),
        "{}",
        String::from_utf8_lossy(&mx)
    );
    // Replies are dated after their invitations, and answered in the days after: the
    // coverage shows a real time to answer, and the story ends in the past.
    let (invited, answered, date): (String, String, String) = db
        .query_row(
            "SELECT c.invited_at, c.answered_at, m.date FROM cases c JOIN messages m ON m.tld = c.tld \
             WHERE c.tld = 'za' AND m.verdict = 'admin_from'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let ts = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
    assert!(ts(&date) > ts(&invited), "{date} after {invited}");
    let days = ts(&invited).duration_until(ts(&answered)).as_hours() / 24;
    assert_eq!(
        days, 6,
        "the .za reply came almost a week after: {invited} → {answered}"
    );
    assert!(ts(&answered) < jiff::Timestamp::now());
    let nothing_later: i64 = db
        .query_row(
            "SELECT count(*) FROM events WHERE at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(nothing_later, 0, "no event in the future");
}

/// The demo's queue shows each new path: the .za member's removal, the .ke request, and the
/// re-confirmation that .se's changed admin made due.
#[test]
fn the_demo_queue_shows_requests_removal_and_a_changed_admin() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("demo");
    std::fs::create_dir(&root).unwrap();
    let paths = tldops::cli::demo::seed(&root).unwrap();
    let service = tldops::service::Service::new(
        tldops::store::Store::open(&paths.database()).unwrap(),
        tldops::config::Config::load(&paths).unwrap(),
        "demo".into(),
    );
    let items = service.queue_items().unwrap();
    let has = |kind: &str, tld: &str| {
        items
            .iter()
            .any(|i| i.kind.as_str() == kind && i.tld.as_deref() == Some(tld))
    };
    let kinds: Vec<String> = items
        .iter()
        .map(|i| format!("{} {:?}", i.kind, i.tld))
        .collect();
    assert!(has("remove", "za"), "{kinds:?}");
    assert!(has("request", "ke"), "{kinds:?}");
    assert!(
        has("admin_changed", "se") || has("reconfirm", "se"),
        "{kinds:?}"
    );
}

/// Every service keeps its own time: while the demo's seeding writes its story a week back, a
/// service beside it in the same process, on the system clock, stamps what it writes with the
/// real time. (When the demo moved one clock for the whole process, this service's events were
/// dated a week back too, and tests that seeded the demo took turns through a lock.)
#[test]
fn the_demos_moved_clock_is_its_own() {
    use tldops::domain::time::Timestamp;
    use tldops::service::{Clock, EventFilter, ImportOptions, Service, SystemClock};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("demo");
    std::fs::create_dir(&root).unwrap();
    let seeding = std::thread::spawn({
        let root = root.clone();
        move || tldops::cli::demo::seed(&root).map(|_| ())
    });
    let service = Service::new(
        tldops::store::Store::open(&dir.path().join("beside.sqlite3")).unwrap(),
        tldops::config::Config::default(),
        "beside".into(),
    );
    // The roster, and again with .se's admin changed: imported in turn, each pass writes.
    let roster = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/demo/roster.csv"
    ))
    .unwrap();
    let (old, new) = tldops::cli::demo::CHANGED_ADMIN;
    let rosters = [roster.clone(), roster.replace(old, new)];
    let real = || SystemClock.now();
    let started = real();
    let mut passes = 0;
    loop {
        let roster = &rosters[passes % 2];
        service
            .import_roster("roster.csv", roster.as_bytes(), ImportOptions::default())
            .unwrap();
        let now = service.now();
        assert!(
            now >= started && now <= real(),
            "{now} is not the real time"
        );
        passes += 1;
        if seeding.is_finished() {
            break;
        }
    }
    seeding.join().unwrap().unwrap();
    let ended = real();
    let events = service.log(&EventFilter::default()).unwrap();
    assert!(!events.is_empty());
    for e in &events {
        let at: Timestamp = e.at.parse().unwrap();
        assert!(
            started <= at && at <= ended,
            "an event of the service beside the seeding at {at}, not between {started} and {ended} \
             ({passes} passes)"
        );
    }
    // And the seeding's own service did write its story a week back.
    let db = rusqlite::Connection::open(root.join("data/tldops.sqlite3")).unwrap();
    let invited: Timestamp = db
        .query_row("SELECT invited_at FROM cases WHERE tld = 'nl'", [], |r| {
            r.get::<_, String>(0)
        })
        .unwrap()
        .parse()
        .unwrap();
    assert!(ended.seconds_since(invited) >= 7 * 86_400, "{invited}");
}
