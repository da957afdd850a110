//! The procedure's settings: the list itself (`[list]`), whose replies vouch (`[trust]`), when
//! to remind (`[chase]`) and the yearly re-confirmation (`[reconfirm]`). The Secretariat's
//! policy, as opposed to the servers it talks to; every section has a default.

use std::time::Duration;

use serde::Deserialize;

use super::interval::Interval;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ListConfig {
    pub name: String,
    pub address: Option<String>,
    pub secretariat: Option<String>,
    pub max_contacts: u32,
    /// The signature under every mail (the `{signature}` of the templates).
    pub signature: String,
}

impl Default for ListConfig {
    fn default() -> Self {
        ListConfig {
            name: "TLD-OPS".into(),
            address: None,
            secretariat: None,
            max_contacts: 3,
            signature: "TLD-OPS Secretariat\nccNSO Secretariat".into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VouchingRole {
    Admin,
    Tech,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrustConfig {
    /// The authserv-id of the receiving server whose `Authentication-Results` are believed.
    pub authserv_id: Option<String>,
    pub vouching_roles: Vec<VouchingRole>,
}

impl Default for TrustConfig {
    fn default() -> Self {
        TrustConfig {
            authserv_id: None,
            vouching_roles: vec![VouchingRole::Admin],
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChaseConfig {
    pub after: Interval,
    pub max_reminders: u32,
    pub escalate_to_tech: bool,
}

impl Default for ChaseConfig {
    fn default() -> Self {
        ChaseConfig {
            after: Interval(Duration::from_secs(14 * 86_400)),
            max_reminders: 3,
            escalate_to_tech: true,
        }
    }
}

impl ChaseConfig {
    pub fn rules(&self) -> crate::domain::chase::Rules {
        crate::domain::chase::Rules {
            after: self.after.0.as_secs(),
            max_reminders: self.max_reminders,
        }
    }
}

/// The yearly re-confirmation of each approved ccTLD's contacts (DESIGN §8.4).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReconfirmConfig {
    /// How long a confirmation (or an approval) holds.
    pub every: Interval,
    /// Remind the admin contact this long after the request (or the last reminder).
    pub after: Interval,
    /// Reminders before the ccTLD shows as lapsed.
    pub max_reminders: u32,
}

impl Default for ReconfirmConfig {
    fn default() -> Self {
        ReconfirmConfig {
            every: Interval(Duration::from_secs(365 * 86_400)),
            after: Interval(Duration::from_secs(14 * 86_400)),
            max_reminders: 3,
        }
    }
}

impl ReconfirmConfig {
    pub fn rules(&self) -> crate::domain::reconfirm::Rules {
        crate::domain::reconfirm::Rules {
            every: self.every.0.as_secs(),
            after: self.after.0.as_secs(),
            max_reminders: self.max_reminders,
        }
    }
}
