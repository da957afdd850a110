//! Config errors as one line that names the file, the line and the key.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub file: Option<PathBuf>,
    pub line: Option<usize>,
    /// Dotted key path, e.g. `imap.port`.
    pub key: Option<String>,
    pub message: String,
}

impl ConfigError {
    pub fn plain(message: impl Into<String>) -> Self {
        ConfigError {
            file: None,
            line: None,
            key: None,
            message: message.into(),
        }
    }

    pub fn in_file(file: &Path, message: impl Into<String>) -> Self {
        ConfigError {
            file: Some(file.to_path_buf()),
            ..ConfigError::plain(message)
        }
    }

    /// An error about `key` (`section.key`), located in `text` by scanning for it.
    pub fn at_key(file: &Path, text: &str, key: &str, message: impl Into<String>) -> Self {
        ConfigError {
            file: Some(file.to_path_buf()),
            line: find_key_line(text, key),
            key: Some(key.to_string()),
            message: message.into(),
        }
    }

    /// An error the TOML deserialiser reported at a byte offset.
    pub fn at_offset(file: &Path, text: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, key) = key_at_offset(text, offset);
        ConfigError {
            file: Some(file.to_path_buf()),
            line: Some(line),
            key,
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "config {}", file.display())?;
            if let Some(line) = self.line {
                write!(f, " line {line}")?;
            }
            f.write_str(": ")?;
        }
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// `[section]` or `[[section]]` header on a line, if it is one.
fn header(line: &str) -> Option<&str> {
    let l = line.trim();
    let inner = l.strip_prefix("[[").and_then(|r| r.strip_suffix("]]"));
    inner
        .or_else(|| l.strip_prefix('[').and_then(|r| r.split(']').next()))
        .map(str::trim)
}

/// The bare key a `key = value` line assigns.
fn assigned_key(line: &str) -> Option<&str> {
    let (k, _) = line.split_once('=')?;
    let k = k.trim().trim_matches('"');
    (!k.is_empty() && !k.starts_with('#')).then_some(k)
}

fn join(section: &str, key: &str) -> String {
    if section.is_empty() {
        key.to_string()
    } else {
        format!("{section}.{key}")
    }
}

/// The 1-based line of `offset` and the dotted key assigned on it (or the table it opens).
fn key_at_offset(text: &str, offset: usize) -> (usize, Option<String>) {
    let offset = offset.min(text.len());
    let line_no = text[..offset].matches('\n').count() + 1;
    let mut section = "";
    for (i, line) in text.lines().enumerate() {
        if let Some(h) = header(line) {
            section = h;
        }
        if i + 1 == line_no {
            if let Some(h) = header(line) {
                return (line_no, Some(h.to_string()));
            }
            return (line_no, assigned_key(line).map(|k| join(section, k)));
        }
    }
    (line_no, None)
}

/// The line on which `section.key` is assigned, or the section's header for a bare section.
fn find_key_line(text: &str, dotted: &str) -> Option<usize> {
    let mut section = "";
    for (i, line) in text.lines().enumerate() {
        if let Some(h) = header(line) {
            section = h;
            if h == dotted {
                return Some(i + 1);
            }
        } else if assigned_key(line).is_some_and(|k| join(section, k) == dotted) {
            return Some(i + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# c\n[list]\nname = \"X\"\n\n[imap]\nhost = \"h\"\nport = \"abc\"\n[keys.queue]\napprove = \"a\"\n";

    #[test]
    fn locates_keys_by_offset_and_by_name() {
        let at = TEXT.find("\"abc\"").unwrap();
        assert_eq!(key_at_offset(TEXT, at), (7, Some("imap.port".into())));
        assert_eq!(key_at_offset(TEXT, 1), (1, None));
        assert_eq!(
            key_at_offset(TEXT, TEXT.find("[imap]").unwrap()),
            (5, Some("imap".into()))
        );
        assert_eq!(find_key_line(TEXT, "imap.port"), Some(7));
        assert_eq!(find_key_line(TEXT, "keys.queue.approve"), Some(9));
        assert_eq!(find_key_line(TEXT, "list"), Some(2));
        assert_eq!(find_key_line(TEXT, "imap.mailbox"), None);
    }

    #[test]
    fn displays_one_line() {
        let e = ConfigError::at_key(Path::new("/c.toml"), TEXT, "imap.port", "bad port");
        assert_eq!(e.to_string(), "config /c.toml line 7: imap.port: bad port");
    }
}
