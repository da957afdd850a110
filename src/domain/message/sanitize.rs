//! Making text from mail safe for a terminal. Mail is hostile: an RFC 2047 word can decode to
//! `ESC[2J`, a display name can carry a bidi override that flips what the operator reads.
//! Every string from a message passes through here at the parsing boundary.

/// Tab stops every 8 columns, as terminals have them.
const TAB: usize = 8;

/// A server's text made one bounded printable line for an error message: control characters
/// become spaces, at most 300 characters are kept (`…` marks a cut), no trailing space.
pub fn bounded_line(text: &str) -> String {
    const MAX: usize = 300;
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX)
        .collect();
    if text.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out.trim_end().to_string()
}

/// Removes C0/C1 control characters and whole escape sequences (CSI, OSC, DCS ...), bidi
/// overrides and isolates, zero-width and other invisible format characters; expands tabs;
/// keeps newlines when `multiline`, else turns them into spaces.
pub fn sanitize(input: &str, multiline: bool) -> String {
    // Most header values are printable ASCII with folding whitespace: a byte loop does what
    // the general path would (one space for each run of line breaks and tabs).
    // One pass tells which path fits: printable ASCII, with or without line feeds, CRs, tabs.
    let (mut printable, mut line_feeds, mut cr_or_tab) = (true, false, false);
    for b in input.bytes() {
        match b {
            b'\n' => line_feeds = true,
            b'\r' | b'\t' => cr_or_tab = true,
            0x20..0x7f => {}
            _ => {
                printable = false;
                break;
            }
        }
    }
    if !multiline && printable && !line_feeds && !cr_or_tab {
        return input.trim().to_string(); // most values: one line, spaces around
    }
    if !multiline && printable {
        let mut out = String::with_capacity(input.len());
        for (i, piece) in input.split(['\r', '\n', '\t']).enumerate() {
            if i > 0 && !out.ends_with(' ') {
                out.push(' ');
            }
            out.push_str(piece);
        }
        let end = out.trim_end().len();
        out.truncate(end);
        let start = out.len() - out.trim_start().len();
        out.drain(..start);
        return out;
    }
    if multiline && printable && !cr_or_tab {
        return input.to_string();
    }
    if multiline && printable {
        // Mail's CRLF and tabs: the general path's result, the text between them copied at
        // once (a body is mostly such runs).
        let mut out = String::with_capacity(input.len());
        let mut column = 0;
        let bytes = input.as_bytes();
        let mut at = 0;
        for i in memchr::memchr3_iter(b'\r', b'\n', b'\t', bytes) {
            out.push_str(&input[at..i]);
            column += i - at;
            at = i + 1;
            match bytes[i] {
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {}
                b'\t' => {
                    let n = TAB - column % TAB;
                    out.extend(std::iter::repeat_n(' ', n));
                    column += n;
                }
                _ => {
                    out.push('\n');
                    column = 0;
                }
            }
        }
        out.push_str(&input[at..]);
        return out;
    }
    sanitize_chars(input, multiline)
}

/// [`sanitize`] in general: what every fast path above must agree with. Runs of printable
/// ASCII (most of any mail, whatever its script) are copied at once; the rest a character
/// at a time.
fn sanitize_chars(input: &str, multiline: bool) -> String {
    let mut out = String::with_capacity(input.len());
    let mut column = 0;
    let mut chars = input.chars();
    loop {
        let rest = chars.as_str();
        let run = rest
            .bytes()
            .position(|b| !(0x20..0x7f).contains(&b))
            .unwrap_or(rest.len());
        if run > 0 {
            out.push_str(&rest[..run]);
            column += run;
            chars = rest[run..].chars();
        }
        let Some(c) = chars.next() else {
            break;
        };
        match c {
            // Unicode's line and paragraph separators and NEL are line breaks too: passed on,
            // a terminal or a JSON consumer would treat them its own way.
            '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' => {
                if c == '\r' && chars.as_str().starts_with('\n') {
                    continue;
                }
                if multiline {
                    out.push('\n');
                    column = 0;
                } else if !out.ends_with(' ') {
                    out.push(' ');
                    column += 1;
                }
            }
            '\t' if !multiline => {
                if !out.ends_with(' ') {
                    out.push(' ');
                    column += 1;
                }
            }
            '\t' => {
                let n = TAB - column % TAB;
                out.extend(std::iter::repeat_n(' ', n));
                column += n;
            }
            '\u{1b}' => skip_escape(&mut chars),
            // C1 CSI, OSC, DCS, SOS, PM, APC: the 8-bit forms of ESC [, ESC ] ...
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if is_invisible(c) => {}
            c => {
                out.push(c);
                column += 1;
            }
        }
    }
    if multiline {
        out
    } else {
        out.trim().to_string()
    }
}

/// The first character of `text` that [`sanitize`] would not pass on as it is (a control
/// character — line breaks and tabs only when `multiline` — an escape, a bidi control, an
/// invisible character, a line or paragraph separator): for refusing such text where it is
/// typed (config) rather than cleaning it.
pub fn unsafe_char(text: &str, multiline: bool) -> Option<char> {
    text.chars().find(|&c| match c {
        '\n' | '\t' => !multiline,
        '\u{2028}' | '\u{2029}' => true,
        c => is_invisible(c),
    })
}

/// Characters that must never reach the terminal: controls, bidi controls, zero-width and
/// other format characters that hide or reorder text.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00ad}'                      // soft hyphen
            | '\u{061c}'                    // Arabic letter mark
            | '\u{115f}' | '\u{1160}'       // Hangul fillers
            | '\u{180e}'                    // Mongolian vowel separator
            | '\u{200b}'..='\u{200f}'       // zero-width space/joiners, LRM, RLM
            | '\u{202a}'..='\u{202e}'       // bidi embeddings and overrides
            | '\u{2060}'..='\u{206f}'       // word joiner, invisible operators, bidi isolates
            | '\u{3164}'                    // Hangul filler
            | '\u{feff}'                    // zero-width no-break space / BOM
            | '\u{fff9}'..='\u{fffb}'       // interlinear annotation
            | '\u{e0000}'..='\u{e007f}'     // tag characters
        )
}

type Chars<'a> = std::str::Chars<'a>;

/// After ESC: drops the rest of the sequence, whatever its kind.
fn skip_escape(chars: &mut Chars) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string(chars),
        // Two-character sequences (ESC c, ESC 7 ...) and ESC ( B style charset selections.
        Some('(' | ')' | '*' | '+' | '#' | '%' | ' ') => {
            chars.next();
        }
        _ => {}
    }
}

/// CSI: parameters and intermediates up to a final byte in `@`..`~`.
fn skip_csi(chars: &mut Chars) {
    for c in chars.by_ref() {
        if ('@'..='~').contains(&c) {
            break;
        }
        if !(' '..='?').contains(&c) {
            break;
        }
    }
}

/// OSC/DCS/SOS/PM/APC: a string up to BEL, ST (ESC \) or C1 ST.
fn skip_string(chars: &mut Chars) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.as_str().starts_with('\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_escape_sequences_whole() {
        assert_eq!(sanitize("a\u{1b}[2Jb", false), "ab");
        assert_eq!(sanitize("a\u{1b}[38;5;196mred\u{1b}[0m", false), "ared");
        assert_eq!(sanitize("\u{1b}]0;pwned\u{7}title", false), "title");
        assert_eq!(
            sanitize(
                "\u{1b}]8;;http://evil.example\u{1b}\\click\u{1b}]8;;\u{1b}\\",
                false
            ),
            "click"
        );
        assert_eq!(sanitize("x\u{9b}31my", false), "xy");
        assert_eq!(sanitize("x\u{9d}0;t\u{9c}y", false), "xy");
        assert_eq!(sanitize("bell\u{7}\u{8}\u{0}", false), "bell");
    }

    /// The byte-at-a-time paths for plain ASCII text give what the general one gives, on
    /// every short mix of letters, spaces, tabs and both line ends.
    #[test]
    fn fast_paths_agree_with_the_general_one() {
        let mut texts = vec![String::new()];
        for _ in 0..6 {
            let longer: Vec<String> = texts
                .iter()
                .filter(|t| t.len() == texts.last().map_or(0, String::len))
                .flat_map(|t| ["a", " ", "\t", "\r", "\n"].map(|c| format!("{t}{c}")))
                .collect();
            texts.extend(longer);
        }
        for t in &texts {
            for multiline in [false, true] {
                assert_eq!(
                    sanitize(t, multiline),
                    sanitize_chars(t, multiline),
                    "{t:?} multiline={multiline}"
                );
            }
        }
    }

    /// The general path as it was, a character at a time: the oracle for the runs above.
    fn one_at_a_time(input: &str, multiline: bool) -> String {
        let mut out = String::with_capacity(input.len());
        let mut column = 0;
        let mut chars = input.chars();
        while let Some(c) = chars.next() {
            match c {
                // Unicode's line and paragraph separators and NEL are line breaks too: passed on,
                // a terminal or a JSON consumer would treat them its own way.
                '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' => {
                    if c == '\r' && chars.as_str().starts_with('\n') {
                        continue;
                    }
                    if multiline {
                        out.push('\n');
                        column = 0;
                    } else if !out.ends_with(' ') {
                        out.push(' ');
                        column += 1;
                    }
                }
                '\t' if !multiline => {
                    if !out.ends_with(' ') {
                        out.push(' ');
                        column += 1;
                    }
                }
                '\t' => {
                    let n = TAB - column % TAB;
                    out.extend(std::iter::repeat_n(' ', n));
                    column += n;
                }
                '\u{1b}' => skip_escape(&mut chars),
                // C1 CSI, OSC, DCS, SOS, PM, APC: the 8-bit forms of ESC [, ESC ] ...
                '\u{9b}' => skip_csi(&mut chars),
                '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
                c if is_invisible(c) => {}
                c => {
                    out.push(c);
                    column += 1;
                }
            }
        }
        if multiline {
            out
        } else {
            out.trim().to_string()
        }
    }

    /// Copying ASCII runs at once changes nothing: every short mix of ASCII, controls, escapes,
    /// tabs, line ends and non-ASCII letters and format characters.
    #[test]
    fn the_runs_agree_with_one_character_at_a_time() {
        let pieces = [
            "a",
            " ",
            "\t",
            "\r",
            "\n",
            "é",
            "日",
            "\u{1b}[2J",
            "\u{1b}]0;t\u{7}",
            "\u{1b}\\",
            "\u{202e}",
            "\u{200b}",
            "\u{85}",
            "\u{9b}1m",
            "\u{7f}",
        ];
        let mut texts = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..3 {
            last = last
                .iter()
                .flat_map(|t| pieces.map(|p| format!("{t}{p}")))
                .collect();
            texts.extend(last.iter().cloned());
        }
        for t in &texts {
            for multiline in [false, true] {
                assert_eq!(
                    sanitize_chars(t, multiline),
                    one_at_a_time(t, multiline),
                    "{t:?} multiline={multiline}"
                );
            }
        }
    }

    #[test]
    fn strips_bidi_and_invisible_characters() {
        assert_eq!(sanitize("admin\u{202e}moc.live", false), "adminmoc.live");
        assert_eq!(sanitize("jan\u{200b}\u{2066}sen\u{feff}", false), "jansen");
        assert_eq!(
            sanitize("日本語 Ελληνικά עברית", false),
            "日本語 Ελληνικά עברית"
        );
    }

    #[test]
    fn the_ascii_fast_path_agrees_with_the_general_one() {
        for input in [
            "a\r\n\tb",
            " x  y ",
            "\r\n",
            "a\tb\n\nc",
            "plain",
            "a\r\n b\r\n",
        ] {
            let general: String = {
                // The same input with a non-ASCII character appended takes the general path.
                let s = sanitize(&format!("{input}é"), false);
                s.trim_end_matches('é').trim_end().to_string()
            };
            assert_eq!(sanitize(input, false), general, "{input:?}");
        }
        assert_eq!(sanitize("a\nb", true), "a\nb");
    }

    #[test]
    fn newlines_and_tabs() {
        assert_eq!(sanitize("a\r\nb\tc", true), "a\nb       c");
        assert_eq!(sanitize("  a\r\n\tb ", false), "a b");
        assert_eq!(sanitize("ab\tc", true), "ab      c");
    }
}
