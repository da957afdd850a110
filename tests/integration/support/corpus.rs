//! The world of the triage corpus (tests/corpus/README.md) as a triage context.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use tldops::domain::email::address_key;
use tldops::domain::roster;
use tldops::domain::tld::TldCode;
use tldops::domain::triage::{Context, SentKind, SentMail};

pub const DIR: &str = "tests/corpus";

/// The world of the corpus: its roster (registries, countries, vouching admins), its members,
/// the invitations it replies to, the Secretariat.
pub fn context() -> Context {
    let mut ctx = Context::new("TLD-OPS", Some("mx.ccnso.example.org"), 3);
    let roster = std::fs::read(Path::new(DIR).join("roster.csv")).unwrap();
    for entry in roster::parse(&roster, None).unwrap() {
        ctx.add_voucher(entry.admin.email.as_str(), &entry.code);
        ctx.add_registry(
            &entry.code,
            &entry.country,
            &[entry.admin.email.as_str(), entry.tech.email.as_str()],
        );
    }
    // The subscribed members (who may ask to leave, DESIGN §8.2).
    let mut members = csv::Reader::from_path(Path::new(DIR).join("members.csv")).unwrap();
    for row in members.records() {
        let row = row.unwrap();
        ctx.add_member(&row[1], &TldCode::parse(&row[0]).unwrap());
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

/// Every corpus message with its expected verdict and TLD.
pub fn messages() -> Vec<(String, Vec<u8>, Value)> {
    let mut expected: HashMap<String, Value> = HashMap::new();
    for f in std::fs::read_dir("tests/corpus").unwrap() {
        let path = f.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("expected") && name.ends_with(".toml") {
            let v: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for m in v
                .get("message")
                .and_then(|m| m.as_array())
                .into_iter()
                .flatten()
            {
                let file = m["file"].as_str().unwrap().to_string();
                expected.insert(file, serde_json::to_value(m).unwrap());
            }
        }
    }
    let mut files: Vec<_> = expected
        .into_iter()
        .map(|(file, e)| {
            let bytes = std::fs::read(format!("tests/corpus/{file}")).unwrap();
            (file, bytes, e)
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}
