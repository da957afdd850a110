//! Coverage: how many ccTLDs are on the list, by region, the funnel, and the pace.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Gauge, Paragraph, Sparkline};

use super::fit::fit_line;
use crate::tui::state::State;
use crate::tui::theme::Theme;

/// A bar of `width` cells, `part` of `whole` filled: text, so it reads without colour.
fn bar(part: usize, whole: usize, width: usize) -> String {
    let filled = (part * width + whole / 2).checked_div(whole).unwrap_or(0);
    format!(
        "{}{}",
        "█".repeat(filled.min(width)),
        "·".repeat(width - filled.min(width))
    )
}

pub fn draw(f: &mut Frame, area: Rect, s: &State, theme: Theme) {
    let Some(st) = &s.data.stats else {
        f.render_widget(Paragraph::new("  loading…"), area);
        return;
    };
    let t = &st.total;
    let w = area.width as usize;
    // A blank line between the parts when the terminal has the rows; the funnel on two lines
    // when it is narrow.
    let gap = u16::from(area.height >= 18);
    let wide = w >= 80;
    let [gauge_area, regions_area, funnel_area, spark_area] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(st.by_region.len() as u16 + 1 + gap),
        Constraint::Length(3 + u16::from(!wide) + gap),
        Constraint::Min(2),
    ])
    .areas(area);
    let ratio = if t.tlds == 0 {
        0.0
    } else {
        t.on_list as f64 / t.tlds as f64
    };
    let gauge = Gauge::default()
        .block(Block::new().title(fit_line(
            vec![Span::styled(
                format!(
                    "{} of {} ccTLDs are on the list ({} contacts)",
                    t.on_list, t.tlds, st.contacts
                ),
                theme.title(),
            )],
            w,
        )))
        .gauge_style(theme.ok())
        .ratio(ratio.clamp(0.0, 1.0))
        .label(format!("{:.0}%", ratio * 100.0));
    f.render_widget(gauge, gauge_area);

    // The bars take what the numbers leave, 8 to 30 cells.
    let bar_w = w.saturating_sub(37).clamp(8, 30);
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "{:<8} {:>9}  {:<bar_w$} {:>7} {:>8}",
            "REGION", "ON LIST", "", "INVITED", "WAITING"
        ),
        theme.header(),
    ))];
    for r in &st.by_region {
        let c = &r.counts;
        lines.push(Line::from(format!(
            "{:<8} {:>4} / {:<3} {} {:>7} {:>8}",
            r.region.map_or("(none)".to_string(), |g| g.to_string()),
            c.on_list,
            c.tlds,
            bar(c.on_list, c.tlds, bar_w),
            c.invited,
            c.waiting
        )));
    }
    let lines: Vec<Line> = lines.into_iter().map(|l| fit_line(l.spans, w)).collect();
    f.render_widget(Paragraph::new(lines), regions_area);

    let median = st
        .median_days_to_answer
        .map_or("no answers yet".to_string(), |d| format!("{d} days"));
    let flow = format!(
        "invited {} → answered {} → approved {}",
        t.invited, t.answered, t.approved
    );
    let aside = format!(
        "waiting {} · rejected {} · bounced {}",
        t.waiting, t.rejected, t.bounced
    );
    let mut funnel = vec![Line::from(Span::styled("Funnel", theme.header()))];
    if wide {
        funnel.push(Line::from(format!("{flow}    {aside}")));
    } else {
        funnel.push(Line::from(flow));
        funnel.push(Line::from(aside));
    }
    funnel.push(Line::from(format!("median time to answer: {median}")));
    let funnel: Vec<Line> = funnel.into_iter().map(|l| fit_line(l.spans, w)).collect();
    f.render_widget(Paragraph::new(funnel), funnel_area);

    let data: Vec<u64> = st
        .approvals_by_month
        .iter()
        .map(|(_, n)| *n as u64)
        .collect();
    let span = match (st.approvals_by_month.first(), st.approvals_by_month.last()) {
        (Some(a), Some(b)) => format!("approvals per month, {} – {}", a.0, b.0),
        _ => "approvals per month: none yet".to_string(),
    };
    let spark = Sparkline::default()
        .block(Block::new().title(fit_line(vec![Span::styled(span, theme.header())], w)))
        .data(&data)
        .style(theme.ok());
    f.render_widget(spark, spark_area);
}
