//! HTML mail to plain text that keeps what triage needs: line structure, table cells (joined
//! with ` | `), link targets of `mailto:` links, and quotation — `<blockquote>` and the quote
//! containers of Gmail, Outlook and Apple Mail become `> ` lines, so quoted invitations are
//! recognised as quotes, not mistaken for the writer's own words.
//!
//! Tokens come from html5gum, a WHATWG tokenizer: quoted attributes may hold `>`, every named
//! character reference of the standard is known, and text is decoded once. What is made of
//! them here (lines, cells, quotes, links) is ours. One pass, each token handled in constant
//! time, and at most [`MAX_QUOTE_MARKS`] marks a line: the text is about as large as the HTML,
//! however deeply hostile mail nests its tags.

use html5gum::{DefaultEmitter, StartTag, State, Token, Tokenizer};

/// Tags after which a line ends.
const BLOCK: &[&str] = &[
    "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
    "hr", "address", "section", "article", "header", "footer", "dl", "dt", "dd", "center",
];

/// Elements whose content is not shown, and how the tokenizer reads it (as a browser's parser
/// would tell it to: a `<` in a style sheet or a script starts no tag).
fn hidden(name: &str) -> Option<State> {
    match name {
        "style" => Some(State::RawText),
        "script" => Some(State::ScriptData),
        "title" => Some(State::RcData),
        _ => None,
    }
}

/// Converts an HTML body to text.
pub fn html_to_text(html: &str) -> String {
    let mut out = Converter::default();
    let mut tokens = Tokenizer::new_with_emitter(html, DefaultEmitter::default());
    // The hidden element being skipped, until its end tag.
    let mut hiding: Option<String> = None;
    while let Some(Ok(token)) = tokens.next() {
        match token {
            Token::StartTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).into_owned();
                if let Some(state) = hidden(&name) {
                    if !tag.self_closing {
                        tokens.set_state(state);
                        hiding.get_or_insert(name);
                    }
                } else if hiding.is_none() {
                    out.start(&name, &tag);
                }
            }
            Token::EndTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name);
                if hiding.as_deref() == Some(&*name) {
                    hiding = None;
                } else if hiding.is_none() {
                    out.end(&name);
                }
            }
            Token::String(text) if hiding.is_none() => out.text(&String::from_utf8_lossy(&text)),
            // Comments, doctypes, the tokenizer's notes on malformed markup.
            _ => {}
        }
    }
    out.finish()
}

/// The value of attribute `name` (lowercase) of a start tag, decoded.
fn attribute(tag: &StartTag<()>, name: &str) -> Option<String> {
    tag.attributes
        .get(name.as_bytes())
        .map(|v| String::from_utf8_lossy(v).into_owned())
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
    /// Text, its character references already decoded.
    fn text(&mut self, decoded: &str) {
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

    fn start(&mut self, name: &str, tag: &StartTag<()>) {
        self.tag(name, false, Some(tag));
    }

    fn end(&mut self, name: &str) {
        self.tag(name, true, None);
    }

    /// A start tag (with its attributes) or an end tag.
    fn tag(&mut self, name: &str, closing: bool, start: Option<&StartTag<()>>) {
        let attr = |name| start.and_then(|t| attribute(t, name)).unwrap_or_default();
        let is_quote_div = || {
            let class = attr("class").to_ascii_lowercase();
            let id = attr("id").to_ascii_lowercase();
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
                let href = attr("href");
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
    fn quoted_attributes_may_hold_angle_brackets() {
        let html = "<div title=\"a > b\" class='gmail_quote'><p data-x=\"<p>\">Quoted</p></div>\
            <a href=\"mailto:sec@nic.example\" title=\"x>y\">Security</a>";
        assert_eq!(html_to_text(html), "> Quoted\nSecurity <sec@nic.example>");
    }

    #[test]
    fn every_named_reference_is_known() {
        assert_eq!(
            html_to_text("&rarr; 5&nbsp;&euro; &hearts; &Scaron;ibenik &copy 2026 a &lt; b"),
            "→ 5 € ♥ Šibenik © 2026 a < b"
        );
        // A `<` that starts no tag is text, and so is a lone `&`.
        assert_eq!(html_to_text("<p>1 < 2 & 3 > 2</p>"), "1 < 2 & 3 > 2");
    }

    #[test]
    fn styles_scripts_and_titles_are_not_text() {
        let html = "<head><title>Re: invite</title><style>p > a { x: '</p>' }</style></head>\
            <body><script>if (a<b) { document.write('<p>no</p>') }</script><p>yes</p></body>";
        assert_eq!(html_to_text(html), "yes");
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
        assert_eq!(html_to_text("a &unknown; b &#65;"), "a &unknown; b A");
    }
}
