//! The coverage report (DESIGN §9): one self-contained HTML page — inline CSS, inline SVG
//! charts, no script, no external asset — with coverage overall and by region, the funnel,
//! time to answer, approvals over time, confirmations, and the ccTLDs on the list and not yet
//! on it. Pure: the caller gathers the [`Stats`] (the very value `stats --json` prints) and the
//! roster, this renders them. Every number the page shows from the stats carries
//! `data-stat="/json/pointer"` into that JSON, so a test can hold the page to it. Every string
//! (countries, names, addresses, the list's name) goes through [`esc`]. People's names and
//! addresses appear only when the caller passes them (`--with-contacts`).

mod svg;

use std::fmt::Write;

use crate::domain::case::CaseState;
use crate::domain::region::Region;
use crate::service::{ANSWER_BUCKETS, Counts, Stats};
use svg::Part;

/// What the page is made of.
pub struct Report<'a> {
    /// The list's name (`[list] name`).
    pub list: &'a str,
    /// When it was made, UTC (`2026-03-04T10:12:00Z`).
    pub generated_at: crate::domain::time::Timestamp,
    pub stats: &'a Stats,
    /// Every ccTLD `stats` counted, in code order.
    pub tlds: &'a [Entry],
    /// Whether the members' names, addresses and phones are shown.
    pub with_contacts: bool,
}

/// One ccTLD of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The code, no dot (`nl`, `xn--p1ai`).
    pub code: String,
    /// An IDN ccTLD's Unicode form.
    pub unicode: Option<String>,
    pub country: String,
    pub region: Option<Region>,
    pub state: CaseState,
    /// Approved with at least one member subscribed (as `stats` counts `on_list`).
    pub on_list: bool,
    /// The day its admin contact last confirmed its contacts (the approval), `2026-03-04`.
    pub confirmed: Option<String>,
    /// Its members; empty unless the report is made `--with-contacts`.
    pub contacts: Vec<Contact>,
}

/// A member, for a report with contacts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    pub name: Option<String>,
    pub email: String,
    pub phone: Option<String>,
}

/// Text made safe for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters have no business in a page (and some are not allowed).
            c if c.is_control() && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A number shown on the page, tied to its place in `stats --json`.
fn stat(pointer: &str, value: impl std::fmt::Display) -> String {
    format!(
        r#"<span class="num" data-stat="{}">{value}</span>"#,
        esc(pointer)
    )
}

const CSS: &str = include_str!("report.css");

/// The page.
pub fn render(r: &Report) -> String {
    let s = r.stats;
    let t = &s.total;
    let date = r.generated_at.date();
    let mut out = String::with_capacity(64 * 1024 + r.tlds.len() * 200);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"tldops\">\n\
         <title>{list}: coverage of the ccTLDs, {date}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n\
         <header><h1>{list}: coverage of the ccTLDs</h1>\n\
         <p class=\"sub\">Made by tldops on {at}. {privacy}</p></header>\n<main>\n",
        list = esc(r.list),
        date = esc(&date),
        at = esc(&r.generated_at.to_string()),
        privacy = if r.with_contacts {
            "<strong>This copy names people (made with --with-contacts): do not publish it.</strong>"
        } else {
            "No personal data: ccTLDs and counts only."
        },
    );
    summary(&mut out, s);
    regions(&mut out, s);
    funnel(&mut out, t);
    answer_times(&mut out, s);
    approvals(&mut out, s);
    confirmations(&mut out, s);
    lists(&mut out, r);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn summary(out: &mut String, s: &Stats) {
    let t = &s.total;
    let median = match s.median_days_to_answer {
        Some(d) => format!("{} days", stat("/median_days_to_answer", d)),
        None => "no answers yet".into(),
    };
    let _ = write!(
        out,
        "<section id=\"coverage\"><h2>Coverage</h2>\n<div class=\"overview\">{ring}\
         <p class=\"big\">{on_list} of {tlds} ccTLDs are on the list</p></div>\n\
         <dl class=\"cards\">\
         <div><dt>members</dt><dd>{contacts}</dd></div>\
         <div><dt>invited</dt><dd>{invited}</dd></div>\
         <div><dt>answered</dt><dd>{answered}</dd></div>\
         <div><dt>approved</dt><dd>{approved}</dd></div>\
         <div><dt>waiting for an answer</dt><dd>{waiting}</dd></div>\
         <div><dt>rejected</dt><dd>{rejected}</dd></div>\
         <div><dt>bounced</dt><dd>{bounced}</dd></div>\
         <div><dt>median time to answer</dt><dd>{median}</dd></div>\
         </dl></section>\n",
        ring = svg::ring(
            &format!("{} of {} ccTLDs on the list", t.on_list, t.tlds),
            t.on_list,
            t.tlds
        ),
        on_list = stat("/on_list", t.on_list),
        tlds = stat("/tlds", t.tlds),
        contacts = stat("/contacts", s.contacts),
        invited = stat("/invited", t.invited),
        answered = stat("/answered", t.answered),
        approved = stat("/approved", t.approved),
        waiting = stat("/waiting", t.waiting),
        rejected = stat("/rejected", t.rejected),
        bounced = stat("/bounced", t.bounced),
    );
}

/// A region's ccTLDs split by where they stand, in the order of the procedure.
fn parts(c: &Counts) -> Vec<Part<'static>> {
    let decided_or_waiting = c.waiting + c.approved + c.rejected + c.bounced;
    vec![
        Part {
            label: "on the list",
            value: c.on_list,
            class: "s-on",
        },
        Part {
            label: "approved, no member confirmed yet",
            value: c.approved.saturating_sub(c.on_list),
            class: "s-approved",
        },
        Part {
            label: "answered, to decide",
            value: c.invited.saturating_sub(decided_or_waiting),
            class: "s-answered",
        },
        Part {
            label: "waiting for an answer",
            value: c.waiting,
            class: "s-waiting",
        },
        Part {
            label: "rejected or bounced",
            value: c.rejected + c.bounced,
            class: "s-failed",
        },
        Part {
            label: "not invited yet",
            value: c.tlds.saturating_sub(c.invited),
            class: "s-uninvited",
        },
    ]
}

fn legend(out: &mut String) {
    out.push_str("<ul class=\"legend\">");
    for p in parts(&Counts::default()) {
        let _ = write!(
            out,
            "<li><span class=\"swatch {}\"></span>{}</li>",
            p.class,
            esc(p.label)
        );
    }
    out.push_str("</ul>\n");
}

fn region_name(region: Option<Region>) -> &'static str {
    region.map_or("no regional organisation", Region::as_str)
}

fn regions(out: &mut String, s: &Stats) {
    out.push_str("<section id=\"regions\"><h2>By region</h2>\n");
    let rows: Vec<(String, Vec<Part>)> = s
        .by_region
        .iter()
        .map(|r| {
            (
                r.region
                    .map_or("no region".to_string(), |g| g.as_str().to_string()),
                parts(&r.counts),
            )
        })
        .collect();
    let scale = s.by_region.iter().map(|r| r.counts.tlds).max().unwrap_or(0);
    out.push_str(&svg::stacked_rows(
        "ccTLDs of each regional organisation, by where they stand",
        &rows,
        scale,
    ));
    legend(out);
    out.push_str(
        "<div class=\"scroll\"><table><thead><tr><th>region</th><th>ccTLDs</th>\
         <th>on the list</th><th>coverage</th><th>invited</th><th>answered</th>\
         <th>approved</th><th>waiting</th><th>rejected</th><th>bounced</th></tr></thead><tbody>\n",
    );
    for (i, r) in s.by_region.iter().enumerate() {
        let c = &r.counts;
        let p = |key: &str, v: usize| stat(&format!("/by_region/{i}/{key}"), v);
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\" data-region=\"{}\">{}</th><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(r.region.map_or("", Region::as_str)),
            esc(region_name(r.region)),
            p("tlds", c.tlds),
            p("on_list", c.on_list),
            svg::percent(c.on_list, c.tlds),
            p("invited", c.invited),
            p("answered", c.answered),
            p("approved", c.approved),
            p("waiting", c.waiting),
            p("rejected", c.rejected),
            p("bounced", c.bounced),
        );
    }
    out.push_str("</tbody></table></div></section>\n");
}

fn funnel(out: &mut String, t: &Counts) {
    out.push_str("<section id=\"funnel\"><h2>The funnel</h2>\n");
    let step = |label: &str, value: usize, class: &'static str| {
        (
            label.to_string(),
            vec![Part {
                label: "ccTLDs",
                value,
                class,
            }],
        )
    };
    let rows = [
        step("ccTLDs", t.tlds, "s-uninvited"),
        step("invited", t.invited, "s-waiting"),
        step("answered", t.answered, "s-answered"),
        step("approved", t.approved, "s-approved"),
        step("on the list", t.on_list, "s-on"),
    ];
    out.push_str(&svg::stacked_rows(
        "ccTLDs invited, answered, approved and on the list",
        &rows,
        t.tlds,
    ));
    let _ = writeln!(
        out,
        "<p>{} ccTLDs → {} invited ({}) → {} answered ({} of the invited) → {} approved → {} on the list.</p></section>",
        t.tlds,
        t.invited,
        svg::percent(t.invited, t.tlds),
        t.answered,
        svg::percent(t.answered, t.invited),
        t.approved,
        t.on_list,
    );
}

/// `≤ 7 days`, `8–14 days` … `> 60 days`: the label of answer-time bucket `i`.
fn bucket_label(i: usize) -> String {
    let low = if i == 0 { 0 } else { ANSWER_BUCKETS[i - 1] + 1 };
    match ANSWER_BUCKETS.get(i) {
        Some(high) if low == 0 => format!("≤ {high} days"),
        Some(high) => format!("{low}–{high} days"),
        None => format!("> {} days", ANSWER_BUCKETS[ANSWER_BUCKETS.len() - 1]),
    }
}

fn answer_times(out: &mut String, s: &Stats) {
    out.push_str("<section id=\"answer-times\"><h2>Time to answer</h2>\n");
    let labels: Vec<String> = (0..s.answer_times.len()).map(bucket_label).collect();
    let bars: Vec<Part> = s
        .answer_times
        .iter()
        .zip(&labels)
        .map(|(b, label)| Part {
            label,
            value: b.cases,
            class: "s-answered",
        })
        .collect();
    out.push_str(&svg::columns(
        "Days from the invitation to a verified answer",
        &bars,
    ));
    out.push_str("<ul class=\"facts\">");
    for (i, (b, label)) in s.answer_times.iter().zip(&labels).enumerate() {
        let _ = write!(
            out,
            "<li>{}: {}</li>",
            esc(label),
            stat(&format!("/answer_times/{i}/cases"), b.cases)
        );
    }
    out.push_str("</ul>\n");
    match s.median_days_to_answer {
        Some(d) => {
            let _ = writeln!(
                out,
                "<p>Median: {} days from the invitation to a verified answer.</p>",
                stat("/median_days_to_answer", d)
            );
        }
        None => out.push_str("<p>No verified answers yet.</p>\n"),
    }
    out.push_str("</section>\n");
}

fn approvals(out: &mut String, s: &Stats) {
    out.push_str("<section id=\"approvals\"><h2>Approvals over time</h2>\n");
    if s.approvals_by_month.is_empty() {
        out.push_str("<p>No approvals yet.</p></section>\n");
        return;
    }
    let bars: Vec<Part> = s
        .approvals_by_month
        .iter()
        .map(|(month, n)| Part {
            label: month,
            value: *n,
            class: "s-on",
        })
        .collect();
    out.push_str(&svg::columns("ccTLDs approved per month", &bars));
    out.push_str("<ul class=\"facts\">");
    let mut total = 0;
    for (i, (month, n)) in s.approvals_by_month.iter().enumerate() {
        total += n;
        let _ = write!(
            out,
            "<li>{}: {} (total {total})</li>",
            esc(month),
            stat(&format!("/approvals_by_month/{i}/1"), n)
        );
    }
    out.push_str("</ul></section>\n");
}

fn confirmations(out: &mut String, s: &Stats) {
    let _ = writeln!(
        out,
        "<section id=\"confirmations\"><h2>Confirmations</h2>\n\
         <p>Each approved ccTLD's contacts were confirmed by its IANA administrative contact \
         when they were approved; once a year they are asked to confirm them again. \
         Confirmed within the period: {}. Due (or asked and waiting): {}. \
         Lapsed (no answer after every reminder; contacts kept, not confirmed): {}.</p></section>",
        stat("/confirmed_within_year", s.confirmed_within_year),
        stat("/confirmation_due", s.confirmation_due),
        stat("/lapsed", s.lapsed),
    );
}

fn tld_cell(e: &Entry) -> String {
    match &e.unicode {
        Some(u) => format!(
            "<td class=\"tld\"><bdi>.{}</bdi> <small>{}</small></td>",
            esc(u),
            esc(&e.code)
        ),
        None => format!("<td class=\"tld\">.{}</td>", esc(&e.code)),
    }
}

fn lists(out: &mut String, r: &Report) {
    let on: Vec<&Entry> = r.tlds.iter().filter(|e| e.on_list).collect();
    let off: Vec<&Entry> = r.tlds.iter().filter(|e| !e.on_list).collect();
    let _ = write!(
        out,
        "<section id=\"on-list\"><h2>ccTLDs on the list ({})</h2>\n\
         <div class=\"scroll\"><table><thead><tr><th>ccTLD</th><th>country or territory</th>\
         <th>region</th><th>confirmed</th>{}</tr></thead><tbody>\n",
        on.len(),
        if r.with_contacts {
            "<th>contacts</th>"
        } else {
            ""
        }
    );
    for e in &on {
        let _ = write!(
            out,
            "<tr data-tld=\"{}\">{}<td>{}</td><td>{}</td><td>{}</td>",
            esc(&e.code),
            tld_cell(e),
            esc(&e.country),
            esc(e.region.map_or("", Region::as_str)),
            esc(e.confirmed.as_deref().unwrap_or("")),
        );
        if r.with_contacts {
            out.push_str("<td><ul class=\"contacts\">");
            for c in &e.contacts {
                let _ = write!(
                    out,
                    "<li>{}{}{}</li>",
                    c.name
                        .as_deref()
                        .map_or(String::new(), |n| format!("<bdi>{}</bdi> ", esc(n))),
                    format_args!("&lt;{}&gt;", esc(&c.email)),
                    c.phone
                        .as_deref()
                        .map_or(String::new(), |p| format!(", {}", esc(p))),
                );
            }
            out.push_str("</ul></td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div></section>\n");
    let _ = write!(
        out,
        "<section id=\"not-on-list\"><h2>ccTLDs not yet on the list ({})</h2>\n\
         <div class=\"scroll\"><table><thead><tr><th>ccTLD</th><th>country or territory</th>\
         <th>region</th><th>state</th></tr></thead><tbody>\n",
        off.len()
    );
    for e in &off {
        let state = if e.state == CaseState::Approved {
            "approved, no member yet"
        } else {
            e.state.as_str()
        };
        let _ = writeln!(
            out,
            "<tr data-tld=\"{}\">{}<td>{}</td><td>{}</td><td class=\"st-{}\">{}</td></tr>",
            esc(&e.code),
            tld_cell(e),
            esc(&e.country),
            esc(e.region.map_or("", Region::as_str)),
            e.state.as_str(),
            state,
        );
    }
    out.push_str("</tbody></table></div></section>\n");
}

#[cfg(test)]
mod tests;
