//! The columns text takes on a terminal, and text cut to a number of columns: measured per
//! grapheme cluster (as terminals and ratatui lay text out), a cut always ending in `…` so a
//! cut phone number or reason never looks complete. The TUI and the CLI's tables share it.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// The columns `text` takes on screen: the sum of its grapheme clusters' widths.
pub fn width(text: &str) -> usize {
    text.graphemes(true).map(UnicodeWidthStr::width).sum()
}

/// The longest start of `text` that takes at most `max` columns (whole clusters only).
pub fn take(text: &str, max: usize) -> (&str, usize) {
    let mut used = 0;
    let mut end = 0;
    for (i, g) in text.grapheme_indices(true) {
        let w = UnicodeWidthStr::width(g);
        if used + w > max {
            break;
        }
        used += w;
        end = i + g.len();
    }
    (&text[..end], used)
}

/// `text` cut to at most `max` columns, ending in `…` when anything was cut.
pub fn ellipsize(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    format!("{}…", take(text, max - 1).0)
}

/// [`ellipsize`] between words: `text` up to its last whole word that fits, then ` …` — a
/// word cut in two (`oauth2_token_comma…`) reads as another word. A word longer than half of
/// `max` is cut where it must be, as `ellipsize` cuts it.
pub fn ellipsize_words(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    let (kept, _) = take(text, max.saturating_sub(1));
    match kept.rfind(' ').map(|i| kept[..i].trim_end()) {
        Some(words) if width(words) * 2 >= max => format!("{words} …"),
        _ => ellipsize(text, max),
    }
}
