//! `tldops demo`: the terminal UI on a throwaway installation, seeded the way a real one fills
//! up — the demo roster imported, a pilot of invitations sent (to `.eml` files), and a mailbox
//! of realistic replies ingested through the real Maildir source. No server is needed.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::config::{Config, Origin, Paths};
use crate::domain::time::Timestamp;
use crate::installation::Installation;
use crate::private;
use crate::service::{ImportOptions, Selection, Service, ShiftedClock, Templates};

/// The demo roster, compiled in.
const ROSTER: &[u8] = include_bytes!("../../assets/demo/roster.csv");
/// The replies: message templates naming `{{invitation:TLD}}` and `{{tag:TLD}}`.
const MAILDIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo/maildir");
/// The pilot batch the demo invites.
pub const PILOT: &[&str] = &[
    "nl", "de", "fr", "re", "yt", "se", "ch", "br", "ar", "mx", "jp", "kr", "au", "nz", "za", "ke",
    "ng", "ru",
];

const CONFIG: &str = r#"# The demo's configuration (a throwaway data dir; nothing leaves this machine).
[list]
name = "TLD-OPS"
address = "tld-ops@lists.example.org"
secretariat = "secretariat@ccnso.example.org"

[trust]
authserv_id = "mx.ccnso.example.org"

[outgoing]
transport = "file"
"#;

/// Runs the demo in a throwaway directory, or in `into` (which must not exist yet, and is kept).
pub fn run(into: Option<&Path>, keep: bool, color: bool) -> Result<()> {
    let mut temp = None;
    let root: PathBuf = match into {
        Some(dir) => {
            if dir.exists() {
                return crate::service::usage(format!(
                    "{} exists: the demo seeds a new directory (give one that does not exist yet)",
                    dir.display()
                ));
            }
            private::create_dir_all(dir)?;
            dir.to_path_buf()
        }
        None => {
            let t = tempfile::Builder::new()
                .prefix("tldops-demo-")
                .tempdir()
                .context("cannot create the demo's data dir")?;
            let path = t.path().to_path_buf();
            temp = Some(t);
            path
        }
    };
    let paths = seed(&root)?;
    let config = Config::load(&paths)?;
    let source = Installation::maildir(&root.join("Maildir"))?;
    let install = Installation::new(paths, config, Templates::bundled())?;
    let result = install.tui(Some(source), color).and_then(crate::tui::run);
    if keep || into.is_some() {
        if let Some(t) = temp {
            let _ = t.keep();
        }
        let r = root.display();
        println!("the demo's data is kept in {r}; try:");
        println!("  tldops --config {r}/config.toml --data-dir {r}/data queue");
        // Its mailbox is no [imap] of the config: a TUI opened on it again cannot poll it.
        println!(
            "  tldops --config {r}/config.toml --data-dir {r}/data poll --maildir {r}/Maildir"
        );
    }
    result
}

/// Fills `root` with a demo installation; returns its paths.
pub fn seed(root: &Path) -> Result<Paths> {
    let config_file = root.join("config.toml");
    private::write(
        &config_file,
        format!("{CONFIG}dir = \"{}\"\n", root.join("sent-mail").display()).as_bytes(),
    )?;
    let paths = Paths {
        config_file,
        config_origin: Origin::Flag,
        data_dir: root.join("data"),
        data_origin: Origin::Flag,
        log_file: root.join("data/tldops.log"),
    };
    crate::logging::init(Some(&paths.log_file), 0, false);
    // The story, moved to end about a day ago: the pilot invited a week and a day ago, each
    // reply ingested at its own date in the days after (its Date header moved alike), so the
    // queue's ages and the coverage's times to answer are real ones. Only the seeding's own
    // service runs on this clock.
    let clock = std::sync::Arc::new(ShiftedClock::default());
    let install = Installation::new(paths.clone(), Config::load(&paths)?, Templates::bundled())?
        .with_clock(clock.clone());
    let service = install.service()?;
    let story: jiff::Timestamp = STORY_START.parse()?;
    let invited = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(8 * 24);
    let moved = story.duration_until(invited);
    clock.set(Some(Timestamp::from_jiff(invited)));
    service.import_roster("assets/demo/roster.csv", ROSTER, ImportOptions::default())?;
    service.invite(
        &Selection {
            tlds: PILOT.iter().map(|s| s.to_string()).collect(),
            ..Selection::default()
        },
        false,
        false,
    )?;
    let mut transport = install.transport()?;
    service.send_due(transport.as_mut())?;
    let maildir = root.join("Maildir");
    let arrive = |replies: Vec<Reply>| -> Result<()> {
        let mut replies = replies;
        replies.sort_by_key(|(_, _, at)| at.unwrap_or(invited));
        for (path, bytes, at) in replies {
            private::write(&path, &bytes)?;
            // Arrived a minute after it was written.
            clock.set(Some(Timestamp::from_jiff(
                at.unwrap_or(invited) + jiff::SignedDuration::from_secs(60),
            )));
            service.ingest(Installation::maildir(&maildir)?.as_mut())?;
        }
        Ok(())
    };
    arrive(maildir_messages(
        &service,
        Path::new(MAILDIR),
        &maildir,
        moved,
        0,
    )?)?;

    // Later (DESIGN §8): the operator approved .za and .se; then IANA changed .se's admin
    // contact (a roster re-import), so its re-confirmation is due at once; then a .za member
    // asked to leave and someone at .ke's registry asked to join.
    for tld in APPROVED {
        service.approve(tld, &[], None, false)?;
    }
    service.send_due(transport.as_mut())?;
    service.import_roster(
        "assets/demo/roster.csv (re-imported)",
        &replace(
            ROSTER,
            CHANGED_ADMIN.0.as_bytes(),
            CHANGED_ADMIN.1.as_bytes(),
        ),
        ImportOptions::default(),
    )?;
    let later = Path::new(MAILDIR).join("later");
    arrive(maildir_messages(&service, &later, &maildir, moved, 100)?)?;
    Ok(paths)
}

/// The ccTLDs the demo approves after the first replies (their members: the replies' contacts).
pub const APPROVED: &[&str] = &["za", "se"];
/// The admin address the re-imported roster changes (.se's): old, new.
pub const CHANGED_ADMIN: (&str, &str) = (
    "domain-admin@nic.se.example",
    "registry-admin@nic.se.example",
);

/// When the demo's story starts: the pilot's invitations, as the replies quote them.
const STORY_START: &str = "2026-03-02T09:00:00Z";

/// `raw` with its own `Date:` header (the first, in its header block) replaced by `date`.
fn with_date(raw: &[u8], date: &str) -> Vec<u8> {
    let header_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n"))
        .unwrap_or(raw.len());
    let mut start = 0;
    while start < header_end {
        let end = raw[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(raw.len(), |i| start + i);
        if raw[start..end].to_ascii_lowercase().starts_with(b"date:") {
            let cr = if end > start && raw[end - 1] == b'\r' {
                1
            } else {
                0
            };
            let mut out = raw[..start].to_vec();
            out.extend_from_slice(format!("Date: {date}").as_bytes());
            out.extend_from_slice(&raw[end - cr..]);
            return out;
        }
        start = end + 1;
    }
    raw.to_vec()
}

/// The demo's message templates for a Maildir, with the invitations' real Message-IDs and
/// subject tags filled in, so replies thread exactly as real ones would, and their dates moved
/// by `moved`: (where, bytes, new date).
type Reply = (PathBuf, Vec<u8>, Option<jiff::Timestamp>);

/// `first` numbers the Maildir files (a later batch goes after the earlier ones).
fn maildir_messages(
    service: &Service,
    from: &Path,
    to: &Path,
    moved: jiff::SignedDuration,
    first: usize,
) -> Result<Vec<Reply>> {
    for sub in ["cur", "new", "tmp"] {
        private::create_dir_all(&to.join(sub))?;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(from)
        .with_context(|| {
            format!(
                "cannot read the demo mailbox {} (run tldops demo from the source tree)",
                from.display()
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    let list = service.config().list.name.clone();
    let mut substitutions = Vec::new();
    for tld in PILOT {
        if let Some((id, token)) = service.invitation_of(tld)? {
            substitutions.push((format!("{{{{invitation:{tld}}}}}"), id));
            substitutions.push((
                format!("{{{{tag:{tld}}}}}"),
                format!("[{list} .{tld} #{token}]"),
            ));
        }
    }
    let mut out = Vec::new();
    for (i, file) in files.iter().enumerate().map(|(i, f)| (first + i, f)) {
        // Bytes, not text: a message in ISO-8859-1 must arrive as it was written.
        let mut bytes = std::fs::read(file)?;
        for (from, to) in &substitutions {
            bytes = replace(&bytes, from.as_bytes(), to.as_bytes());
        }
        let at = crate::domain::message::parse(&bytes, true)
            .date
            .and_then(|d| d.parse::<jiff::Timestamp>().ok())
            .map(|d| d + moved);
        if let Some(at) = at {
            let date = jiff::fmt::rfc2822::to_string(&at.to_zoned(jiff::tz::TimeZone::UTC))?;
            bytes = with_date(&bytes, &date);
        }
        let name = format!("{}.demo{i:03}.tldops:2,S", 1_772_400_000 + i);
        out.push((to.join("cur").join(name), bytes, at));
    }
    Ok(out)
}

fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(i) = rest.windows(from.len()).position(|w| w == from) {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(to);
        rest = &rest[i + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}
