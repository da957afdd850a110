//! What a roster import would change, compared with the roster already stored.

use std::collections::{BTreeMap, BTreeSet};

use super::{IanaContact, RosterEntry};
use crate::domain::language::Language;
use crate::domain::region::Region;
use crate::domain::tld::TldCode;

/// A stored TLD as the diff needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tld {
    pub code: TldCode,
    pub country: String,
    pub region: Option<Region>,
    /// The mail language the roster sets; `None`: the default by country
    /// ([`crate::domain::language::Language::default_for`]).
    pub language: Option<Language>,
    pub admin: IanaContact,
    pub tech: IanaContact,
    /// No longer in the roster: kept, with its history, but not listed or invited.
    pub retired: bool,
}

impl Tld {
    /// The language its mail is written in: the roster's, else the default by country.
    pub fn language(&self) -> Language {
        self.language
            .unwrap_or_else(|| Language::default_for(&self.code))
    }
}

/// An IANA contact whose address changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressChange {
    pub code: TldCode,
    pub old: IanaContact,
    pub new: IanaContact,
}

/// The difference between the stored roster and an imported file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RosterDiff {
    /// TLDs new to the roster, or back after having been retired.
    pub added: Vec<TldCode>,
    /// TLDs the file no longer lists (only for a full import).
    pub retired: Vec<TldCode>,
    pub admin_changed: Vec<AddressChange>,
    pub tech_changed: Vec<AddressChange>,
    /// Country, region or contact names changed, in words, per TLD.
    pub details_changed: Vec<(TldCode, Vec<String>)>,
    pub unchanged: usize,
    /// The entries to store, with a region the file did not give taken from the stored TLD.
    pub upserts: Vec<Tld>,
}

impl RosterDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.retired.is_empty()
            && self.admin_changed.is_empty()
            && self.tech_changed.is_empty()
            && self.details_changed.is_empty()
    }
}

/// Compares `imported` with `stored`. A full import (`merge == false`) retires TLDs the file
/// no longer lists; a merge only adds and updates.
pub fn diff(stored: &[Tld], imported: &[RosterEntry], merge: bool) -> RosterDiff {
    let by_code: BTreeMap<&TldCode, &Tld> = stored.iter().map(|t| (&t.code, t)).collect();
    let mut d = RosterDiff::default();
    for entry in imported {
        let old = by_code.get(&entry.code).copied();
        let new = Tld {
            code: entry.code.clone(),
            country: entry.country.clone(),
            // The file's region; else the stored one; else the ccTLD table's (whois has none).
            region: entry.region.unwrap_or_else(|| {
                old.and_then(|o| o.region)
                    .or_else(|| super::table::region_of(&entry.code))
            }),
            language: entry
                .language
                .unwrap_or_else(|| old.and_then(|o| o.language)),
            admin: entry.admin.clone(),
            tech: entry.tech.clone(),
            retired: false,
        };
        match old {
            None => d.added.push(new.code.clone()),
            Some(old) if old.retired => d.added.push(new.code.clone()),
            Some(old) => {
                let mut changed = false;
                if old.admin.email != new.admin.email {
                    d.admin_changed
                        .push(change(old.code.clone(), &old.admin, &new.admin));
                    changed = true;
                }
                if old.tech.email != new.tech.email {
                    d.tech_changed
                        .push(change(old.code.clone(), &old.tech, &new.tech));
                    changed = true;
                }
                let details = detail_changes(old, &new);
                if !details.is_empty() {
                    d.details_changed.push((old.code.clone(), details));
                    changed = true;
                }
                if !changed {
                    d.unchanged += 1;
                    continue;
                }
            }
        }
        d.upserts.push(new);
    }
    if !merge {
        let listed: BTreeSet<&TldCode> = imported.iter().map(|e| &e.code).collect();
        d.retired = stored
            .iter()
            .filter(|t| !t.retired && !listed.contains(&t.code))
            .map(|t| t.code.clone())
            .collect();
    }
    d
}

fn change(code: TldCode, old: &IanaContact, new: &IanaContact) -> AddressChange {
    AddressChange {
        code,
        old: old.clone(),
        new: new.clone(),
    }
}

fn detail_changes(old: &Tld, new: &Tld) -> Vec<String> {
    let mut out = Vec::new();
    let mut compare = |what: &str, a: &str, b: &str| {
        if a != b {
            out.push(format!("{what} `{a}` → `{b}`"));
        }
    };
    compare("country", &old.country, &new.country);
    compare(
        "region",
        old.region.map_or("", |r| r.as_str()),
        new.region.map_or("", |r| r.as_str()),
    );
    compare(
        "language",
        old.language.map_or("", |l| l.as_str()),
        new.language.map_or("", |l| l.as_str()),
    );
    compare("admin name", &old.admin.name, &new.admin.name);
    compare("tech name", &old.tech.name, &new.tech.name);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::email::Email;

    fn contact(name: &str, email: &str) -> IanaContact {
        IanaContact {
            name: name.into(),
            email: Email::parse(email).unwrap(),
        }
    }

    fn tld(code: &str, admin: &str) -> Tld {
        Tld {
            code: TldCode::parse(code).unwrap(),
            country: code.to_uppercase(),
            region: Some(Region::Centr),
            language: None,
            admin: contact("A", admin),
            tech: contact("T", &format!("tech@nic.{code}")),
            retired: false,
        }
    }

    fn entry(t: &Tld, region: Option<Option<Region>>) -> RosterEntry {
        RosterEntry {
            code: t.code.clone(),
            country: t.country.clone(),
            region,
            language: None,
            admin: t.admin.clone(),
            tech: t.tech.clone(),
            line: 2,
        }
    }

    #[test]
    fn reports_added_retired_and_changed_addresses() {
        let stored = [
            tld("nl", "a@nic.nl"),
            tld("be", "a@dns.be"),
            tld("fr", "a@afnic.fr"),
        ];
        let mut nl = stored[0].clone();
        nl.admin = contact("New Admin", "new@nic.nl");
        let mut fr = stored[2].clone();
        fr.tech = contact("T", "noc@afnic.fr");
        let de = tld("de", "a@denic.de");
        let imported = [
            entry(&nl, Some(Some(Region::Centr))),
            entry(&fr, Some(Some(Region::Centr))),
            entry(&de, Some(None)),
        ];
        let d = diff(&stored, &imported, false);
        assert_eq!(d.added, std::slice::from_ref(&de.code));
        assert_eq!(d.retired, std::slice::from_ref(&stored[1].code));
        assert_eq!(d.admin_changed.len(), 1);
        assert_eq!(d.admin_changed[0].old.email.as_str(), "a@nic.nl");
        assert_eq!(d.admin_changed[0].new.email.as_str(), "new@nic.nl");
        assert_eq!(d.tech_changed[0].code.as_str(), "fr");
        assert_eq!(
            d.details_changed,
            [(
                nl.code.clone(),
                vec!["admin name `A` → `New Admin`".to_string()]
            )]
        );
        assert_eq!(d.upserts.len(), 3);
        assert_eq!(d.upserts[2].region, None);
    }

    #[test]
    fn merge_never_retires_and_keeps_unknown_regions() {
        let stored = [tld("nl", "a@nic.nl"), tld("be", "a@dns.be")];
        let d = diff(&stored, &[entry(&stored[0], None)], true);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(d.unchanged, 1);
        assert!(d.upserts.is_empty());
    }

    #[test]
    fn a_retired_tld_listed_again_is_added() {
        let mut be = tld("be", "a@dns.be");
        be.retired = true;
        let d = diff(
            std::slice::from_ref(&be),
            &[entry(&be, Some(Some(Region::Centr)))],
            false,
        );
        assert_eq!(d.added, std::slice::from_ref(&be.code));
        assert!(d.retired.is_empty());
    }
}
