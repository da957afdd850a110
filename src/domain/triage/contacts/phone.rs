//! Phone numbers as people write them: `+`, digits, spaces, brackets, dots and dashes, seven
//! to seventeen digits, an extension in several languages ("ext.", "poste", "доб."), and
//! never a date. Its own file because a phone is looked for everywhere a contact may be —
//! fields, tables, signatures, a requester's own text.

/// The first phone number in `s`, as written: `+`, digits, spaces, `()-./`, at least seven
/// digits, and not a date.
pub fn find_phone(s: &str) -> Option<String> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if c == '+'
            || c.is_ascii_digit()
            || (c == '('
                && chars
                    .get(i + 1)
                    .is_some_and(|(_, d)| d.is_ascii_digit() || *d == '+'))
        {
            let mut j = i;
            let mut end = start;
            let mut digits = 0;
            let mut open = 0;
            while j < chars.len() {
                let (p, d) = chars[j];
                if d.is_ascii_digit() {
                    digits += 1;
                    end = p + 1;
                } else if d == ')' && open > 0 {
                    open -= 1;
                    end = p + 1;
                } else if d == '(' {
                    open += 1;
                } else if !(d == ' '
                    || d == '-'
                    || d == '.'
                    || d == '/'
                    || d == '\u{a0}'
                    || (d == '+' && j == i))
                {
                    break;
                }
                j += 1;
            }
            let candidate = s[start..end].trim();
            let before = s[..start].chars().next_back();
            let glued =
                before.is_some_and(|b| b.is_alphanumeric() || b == '@' || b == '.' && start > 1);
            if (7..=17).contains(&digits) && !glued && !looks_like_date(candidate) {
                let extension = extension_len(&s[end..]);
                return Some(s[start..end + extension].trim().to_string());
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    None
}

/// The length of an extension written after a number: " ext. 401", ", x 12", " poste 33".
fn extension_len(rest: &str) -> usize {
    let t = rest.trim_start_matches([' ', ',']);
    for marker in [
        "ext.",
        "ext",
        "extension",
        "x",
        "poste",
        "dw.",
        "durchwahl",
        "доб.",
    ] {
        if let Some(after) = strip_prefix_lowercase(t, marker) {
            let number = after.trim_start();
            let digits = number.chars().take_while(char::is_ascii_digit).count();
            if digits > 0 {
                return rest.len() - number.len() + digits;
            }
        }
    }
    0
}

/// `s` without `prefix` (lowercase) at its start, in any case. (Lowercasing `s` itself would
/// read all of it, and can change its length.)
fn strip_prefix_lowercase<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let mut chars = s.chars();
    for p in prefix.chars() {
        if !chars.next()?.to_lowercase().eq([p]) {
            return None;
        }
    }
    Some(chars.as_str())
}

fn looks_like_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split(['-', '.', '/']).collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_digit()) && (1..=4).contains(&p.len()))
        && (parts[0].len() == 4 || parts[2].len() == 4 || parts[2].len() == 2)
}

#[cfg(test)]
mod tests {
    use super::find_phone;

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    #[test]
    fn phones_not_dates() {
        assert_eq!(
            find_phone("on 2026-03-02 call +1 (555) 010-0199"),
            s("+1 (555) 010-0199")
        );
        assert_eq!(find_phone("ticket 12345"), None);
        assert_eq!(find_phone("02.03.2026"), None);
    }

    #[test]
    fn extensions_in_any_case() {
        assert_eq!(
            find_phone("+31 26 352 5511 EXT. 12, room 4"),
            s("+31 26 352 5511 EXT. 12")
        );
        assert_eq!(
            find_phone("+7 495 737 92 95 ДОБ. 401"),
            s("+7 495 737 92 95 ДОБ. 401")
        );
        // "ẞ" lowercases to the shorter "ß": the extension's end is still where it is written.
        assert_eq!(
            find_phone("+31 26 352 5511 ext. 12ẞẞ"),
            s("+31 26 352 5511 ext. 12")
        );
    }
}
