//! Local mail: a Maildir (`cur/` and `new/`) or an mbox file, for offline triage of an exported
//! mailbox and for the demo. Every pass reads everything again (mail delivered meanwhile
//! included); the ingest pipeline recognises what it has already stored by Message-ID or
//! content hash.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::{Checkpoint, Header, MailSource, Scan};

/// Messages read into memory, numbered from 1 in a stable order; read again for every pass
/// after the first (a TUI keeps its source open for hours).
pub struct LocalSource {
    name: String,
    messages: Vec<Vec<u8>>,
    /// Where the messages come from; `None`: only what `messages` holds.
    origin: Option<Origin>,
    /// `messages` were read for the coming pass (by the constructor).
    fresh: bool,
}

#[derive(Clone)]
enum Origin {
    Maildir(PathBuf),
    Mbox(PathBuf),
}

impl Origin {
    fn read(&self) -> Result<Vec<Vec<u8>>> {
        match self {
            Origin::Maildir(dir) => read_maildir(dir),
            Origin::Mbox(file) => read_mbox(file),
        }
    }
}

impl LocalSource {
    /// Reads every message of a Maildir, in file-name order (delivery order for the usual
    /// `time.unique.host` names).
    pub fn maildir(dir: &Path) -> Result<LocalSource> {
        LocalSource::open(
            format!("maildir:{}", dir.display()),
            Origin::Maildir(dir.to_path_buf()),
        )
    }

    /// Reads every message of an mbox file (mboxo or mboxrd: `>From ` lines are unquoted).
    pub fn mbox(file: &Path) -> Result<LocalSource> {
        LocalSource::open(
            format!("mbox:{}", file.display()),
            Origin::Mbox(file.to_path_buf()),
        )
    }

    fn open(name: String, origin: Origin) -> Result<LocalSource> {
        Ok(LocalSource {
            name,
            messages: origin.read()?,
            origin: Some(origin),
            fresh: true,
        })
    }
}

fn read_maildir(dir: &Path) -> Result<Vec<Vec<u8>>> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut found_sub = false;
    for sub in ["cur", "new"] {
        let d = dir.join(sub);
        if !d.is_dir() {
            continue;
        }
        found_sub = true;
        for entry in
            std::fs::read_dir(&d).with_context(|| format!("cannot read {}", d.display()))?
        {
            let path = entry?.path();
            let hidden = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if path.is_file() && !hidden {
                files.push(path);
            }
        }
    }
    if !found_sub {
        bail!(
            "{} is not a Maildir (no cur/ or new/ inside)",
            dir.display()
        );
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    files
        .iter()
        .map(|p| std::fs::read(p).with_context(|| format!("cannot read {}", p.display())))
        .collect()
}

fn read_mbox(file: &Path) -> Result<Vec<Vec<u8>>> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    if !bytes.is_empty() && !bytes.starts_with(b"From ") {
        bail!(
            "{} is not an mbox file (it does not start with a \"From \" line)",
            file.display()
        );
    }
    Ok(split_mbox(&bytes))
}

/// Splits mbox bytes at `From ` lines that start the file or follow a blank line.
fn split_mbox(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut messages = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    let mut previous_blank = true;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if previous_blank && line.starts_with(b"From ") {
            if let Some(m) = current.take() {
                messages.push(finish(m));
            }
            current = Some(Vec::new());
            previous_blank = false;
            continue;
        }
        previous_blank = line == b"\n" || line == b"\r\n";
        if let Some(m) = current.as_mut() {
            // mboxrd: one level of `>` quoting is removed from `>From `, `>>From ` ...
            let unquoted = line
                .iter()
                .position(|&b| b != b'>')
                .is_some_and(|i| i > 0 && line[i..].starts_with(b"From "));
            m.extend_from_slice(if unquoted { &line[1..] } else { line });
        }
    }
    if let Some(m) = current {
        messages.push(finish(m));
    }
    messages
}

/// Drops the blank line mbox puts between messages.
fn finish(mut m: Vec<u8>) -> Vec<u8> {
    if m.ends_with(b"\r\n\r\n") {
        m.truncate(m.len() - 2);
    } else if m.ends_with(b"\n\n") {
        m.truncate(m.len() - 1);
    }
    m
}

/// The header block of a raw message: up to and including the first blank line.
pub fn header_block(raw: &[u8]) -> &[u8] {
    let crlf = raw.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
    let lf = raw.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    let end = match (crlf, lf) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(raw.len()),
    };
    &raw[..end]
}

impl MailSource for LocalSource {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn scan_headers(
        &mut self,
        _since: Option<Checkpoint>,
        each: &mut dyn FnMut(Header) -> Result<()>,
    ) -> Result<Scan> {
        if !std::mem::replace(&mut self.fresh, false)
            && let Some(origin) = &self.origin
        {
            self.messages = origin.read()?;
        }
        for (i, m) in self.messages.iter().enumerate() {
            each(Header {
                uidvalidity: 0,
                uid: i as u32 + 1,
                size: m.len() as u64,
                bytes: header_block(m).to_vec(),
            })?;
        }
        Ok(Scan {
            uidvalidity: 0,
            rescan: false,
        })
    }

    fn fetch_bodies(&mut self, uids: &[u32]) -> Result<Vec<(u32, Vec<u8>)>> {
        Ok(uids
            .iter()
            .filter_map(|&uid| {
                let m = self.messages.get(uid.checked_sub(1)? as usize)?;
                Some((uid, m.clone()))
            })
            .collect())
    }

    /// At `uid` if it is still there, else wherever it moved (files added or removed since).
    fn refetch(
        &mut self,
        _uidvalidity: u32,
        uid: u32,
        is_it: &dyn Fn(&[u8]) -> bool,
    ) -> Result<Option<Vec<u8>>> {
        let at_uid = uid
            .checked_sub(1)
            .and_then(|i| self.messages.get(i as usize));
        Ok(at_uid
            .filter(|m| is_it(m))
            .or_else(|| self.messages.iter().find(|m| is_it(m)))
            .cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refetch_finds_a_message_wherever_it_moved() {
        let mut src = LocalSource {
            name: "test".into(),
            messages: vec![b"Subject: a\n\nA".to_vec(), b"Subject: b\n\nB".to_vec()],
            origin: None,
            fresh: true,
        };
        let is_b = |m: &[u8]| m.starts_with(b"Subject: b");
        assert_eq!(
            src.refetch(0, 2, &is_b).unwrap().unwrap(),
            b"Subject: b\n\nB"
        );
        // A file added before it since: UID 2 is another message now.
        src.messages.insert(0, b"Subject: c\n\nC".to_vec());
        assert_eq!(
            src.refetch(0, 2, &is_b).unwrap().unwrap(),
            b"Subject: b\n\nB"
        );
        src.messages.remove(2);
        assert_eq!(src.refetch(0, 2, &is_b).unwrap(), None);
    }

    #[test]
    fn mbox_splits_and_unquotes() {
        let mbox = b"From a@b.example Mon Mar  2 10:00:00 2026\nSubject: one\n\nHello\nFrom the start\n>From quoted\n\nFrom c@d.example Mon Mar  2 11:00:00 2026\r\nSubject: two\r\n\r\nbody\r\n";
        let m = split_mbox(mbox);
        assert_eq!(
            m.len(),
            2,
            "a `From ` line not after a blank line stays in the body"
        );
        assert_eq!(
            m[0],
            b"Subject: one\n\nHello\nFrom the start\nFrom quoted\n"
        );
        assert_eq!(m[1], b"Subject: two\r\n\r\nbody\r\n");
    }

    #[test]
    fn header_block_ends_at_first_blank_line() {
        assert_eq!(
            header_block(b"A: 1\r\nB: 2\r\n\r\nbody\n\nmore"),
            b"A: 1\r\nB: 2\r\n\r\n"
        );
        assert_eq!(header_block(b"A: 1\n\nbody"), b"A: 1\n\n");
        assert_eq!(header_block(b"A: 1\n"), b"A: 1\n");
    }

    #[test]
    fn maildir_reads_cur_and_new_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        std::fs::write(dir.path().join("new/2.b"), b"Subject: b\n\n").unwrap();
        std::fs::write(dir.path().join("cur/1.a:2,S"), b"Subject: a\n\n").unwrap();
        std::fs::write(dir.path().join("tmp/0.partial"), b"Subject: partial\n\n").unwrap();
        let mut src = LocalSource::maildir(dir.path()).unwrap();
        let batch = src.fetch_headers(None).unwrap();
        let subjects: Vec<_> = batch.headers.iter().map(|h| h.bytes.clone()).collect();
        assert_eq!(
            subjects,
            [b"Subject: a\n\n".to_vec(), b"Subject: b\n\n".to_vec()]
        );
        assert_eq!(
            src.fetch_bodies(&[2, 9]).unwrap(),
            [(2, b"Subject: b\n\n".to_vec())]
        );
        assert!(LocalSource::maildir(&dir.path().join("cur")).is_err());
    }

    /// The TUI keeps its source open: every pass reads the Maildir again (the demo's poller
    /// never saw mail delivered after it started).
    #[test]
    fn every_pass_reads_what_was_delivered_since() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        std::fs::write(dir.path().join("cur/1.a:2,S"), b"Subject: a\n\n").unwrap();
        let mut src = LocalSource::maildir(dir.path()).unwrap();
        assert_eq!(src.fetch_headers(None).unwrap().headers.len(), 1);
        std::fs::write(dir.path().join("new/2.b"), b"Subject: b\n\n").unwrap();
        let batch = src.fetch_headers(None).unwrap();
        assert_eq!(batch.headers.len(), 2);
        assert_eq!(batch.headers[1].bytes, b"Subject: b\n\n");
        assert_eq!(
            src.fetch_bodies(&[2]).unwrap(),
            [(2, b"Subject: b\n\n".to_vec())]
        );
    }
}
