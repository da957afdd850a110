//! One keymap table: every binding with its description. The help screen is generated from it,
//! and `[keys.<view>]` in the config overrides bindings by action name (only what it names).

use std::collections::BTreeMap;

use crate::config::{KeySpec, KeysConfig};

mod action;
mod defaults;
mod key;

pub use action::{Action, Scope};
use defaults::DEFAULTS;
pub use key::Key;

/// One binding: a key, in a scope, doing an action, described for the help screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub scope: Scope,
    pub key: Key,
    pub action: Action,
    pub desc: &'static str,
}

#[derive(Clone, Debug)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

fn action_by_name(name: &str) -> Option<Action> {
    DEFAULTS.iter().map(|d| d.2).find(|a| a.name() == name)
}

/// The action a `:` command word names: its name (`-` for `_` too: `:mark-sent`) or a short
/// form (`:q`, `:poll`).
pub fn command_action(word: &str) -> Option<Action> {
    let word = word.to_lowercase().replace('-', "_");
    action_by_name(&word).or_else(|| {
        DEFAULTS
            .iter()
            .map(|d| d.2)
            .find(|a| a.aliases().contains(&word.as_str()))
    })
}

/// Every `:` command word, names and short forms, sorted, each once.
fn command_words() -> Vec<&'static str> {
    let mut words: Vec<&'static str> = DEFAULTS
        .iter()
        .flat_map(|d| std::iter::once(d.2.name()).chain(d.2.aliases().iter().copied()))
        .collect();
    words.sort_unstable();
    words.dedup();
    words
}

/// The command words that start with `prefix` (as typed: `mark-` finds `mark_sent`), for Tab.
pub fn commands_starting(prefix: &str) -> Vec<&'static str> {
    let prefix = prefix.to_lowercase().replace('-', "_");
    command_words()
        .into_iter()
        .filter(|w| w.starts_with(&prefix))
        .collect()
}

/// The command an unknown word was most likely meant to be (`:aprove`), if one is close.
pub fn nearest_command(word: &str) -> Option<&'static str> {
    let word = word.to_lowercase().replace('-', "_");
    command_words()
        .into_iter()
        .map(|w| (strsim::jaro_winkler(&word, w), w))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, w)| w)
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

    /// Help lines: scope, keys (none for a `:` command only), action, description — grouped
    /// by scope, in table order.
    pub fn help(&self) -> Vec<(Scope, String, Action, &'static str)> {
        let mut out: Vec<(Scope, String, Action, &'static str)> = Vec::new();
        for (scope, _, action, desc) in DEFAULTS {
            if !out.iter().any(|l| l.0 == *scope && l.2 == *action) {
                out.push((*scope, String::new(), *action, desc));
            }
        }
        for b in &self.bindings {
            match out
                .iter_mut()
                .find(|(s, _, a, _)| *s == b.scope && *a == b.action)
            {
                Some(line) if line.1.is_empty() => line.1 = b.key.to_string(),
                Some(line) => line.1 = format!("{} {}", line.1, b.key),
                None => out.push((b.scope, b.key.to_string(), b.action, b.desc)),
            }
        }
        out.sort_by_key(|l| l.0);
        out
    }
}

#[cfg(test)]
mod tests;
