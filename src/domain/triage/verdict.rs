//! The verdict: the one word triage gives every message (DESIGN §3), with its spelling in the
//! store and JSON. Its own file because everything downstream (store, queue, CLI filters,
//! views) names verdicts without needing how they are reached.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    AdminFrom,
    AdminCc,
    Unverified,
    Ambiguous,
    AutoReply,
    Bounce,
    Suspicious,
    /// Someone who is not an admin contact asks to join, or to change or remove contacts;
    /// or a member asks to leave (DESIGN §8.1, §8.2).
    Request,
    Unrelated,
}

impl Verdict {
    pub const ALL: [Verdict; 9] = [
        Verdict::Bounce,
        Verdict::AutoReply,
        Verdict::Suspicious,
        Verdict::AdminFrom,
        Verdict::AdminCc,
        Verdict::Ambiguous,
        Verdict::Unverified,
        Verdict::Request,
        Verdict::Unrelated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::AdminFrom => "admin_from",
            Verdict::AdminCc => "admin_cc",
            Verdict::Unverified => "unverified",
            Verdict::Ambiguous => "ambiguous",
            Verdict::AutoReply => "auto_reply",
            Verdict::Bounce => "bounce",
            Verdict::Suspicious => "suspicious",
            Verdict::Request => "request",
            Verdict::Unrelated => "unrelated",
        }
    }

    /// Replies whose text may name contacts.
    pub fn carries_contacts(self) -> bool {
        matches!(
            self,
            Verdict::AdminFrom | Verdict::AdminCc | Verdict::Unverified
        )
    }

    /// Messages whose contacts are only requested (not proposed until an admin agrees).
    pub fn requests_contacts(self) -> bool {
        self == Verdict::Request
    }
}

impl FromStr for Verdict {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Verdict::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                let all: Vec<_> = Verdict::ALL.iter().map(|v| v.as_str()).collect();
                format!("unknown verdict `{s}` (expected one of {})", all.join(", "))
            })
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
