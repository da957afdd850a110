//! One keymap table: every binding with its description. The help screen is generated from it,
//! and `[keys.<view>]` in the config overrides bindings by action name (only what it names).

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::config::{KeySpec, KeysConfig};

/// Where a binding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Global,
    Queue,
    Case,
    Message,
    Roster,
    Log,
    Coverage,
    Messages,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Queue => "queue",
            Scope::Case => "case",
            Scope::Message => "message",
            Scope::Roster => "roster",
            Scope::Log => "log",
            Scope::Coverage => "coverage",
            Scope::Messages => "messages",
        }
    }
}

/// What a key does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Down,
    Up,
    Top,
    Bottom,
    HalfPageDown,
    HalfPageUp,
    PageDown,
    PageUp,
    Open,
    Back,
    Search,
    NextMatch,
    PrevMatch,
    CommandLine,
    Help,
    Quit,
    ShowQueue,
    ShowRoster,
    ShowLog,
    ShowCoverage,
    ShowMessages,
    NextView,
    ShowNotifications,
    Approve,
    Reject,
    Chase,
    Invite,
    Assign,
    EditContacts,
    AskAdmin,
    RemoveMember,
    Dismiss,
    Confirm,
    Reconfirm,
    PollNow,
    ToggleHeaders,
    FilterRegion,
    FilterState,
    FilterVerdict,
    Redraw,
    Suspend,
}

impl Action {
    /// The name used in `[keys.<view>]` overrides.
    pub fn name(self) -> &'static str {
        match self {
            Action::Down => "down",
            Action::Up => "up",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::HalfPageDown => "half_page_down",
            Action::HalfPageUp => "half_page_up",
            Action::PageDown => "page_down",
            Action::PageUp => "page_up",
            Action::Open => "open",
            Action::Back => "back",
            Action::Search => "search",
            Action::NextMatch => "next_match",
            Action::PrevMatch => "prev_match",
            Action::CommandLine => "command_line",
            Action::Help => "help",
            Action::Quit => "quit",
            Action::ShowQueue => "show_queue",
            Action::ShowRoster => "show_roster",
            Action::ShowLog => "show_log",
            Action::ShowCoverage => "show_coverage",
            Action::ShowMessages => "show_messages",
            Action::NextView => "next_view",
            Action::ShowNotifications => "show_notifications",
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Chase => "chase",
            Action::Invite => "invite",
            Action::Assign => "assign",
            Action::EditContacts => "edit_contacts",
            Action::AskAdmin => "ask_admin",
            Action::RemoveMember => "remove_member",
            Action::Dismiss => "dismiss",
            Action::Confirm => "confirm",
            Action::Reconfirm => "reconfirm",
            Action::PollNow => "poll_now",
            Action::ToggleHeaders => "toggle_headers",
            Action::FilterRegion => "filter_region",
            Action::FilterState => "filter_state",
            Action::FilterVerdict => "filter_verdict",
            Action::Redraw => "redraw",
            Action::Suspend => "suspend",
        }
    }
}

/// A key as written in the config and shown in help: `j`, `G`, `Enter`, `C-d`, `PgDn`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

impl Key {
    pub fn from_event(e: KeyEvent) -> Key {
        Key {
            code: e.code,
            ctrl: e.modifiers.contains(KeyModifiers::CONTROL),
        }
    }

    pub fn parse(s: &str) -> Result<Key, String> {
        let (ctrl, rest) = match s.strip_prefix("C-").or_else(|| s.strip_prefix("Ctrl-")) {
            Some(r) => (true, r),
            None => (false, s),
        };
        let code = match rest {
            "Enter" => KeyCode::Enter,
            "Esc" => KeyCode::Esc,
            "Tab" => KeyCode::Tab,
            "BackTab" => KeyCode::BackTab,
            "Up" => KeyCode::Up,
            "Down" => KeyCode::Down,
            "Left" => KeyCode::Left,
            "Right" => KeyCode::Right,
            "PgUp" => KeyCode::PageUp,
            "PgDn" => KeyCode::PageDown,
            "Home" => KeyCode::Home,
            "End" => KeyCode::End,
            "Space" => KeyCode::Char(' '),
            r if r.chars().count() == 1 => KeyCode::Char(r.chars().next().unwrap_or(' ')),
            _ => {
                return Err(format!(
                    "unknown key `{s}` (a character, Enter, Esc, Tab, Up, Down, PgUp, PgDn, Home, End, Space, or C-x)"
                ));
            }
        };
        Ok(Key { code, ctrl })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("C-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("BackTab"),
            KeyCode::Up => f.write_str("Up"),
            KeyCode::Down => f.write_str("Down"),
            KeyCode::Left => f.write_str("Left"),
            KeyCode::Right => f.write_str("Right"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// One binding: a key, in a scope, doing an action, described for the help screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub scope: Scope,
    pub key: Key,
    pub action: Action,
    pub desc: &'static str,
}

/// The defaults: (scope, keys, action, description).
const DEFAULTS: &[(Scope, &[&str], Action, &str)] = &[
    (Scope::Global, &["j", "Down"], Action::Down, "move down"),
    (Scope::Global, &["k", "Up"], Action::Up, "move up"),
    (Scope::Global, &["g", "Home"], Action::Top, "go to the top"),
    (
        Scope::Global,
        &["G", "End"],
        Action::Bottom,
        "go to the bottom",
    ),
    (
        Scope::Global,
        &["C-d"],
        Action::HalfPageDown,
        "half a page down",
    ),
    (
        Scope::Global,
        &["C-u"],
        Action::HalfPageUp,
        "half a page up",
    ),
    (
        Scope::Global,
        &["PgDn", "C-f"],
        Action::PageDown,
        "a page down",
    ),
    (Scope::Global, &["PgUp", "C-b"], Action::PageUp, "a page up"),
    (
        Scope::Global,
        &["Enter"],
        Action::Open,
        "open the selected item",
    ),
    (Scope::Global, &["Esc"], Action::Back, "back, close, cancel"),
    (Scope::Global, &["/"], Action::Search, "search"),
    (
        Scope::Global,
        &["n"],
        Action::NextMatch,
        "next search match",
    ),
    (
        Scope::Global,
        &["N"],
        Action::PrevMatch,
        "previous search match",
    ),
    (
        Scope::Global,
        &[":"],
        Action::CommandLine,
        "command line (approve nl, reject nl …, chase nl, invite nl, assign #12 fr, poll, quit)",
    ),
    (Scope::Global, &["?"], Action::Help, "this help"),
    (Scope::Global, &["q"], Action::Quit, "quit"),
    (
        Scope::Global,
        &["1"],
        Action::ShowQueue,
        "queue: what waits for you",
    ),
    (
        Scope::Global,
        &["2"],
        Action::ShowRoster,
        "roster: every ccTLD",
    ),
    (
        Scope::Global,
        &["3"],
        Action::ShowLog,
        "log: the audit trail",
    ),
    (
        Scope::Global,
        &["4"],
        Action::ShowCoverage,
        "coverage: who is on the list",
    ),
    (
        Scope::Global,
        &["5"],
        Action::ShowMessages,
        "messages: every message ingested",
    ),
    (Scope::Global, &["Tab"], Action::NextView, "next view"),
    (
        Scope::Global,
        &["@"],
        Action::ShowNotifications,
        "notifications: every status line, with its time",
    ),
    (
        Scope::Global,
        &["p"],
        Action::PollNow,
        "poll the mailbox now",
    ),
    (Scope::Global, &["C-l"], Action::Redraw, "redraw the screen"),
    (
        Scope::Global,
        &["C-z"],
        Action::Suspend,
        "suspend (fg to resume)",
    ),
    (
        Scope::Queue,
        &["a"],
        Action::Approve,
        "approve the TLD's proposed contacts",
    ),
    (
        Scope::Queue,
        &["r"],
        Action::Reject,
        "reject the TLD's reply, with a reason",
    ),
    (
        Scope::Queue,
        &["c"],
        Action::Chase,
        "send the TLD a reminder",
    ),
    (
        Scope::Queue,
        &["i"],
        Action::Invite,
        "invite the TLD (again)",
    ),
    (
        Scope::Queue,
        &["s"],
        Action::Assign,
        "assign the message to a TLD",
    ),
    (
        Scope::Queue,
        &["e"],
        Action::EditContacts,
        "edit the proposed contacts",
    ),
    (
        Scope::Queue,
        &["K"],
        Action::AskAdmin,
        "ask the admin contact to authorise a request",
    ),
    (
        Scope::Queue,
        &["x"],
        Action::RemoveMember,
        "remove the member who asked to leave",
    ),
    (
        Scope::Queue,
        &["D"],
        Action::Dismiss,
        "dismiss the request, mailing nobody (:dismiss #ID reason… logs a reason)",
    ),
    (
        Scope::Queue,
        &["C"],
        Action::Confirm,
        "record the contacts as re-confirmed",
    ),
    (
        Scope::Queue,
        &["R"],
        Action::Reconfirm,
        "ask the admin contact to re-confirm now",
    ),
    (
        Scope::Case,
        &["a"],
        Action::Approve,
        "approve the proposed contacts",
    ),
    (Scope::Case, &["r"], Action::Reject, "reject, with a reason"),
    (Scope::Case, &["c"], Action::Chase, "send a reminder"),
    (Scope::Case, &["i"], Action::Invite, "invite (again)"),
    (
        Scope::Case,
        &["s"],
        Action::Assign,
        "assign the selected message to a TLD",
    ),
    (
        Scope::Case,
        &["e"],
        Action::EditContacts,
        "edit the proposed contacts",
    ),
    (
        Scope::Message,
        &["h"],
        Action::ToggleHeaders,
        "show or hide all headers",
    ),
    (
        Scope::Message,
        &["s"],
        Action::Assign,
        "assign the message to a TLD",
    ),
    (
        Scope::Roster,
        &["f"],
        Action::FilterRegion,
        "filter by region (cycles)",
    ),
    (
        Scope::Roster,
        &["t"],
        Action::FilterState,
        "filter by state (cycles)",
    ),
    (Scope::Roster, &["i"], Action::Invite, "invite the TLD"),
    (
        Scope::Messages,
        &["v"],
        Action::FilterVerdict,
        "filter by verdict (cycles); / searches text, .TLD a TLD",
    ),
    (
        Scope::Messages,
        &["s"],
        Action::Assign,
        "assign the message to a TLD",
    ),
    (
        Scope::Roster,
        &["c"],
        Action::Chase,
        "send the TLD a reminder",
    ),
];

#[derive(Clone, Debug)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

fn action_by_name(name: &str) -> Option<Action> {
    DEFAULTS.iter().map(|d| d.2).find(|a| a.name() == name)
}

impl Keymap {
    /// The defaults with the config's overrides merged in: an override replaces the keys of
    /// the action it names in its scope, and leaves everything else alone.
    /// The defaults with `[keys]` applied; a bad override is named by its dotted key
    /// (`keys.queue.approve`) and what is wrong with it.
    pub fn new(keys: &KeysConfig) -> Result<Keymap, (String, String)> {
        let mut bindings = Vec::new();
        for (scope, keys, action, desc) in DEFAULTS {
            for k in *keys {
                bindings.push(Binding {
                    scope: *scope,
                    key: Key::parse(k).expect("the default keys parse"),
                    action: *action,
                    desc,
                });
            }
        }
        let sections: [(Scope, &BTreeMap<String, KeySpec>); 8] = [
            (Scope::Global, &keys.global),
            (Scope::Queue, &keys.queue),
            (Scope::Case, &keys.case),
            (Scope::Message, &keys.message),
            (Scope::Roster, &keys.roster),
            (Scope::Log, &keys.log),
            (Scope::Coverage, &keys.coverage),
            (Scope::Messages, &keys.messages),
        ];
        let mut overridden: Vec<(Scope, Action, String)> = Vec::new();
        for (scope, overrides) in sections {
            for (name, spec) in overrides {
                let dotted = format!("keys.{}.{name}", scope.name());
                let action = action_by_name(name).ok_or_else(|| {
                    (
                        dotted.clone(),
                        "unknown action (see the help screen, `?`, for the names)".to_string(),
                    )
                })?;
                let desc = DEFAULTS.iter().find(|d| d.2 == action).map_or("", |d| d.3);
                let keys: Vec<&str> = match spec {
                    KeySpec::One(k) => vec![k.as_str()],
                    KeySpec::Many(ks) => ks.iter().map(String::as_str).collect(),
                };
                bindings.retain(|b| !(b.scope == scope && b.action == action));
                overridden.push((scope, action, dotted.clone()));
                for k in keys {
                    let key = Key::parse(k).map_err(|e| (dotted.clone(), e))?;
                    bindings.push(Binding {
                        scope,
                        key,
                        action,
                        desc,
                    });
                }
            }
        }
        // An overridden key that another action of the same view also has would leave one
        // of them unreachable there (a view's own binding hides a global one).
        for (scope, action, dotted) in &overridden {
            for b in bindings
                .iter()
                .filter(|b| b.scope == *scope && b.action == *action)
            {
                let clash = bindings.iter().find(|o| {
                    o.key == b.key
                        && o.action != b.action
                        && (o.scope == b.scope
                            || o.scope == Scope::Global
                            || b.scope == Scope::Global)
                });
                if let Some(o) = clash {
                    return Err((
                        dotted.clone(),
                        format!(
                            "`{}` is also the key of `{}` in [keys.{}]: give one of them another key",
                            b.key,
                            o.action.name(),
                            o.scope.name()
                        ),
                    ));
                }
            }
        }
        Ok(Keymap { bindings })
    }

    /// The action of `key` in `scope`, falling back to the global bindings.
    pub fn action(&self, scope: Scope, key: Key) -> Option<Action> {
        let find = |s: Scope| {
            self.bindings
                .iter()
                .rev()
                .find(|b| b.scope == s && b.key == key)
                .map(|b| b.action)
        };
        find(scope).or_else(|| find(Scope::Global))
    }

    /// The first key of `action` in `scope` (or globally), as help writes it.
    pub fn key_of(&self, scope: Scope, action: Action) -> Option<Key> {
        let find = |s: Scope| {
            self.bindings
                .iter()
                .find(|b| b.scope == s && b.action == action)
                .map(|b| b.key)
        };
        find(scope).or_else(|| find(Scope::Global))
    }

    /// Help lines: scope, keys, action name, description — grouped, in table order.
    pub fn help(&self) -> Vec<(Scope, String, Action, &'static str)> {
        let mut out: Vec<(Scope, String, Action, &'static str)> = Vec::new();
        for b in &self.bindings {
            match out
                .iter_mut()
                .find(|(s, _, a, _)| *s == b.scope && *a == b.action)
            {
                Some(line) => line.1 = format!("{} {}", line.1, b.key),
                None => out.push((b.scope, b.key.to_string(), b.action, b.desc)),
            }
        }
        out.sort_by_key(|l| l.0);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        Key::parse(s).unwrap()
    }

    #[test]
    fn scope_bindings_fall_back_to_global() {
        let k = Keymap::new(&KeysConfig::default()).unwrap();
        assert_eq!(k.action(Scope::Queue, key("a")), Some(Action::Approve));
        assert_eq!(k.action(Scope::Queue, key("j")), Some(Action::Down));
        assert_eq!(k.action(Scope::Log, key("a")), None);
        assert_eq!(
            k.action(Scope::Roster, key("C-d")),
            Some(Action::HalfPageDown)
        );
    }

    #[test]
    fn overrides_replace_only_what_they_name() {
        let mut cfg = KeysConfig::default();
        cfg.queue.insert("approve".into(), KeySpec::One("A".into()));
        cfg.global
            .insert("down".into(), KeySpec::Many(vec!["j".into(), "C-n".into()]));
        let k = Keymap::new(&cfg).unwrap();
        assert_eq!(k.action(Scope::Queue, key("A")), Some(Action::Approve));
        assert_eq!(k.action(Scope::Queue, key("a")), None);
        assert_eq!(
            k.action(Scope::Case, key("a")),
            Some(Action::Approve),
            "other scopes keep theirs"
        );
        assert_eq!(k.action(Scope::Global, key("C-n")), Some(Action::Down));
        assert_eq!(
            k.action(Scope::Global, key("Down")),
            None,
            "the override lists all keys of the action"
        );
        assert_eq!(k.action(Scope::Queue, key("r")), Some(Action::Reject));
    }

    #[test]
    fn bad_overrides_are_named() {
        let mut cfg = KeysConfig::default();
        cfg.queue.insert("aprove".into(), KeySpec::One("A".into()));
        assert!(
            Keymap::new(&cfg).unwrap_err()
                == (
                    "keys.queue.aprove".to_string(),
                    "unknown action (see the help screen, `?`, for the names)".to_string()
                )
        );
        let mut cfg = KeysConfig::default();
        cfg.queue
            .insert("approve".into(), KeySpec::One("Hyper-x".into()));
        assert!(
            Keymap::new(&cfg)
                .unwrap_err()
                .1
                .contains("unknown key `Hyper-x`")
        );
    }

    #[test]
    fn an_override_clashing_with_another_action_of_its_view_is_refused() {
        let clash = |section: &str, action: &str, k: &str| {
            let mut cfg = KeysConfig::default();
            let keys = match section {
                "queue" => &mut cfg.queue,
                "roster" => &mut cfg.roster,
                _ => &mut cfg.global,
            };
            keys.insert(action.into(), KeySpec::One(k.into()));
            Keymap::new(&cfg).err()
        };
        assert_eq!(
            clash("queue", "approve", "r"),
            Some((
                "keys.queue.approve".to_string(),
                "`r` is also the key of `reject` in [keys.queue]: give one of them another key"
                    .to_string()
            ))
        );
        assert_eq!(
            clash("queue", "approve", "j").map(|e| e.1),
            Some(
                "`j` is also the key of `down` in [keys.global]: give one of them another key"
                    .into()
            ),
            "a view's key would hide a global one"
        );
        assert!(
            clash("global", "poll_now", "a").is_some(),
            "a global key hidden in the queue"
        );
        assert_eq!(
            clash("roster", "invite", "a"),
            None,
            "`a` is free in the roster"
        );
        assert!(
            Keymap::new(&KeysConfig::default()).is_ok(),
            "the defaults never clash"
        );
    }

    #[test]
    fn help_lists_every_action_with_its_keys() {
        let help = Keymap::new(&KeysConfig::default()).unwrap().help();
        let down = help.iter().find(|h| h.2 == Action::Down).unwrap();
        assert_eq!(down.1, "j Down");
        assert!(
            help.iter()
                .any(|h| h.0 == Scope::Queue && h.2 == Action::Approve)
        );
    }
}
