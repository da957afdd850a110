//! The Mailman 3 members backend against a real Mailman core (support/mailman.rs):
//! subscriptions that need no confirmation, idempotent changes, and the errors an operator
//! meets (wrong password, wrong list, wrong URL, refusals, a server that is down or silent).

use std::time::Duration;

use crate::support::mailman::{LIST, LIST_ID, Mailman, PASSWORD};
use tldops::members::mailman3::{ListInfo, Mailman3};
use tldops::members::{Backend, Member, Outcome};

const TIMEOUT: Duration = Duration::from_secs(5);

fn backend(mailman: &Mailman) -> Mailman3 {
    Mailman3::new(&mailman.config(), PASSWORD.into())
        .unwrap()
        .with_timeouts(TIMEOUT, TIMEOUT)
}

fn member(email: &str, name: Option<&str>) -> Member {
    Member {
        email: email.into(),
        name: name.map(String::from),
    }
}

/// The member record of `email` on the test list, if any.
fn lookup(mailman: &Mailman, email: &str) -> Option<serde_json::Value> {
    match mailman.get(&format!("lists/{LIST_ID}/member/{email}")) {
        (200, json) => Some(json),
        (404, _) => None,
        (status, json) => panic!("member lookup: {status} {json}"),
    }
}

/// Subscription and unsubscription requests waiting for someone's confirmation or approval.
fn pending(mailman: &Mailman) -> u64 {
    let (status, json) = mailman.get(&format!("lists/{LIST_ID}/requests"));
    assert_eq!(status, 200, "{json}");
    json["total_size"].as_u64().unwrap()
}

#[test]
fn subscribes_at_once_with_the_display_name() {
    let mailman = Mailman::start();
    let mut mm = backend(&mailman);

    let outcome = mm.subscribe(&member("security@nic.example", Some("Åsa Öberg-Núñez")));
    assert_eq!(outcome, Ok(Outcome::Done));
    let record = lookup(&mailman, "security@nic.example").expect("subscribed");
    assert_eq!(record["display_name"], "Åsa Öberg-Núñez");
    assert_eq!(record["role"], "member");
    assert_eq!(record["list_id"], LIST_ID);
    assert_eq!(pending(&mailman), 0, "nothing waits for a confirmation");

    // Without a name: subscribed all the same, and no name is made up.
    assert_eq!(
        mm.subscribe(&member("noc@nic.example", None)),
        Ok(Outcome::Done)
    );
    let record = lookup(&mailman, "noc@nic.example").expect("subscribed");
    assert_eq!(
        record["display_name"].as_str().unwrap_or(""),
        "",
        "{record}"
    );

    assert_eq!(
        mm.check(),
        Ok(ListInfo {
            fqdn_listname: LIST.into(),
            member_count: 2
        })
    );
}

#[test]
fn subscribing_a_member_again_changes_nothing() {
    let mailman = Mailman::start();
    let mut mm = backend(&mailman);
    let contact = member("csirt@registry.example", Some("CSIRT"));

    assert_eq!(mm.subscribe(&contact), Ok(Outcome::Done));
    assert_eq!(mm.subscribe(&contact), Ok(Outcome::AlreadyThere));
    // Mailman compares addresses without case.
    let shouting = member("CSIRT@Registry.Example", Some("CSIRT"));
    assert_eq!(mm.subscribe(&shouting), Ok(Outcome::AlreadyThere));
    assert_eq!(mm.check().unwrap().member_count, 1);
}

#[test]
fn unsubscribe_removes_the_member_once() {
    let mailman = Mailman::start();
    let mut mm = backend(&mailman);
    // `+` must survive the trip through the URL path.
    let email = "sec+tld-ops@nic.example";

    assert_eq!(mm.subscribe(&member(email, None)), Ok(Outcome::Done));
    assert!(lookup(&mailman, "sec%2Btld-ops@nic.example").is_some());

    assert_eq!(mm.unsubscribe(email), Ok(Outcome::Done));
    assert!(lookup(&mailman, "sec%2Btld-ops@nic.example").is_none());
    assert_eq!(pending(&mailman), 0, "the removal waits for nobody");

    assert_eq!(mm.unsubscribe(email), Ok(Outcome::AlreadyThere));
    assert_eq!(
        mm.unsubscribe("never-a-member@nic.example"),
        Ok(Outcome::AlreadyThere)
    );
    assert_eq!(mm.check().unwrap().member_count, 0);
}

#[test]
fn a_refusal_is_not_retried_and_says_why() {
    let mailman = Mailman::start();
    let (status, json) = mailman.post(
        &format!("lists/{LIST_ID}/bans"),
        &[("email", "spammer@bad.example")],
    );
    assert_eq!(status, 201, "{json}");
    let mut mm = backend(&mailman);

    let err = mm
        .subscribe(&member("spammer@bad.example", None))
        .unwrap_err();
    assert!(!err.retry);
    assert_eq!(
        err.message,
        format!(
            "mailman3 {}: subscribing spammer@bad.example: 400 Bad Request: Membership is banned",
            mailman.url()
        )
    );

    let err = mm.subscribe(&member("not an address", None)).unwrap_err();
    assert!(!err.retry);
    assert!(
        err.message
            .contains("400 Bad Request: Invalid Parameter \"subscriber\""),
        "{err}"
    );
}

#[test]
fn a_wrong_password_is_named_and_never_shown() {
    let mailman = Mailman::start();
    let wrong = "Not-The-Password-7";
    let mut mm = Mailman3::new(&mailman.config(), wrong.into())
        .unwrap()
        .with_timeouts(TIMEOUT, TIMEOUT);
    let expected = format!(
        "mailman3 {}: 401 Unauthorized: check members.mailman3.username and password",
        mailman.url()
    );

    let errors = [
        mm.check().unwrap_err(),
        mm.subscribe(&member("a@nic.example", Some("A")))
            .unwrap_err(),
        mm.unsubscribe("a@nic.example").unwrap_err(),
    ];
    for err in errors {
        assert_eq!(err.message, expected);
        assert!(!err.retry);
        assert!(!err.message.contains(wrong));
        assert!(!format!("{mm:?}").contains(wrong));
    }
    assert!(lookup(&mailman, "a@nic.example").is_none());
}

#[test]
fn an_unknown_list_is_an_error_not_a_no_op() {
    let mailman = Mailman::start();
    let mut config = mailman.config();
    config.list_id = "tld-ops.lists.example.net".into();
    let mut mm = Mailman3::new(&config, PASSWORD.into())
        .unwrap()
        .with_timeouts(TIMEOUT, TIMEOUT);
    let expected = format!(
        "mailman3 {}: no list tld-ops.lists.example.net on this server: \
         check members.mailman3.list_id",
        mailman.url()
    );

    let errors = [
        mm.check().unwrap_err(),
        mm.subscribe(&member("a@nic.example", None)).unwrap_err(),
        // Mailman's 404 for an unknown list looks like the one for a non-member: an
        // unsubscribe must not report "not a member" for a list that does not exist.
        mm.unsubscribe("a@nic.example").unwrap_err(),
    ];
    for err in errors {
        assert_eq!(err.message, expected);
        assert!(!err.retry);
    }
}

#[test]
fn a_url_that_is_not_the_rest_api_is_named() {
    let mailman = Mailman::start();
    let mut config = mailman.config();
    config.url = format!("{}/mailman/", mailman.url());
    let mut mm = Mailman3::new(&config, PASSWORD.into())
        .unwrap()
        .with_timeouts(TIMEOUT, TIMEOUT);

    let err = mm.check().unwrap_err();
    assert!(!err.retry);
    assert_eq!(
        err.message,
        format!(
            "mailman3 {}/mailman: GET /3.1/system/versions answered 404 Not Found: this is not \
             Mailman core's REST API, check members.mailman3.url",
            mailman.url()
        )
    );
}

/// A Mailman that subscribed first@nic.example through the returned backend, then stopped.
fn subscribed_then_stopped() -> (Mailman, Mailman3) {
    let mut mailman = Mailman::start();
    let mut mm = backend(&mailman);
    assert_eq!(
        mm.subscribe(&member("first@nic.example", None)),
        Ok(Outcome::Done)
    );
    mailman.stop();
    (mailman, mm)
}

#[test]
fn a_stopped_server_is_worth_a_retry() {
    let (mailman, mut mm) = subscribed_then_stopped();

    let errors = [
        mm.subscribe(&member("second@nic.example", None))
            .unwrap_err(),
        mm.unsubscribe("first@nic.example").unwrap_err(),
        mm.check().unwrap_err(),
    ];
    for err in errors {
        assert!(err.retry, "{err}");
        assert_eq!(
            err.message,
            format!(
                "mailman3 {}: connection refused (is Mailman core running?)",
                mailman.url()
            )
        );
    }
}

#[test]
fn a_change_after_mailman_restarted_goes_through() {
    // The backend lives as long as the TUI: a connection from before the restart must not
    // be reused (it would be reset, failing a change Mailman could well make).
    let (mut mailman, mut mm) = subscribed_then_stopped();
    mailman.start_again();
    assert_eq!(
        mm.subscribe(&member("second@nic.example", None)),
        Ok(Outcome::Done)
    );
    assert_eq!(mm.unsubscribe("first@nic.example"), Ok(Outcome::Done));
}

#[test]
fn a_silent_server_times_out_and_is_worth_a_retry() {
    // Accepts connections and never answers, like a Mailman stuck on a database lock.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = tldops::config::Mailman3Config {
        url: format!("http://127.0.0.1:{port}"),
        list_id: LIST_ID.into(),
        username: "restadmin".into(),
        password_command: None,
        password_env: None,
        password: None,
    };
    let mut mm = Mailman3::new(&config, PASSWORD.into())
        .unwrap()
        .with_timeouts(Duration::from_secs(1), Duration::from_millis(500));

    let err = mm.subscribe(&member("a@nic.example", None)).unwrap_err();
    assert!(err.retry, "{err}");
    assert_eq!(
        err.message,
        format!("mailman3 http://127.0.0.1:{port}: no answer within 0.5 s")
    );
    drop(listener);
}
