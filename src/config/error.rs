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

    /// An error the TOML deserialiser reported at a byte offset, in the operator's words.
    pub fn at_offset(file: &Path, text: &str, offset: usize, message: &str) -> Self {
        let (line, key) = key_at_offset(text, offset);
        ConfigError {
            file: Some(file.to_path_buf()),
            line: Some(line),
            key,
            message: in_words(message),
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

/// serde's wording for a bad value or key made an operator's: `unknown variant` becomes what
/// may be written instead, and an unknown key gets the nearest known one rather than the whole
/// list (hundreds of columns for some sections).
fn in_words(message: &str) -> String {
    let quoted = |list: &str| -> Vec<String> {
        list.split(", ")
            .map(|w| w.trim().trim_matches('`').to_string())
            .filter(|w| !w.is_empty())
            .collect()
    };
    if let Some(rest) = message.strip_prefix("unknown variant `")
        && let Some((value, expected)) = rest.split_once("`, expected one of ")
    {
        let choices: Vec<String> = quoted(expected)
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect();
        return format!(
            "`{value}` is not a choice here: write one of {}",
            choices.join(", ")
        );
    }
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((key, expected)) = rest.split_once("`, expected one of ")
    {
        let nearest = quoted(expected)
            .into_iter()
            .map(|k| (edit_distance(key, &k), k))
            .min()
            // One slip in a short key, two in a longer one: `smtp` is not a slip for `imap`.
            .filter(|(d, _)| *d <= if key.chars().count() <= 4 { 1 } else { 2 });
        return match nearest {
            Some((_, k)) => format!("unknown key `{key}`: did you mean `{k}`?"),
            None => format!("unknown key `{key}` (config.example.toml lists the keys)"),
        };
    }
    message.to_string()
}

/// Edits from `a` to `b` (insert, delete, replace, swap two neighbours), for suggesting a
/// key: keys are short, so a whole table is fine.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

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
