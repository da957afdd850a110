//! Mailman 3's client without a server: authorization, URLs, and how answers read (the real
//! server: tests/integration/mailman3.rs).

use super::*;

fn backend(url: &str) -> Mailman3 {
    let config = Mailman3Config {
        url: url.into(),
        list_id: "tld-ops.lists.example.org".into(),
        username: "restadmin".into(),
        password_command: None,
        password_env: None,
        password: None,
    };
    Mailman3::new(&config, "hunter2".into()).unwrap()
}

fn reply(status: u16, body: &str) -> Reply {
    Reply {
        status,
        body: body.into(),
    }
}

#[test]
fn the_authorization_is_basic_base64() {
    let m = backend("http://localhost:8001/");
    assert_eq!(
        m.authorization.expose_secret(),
        "Basic cmVzdGFkbWluOmh1bnRlcjI="
    );
}

#[test]
fn segments_keep_addresses_intact() {
    let m = backend("http://u:pw@localhost:8001/rest/");
    let url = |segment| m.url(&["members", segment]);
    let base = "http://u:pw@localhost:8001/rest/3.1/members";
    assert_eq!(url("a.b@example.org"), format!("{base}/a.b@example.org"));
    assert_eq!(url("sec+ops@x.nl"), format!("{base}/sec%2Bops@x.nl"));
    assert_eq!(url("a/b%c d@x"), format!("{base}/a%2Fb%25c%20d@x"));
    assert_eq!(url("ö@x"), format!("{base}/%C3%B6@x"));
    assert_eq!(
        backend("http://localhost:8001").url(&["system", "versions"]),
        "http://localhost:8001/3.1/system/versions"
    );
}

#[test]
fn a_url_that_does_not_parse_is_named() {
    let config = Mailman3Config {
        url: "http://bad host:8001".into(),
        list_id: "l".into(),
        username: "u".into(),
        password_command: None,
        password_env: None,
        password: None,
    };
    let err = Mailman3::new(&config, "pw".into()).unwrap_err();
    assert_eq!(
        err.message,
        "mailman3: members.mailman3.url is not a URL: invalid international domain name"
    );
    assert!(!err.retry);
}

#[test]
fn credentials_in_the_url_are_not_shown() {
    let shown = |url| without_userinfo(&url::Url::parse(url).unwrap());
    assert_eq!(
        shown("https://u:pw@lists.example.org:8001/rest"),
        "https://lists.example.org:8001/rest"
    );
    assert_eq!(shown("http://localhost:8001"), "http://localhost:8001");
    assert_eq!(
        shown("http://localhost:8001/a@b"),
        "http://localhost:8001/a@b"
    );
    let m = backend("http://restadmin:hunter2@localhost:8001/");
    assert!(!format!("{m:?}").contains("hunter2"));
    assert!(!format!("{m:?}").contains("cmVzdGFkbWlu"));
}

#[test]
fn refusals_are_one_line_and_say_whether_to_retry() {
    let m = backend("http://localhost:8001/");
    let e = m.refused(
        "subscribing a@b.example",
        &reply(
            401,
            r#"{"title": "401 Unauthorized", "description": "REST API authorization failed"}"#,
        ),
    );
    assert_eq!(
        e.message,
        "mailman3 http://localhost:8001: 401 Unauthorized: \
         check members.mailman3.username and password"
    );
    assert!(!e.retry);

    let e = m.refused(
        "subscribing a@b.example",
        &reply(
            400,
            r#"{"title": "400 Bad Request", "description": "Membership is banned"}"#,
        ),
    );
    assert_eq!(
        e.message,
        "mailman3 http://localhost:8001: subscribing a@b.example: 400 Bad Request: \
         Membership is banned"
    );
    assert!(!e.retry);

    let e = m.refused(
        "removing a@b.example",
        &reply(500, r#"{"title": "500 Internal Server Error"}"#),
    );
    assert_eq!(
        e.message,
        "mailman3 http://localhost:8001: removing a@b.example: 500 Internal Server Error"
    );
    assert!(e.retry);

    let e = m.refused(
        "x",
        &reply(502, "<html>\n<b>Bad\x1b[31m gateway</b>\n</html>"),
    );
    assert!(e.retry);
    assert!(!e.message.contains('\n') && !e.message.contains('\x1b'));

    let e = m.refused("x", &reply(301, ""));
    assert!(
        e.message.contains("check members.mailman3.url"),
        "{}",
        e.message
    );
    assert!(!e.retry);
}

#[test]
fn mailman_text_is_bounded_and_printable() {
    let long = format!(r#"{{"description": "{}\u001b[2J"}}"#, "x".repeat(1000));
    let e = backend("http://h").refused("x", &reply(400, &long));
    assert!(e.message.chars().count() <= 301);
    assert!(!e.message.chars().any(char::is_control));
}
