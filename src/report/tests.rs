use super::*;
use crate::service::{AnswerTime, RegionCounts};

fn counts(tlds: usize, invited: usize, approved: usize, on_list: usize) -> Counts {
    Counts {
        tlds,
        on_list,
        invited,
        answered: approved + 1,
        approved,
        rejected: 0,
        bounced: 1,
        waiting: invited - approved - 2,
    }
}

fn stats() -> Stats {
    Stats {
        total: counts(5, 4, 1, 1),
        contacts: 2,
        by_region: vec![
            RegionCounts {
                region: Some(Region::Centr),
                counts: counts(4, 4, 1, 1),
            },
            RegionCounts {
                region: None,
                counts: Counts {
                    tlds: 1,
                    ..Counts::default()
                },
            },
        ],
        median_days_to_answer: Some(6.5),
        approvals_by_month: vec![("2026-03".into(), 1)],
        answer_times: vec![
            AnswerTime {
                max_days: Some(7),
                cases: 2,
            },
            AnswerTime {
                max_days: None,
                cases: 0,
            },
        ],
        confirmed_within_year: 1,
        confirmation_due: 0,
        lapsed: 0,
    }
}

fn entry(code: &str, country: &str, state: CaseState, on_list: bool) -> Entry {
    Entry {
        code: code.into(),
        unicode: None,
        country: country.into(),
        region: Some(Region::Centr),
        state,
        on_list,
        confirmed: on_list.then(|| "2026-03-04".to_string()),
        contacts: vec![],
    }
}

fn tlds() -> Vec<Entry> {
    let mut nl = entry("nl", "Netherlands", CaseState::Approved, true);
    nl.contacts = vec![Contact {
        name: Some("Jan <b>\"JJ\"</b> Jansen".into()),
        email: "jan@sidn.example".into(),
        phone: Some("+31 26 352 5511".into()),
    }];
    let mut rf = entry("xn--p1ai", "Russia", CaseState::Invited, false);
    rf.unicode = Some("рф".into());
    vec![
        entry("be", "<script>alert(1)</script>", CaseState::Bounced, false),
        nl,
        rf,
    ]
}

fn page(with_contacts: bool) -> String {
    let s = stats();
    let t = tlds();
    render(&Report {
        list: "TLD-OPS & friends",
        generated_at: "2026-03-04T10:12:00Z".parse().unwrap(),
        stats: &s,
        tlds: &t,
        with_contacts,
    })
}

/// Every `data-stat="POINTER">VALUE<` of the page.
fn stats_shown(html: &str) -> Vec<(String, String)> {
    html.split("data-stat=\"")
        .skip(1)
        .map(|rest| {
            let (pointer, rest) = rest.split_once("\">").unwrap();
            let value = rest.split('<').next().unwrap();
            (pointer.to_string(), value.to_string())
        })
        .collect()
}

#[test]
fn every_number_shown_is_the_stats_value_it_names() {
    let html = page(false);
    let json = serde_json::to_value(stats()).unwrap();
    let shown = stats_shown(&html);
    assert!(shown.len() > 25, "{shown:?}");
    for (pointer, value) in &shown {
        let want = json
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{pointer} is not in stats --json"));
        assert_eq!(
            value.parse::<f64>().unwrap(),
            want.as_f64().unwrap(),
            "{pointer}"
        );
    }
    for key in ["/on_list", "/tlds", "/contacts", "/median_days_to_answer"] {
        assert!(shown.iter().any(|(p, _)| p == key), "{key} not shown");
    }
}

#[test]
fn the_page_stands_alone_and_escapes_what_it_quotes() {
    let html = page(false);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "a roster string became markup");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("TLD-OPS &amp; friends"));
    for external in [
        "src=", "href=", "url(", "@import", "<link", "<img", "<iframe",
    ] {
        assert!(!html.contains(external), "{external}");
    }
    // The only URL is SVG's namespace name, which nothing fetches.
    assert_eq!(
        html.matches("http").count(),
        html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
    );
    assert!(html.contains("<bdi>.рф</bdi> <small>xn--p1ai</small>"));
    // The two lists: on the list, and not yet.
    let on = &html[html.find("id=\"on-list\"").unwrap()..html.find("id=\"not-on-list\"").unwrap()];
    assert_eq!(on.matches("<tr data-tld=").count(), 1);
    assert!(on.contains("data-tld=\"nl\""));
    let off = &html[html.find("id=\"not-on-list\"").unwrap()..];
    assert_eq!(off.matches("<tr data-tld=").count(), 2);
}

#[test]
fn people_are_named_only_with_contacts() {
    let without = page(false);
    assert!(!without.contains("jan@sidn.example"));
    assert!(!without.contains("Jansen"));
    assert!(!without.contains("+31 26"));
    let with = page(true);
    assert!(with.contains("&lt;jan@sidn.example&gt;"), "{with}");
    assert!(with.contains("<bdi>Jan &lt;b&gt;&quot;JJ&quot;&lt;/b&gt; Jansen</bdi>"));
    assert!(with.contains("+31 26 352 5511"));
    assert!(with.contains("do not publish it"));
}
