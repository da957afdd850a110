//! HTML mail to plain text that keeps what triage needs: line structure, table cells (joined
//! with ` | `), link targets of `mailto:` links, and quotation — `<blockquote>` and the quote
//! containers of Gmail, Outlook and Apple Mail become `> ` lines, so quoted invitations are
//! recognised as quotes, not mistaken for the writer's own words.
//!
//! One pass, each tag handled in constant time, and at most [`MAX_QUOTE_MARKS`] marks a line:
//! the text is about as large as the HTML, however deeply hostile mail nests its tags.

/// Tags after which a line ends.
const BLOCK: &[&str] = &[
    "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
    "hr", "address", "section", "article", "header", "footer", "dl", "dt", "dd", "center",
];

/// Converts an HTML body to text.
pub fn html_to_text(html: &str) -> String {
    let mut out = Converter::default();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.text(&rest[..lt]);
        rest = &rest[lt..];
        if rest.starts_with("<!--") {
            rest = rest.find("-->").map_or("", |end| &rest[end + 3..]);
            continue;
        }
        let Some(gt) = rest.find('>') else {
            rest = "";
            break;
        };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let closing = tag.starts_with('/');
        let body = tag.trim_start_matches('/');
        let name: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if matches!(name.as_str(), "style" | "script" | "head" | "title") && !closing {
            let end = format!("</{name}");
            rest = find_ci(rest, &end).map_or("", |i| &rest[i..]);
            continue;
        }
        out.tag(&name, closing, body);
    }
    out.text(rest);
    out.finish()
}

/// Case-insensitive find of an ASCII needle.
fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    (0..h.len().saturating_sub(n.len() - 1)).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// The value of attribute `name` in a tag's text.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let i = find_ci(tag, &format!("{name}="))?;
    let v = &tag[i + name.len() + 1..];
    let (quote, v) = match v.chars().next()? {
        q @ ('"' | '\'') => (Some(q), &v[1..]),
        _ => (None, v),
    };
    let end = match quote {
        Some(q) => v.find(q)?,
        None => v
            .find(|c: char| c.is_whitespace() || c == '>')
            .unwrap_or(v.len()),
    };
    Some(&v[..end])
}

/// Quote marks written before a line at most: deeper quotes are quotes all the same, and a
/// message nesting thousands of them does not make every line thousands of bytes long.
const MAX_QUOTE_MARKS: usize = 32;

/// An open quote container.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    Blockquote,
    /// A quote `div` (Gmail, Outlook, Apple Mail), at the depth of `div` nesting it opened at.
    Div(usize),
}

#[derive(Default)]
struct Converter {
    lines: Vec<String>,
    line: String,
    /// Open quote containers, innermost last. A `</blockquote>` closes the innermost
    /// blockquote wherever it stands: it is marked closed (`None`) in place, found through
    /// `blockquotes`, so no tag searches or shifts the stack; closed ones on top are dropped.
    quotes: Vec<Option<Quote>>,
    /// Where the open blockquotes are in `quotes`, innermost last.
    blockquotes: Vec<usize>,
    /// How many containers in `quotes` are open.
    depth: usize,
    div_depth: usize,
    in_pre: bool,
    /// A `mailto:` link being written: its address, and where its text starts.
    link: Option<(String, usize)>,
    cell_started: bool,
}

impl Converter {
    fn text(&mut self, raw: &str) {
        let decoded = decode_entities(raw);
        if self.in_pre {
            for (i, part) in decoded.split('\n').enumerate() {
                if i > 0 {
                    self.newline();
                }
                self.line.push_str(part);
            }
            return;
        }
        for c in decoded.chars() {
            if c.is_whitespace() && c != '\u{a0}' {
                if !self.line.is_empty() && !self.line.ends_with(' ') {
                    self.line.push(' ');
                }
            } else {
                self.line.push(if c == '\u{a0}' { ' ' } else { c });
            }
        }
    }

    fn tag(&mut self, name: &str, closing: bool, body: &str) {
        let is_quote_div = || {
            let class = attribute(body, "class").unwrap_or("").to_ascii_lowercase();
            let id = attribute(body, "id").unwrap_or("").to_ascii_lowercase();
            class.contains("gmail_quote")
                || class.contains("yahoo_quoted")
                || class.contains("moz-cite-prefix")
                || id == "divrplyfwdmsg"
                || id == "appendonsend"
                || id.contains("origmsg")
        };
        match (name, closing) {
            ("blockquote", false) => {
                self.newline();
                self.blockquotes.push(self.quotes.len());
                self.open(Quote::Blockquote);
            }
            ("blockquote", true) => {
                self.newline();
                if let Some(i) = self.blockquotes.pop() {
                    self.quotes[i] = None;
                    self.closed();
                }
            }
            ("div", false) => {
                self.newline();
                self.div_depth += 1;
                if is_quote_div() {
                    self.open(Quote::Div(self.div_depth));
                }
            }
            ("div", true) => {
                self.newline();
                if self.quotes.last() == Some(&Some(Quote::Div(self.div_depth))) {
                    self.quotes.pop();
                    self.closed();
                }
                self.div_depth = self.div_depth.saturating_sub(1);
            }
            ("pre", closing) => {
                self.newline();
                self.in_pre = !closing;
            }
            ("td" | "th", false) => {
                if self.cell_started {
                    self.line.truncate(self.line.trim_end().len());
                    self.line.push_str(" | ");
                }
                self.cell_started = true;
            }
            ("tr", _) => {
                self.newline();
                self.cell_started = false;
            }
            ("a", false) => {
                let href = attribute(body, "href")
                    .map(decode_entities)
                    .unwrap_or_default();
                if href
                    .get(..7)
                    .is_some_and(|p| p.eq_ignore_ascii_case("mailto:"))
                {
                    let target = href[7..].split('?').next().unwrap_or("").to_string();
                    self.link = Some((target, self.line.len()));
                }
            }
            ("a", true) => {
                if let Some((target, start)) = self.link.take() {
                    let shown = self.line.get(start..).unwrap_or("");
                    if !target.is_empty() && !shown.to_lowercase().contains(&target.to_lowercase())
                    {
                        self.line.push_str(&format!(" <{target}>"));
                    }
                }
            }
            ("li", false) => {
                self.newline();
                self.line.push_str("- ");
            }
            ("br", _) => self.break_line(),
            ("img", _) => {}
            (n, _) if BLOCK.contains(&n) => self.newline(),
            _ => {}
        }
    }

    fn open(&mut self, quote: Quote) {
        self.quotes.push(Some(quote));
        self.depth += 1;
    }

    /// One quote container closed: drops the closed ones on top of the stack.
    fn closed(&mut self) {
        self.depth -= 1;
        while self.quotes.last() == Some(&None) {
            self.quotes.pop();
        }
    }

    /// Ends the current line; an empty line is dropped (block tags do not make blank lines).
    fn newline(&mut self) {
        if !self.line.trim().is_empty() {
            self.break_line();
        }
        self.line.clear();
    }

    /// Ends the current line even when empty (`<br>`), keeping at most one blank line.
    fn break_line(&mut self) {
        let text = self.line.trim().to_string();
        self.line.clear();
        let blank = |l: &String| l.trim_start_matches(['>', ' ']).is_empty();
        if text.is_empty() && self.lines.last().is_none_or(blank) {
            return;
        }
        self.lines
            .push(format!("{}{text}", self.prefix()).trim_end().to_string());
    }

    fn prefix(&self) -> String {
        "> ".repeat(self.depth.min(MAX_QUOTE_MARKS))
    }

    fn finish(mut self) -> String {
        self.newline();
        while self
            .lines
            .last()
            .is_some_and(|l| l.trim_start_matches(['>', ' ']).is_empty())
        {
            self.lines.pop();
        }
        self.lines.join("\n")
    }
}

/// Decodes the HTML entities mail actually uses: named ones for markup and common letters,
/// and all numeric ones.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .map(|i| i + 1);
        let Some(end) = end.filter(|&e| e > 1 && rest[e..].starts_with(';')) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = if let Some(num) = entity.strip_prefix('#') {
            let (digits, radix) = match num.strip_prefix(['x', 'X']) {
                Some(hex) => (hex, 16),
                None => (num, 10),
            };
            u32::from_str_radix(digits, radix)
                .ok()
                .and_then(char::from_u32)
        } else {
            named_entity(entity)
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "bull" => '•',
        "middot" => '·',
        "copy" => '©',
        "eacute" => 'é',
        "egrave" => 'è',
        "ecirc" => 'ê',
        "aacute" => 'á',
        "agrave" => 'à',
        "acirc" => 'â',
        "iacute" => 'í',
        "oacute" => 'ó',
        "ocirc" => 'ô',
        "uacute" => 'ú',
        "ntilde" => 'ñ',
        "ccedil" => 'ç',
        "auml" => 'ä',
        "ouml" => 'ö',
        "uuml" => 'ü',
        "Auml" => 'Ä',
        "Ouml" => 'Ö',
        "Uuml" => 'Ü',
        "szlig" => 'ß',
        "aring" => 'å',
        "oslash" => 'ø',
        "aelig" => 'æ',
        "Eacute" => 'É',
        "atilde" => 'ã',
        "otilde" => 'õ',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_cells_and_entities() {
        let html = "<html><head><style>p{color:red}</style></head><body>\
            <p>Dear&nbsp;Secretariat,</p><p>our contacts:</p>\
            <table><tr><th>Name</th><th>Email</th><th>Phone</th></tr>\
            <tr><td>Jan Jansen</td><td><a href=\"mailto:jan@sidn.example\">jan@sidn.example</a></td><td>+31&#160;26 352 5511</td></tr>\
            </table><div>Regards<br>Ann &amp; team</div></body></html>";
        assert_eq!(
            html_to_text(html),
            "Dear Secretariat,\nour contacts:\nName | Email | Phone\nJan Jansen | jan@sidn.example | +31 26 352 5511\nRegards\nAnn & team"
        );
    }

    #[test]
    fn quotes_become_quoted_lines() {
        let html = "<div dir=\"ltr\">Contacts below.</div><br>\
            <div class=\"gmail_quote\"><div class=\"gmail_attr\">On Mon, 2 Mar 2026 at 10:00, Secretariat &lt;secretariat@ccnso.example.org&gt; wrote:<br></div>\
            <blockquote class=\"gmail_quote\">Please reply<br>from directie@sidn.example</blockquote></div>";
        let text = html_to_text(html);
        assert_eq!(
            text,
            "Contacts below.\n\n> On Mon, 2 Mar 2026 at 10:00, Secretariat <secretariat@ccnso.example.org> wrote:\n> > Please reply\n> > from directie@sidn.example"
        );
    }

    #[test]
    fn mailto_links_keep_their_address() {
        let text =
            html_to_text("<p><a href='mailto:jan@sidn.example?subject=x'>Jan Jansen</a></p>");
        assert_eq!(text, "Jan Jansen <jan@sidn.example>");
    }

    #[test]
    fn a_blockquote_closes_under_quote_divs() {
        let html = "<blockquote>a<div class=\"gmail_quote\">b</blockquote>c</div>d";
        assert_eq!(html_to_text(html), "> a\n> > b\n> c\nd");
        let html = "<blockquote>a<blockquote>b</blockquote>c</blockquote>d";
        assert_eq!(html_to_text(html), "> a\n> > b\n> c\nd");
    }

    /// Thousands of nested quotes: every line is still marked quoted, in a few bytes (the
    /// marks are capped), so the text stays about as large as the HTML (200,000 levels would
    /// otherwise make 40 GB of quote marks).
    #[test]
    fn deep_quotes_keep_lines_short() {
        for n in [20_000, 200_000] {
            let html: String = (0..n).map(|k| format!("<blockquote>line {k}")).collect();
            let text = html_to_text(&html);
            assert_eq!(text.lines().count(), n);
            assert!(text.lines().all(|l| l.starts_with("> ")));
            let widest = text.lines().map(str::len).max().unwrap_or(0);
            assert!(
                widest <= 2 * MAX_QUOTE_MARKS + 12,
                "{n}: a line of {widest} bytes"
            );
            let closed = format!("{html}{}after", "</blockquote>".repeat(n));
            assert!(html_to_text(&closed).ends_with("\nafter"));
        }
    }

    #[test]
    fn survives_broken_markup() {
        for html in [
            "<",
            "<p",
            "<a href=\"mailto:",
            "&#xFFFFFFFF;",
            "</div></div></blockquote>",
            "&;&#;&x",
        ] {
            let _ = html_to_text(html);
        }
        assert_eq!(decode_entities("a &unknown; b &#65;"), "a &unknown; b A");
    }
}
