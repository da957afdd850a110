//! Ingested messages, the contacts they propose, and each mailbox's sync checkpoint.

mod write;

use anyhow::Result;
use rusqlite::OptionalExtension;

use super::Read;
use crate::domain::time::Timestamp;
use crate::domain::triage::intent::Intent;
use crate::domain::triage::{Contact, Verdict};
use crate::mail::Checkpoint;

/// A message to store.
pub struct NewMessage<'a> {
    pub message_id: Option<&'a str>,
    pub content_hash: &'a str,
    pub source: &'a str,
    pub uidvalidity: Option<u32>,
    pub uid: Option<u32>,
    pub date: Option<&'a str>,
    pub from: Option<&'a str>,
    pub subject: &'a str,
    pub verdict: Verdict,
    pub tld: Option<&'a str>,
    pub why: &'a str,
    pub parse_error: Option<&'a str>,
    pub raw: &'a [u8],
    pub at: Timestamp,
    /// What a request asks, and the contacts it names (kept apart from proposals).
    pub intent: Option<Intent>,
    pub requested: &'a [Contact],
}

/// A stored message as listings show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageRow {
    pub id: i64,
    pub message_id: Option<String>,
    pub from: Option<String>,
    pub subject: String,
    pub date: Option<String>,
    pub verdict: Verdict,
    pub tld: Option<String>,
    pub why: String,
    pub parse_error: Option<String>,
    pub ingested_at: Timestamp,
    /// When it was filed under its TLD: at ingest, or when an operator assigned it. What the
    /// queue compares with the case's times.
    pub filed_at: Timestamp,
    /// The contacts it proposes; for a request, those it asks for.
    pub contacts: Vec<Contact>,
    /// What a request asks, and when an operator acted on it.
    pub intent: Option<Intent>,
    pub settled_at: Option<Timestamp>,
}

/// Where a stored message came from: enough to fetch it again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The source's name, e.g. `imap:user@host:993/INBOX`.
    pub source: String,
    pub uidvalidity: Option<u32>,
    pub uid: Option<u32>,
    pub content_hash: String,
}

/// Which messages to list.
#[derive(Clone, Debug, Default)]
pub struct MessageFilter {
    pub verdict: Option<Verdict>,
    pub tld: Option<String>,
}

/// A search of the message list (the TUI's Messages view): any of verdict, TLD and text, the
/// text found in the sender, subject, Message-ID or the reason triage gave (case-insensitive
/// for ASCII).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageQuery {
    pub verdict: Option<Verdict>,
    pub tld: Option<String>,
    pub text: Option<String>,
}

impl MessageQuery {
    /// `FROM` and `WHERE` with their values. Conditions are added only when given, so SQLite
    /// walks the verdict or TLD index (newest first: both end in the row id) instead of the
    /// table; a text search reads the search index, which holds every column it looks in.
    fn sql(&self) -> (String, Vec<rusqlite::types::Value>) {
        use rusqlite::types::Value;
        let mut conditions = Vec::new();
        let mut values = Vec::new();
        if let Some(v) = self.verdict {
            values.push(Value::Text(v.as_str().into()));
            conditions.push(format!("verdict = ?{}", values.len()));
        }
        if let Some(t) = &self.tld {
            values.push(Value::Text(t.clone()));
            conditions.push(format!("tld = ?{}", values.len()));
        }
        if let Some(text) = self.text.as_deref().filter(|t| !t.is_empty()) {
            let escaped = text
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            values.push(Value::Text(format!("%{escaped}%")));
            let n = values.len();
            conditions.push(format!(
                "(from_addr LIKE ?{n} ESCAPE '\\' OR subject LIKE ?{n} ESCAPE '\\' \
                 OR message_id LIKE ?{n} ESCAPE '\\' OR why LIKE ?{n} ESCAPE '\\')"
            ));
        }
        let from = if self.text.as_deref().is_some_and(|t| !t.is_empty()) {
            "messages INDEXED BY messages_search"
        } else {
            "messages"
        };
        let sql = if conditions.is_empty() {
            from.to_string()
        } else {
            format!("{from} WHERE {}", conditions.join(" AND "))
        };
        (sql, values)
    }
}

const COLUMNS: &str = "id, message_id, from_addr, subject, date, verdict, tld, why, parse_error, ingested_at, \
     coalesce(filed_at, ingested_at), intent, requested, settled_at";

/// Contacts as stored in a JSON column.
pub fn contacts_json(contacts: &[Contact]) -> String {
    serde_json::Value::Array(
        contacts
            .iter()
            .map(|c| serde_json::json!({ "email": c.email, "name": c.name, "phone": c.phone }))
            .collect(),
    )
    .to_string()
}

/// Contacts from a JSON column (nothing, when it cannot be read).
pub fn contacts_from_json(text: Option<&str>) -> Vec<Contact> {
    let Some(Ok(serde_json::Value::Array(list))) = text.map(serde_json::from_str) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|v| {
            Some(Contact {
                email: v["email"].as_str()?.to_string(),
                name: v["name"].as_str().map(str::to_string),
                phone: v["phone"].as_str().map(str::to_string),
            })
        })
        .collect()
}

fn to_row(r: &rusqlite::Row) -> rusqlite::Result<MessageRow> {
    let verdict: String = r.get(5)?;
    Ok(MessageRow {
        id: r.get(0)?,
        message_id: r.get(1)?,
        from: r.get(2)?,
        subject: r.get(3)?,
        date: r.get(4)?,
        verdict: verdict.parse().map_err(|e: String| {
            rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, e.into())
        })?,
        tld: r.get(6)?,
        why: r.get(7)?,
        parse_error: r.get(8)?,
        ingested_at: r.get(9)?,
        filed_at: r.get(10)?,
        intent: r
            .get::<_, Option<String>>(11)?
            .as_deref()
            .and_then(Intent::parse),
        contacts: contacts_from_json(r.get::<_, Option<String>>(12)?.as_deref()),
        settled_at: r.get(13)?,
    })
}

pub trait MessageQueries: Read {
    fn checkpoint(&self, source: &str) -> Result<Option<Checkpoint>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT uidvalidity, last_uid FROM mailbox_sync WHERE source = ?1",
                [source],
                |r| {
                    Ok(Checkpoint {
                        uidvalidity: r.get(0)?,
                        last_uid: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// Messages matching `filter`, oldest first, with their proposed contacts.
    fn messages(&self, filter: &MessageFilter) -> Result<Vec<MessageRow>> {
        // Conditions are added only when given: `(?1 IS NULL OR verdict = ?1)` would make
        // SQLite scan the whole table instead of using the verdict and TLD indexes.
        let mut conditions = Vec::new();
        let mut values: Vec<&dyn rusqlite::ToSql> = Vec::new();
        let verdict = filter.verdict.map(Verdict::as_str);
        if let Some(v) = &verdict {
            conditions.push(format!("verdict = ?{}", values.len() + 1));
            values.push(v);
        }
        if let Some(t) = &filter.tld {
            conditions.push(format!("tld = ?{}", values.len() + 1));
            values.push(t);
        }
        let filter_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {COLUMNS} FROM messages {filter_sql} ORDER BY id"
        ))?;
        let mut rows: Vec<MessageRow> = stmt
            .query_map(values.as_slice(), to_row)?
            .collect::<rusqlite::Result<_>>()?;
        let mut contacts = self.conn().prepare_cached(
            "SELECT email, name, phone FROM contacts WHERE message = ?1 ORDER BY id",
        )?;
        for row in rows.iter_mut().filter(|r| !r.verdict.requests_contacts()) {
            row.contacts = contacts
                .query_map([row.id], |r| {
                    Ok(Contact {
                        email: r.get(0)?,
                        name: r.get(1)?,
                        phone: r.get(2)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
        }
        Ok(rows)
    }

    /// Up to `limit` messages matching `q`, newest first, from the `offset`-th: one page of
    /// a list of any length (without their contacts).
    fn message_page(
        &self,
        q: &MessageQuery,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<MessageRow>> {
        // The ids from an index first (skipping `offset` of them costs little there), then
        // the rows of those ids only.
        let (filter, mut values) = q.sql();
        values.push(rusqlite::types::Value::Integer(limit as i64));
        values.push(rusqlite::types::Value::Integer(offset as i64));
        let n = values.len();
        let ids: Vec<i64> = self
            .conn()
            .prepare(&format!(
                "SELECT id FROM {filter} ORDER BY id DESC LIMIT ?{} OFFSET ?{n}",
                n - 1
            ))?
            .query_map(rusqlite::params_from_iter(values), |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {COLUMNS} FROM messages WHERE id IN ({}) ORDER BY id DESC",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ))?;
        let rows = stmt.query_map([], to_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many messages match `q`.
    fn message_count(&self, q: &MessageQuery) -> Result<usize> {
        let (filter, values) = q.sql();
        let n: i64 = self.conn().query_row(
            &format!("SELECT count(*) FROM {filter}"),
            rusqlite::params_from_iter(values),
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    /// The newest message about `tld` with one of `verdicts`.
    fn latest_message(&self, tld: &str, verdicts: &[Verdict]) -> Result<Option<MessageRow>> {
        let list: Vec<String> = verdicts
            .iter()
            .map(|v| format!("'{}'", v.as_str()))
            .collect();
        Ok(self
            .conn()
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM messages WHERE tld = ?1 AND verdict IN ({})
                     ORDER BY id DESC LIMIT 1",
                    list.join(", ")
                ),
                [tld],
                to_row,
            )
            .optional()?)
    }

    /// One message by Message-ID (without brackets) or `#row-id`.
    fn message_origin(&self, id: i64) -> Result<Option<Origin>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT source, uidvalidity, uid, content_hash FROM messages WHERE id = ?1",
                [id],
                |r| {
                    Ok(Origin {
                        source: r.get(0)?,
                        uidvalidity: r.get(1)?,
                        uid: r.get(2)?,
                        content_hash: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    fn message_by_ref(&self, reference: &str) -> Result<Option<(MessageRow, Vec<u8>)>> {
        let r = reference.trim().trim_matches(['<', '>']);
        // `#12` or a bare `12` (a Message-ID always has an `@`).
        let id = r.strip_prefix('#').unwrap_or(r).parse::<i64>().ok();
        let (sql, key) = match id {
            Some(id) => ("id = ?1", rusqlite::types::Value::Integer(id)),
            None => (
                "message_id = ?1",
                rusqlite::types::Value::Text(r.to_string()),
            ),
        };
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS}, raw FROM messages WHERE {sql}"),
                [key],
                |row| Ok((to_row(row)?, row.get::<_, Vec<u8>>(14)?)),
            )
            .optional()?)
    }
}

impl<T: Read + ?Sized> MessageQueries for T {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn store_with(messages: &[(&str, &str, Verdict, Option<&str>)]) -> Store {
        let store = Store::open_in_memory().unwrap();
        // Messages only: their TLDs need no roster here.
        store
            .conn()
            .execute_batch("PRAGMA foreign_keys = OFF")
            .unwrap();
        store
            .write(|tx| {
                for (i, (from, subject, verdict, tld)) in messages.iter().enumerate() {
                    let id = format!("m{i}@example.org");
                    tx.insert_message(&NewMessage {
                        message_id: Some(&id),
                        content_hash: &id,
                        source: "maildir:/tmp/x",
                        uidvalidity: None,
                        uid: None,
                        date: None,
                        from: Some(from),
                        subject,
                        verdict: *verdict,
                        tld: *tld,
                        why: "because",
                        parse_error: None,
                        raw: b"Subject: x\r\n\r\n",
                        at: "2026-03-01T00:00:00Z".parse().unwrap(),
                        intent: None,
                        requested: &[],
                    })?;
                }
                Ok(())
            })
            .unwrap();
        store
    }

    #[test]
    fn a_page_of_messages_newest_first_filtered_by_verdict_tld_and_text() {
        let store = store_with(&[
            ("newsletter@example.com", "News", Verdict::Unrelated, None),
            (
                "registry@nic.fr.example",
                "Re: TLD-OPS",
                Verdict::AdminFrom,
                Some("fr"),
            ),
            (
                "marie@gmail.example",
                "Re: TLD-OPS 100%",
                Verdict::Unrelated,
                None,
            ),
            (
                "jira@example.com",
                "[JIRA] ticket",
                Verdict::Unrelated,
                None,
            ),
        ]);
        let ids = |q: &MessageQuery, offset, limit| -> Vec<i64> {
            store
                .message_page(q, offset, limit)
                .unwrap()
                .iter()
                .map(|m| m.id)
                .collect()
        };
        let all = MessageQuery::default();
        assert_eq!(ids(&all, 0, 10), [4, 3, 2, 1]);
        assert_eq!(ids(&all, 1, 2), [3, 2]);
        assert_eq!(store.message_count(&all).unwrap(), 4);
        let unrelated = MessageQuery {
            verdict: Some(Verdict::Unrelated),
            ..MessageQuery::default()
        };
        assert_eq!(ids(&unrelated, 0, 10), [4, 3, 1]);
        let tld_ops = MessageQuery {
            text: Some("tld-ops".into()),
            ..unrelated.clone()
        };
        assert_eq!(
            ids(&tld_ops, 0, 10),
            [3],
            "case-insensitive, and the verdict"
        );
        assert_eq!(store.message_count(&tld_ops).unwrap(), 1);
        let fr = MessageQuery {
            tld: Some("fr".into()),
            ..MessageQuery::default()
        };
        assert_eq!(ids(&fr, 0, 10), [2]);
        let percent = MessageQuery {
            text: Some("0%".into()),
            ..MessageQuery::default()
        };
        assert_eq!(
            ids(&percent, 0, 10),
            [3],
            "% is a character, not a wildcard"
        );
        let gmail = MessageQuery {
            text: Some("GMAIL".into()),
            ..MessageQuery::default()
        };
        assert_eq!(ids(&gmail, 0, 10), [3], "the sender");
    }

    #[test]
    fn a_page_walks_an_index_without_sorting() {
        let store = store_with(&[]);
        for q in [
            MessageQuery {
                verdict: Some(Verdict::Unrelated),
                text: Some("tld-ops".into()),
                ..MessageQuery::default()
            },
            MessageQuery {
                verdict: Some(Verdict::Unrelated),
                ..MessageQuery::default()
            },
            MessageQuery {
                tld: Some("fr".into()),
                ..MessageQuery::default()
            },
        ] {
            let (filter, values) = q.sql();
            let sql =
                format!("EXPLAIN QUERY PLAN SELECT id FROM {filter} ORDER BY id DESC LIMIT 200");
            let mut stmt = store.conn().prepare(&sql).unwrap();
            let plan: Vec<String> = stmt
                .query_map(rusqlite::params_from_iter(values), |r| r.get(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let plan = plan.join("; ");
            assert!(plan.contains("USING COVERING INDEX"), "{plan}");
            assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        }
    }
}
