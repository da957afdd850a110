//! The report's charts as inline SVG: horizontal bars (funnel, regions), vertical bars
//! (approvals per month, time to answer) and a ring (coverage). Each chart scales to its
//! container (`viewBox`, width 100%), names itself for screen readers (`role="img"` and a
//! `<title>`), and writes every label through [`super::esc`].

use std::fmt::Write;

use super::esc;

/// One part of a stacked bar, or one bar: a label, a value and a CSS class giving its colour.
pub struct Part<'a> {
    pub label: &'a str,
    pub value: usize,
    pub class: &'a str,
}

/// The charts' own width: at most their width on the page (CSS), so labels keep their size
/// on a desktop and shrink on a phone.
const WIDTH: f64 = 720.0;

fn open(out: &mut String, title: &str, height: f64) {
    let _ = write!(
        out,
        r#"<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        esc(title)
    );
}

/// A ring showing `part` of `whole`, with the percentage in its middle.
pub fn ring(title: &str, part: usize, whole: usize) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="ring" role="img" viewBox="0 0 120 120" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        esc(title)
    );
    let r = 50.0;
    let circumference = 2.0 * std::f64::consts::PI * r;
    let share = if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    };
    let _ = write!(
        out,
        r#"<circle cx="60" cy="60" r="{r}" class="ring-back"/><circle cx="60" cy="60" r="{r}" class="ring-front" stroke-dasharray="{:.2} {:.2}" transform="rotate(-90 60 60)"/><text x="60" y="66" text-anchor="middle" class="ring-text">{}</text></svg>"#,
        share * circumference,
        circumference,
        percent(part, whole)
    );
    out
}

/// `part` of `whole` as a rounded percentage (`9%`; `0%` of nothing).
pub fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "0%".into();
    }
    format!("{:.0}%", part as f64 * 100.0 / whole as f64)
}

/// Rows of stacked horizontal bars, each scaled to `scale` (the largest row's total), with the
/// row's label on the left and its parts' values inside when they fit.
pub fn stacked_rows(title: &str, rows: &[(String, Vec<Part>)], scale: usize) -> String {
    let label_w = 130.0;
    let row_h = 34.0;
    let height = row_h * rows.len() as f64 + 8.0;
    let mut out = String::new();
    open(&mut out, title, height);
    // Room on the right for the row's total.
    let span = WIDTH - label_w - 56.0;
    for (i, (label, parts)) in rows.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        let _ = write!(
            out,
            r#"<text x="0" y="{:.1}" class="label">{}</text>"#,
            y + 21.0,
            esc(label)
        );
        let mut x = label_w;
        let mut labelled = 0;
        for p in parts.iter().filter(|p| p.value > 0) {
            let w = span * p.value as f64 / scale.max(1) as f64;
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{:.1}" class="{}"><title>{}: {}</title></rect>"#,
                row_h - 8.0,
                esc(p.class),
                esc(p.label),
                p.value
            );
            if w >= 12.0 + 8.0 * p.value.to_string().len() as f64 {
                let _ = write!(
                    out,
                    r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="in-bar">{}</text>"#,
                    x + w / 2.0,
                    y + 18.0,
                    p.value
                );
                labelled += 1;
            }
            x += w;
        }
        let total: usize = parts.iter().map(|p| p.value).sum();
        if labelled == 0 || parts.iter().filter(|p| p.value > 0).count() > 1 {
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" class="value">{total}</text>"#,
                x + 6.0,
                y + 18.0
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// Vertical bars with their value above and their label below (months, day ranges).
pub fn columns(title: &str, bars: &[Part]) -> String {
    let height = 200.0;
    let (top, bottom) = (24.0, 36.0);
    let mut out = String::new();
    open(&mut out, title, height);
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let slot = WIDTH / bars.len().max(1) as f64;
    let bar_w = (slot * 0.7).min(80.0);
    let _ = write!(
        out,
        r#"<line x1="0" y1="{0}" x2="{WIDTH}" y2="{0}" class="axis"/>"#,
        height - bottom
    );
    for (i, b) in bars.iter().enumerate() {
        let h = (height - top - bottom) * b.value as f64 / max as f64;
        let x = slot * i as f64 + (slot - bar_w) / 2.0;
        let y = height - bottom - h;
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{bar_w:.1}" height="{h:.1}" class="{}"><title>{}: {}</title></rect><text x="{:.1}" y="{:.1}" text-anchor="middle" class="value">{}</text><text x="{:.1}" y="{:.1}" text-anchor="middle" class="label">{}</text>"#,
            esc(b.class),
            esc(b.label),
            b.value,
            x + bar_w / 2.0,
            y - 6.0,
            b.value,
            x + bar_w / 2.0,
            height - bottom + 22.0,
            esc(b.label)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_scale_and_escape_their_labels() {
        assert_eq!(percent(29, 309), "9%");
        assert_eq!(percent(0, 0), "0%");
        let svg = columns(
            "a <b> & c",
            &[
                Part {
                    label: "<x>",
                    value: 3,
                    class: "on",
                },
                Part {
                    label: "y",
                    value: 0,
                    class: "on",
                },
            ],
        );
        assert!(svg.contains("<title>a &lt;b&gt; &amp; c</title>"), "{svg}");
        assert!(svg.contains(">&lt;x&gt;</text>"), "{svg}");
        assert!(!svg.contains("<x>"));
        let ring = ring("coverage", 1, 4);
        assert!(ring.contains(">25%</text>"), "{ring}");
    }
}
