//! The work budget of contact extraction: how much of a message is read for contacts, so any
//! message, however large, is judged in a bounded time and the poll goes on.
//!
//! Every stage of extraction is linear in what it reads (a test counts the work); the budget
//! bounds what it reads: the first [`MAX_LINES`] lines and [`MAX_BYTES`] bytes of the text, of
//! the HTML body (as text) and of the vCards, and it keeps at most [`MAX_CONTACTS`] contacts.
//! A message the budget cut short is still stored and judged; its `why` says what was left
//! out ([`Limited::note`]).

use std::cell::Cell;

/// Lines of a text read for contacts. A reply names its contacts near the top; what lies this
/// far down is a quoted thread, a log, or an attack.
pub const MAX_LINES: usize = 5_000;
/// Bytes of a text (and of all vCards together) read for contacts: 256 KiB, some fifty times a
/// long reply with its quoted invitation.
pub const MAX_BYTES: usize = 256 * 1024;
/// Contacts kept of one message, far above any `list.max_contacts` in use (a reply naming more
/// than that is flagged anyway): enough for the operator to see what the writer meant.
pub const MAX_CONTACTS: usize = 50;

/// What the budget left out of a message; nothing when it was read whole.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Limited {
    /// The text (or else the HTML body) was cut after this many lines.
    pub lines: Option<usize>,
    /// The vCards were cut at [`MAX_BYTES`].
    pub vcards: bool,
    /// More than [`MAX_CONTACTS`] contacts were named; the first ones are kept.
    pub contacts: bool,
}

impl Limited {
    /// The words appended to the message's `why`, when something was left out.
    pub fn note(&self) -> Option<String> {
        let mut parts = Vec::new();
        match self.lines {
            Some(1) => parts.push("examined the first line only".to_string()),
            Some(n) => parts.push(format!("examined the first {n} lines only")),
            None => {}
        }
        if self.vcards {
            parts.push(format!(
                "read the first {} KiB of vCards only",
                MAX_BYTES / 1024
            ));
        }
        if self.contacts {
            parts.push(format!("kept the first {MAX_CONTACTS} contacts only"));
        }
        if parts.is_empty() {
            return None;
        }
        Some(format!(
            "contacts: {} (message over the work budget)",
            parts.join(", ")
        ))
    }
}

/// The part of `text` that is read: whole lines, at most [`MAX_LINES`] of them and
/// [`MAX_BYTES`] bytes (a first line longer than that is cut at a character boundary); with
/// the number of lines read when that is not all of it.
pub fn examined(text: &str) -> (&str, Option<usize>) {
    prefix(text, MAX_BYTES)
}

/// The vCards that are read: [`MAX_BYTES`] of them together, each cut like a text; whether
/// any was cut.
pub fn vcards(cards: &[String]) -> (Vec<&str>, bool) {
    let mut left = MAX_BYTES;
    let mut read = Vec::new();
    for card in cards {
        let (part, cut) = prefix(card, left);
        left -= part.len();
        if !part.is_empty() {
            read.push(part);
        }
        if cut.is_some() {
            return (read, true);
        }
    }
    (read, false)
}

/// [`examined`], with room for `max_bytes`.
fn prefix(text: &str, max_bytes: usize) -> (&str, Option<usize>) {
    let mut end = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        if n == MAX_LINES {
            return (&text[..end], Some(n));
        }
        if end + line.len() > max_bytes {
            if n == 0 {
                return (&text[..text.floor_char_boundary(max_bytes)], Some(1));
            }
            return (&text[..end], Some(n));
        }
        end += line.len();
    }
    (text, None)
}

/// Work done by extraction, in units of about one byte examined (or one lookup). Only
/// counted: the caps above are what bound it, and a test holds every stage to a fixed
/// multiple of the bytes read.
#[derive(Debug, Default)]
pub struct Work(Cell<usize>);

impl Work {
    pub fn add(&self, units: usize) {
        self.0.set(self.0.get().saturating_add(units));
    }

    pub fn done(&self) -> usize {
        self.0.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::message::{Inbound, Mailbox};
    use crate::domain::tld::TldCode;
    use crate::domain::triage::{self, Context, Verdict, contacts};

    fn ctx() -> Context {
        let mut ctx = Context::new("TLD-OPS", None, 3);
        ctx.add_token("k3x9", &TldCode::parse("nl").unwrap());
        ctx.add_own_address("secretariat@ccnso.example.org");
        ctx
    }

    fn from_a_stranger(text: String) -> Inbound {
        Inbound {
            from: vec![Mailbox {
                name: Some("A Stranger".into()),
                address: "someone@stranger.example".into(),
            }],
            subject: "Re: [TLD-OPS .nl #k3x9] Invitation".into(),
            text,
            body_fetched: true,
            ..Inbound::default()
        }
    }

    fn lines(n: usize, line: impl Fn(usize) -> String) -> String {
        (0..n).map(line).collect()
    }

    #[test]
    fn a_huge_reply_is_read_up_to_the_budget_and_says_so() {
        for n in [20_000, 200_000] {
            let text = lines(n, |k| {
                format!("Name {k} <user{k}@example.org> +1 555 000{k}\n")
            });
            let d = triage::triage(&from_a_stranger(text), &ctx());
            assert_eq!(d.verdict, Verdict::Unverified);
            assert_eq!(d.tld.as_ref().map(TldCode::as_str), Some("nl"));
            assert_eq!(d.contacts.len(), MAX_CONTACTS, "{n} lines");
            assert_eq!(d.contacts[7].email, "user7@example.org");
            assert_eq!(d.contacts[7].phone.as_deref(), Some("+1 555 0007"));
            assert!(d.too_many_contacts);
            assert!(
                d.why.ends_with(
                    "; contacts: examined the first 5000 lines only, kept the first 50 contacts \
                     only (message over the work budget)"
                ),
                "{}",
                d.why
            );
        }
    }

    #[test]
    fn a_reply_within_the_budget_says_nothing_of_it() {
        let text = lines(40, |k| format!("Name {k} <user{k}@example.org>\n"));
        let d = triage::triage(&from_a_stranger(text), &ctx());
        assert_eq!(d.contacts.len(), 40);
        assert!(!d.why.contains("contacts:"), "{}", d.why);
    }

    /// Hostile shapes of a body, by size: every stage of extraction stays within a fixed
    /// multiple of the bytes it reads (the work is counted, not timed), and it keeps at most
    /// [`MAX_CONTACTS`].
    #[test]
    fn extraction_work_is_linear_in_what_it_reads() {
        /// Units of work per byte read, at most (the shapes below need about 10).
        const PER_BYTE: usize = 40;
        type Shape = (&'static str, fn(usize) -> Inbound);
        let shapes: &[Shape] = &[
            ("an address a line", |n| {
                from_a_stranger(lines(n, |k| {
                    format!("Name {k} <user{k}@example.org> +1 555 000{k}\n")
                }))
            }),
            ("one address, repeated", |n| {
                from_a_stranger(lines(n, |_| "Jan Jansen <jan@sidn.example>\n".into()))
            }),
            ("addresses on one line", |n| {
                from_a_stranger(lines(n, |k| format!("user{k}@example.org ")))
            }),
            ("a table row of addresses", |n| {
                from_a_stranger(lines(n, |k| format!("user{k}@example.org | ")))
            }),
            ("table rows", |n| {
                from_a_stranger(lines(n, |k| {
                    format!("Name {k} | user{k}@example.org | +1 555 000{k}\n")
                }))
            }),
            ("prose wrapped into one paragraph", |n| {
                from_a_stranger(lines(n, |k| {
                    format!("and then a long line of prose naming Name {k} <user{k}@example.org>\n")
                }))
            }),
            ("labelled blocks", |n| {
                from_a_stranger(lines(n, |k| {
                    format!("Name: Name {k}\nEmail: user{k}@example.org\nPhone: +1 555 000{k}\n")
                }))
            }),
            ("quoted header blocks", |n| {
                from_a_stranger(lines(n, |k| {
                    format!(
                        "From: A {k} <a{k}@x.example>\nSent: today\nTo: b@x.example\n\
                         Subject: x\n\nJan Jansen <jan{k}@sidn.example>\n"
                    )
                }))
            }),
            ("a signature naming the writer", |n| {
                let text = "I will be one of the contacts myself.\n--\n".to_string()
                    + &lines(n, |k| {
                        format!("A Stranger <user{k}@example.org> +1 555 000{k}\n")
                    });
                from_a_stranger(text)
            }),
            ("an HTML body", |n| Inbound {
                html_text: Some(lines(n, |k| {
                    format!("Name {k} | user{k}@example.org | +1 555 000{k}\n")
                })),
                ..from_a_stranger("Contacts in the HTML part.".into())
            }),
            ("vCards", |n| Inbound {
                vcards: (0..n)
                    .map(|k| {
                        format!("BEGIN:VCARD\nFN:Name {k}\nEMAIL:user{k}@example.org\nEND:VCARD\n")
                    })
                    .collect(),
                ..from_a_stranger(String::new())
            }),
        ];
        let tld = TldCode::parse("nl").unwrap();
        for (shape, message) in shapes {
            for n in [20_000, 200_000] {
                let msg = message(n);
                let read: usize = [Some(&msg.text), msg.html_text.as_ref()]
                    .into_iter()
                    .flatten()
                    .map(|t| examined(t).0.len())
                    .sum::<usize>()
                    + vcards(&msg.vcards).0.iter().map(|c| c.len()).sum::<usize>();
                let found = contacts::extract(&msg, &ctx(), &tld);
                assert!(
                    found.work <= PER_BYTE * read,
                    "{shape}, {n}: {} units of work for {read} bytes read",
                    found.work
                );
                assert!(!found.contacts.is_empty(), "{shape}, {n}");
                assert!(found.contacts.len() <= MAX_CONTACTS, "{shape}, {n}");
                assert!(found.limited.note().is_some(), "{shape}, {n}");
            }
        }
    }

    #[test]
    fn texts_are_cut_at_line_ends_and_character_boundaries() {
        assert_eq!(examined("a\nb\n"), ("a\nb\n", None));
        let long = lines(MAX_LINES + 1, |_| "x\n".into());
        assert_eq!(examined(&long), (&long[..2 * MAX_LINES], Some(MAX_LINES)));
        let wide = "é".repeat(MAX_BYTES);
        let (read, cut) = examined(&wide);
        assert_eq!((read.len(), cut), (MAX_BYTES, Some(1)));
        let wide = format!("x{wide}");
        assert_eq!(examined(&wide).0.len(), MAX_BYTES - 1);
        let cards = vec!["c".repeat(MAX_BYTES - 30), "BEGIN:VCARD\n".repeat(3)];
        let (read, cut) = vcards(&cards);
        let sizes: Vec<usize> = read.iter().map(|c| c.len()).collect();
        assert_eq!((sizes, cut), (vec![MAX_BYTES - 30, 24], true));
    }
}
