//! Moving about: switching views, cursors and scrolling, searching, opening the selected item.

use super::*;

pub(super) fn switch(s: &mut State, v: View) {
    s.back.clear();
    s.view = v;
    s.search = None;
}

pub(super) fn go(s: &mut State, v: View) {
    if s.view != v {
        s.back.push(s.view);
        s.view = v;
    }
}

/// The number of rows of the current view's list.
pub(super) fn list_len(s: &State) -> usize {
    match s.view {
        View::Queue => s.data.queue.len(),
        View::Roster => s.roster_rows().len(),
        View::Log => s.log_rows().len(),
        // The case's messages, then its history: one cursor over both.
        View::Case => s
            .case
            .as_ref()
            .map_or(0, |c| c.messages.len() + c.events.len()),
        View::Messages => s.messages.total().unwrap_or(0),
        _ => 0,
    }
}

pub(super) fn move_by(s: &mut State, delta: isize) {
    let (len, h) = (list_len(s), s.list_height());
    match s.view {
        View::Queue => s.queue.step(delta, len, h),
        View::Roster => s.roster.step(delta, len, h),
        View::Log => s.log.step(delta, len, h),
        View::Case => s.case_cursor.step(delta, len, h),
        View::Messages => s.messages.cursor.step(delta, len, h),
        View::Message => s.message_scroll = scrolled(s.message_scroll, delta, &s.scroll_limit),
        View::Help => s.help_scroll = scrolled(s.help_scroll, delta, &s.scroll_limit),
        View::Notifications => {
            s.notifications_scroll = scrolled(s.notifications_scroll, delta, &s.scroll_limit)
        }
        View::Event => s.event_scroll = scrolled(s.event_scroll, delta, &s.scroll_limit),
        View::Coverage => {}
    }
}

/// A text view's scroll offset moved by `delta`, kept between the top and the offset that
/// still shows the end.
pub(super) fn scrolled(offset: usize, delta: isize, limit: &std::cell::Cell<usize>) -> usize {
    offset
        .min(limit.get())
        .saturating_add_signed(delta)
        .min(limit.get())
}

/// A search typed in the current view: the Messages view asks the database, the others
/// filter or jump to the first match.
pub(super) fn search(s: &mut State, typed: &str) {
    if s.view == View::Messages {
        search_messages(s, typed);
        return;
    }
    s.search = (!typed.is_empty()).then(|| typed.to_string());
    s.roster = Default::default();
    s.log = Default::default();
    jump_to_match(s, 0, true);
}

/// The Messages view's search: `.fr` (a word starting with a dot) is the TLD, the rest text
/// to find in sender, subject, Message-ID and why; the verdict filter stays.
pub(super) fn search_messages(s: &mut State, typed: &str) {
    let mut tld = None;
    let mut words = Vec::new();
    for w in typed.split_whitespace() {
        match w.strip_prefix('.').filter(|t| !t.is_empty()) {
            Some(t) => {
                tld = Some(
                    crate::domain::tld::TldCode::parse(t)
                        .map_or_else(|_| t.to_lowercase(), |c| c.to_string()),
                )
            }
            None => words.push(w),
        }
    }
    let m = &mut s.messages;
    m.query.tld = tld;
    m.query.text = (!words.is_empty()).then(|| words.join(" "));
    m.cursor = Default::default();
}

/// Moves to the next (`dir` 1) or previous (-1) row matching the search; `dir` 0 finds the
/// first from the top. The roster and the log filter instead of jumping.
pub(super) fn jump_to_match(s: &mut State, dir: isize, from_top: bool) {
    let Some(q) = s.search.clone().map(|q| q.to_lowercase()) else {
        return;
    };
    let rows: Vec<String> = match s.view {
        View::Queue => s
            .data
            .queue
            .iter()
            .map(|i| {
                format!(
                    "{} {} {} {}",
                    i.kind,
                    i.tld.clone().unwrap_or_default(),
                    i.country.clone().unwrap_or_default(),
                    i.why
                )
            })
            .collect(),
        View::Roster | View::Log => {
            // These views filter by the search instead of jumping.
            let h = s.list_height();
            if s.view == View::Roster {
                s.roster.step(0, s.roster_rows().len(), h);
            } else {
                s.log.step(0, s.log_rows().len(), h);
            }
            if dir != 0 {
                move_by(s, dir);
            }
            return;
        }
        _ => return,
    };
    let len = rows.len();
    if len == 0 {
        return;
    }
    let current = s.queue.selected;
    let start = if from_top { 0 } else { current as isize + dir };
    for step in 0..len as isize {
        let i = (start + step * if dir < 0 { -1 } else { 1 }).rem_euclid(len as isize) as usize;
        if rows[i].to_lowercase().contains(&q) {
            let h = s.list_height();
            s.queue.selected = i;
            s.queue.fit(h);
            return;
        }
    }
    s.notice = Some(Notice {
        text: format!("no match for \"{q}\""),
        error: true,
    });
}

pub(super) fn open(s: &mut State) -> Vec<Effect> {
    match s.view {
        View::Queue => {
            let Some(item) = s.selected_queue_item().cloned() else {
                return vec![];
            };
            match (item.tld, item.message) {
                (Some(tld), _) => {
                    go(s, View::Case);
                    vec![Effect::LoadCase(tld)]
                }
                (None, Some(id)) => {
                    go(s, View::Message);
                    vec![Effect::LoadMessage(id)]
                }
                _ => vec![],
            }
        }
        View::Roster => {
            let Some(code) = s.selected_roster_row().map(|r| r.tld.code.to_string()) else {
                return vec![];
            };
            go(s, View::Case);
            vec![Effect::LoadCase(code)]
        }
        View::Log => {
            let Some(event) = s.log_rows().get(s.log.selected).map(|e| (*e).clone()) else {
                return vec![];
            };
            open_event(s, event);
            vec![]
        }
        // The event's case.
        View::Event => {
            let Some(tld) = s.event.as_ref().and_then(|e| e.tld.clone()) else {
                return vec![];
            };
            go(s, View::Case);
            vec![Effect::LoadCase(tld)]
        }
        View::Case => {
            let Some(c) = s.case.as_ref() else {
                return vec![];
            };
            let i = s.case_cursor.selected;
            if let Some(m) = c.messages.get(i) {
                let id = m.id;
                go(s, View::Message);
                return vec![Effect::LoadMessage(id)];
            }
            if let Some(e) = c.events.get(i - c.messages.len()) {
                let event = e.clone();
                open_event(s, event);
            }
            vec![]
        }
        View::Messages => {
            let Some(id) = s.messages.selected().map(|m| m.id) else {
                return vec![];
            };
            go(s, View::Message);
            vec![Effect::LoadMessage(id)]
        }
        _ => vec![],
    }
}

pub(super) fn open_event(s: &mut State, event: crate::domain::audit::EventRecord) {
    s.event = Some(event);
    s.event_scroll = 0;
    go(s, View::Event);
}
