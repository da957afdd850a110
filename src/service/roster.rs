//! Roster import, listing and lookup.

use anyhow::Result;
use serde_json::json;

use super::{Service, usage};
use crate::domain::case::CaseState;
use crate::domain::language::Language;
use crate::domain::region::Region;
use crate::domain::roster::{self, Format, RosterDiff, Tld};
use crate::domain::time::Timestamp;
use crate::domain::tld::TldCode;
use crate::store::{RosterQueries, RosterRow, Tx};

#[derive(Clone, Copy, Debug, Default)]
pub struct ImportOptions {
    pub format: Option<Format>,
    /// Report what would change; store nothing.
    pub dry_run: bool,
    /// Only add and update; never retire TLDs the file does not list.
    pub merge: bool,
    /// Retire the TLDs the file does not list. Without it (or `merge`), an import that would
    /// retire any is refused, naming them: a partial file never retires TLDs silently.
    pub prune: bool,
}

#[derive(Debug)]
pub struct ImportReport {
    pub format: Format,
    pub entries: usize,
    pub diff: RosterDiff,
    /// Cases whose pending invitation went to an admin address that has since changed.
    pub invalidated: Vec<TldCode>,
    pub dry_run: bool,
    /// Asked to retire what the file does not list (`--prune`).
    pub pruned: bool,
    /// Imported, but worth a look: a whois record with no country.
    pub warnings: Vec<String>,
}

/// Which TLDs `roster list` shows.
#[derive(Clone, Debug, Default)]
pub struct RosterFilter {
    pub region: Option<Region>,
    pub state: Option<CaseState>,
    pub include_retired: bool,
}

impl Service {
    /// Imports a roster file: all of it in one transaction, or nothing when any row is bad.
    pub fn import_roster(
        &self,
        source: &str,
        bytes: &[u8],
        options: ImportOptions,
    ) -> Result<ImportReport> {
        let text = String::from_utf8_lossy(bytes);
        let format = options.format.unwrap_or_else(|| Format::detect(&text));
        let entries = roster::parse(bytes, Some(format))?;
        let stored =
            |rows: Vec<RosterRow>| -> Vec<Tld> { rows.into_iter().map(|r| r.tld).collect() };
        let report = |diff, invalidated| ImportReport {
            format,
            entries: entries.len(),
            diff,
            invalidated,
            dry_run: options.dry_run,
            pruned: options.prune,
            warnings: entries
                .iter()
                .filter(|e| e.country.is_empty())
                .map(|e| {
                    format!(
                        "line {}: {} has no country: its record has no address: line, and the \
                         code is not in the ccTLD table",
                        e.line,
                        e.code.display()
                    )
                })
                .collect(),
        };
        if options.dry_run {
            let diff = roster::diff(&stored(self.store.roster()?), &entries, options.merge);
            let invalidated = self.pending_among(&diff)?;
            return Ok(report(diff, invalidated));
        }
        let operator = self.operator.clone();
        let (diff, invalidated) = self.store.write(|tx| {
            let diff = roster::diff(&stored(tx.roster()?), &entries, options.merge);
            if !diff.retired.is_empty() && !options.prune {
                let list: Vec<String> = diff.retired.iter().map(|c| c.display()).collect();
                return usage(format!(
                    "the file lacks {} of the roster ({}): --prune retires {}, --merge keeps {}",
                    if list.len() == 1 {
                        "1 ccTLD".to_string()
                    } else {
                        format!("{} ccTLDs", list.len())
                    },
                    list.join(", "),
                    if list.len() == 1 { "it" } else { "them" },
                    if list.len() == 1 { "it" } else { "them" },
                ));
            }
            let invalidated = apply_diff(tx, &diff, &operator, source, format, self.now())?;
            Ok((diff, invalidated))
        })?;
        tracing::info!(
            source,
            added = diff.added.len(),
            retired = diff.retired.len(),
            admin_changed = diff.admin_changed.len(),
            "roster imported"
        );
        Ok(report(diff, invalidated))
    }

    /// For a dry run: the cases an import would flag.
    fn pending_among(&self, diff: &RosterDiff) -> Result<Vec<TldCode>> {
        let mut out = Vec::new();
        for change in &diff.admin_changed {
            if let Some(row) = self.store.roster_row(&change.code)?
                && row.case.state.invitation_pending()
                && !self
                    .store
                    .last_invited(&change.code, change.new.email.as_str())?
            {
                out.push(change.code.clone());
            }
        }
        Ok(out)
    }

    pub fn roster(&self, filter: &RosterFilter) -> Result<Vec<RosterRow>> {
        Ok(self
            .store
            .roster()?
            .into_iter()
            .filter(|r| filter.include_retired || !r.tld.retired)
            .filter(|r| filter.region.is_none_or(|g| r.tld.region == Some(g)))
            .filter(|r| filter.state.is_none_or(|s| r.case.state == s))
            .collect())
    }

    /// Sets the language a TLD's mail is written in (`None`: back to the default by country);
    /// logged as a `tld_updated` event. Returns the TLD as it is now.
    pub fn set_language(&self, input: &str, language: Option<Language>) -> Result<RosterRow> {
        let row = self.tld(input)?;
        if row.tld.language != language {
            let operator = self.operator.clone();
            let code = row.tld.code.clone();
            let word = |l: Option<Language>| l.map_or("", Language::as_str);
            let change = format!(
                "language `{}` → `{}`",
                word(row.tld.language),
                word(language)
            );
            self.store.write(|tx| {
                tx.set_language(&code, language)?;
                tx.append_event(
                    self.now(),
                    &operator,
                    Some(code.as_str()),
                    "tld_updated",
                    &json!({ "changes": [change], "source": "roster set" }),
                )?;
                Ok(())
            })?;
        }
        self.tld(input)
    }

    /// One TLD by code, in any spelling the operator types (`.NL`, `nl`, `рф`).
    pub fn tld(&self, input: &str) -> Result<RosterRow> {
        let code = match TldCode::parse(input) {
            Ok(c) => c,
            Err(e) => return usage(e),
        };
        match self.store.roster_row(&code)? {
            Some(row) => Ok(row),
            None => usage(format!("{} is not in the roster", code.display())),
        }
    }
}

/// Writes the diff and one event per change; returns the cases flagged for a changed admin.
fn apply_diff(
    tx: &Tx,
    diff: &RosterDiff,
    operator: &str,
    source: &str,
    format: Format,
    at: Timestamp,
) -> Result<Vec<TldCode>> {
    let event = |tld: &TldCode, action: &str, detail: serde_json::Value| {
        tx.append_event(at, operator, Some(tld.as_str()), action, &detail)
            .map(|_| ())
    };
    for tld in &diff.upserts {
        tx.upsert_tld(tld, at)?;
    }
    for tld in diff.upserts.iter().filter(|t| diff.added.contains(&t.code)) {
        event(
            &tld.code,
            "tld_added",
            json!({ "country": tld.country, "region": tld.region,
                    "admin": tld.admin.email, "tech": tld.tech.email, "source": source }),
        )?;
    }
    for code in &diff.retired {
        tx.retire_tld(code, at)?;
        event(code, "tld_retired", json!({ "source": source }))?;
    }
    let mut invalidated = Vec::new();
    for change in &diff.admin_changed {
        let pending = tx.flag_admin_changed(&change.code, change.new.email.as_str(), at)?;
        if pending {
            invalidated.push(change.code.clone());
        }
        // An approved ccTLD keeps its members; its new admin re-confirms them (DESIGN §8.3).
        let reconfirm_due = tx.flag_reconfirm_due(&change.code, at)?;
        event(
            &change.code,
            "admin_changed",
            json!({ "old": change.old.email, "new": change.new.email,
                    "invitation_pending": pending, "reconfirm_due": reconfirm_due,
                    "source": source }),
        )?;
    }
    for change in &diff.tech_changed {
        event(
            &change.code,
            "tech_changed",
            json!({ "old": change.old.email, "new": change.new.email, "source": source }),
        )?;
    }
    for (code, changes) in &diff.details_changed {
        event(
            code,
            "tld_updated",
            json!({ "changes": changes, "source": source }),
        )?;
    }
    tx.append_event(
        at,
        operator,
        None,
        "roster_import",
        &json!({
            "source": source, "format": format.to_string(),
            "added": diff.added.len(), "retired": diff.retired.len(),
            "admin_changed": diff.admin_changed.len(), "tech_changed": diff.tech_changed.len(),
            "updated": diff.details_changed.len(), "unchanged": diff.unchanged,
        }),
    )?;
    Ok(invalidated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::store::{EventFilter, Store};

    const HEADER: &str = "tld,country,admin_name,admin_email,tech_name,tech_email,region\n";

    fn service() -> Service {
        Service::new(
            Store::open_in_memory().unwrap(),
            Config::default(),
            "alice".into(),
        )
    }

    fn import(s: &mut Service, rows: &str, options: ImportOptions) -> Result<ImportReport> {
        s.import_roster("test.csv", format!("{HEADER}{rows}").as_bytes(), options)
    }

    const ROSTER: &str = "nl,Netherlands,Ann,admin@nic.nl,Tom,tech@nic.nl,CENTR\n\
                          be,Belgium,Bea,admin@dns.be,Tim,tech@dns.be,CENTR\n\
                          br,Brazil,Bia,admin@nic.br,Teo,tech@nic.br,LACTLD\n";

    #[test]
    fn import_then_reimport_reports_and_logs_the_difference() {
        let mut s = service();
        let first = import(&mut s, ROSTER, ImportOptions::default()).unwrap();
        assert_eq!(first.diff.added.len(), 3);
        assert_eq!(s.roster(&RosterFilter::default()).unwrap().len(), 3);

        // .nl's invitation is out when its admin address changes.
        s.store
            .write(|tx| {
                tx.execute("UPDATE cases SET state = 'invited' WHERE tld = 'nl'", [])?;
                Ok(())
            })
            .unwrap();
        let partial = "nl,Netherlands,Ann,new-admin@nic.nl,Tom,tech@nic.nl,CENTR\n\
             br,Brazil,Bia,admin@nic.br,Teo,noc@nic.br,LACTLD\n\
             de,Germany,Dora,admin@denic.de,Dirk,tech@denic.de,CENTR\n";
        // A file without .be retires it only when asked to.
        let refused = import(&mut s, partial, ImportOptions::default()).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "the file lacks 1 ccTLD of the roster (.be): --prune retires it, --merge keeps it"
        );
        assert!(
            refused
                .downcast_ref::<crate::service::UsageError>()
                .is_some()
        );
        assert!(!s.tld("be").unwrap().tld.retired, "nothing changed");
        let second = import(
            &mut s,
            partial,
            ImportOptions {
                prune: true,
                ..Default::default()
            },
        )
        .unwrap();
        let codes = |v: &[TldCode]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert_eq!(codes(&second.diff.added), ["de"]);
        assert_eq!(codes(&second.diff.retired), ["be"]);
        assert_eq!(second.diff.admin_changed.len(), 1);
        assert_eq!(second.diff.tech_changed[0].code.as_str(), "br");
        assert_eq!(codes(&second.invalidated), ["nl"]);

        let nl = s.tld(".NL").unwrap();
        assert_eq!(nl.tld.admin.email.as_str(), "new-admin@nic.nl");
        assert!(nl.case.admin_changed_at.is_some());
        assert!(s.tld("be").unwrap().tld.retired);
        assert_eq!(s.roster(&RosterFilter::default()).unwrap().len(), 3);

        let nl_events: Vec<String> = s
            .log(&EventFilter {
                tld: Some("nl".into()),
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(nl_events, ["admin_changed", "tld_added"]);
        let report = s.verify_log(None).unwrap();
        assert_eq!(report.events, 3 + 1 + 4 + 1);
        // .nl was made invited behind the log's back above: the only thing wrong.
        assert_eq!(
            report
                .findings
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["case .nl is invited but the events say uninvited"]
        );
    }

    #[test]
    fn an_admin_address_changed_back_leaves_nothing_pending() {
        let mut s = service();
        import(&mut s, ROSTER, ImportOptions::default()).unwrap();
        s.store
            .write(|tx| {
                tx.execute("UPDATE cases SET state = 'invited' WHERE tld = 'nl'", [])?;
                tx.execute(
                    "INSERT INTO outbox (message_id, kind, tld, recipients, subject, raw, state,
                                         created_at)
                     VALUES ('inv.nl@x', 'invitation', 'nl', '[\"Admin@nic.nl\"]', 's', x'',
                             'sent', '2026-03-02T09:00:00Z')",
                    [],
                )?;
                Ok(())
            })
            .unwrap();
        let moved = ROSTER.replace("admin@nic.nl", "director@nic.nl");
        let away = import(&mut s, &moved, ImportOptions::default()).unwrap();
        assert_eq!(away.invalidated.len(), 1);
        assert!(s.tld("nl").unwrap().case.admin_changed_at.is_some());

        // Back to the address the invitation went to: nothing to invite again.
        let dry = import(
            &mut s,
            ROSTER,
            ImportOptions {
                dry_run: true,
                ..Default::default()
            },
        );
        assert!(dry.unwrap().invalidated.is_empty());
        let back = import(&mut s, ROSTER, ImportOptions::default()).unwrap();
        assert_eq!(back.diff.admin_changed.len(), 1);
        assert!(back.invalidated.is_empty());
        assert_eq!(s.tld("nl").unwrap().case.admin_changed_at, None);
    }

    #[test]
    fn bad_file_changes_nothing() {
        let mut s = service();
        import(&mut s, ROSTER, ImportOptions::default()).unwrap();
        let err = import(
            &mut s,
            "nl,Netherlands,Ann,changed@nic.nl,Tom,tech@nic.nl,CENTR\nxx,Nowhere,A,broken,T,t@x.org,MARS\n",
            ImportOptions::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("line 3:"), "{err}");
        assert_eq!(
            s.tld("nl").unwrap().tld.admin.email.as_str(),
            "admin@nic.nl"
        );
        assert_eq!(s.log(&EventFilter::default()).unwrap().len(), 4);
    }

    #[test]
    fn dry_run_and_merge() {
        let mut s = service();
        let dry = import(
            &mut s,
            ROSTER,
            ImportOptions {
                dry_run: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(dry.diff.added.len(), 3);
        assert!(s.roster(&RosterFilter::default()).unwrap().is_empty());
        assert!(s.log(&EventFilter::default()).unwrap().is_empty());

        import(&mut s, ROSTER, ImportOptions::default()).unwrap();
        let merged = import(
            &mut s,
            "de,Germany,Dora,admin@denic.de,Dirk,tech@denic.de,CENTR\n",
            ImportOptions {
                merge: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(merged.diff.retired.is_empty());
        assert_eq!(s.roster(&RosterFilter::default()).unwrap().len(), 4);
    }

    #[test]
    fn filters_and_lookup_errors() {
        let mut s = service();
        import(&mut s, ROSTER, ImportOptions::default()).unwrap();
        let lactld = RosterFilter {
            region: Some(Region::Lactld),
            ..Default::default()
        };
        assert_eq!(s.roster(&lactld).unwrap().len(), 1);
        let err = s.tld("zz").unwrap_err();
        assert!(err.downcast_ref::<super::super::UsageError>().is_some());
        assert_eq!(err.to_string(), ".zz is not in the roster");
        assert!(s.tld("com").is_err());
    }
}
