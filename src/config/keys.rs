//! `[keys.<view>]`: the user's key overrides, as written (action name → one key or several).
//! Only read here; the TUI's keymap merges them onto its defaults and rejects unknown names.

use std::collections::BTreeMap;

use serde::Deserialize;

/// Key bindings as written by the user: action name → one key or a list of keys.
pub type KeyOverrides = BTreeMap<String, KeySpec>;

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum KeySpec {
    One(String),
    Many(Vec<String>),
}

/// Per-view key overrides, merged onto the defaults by the TUI.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KeysConfig {
    pub global: KeyOverrides,
    pub queue: KeyOverrides,
    pub case: KeyOverrides,
    pub message: KeyOverrides,
    pub roster: KeyOverrides,
    pub log: KeyOverrides,
    pub coverage: KeyOverrides,
    pub messages: KeyOverrides,
}
