//! The world of the triage corpus (tests/corpus/README.md) as a triage context.

use std::path::Path;

use tldops::domain::email::address_key;
use tldops::domain::roster;
use tldops::domain::tld::TldCode;
use tldops::domain::triage::{Context, SentKind, SentMail};

pub const DIR: &str = "tests/corpus";

/// The world of the corpus: its roster, the invitations it replies to, the Secretariat.
pub fn context() -> Context {
    let mut ctx = Context::new("TLD-OPS", Some("mx.ccnso.example.org"), 3);
    let roster = std::fs::read(Path::new(DIR).join("roster.csv")).unwrap();
    for entry in roster::parse(&roster, None).unwrap() {
        ctx.add_voucher(entry.admin.email.as_str(), &entry.code);
    }
    let mut sent = csv::Reader::from_path(Path::new(DIR).join("invitations.csv")).unwrap();
    for row in sent.records() {
        let row = row.unwrap();
        let tld = TldCode::parse(&row[1]).unwrap();
        ctx.add_sent(
            SentMail {
                kind: if &row[0] == "reminder" {
                    SentKind::Reminder
                } else {
                    SentKind::Invitation
                },
                tld,
                message_id: row[3].to_string(),
                sent_on: row[4][..10].to_string(),
                to: address_key(&row[5]).into_iter().collect(),
            },
            Some(&row[2]),
        );
    }
    ctx.add_own_address("secretariat@ccnso.example.org");
    ctx.add_own_address("tld-ops@lists.example.org");
    ctx
}
