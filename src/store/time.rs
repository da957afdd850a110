//! Stored times: a [`Timestamp`] is its text in SQLite (`2026-12-07T16:05:00Z`), so the
//! columns read as they always did and SQL may still order and compare them. A column that
//! does not hold a timestamp is an error naming the text, never a panic.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::domain::time::Timestamp;

impl ToSql for Timestamp {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.to_string()))
    }
}

impl FromSql for Timestamp {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Timestamp> {
        value
            .as_str()?
            .parse()
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> rusqlite::Connection {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t (at TEXT)").unwrap();
        c
    }

    #[test]
    fn a_timestamp_is_stored_as_its_text_and_read_back() {
        let c = conn();
        let t: Timestamp = "2026-12-07T16:05:00Z".parse().unwrap();
        c.execute("INSERT INTO t VALUES (?1)", [t]).unwrap();
        let text: String = c.query_row("SELECT at FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(text, "2026-12-07T16:05:00Z");
        let back: Timestamp = c.query_row("SELECT at FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(back, t);
        let none: Option<Timestamp> = c.query_row("SELECT NULL", [], |r| r.get(0)).unwrap();
        assert_eq!(none, None);
    }

    #[test]
    fn a_column_that_holds_no_timestamp_is_an_error_naming_it() {
        let c = conn();
        c.execute("INSERT INTO t VALUES ('last tuesday')", [])
            .unwrap();
        let e = c
            .query_row("SELECT at FROM t", [], |r| r.get::<_, Timestamp>(0))
            .unwrap_err();
        assert!(e.to_string().contains("`last tuesday`"), "{e}");
        let e = c
            .query_row("SELECT 42", [], |r| r.get::<_, Timestamp>(0))
            .unwrap_err();
        assert!(matches!(e, rusqlite::Error::InvalidColumnType(..)), "{e}");
    }
}
