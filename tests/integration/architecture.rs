//! The layering, checked on the source tree so that it cannot regress: nothing imports
//! upward (domain ← adapters ← service ← composition root and front ends), the front ends
//! (`src/cli`, `src/tui`) reach the store, mail, outgoing and members modules only through the
//! service and the composition root, and only the composition root (`src/installation.rs`)
//! builds adapters.

use std::path::{Path, PathBuf};

const ADAPTERS: &[&str] = &["store", "mail", "outgoing", "members"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

fn sources(under: &str) -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join(under), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            (f.strip_prefix(root).unwrap().to_path_buf(), text)
        })
        .collect()
}

/// The modules of `among` that `text` names from the crate's root, comments aside:
/// `crate::store::…`, `tldops::mail::…`, `super::super::outgoing`, or inside `crate::{…}`.
fn modules_named(text: &str, among: &[&str]) -> Vec<String> {
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let compact: String = code.split_whitespace().collect();
    let mut found = Vec::new();
    for root in ["crate::", "tldops::", "super::"] {
        for (at, _) in compact.match_indices(root) {
            let rest = &compact[at + root.len()..];
            let names: Vec<&str> = match rest.strip_prefix('{') {
                // A group: its items' first segments (nested groups are checked on their own).
                Some(group) => group
                    .split(['}', ';'])
                    .next()
                    .unwrap_or("")
                    .split(',')
                    .map(|item| item.split("::").next().unwrap_or(""))
                    .collect(),
                None => vec![
                    rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .next()
                        .unwrap_or(""),
                ],
            };
            for name in names {
                if among.contains(&name) {
                    found.push(format!("{root}{name}"));
                }
            }
        }
    }
    found
}

#[test]
fn the_front_ends_name_no_adapter_module() {
    let mut offences = Vec::new();
    for dir in ["src/cli", "src/tui"] {
        for (path, text) in sources(dir) {
            for name in modules_named(&text, ADAPTERS) {
                offences.push(format!("{}: {name}", path.display()));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "front ends go through the service (src/service) or the composition root \
         (src/installation.rs), never to an adapter:\n{}",
        offences.join("\n")
    );
}

#[test]
fn only_the_composition_root_builds_adapters() {
    let builders = [
        "ImapSource::new",
        "LocalSource::",
        "transport_for(",
        "FileTransport::new",
        "SmtpTransport::new",
        "Mailman3::new",
        "EmailCommands::new",
        "FileExport {",
    ];
    let mut offences = Vec::new();
    for (path, text) in sources("src") {
        let p = path.to_string_lossy();
        let own = ["src/mail/", "src/outgoing/", "src/members/"]
            .iter()
            .any(|d| p.starts_with(d));
        if own || p == "src/installation.rs" {
            continue;
        }
        for b in builders {
            if text.contains(b) {
                offences.push(format!("{p}: {b}"));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "adapters are built in src/installation.rs only:\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_check_sees_every_way_of_naming_a_module() {
    let named = |t: &str| modules_named(t, ADAPTERS);
    assert_eq!(named("use crate::store::Store;"), ["crate::store"]);
    assert_eq!(
        named("use crate::{config, mail::MailSource};"),
        ["crate::mail"]
    );
    assert_eq!(
        named("let s = tldops::members ::Member {"),
        ["tldops::members"]
    );
    assert_eq!(named("use super::super::outgoing;"), ["super::outgoing"]);
    assert!(named("use crate::service::{MessageRow, mailer};").is_empty());
    assert!(named("use super::mailbox; crate::storage").is_empty());
    assert!(named("/// See [`crate::store::Store`].\nfn f() {}").is_empty());
}

#[test]
fn nothing_imports_upward() {
    const ABOVE_DOMAIN: &[&str] = &[
        "config",
        "store",
        "mail",
        "outgoing",
        "members",
        "service",
        "report",
        "cli",
        "tui",
        "installation",
        "private",
        "logging",
        "operator",
        "trust",
    ];
    const ABOVE_ADAPTERS: &[&str] = &["service", "report", "cli", "tui", "installation"];
    const ABOVE_SERVICE: &[&str] = &["cli", "tui", "installation"];
    let layers: &[(&str, &[&str])] = &[
        ("src/domain", ABOVE_DOMAIN),
        ("src/config", ABOVE_ADAPTERS),
        ("src/store", ABOVE_ADAPTERS),
        ("src/mail", ABOVE_ADAPTERS),
        ("src/outgoing", ABOVE_ADAPTERS),
        ("src/members", ABOVE_ADAPTERS),
        ("src/service", ABOVE_SERVICE),
        ("src/report", ABOVE_SERVICE),
    ];
    let mut offences = Vec::new();
    for (dir, above) in layers {
        for (path, text) in sources(dir) {
            for name in modules_named(&text, above) {
                offences.push(format!("{}: {name}", path.display()));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "a layer names one above it:\n{}",
        offences.join("\n")
    );
}
