//! The file transport: each message becomes `<dir>/<message-id>.eml`, for dry runs, tests and
//! air-gapped use. A file appears whole or not at all (written aside, synced, then linked into
//! place), is never world-readable (mail names people), and sending the same message
//! again is a success that changes nothing, so the outbox may retry after a crash. Files and
//! the directory get the installation's access (`crate::private`): the owner's, or the team's
//! in a setgid data dir. A directory this account may not write blocks sending (not a retry).

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

use super::{Envelope, SendError, Transport};
use crate::private::{self, Create};

/// Longest file name stem kept from a Message-ID (file names are limited to 255 bytes).
const MAX_STEM: usize = 150;

pub struct FileTransport {
    dir: PathBuf,
}

impl FileTransport {
    /// Writes into `dir`, created on first send if missing.
    pub fn new(dir: impl Into<PathBuf>) -> FileTransport {
        FileTransport { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the message with `message_id` goes (or went).
    pub fn path_for(&self, message_id: &str) -> PathBuf {
        self.dir.join(format!("{}.eml", file_stem(message_id)))
    }

    fn write(&self, message_id: &str, raw: &[u8]) -> Result<(), SendError> {
        // The directory, not the message, is at fault: once the operator fixes it, the same
        // message goes through.
        let io = |doing: &str, e: io::Error| failure(format!("{doing} {}", self.dir.display()), e);
        private::create_dir_all(&self.dir).map_err(|e| io("cannot create", e))?;
        let path = self.path_for(message_id);
        match existing(&path, raw)? {
            Existing::Same => return Ok(()),
            Existing::Different => return Err(conflict(&path)),
            Existing::Absent => {}
        }

        let temp = self.temp_path(&path);
        let written = write_synced(&temp, raw).and_then(|()| fs::hard_link(&temp, &path));
        fs::remove_file(&temp).ok();
        match written {
            Ok(()) => {}
            // Another sender linked the same name first: fine if it is the same message.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return match existing(&path, raw)? {
                    Existing::Same => Ok(()),
                    Existing::Different => Err(conflict(&path)),
                    Existing::Absent => Err(io("cannot write into", e)),
                };
            }
            Err(e) => return Err(io("cannot write into", e)),
        }
        // The new name must survive a crash too.
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io("cannot sync", e))?;
        tracing::info!("wrote <{message_id}> to {}", path.display());
        Ok(())
    }

    /// A name in the same directory (so the link stays on one file system) that no other
    /// writer uses, hidden from anything listing `*.eml`.
    fn temp_path(&self, path: &Path) -> PathBuf {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        self.dir
            .join(format!(".{name}.{}.{n}.tmp", std::process::id()))
    }
}

enum Existing {
    Absent,
    Same,
    Different,
}

/// Whether `path` already holds `raw`.
fn existing(path: &Path, raw: &[u8]) -> Result<Existing, SendError> {
    match fs::read(path) {
        Ok(bytes) if bytes == raw => Ok(Existing::Same),
        Ok(_) => Ok(Existing::Different),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Existing::Absent),
        Err(e) => Err(failure(format!("cannot read {}", path.display()), e)),
    }
}

/// Not being allowed to write (or read) here blocks every message until the operator fixes the
/// directory; anything else may pass (a full disk, an interrupted write).
fn failure(what: String, e: io::Error) -> SendError {
    let text = format!("{what}: {e}");
    match e.kind() {
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
            SendError::Blocked(text)
        }
        _ => SendError::Transient(text),
    }
}

/// Overwriting would lose what was sent under this Message-ID before.
fn conflict(path: &Path) -> SendError {
    SendError::Permanent(format!(
        "{} already holds a different message with this Message-ID",
        path.display()
    ))
}

fn write_synced(path: &Path, raw: &[u8]) -> io::Result<()> {
    let mut file = private::open(path, Create::New)?;
    file.write_all(raw)?;
    file.sync_all()
}

impl Transport for FileTransport {
    fn send(
        &mut self,
        _envelope: &Envelope,
        message_id: &str,
        raw: &[u8],
    ) -> Result<(), SendError> {
        if message_id.trim_matches(['<', '>', ' ']).is_empty() {
            return Err(SendError::Permanent(
                "a message without a Message-ID cannot be named".into(),
            ));
        }
        self.write(message_id, raw)
    }
}

/// A safe file name stem for a Message-ID: letters, digits and `.@_+=-` are kept, anything
/// else becomes `_`, and no leading dot. When that changed the id (or it was too long), a
/// digest of the original follows, so two ids never share a file.
fn file_stem(message_id: &str) -> String {
    let id = message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    let mut stem: String = id
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '@' | '_' | '+' | '=' | '-' => c,
            _ => '_',
        })
        .collect();
    if stem.starts_with('.') {
        stem.replace_range(..1, "_");
    }
    if stem != id || stem.len() > MAX_STEM {
        stem.truncate(MAX_STEM);
        let digest = Sha256::digest(id.as_bytes());
        let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        stem = format!("{stem}-{hex}");
    }
    stem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_become_safe_distinct_names() {
        assert_eq!(
            file_stem("inv-k3x9@tldops.example"),
            "inv-k3x9@tldops.example"
        );
        assert_eq!(
            file_stem("<inv-k3x9@tldops.example>"),
            "inv-k3x9@tldops.example"
        );
        let slash = file_stem("../../etc/passwd@x");
        assert!(slash.starts_with("_._.._etc_passwd@x-"), "{slash}");
        assert!(!slash.contains('/'));
        assert_ne!(file_stem("a/b@x"), file_stem("a_b@x"));
        assert_ne!(file_stem("a/b@x"), file_stem("a:b@x"));
        assert!(file_stem(".hidden@x").starts_with('_'));
        let long = file_stem(&"x".repeat(400));
        assert!(long.len() < 200, "{}", long.len());
        assert_ne!(long, file_stem(&"x".repeat(401)));
    }
}
