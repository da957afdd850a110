//! Noticing other connections' commits (the poller, another operator, a CLI command) without
//! waking up while nothing happens: every commit writes the database's `-wal` file, and the
//! operating system says so (inotify on Linux, through `notify`). Where that cannot be had
//! (no notification service, a watch limit reached, a database in memory), the data worker
//! reads `PRAGMA data_version` every second instead, as it always could.
//!
//! A notification only says "look": the data worker still asks SQLite whether another
//! connection committed, so the TUI's own writes (and checkpoints) cost a cheap query and no
//! reload.

use std::path::{Path, PathBuf};

use notify::{EventKindMask, RecommendedWatcher, RecursiveMode, Watcher};

/// How the data worker learns that the database may have changed.
pub enum Changes {
    /// Told by the watcher, with [`super::worker::Job::Changed`]; it watches while it lives.
    Notified(#[allow(dead_code)] RecommendedWatcher),
    /// Not told: looks every second.
    Polled,
}

impl std::fmt::Debug for Changes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Changes::Notified(_) => "Notified",
            Changes::Polled => "Polled",
        })
    }
}

/// The `-wal` file SQLite keeps beside `db` in WAL mode.
pub fn wal_of(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// Watches the `-wal` file of `db` and calls `changed` on every write to it (or its creation,
/// or its removal). The directory is watched, not the file: SQLite removes the file when its
/// last connection closes and creates it again with the next one. `Polled` (with the reason
/// logged) when the watch cannot be set up.
pub fn watch(db: Option<&Path>, changed: impl Fn() + Send + 'static) -> Changes {
    let Some(db) = db else {
        return Changes::Polled;
    };
    match try_watch(db, changed) {
        Ok(watcher) => Changes::Notified(watcher),
        Err(e) => {
            tracing::warn!(
                "cannot watch {} ({e}); looking for other connections' commits every second",
                wal_of(db).display()
            );
            Changes::Polled
        }
    }
}

fn try_watch(db: &Path, changed: impl Fn() + Send + 'static) -> notify::Result<RecommendedWatcher> {
    let wal = wal_of(db);
    let dir = db
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let name = wal.file_name().map(ToOwned::to_owned);
    let handler = move |event: notify::Result<notify::Event>| match event {
        Ok(e) => {
            if e.paths.iter().any(|p| p.file_name() == name.as_deref()) {
                changed();
            }
        }
        // A lost event (queue overflow) may have been a commit.
        Err(_) => changed(),
    };
    // Writes, creation and removal only: opening and reading are not commits.
    let kinds = EventKindMask::CREATE | EventKindMask::REMOVE | EventKindMask::MODIFY_DATA;
    let mut watcher =
        RecommendedWatcher::new(handler, notify::Config::default().with_event_kinds(kinds))?;
    watcher.watch(&dir, RecursiveMode::NonRecursive)?;
    Ok(watcher)
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;
    use crate::config::Config;
    use crate::service::Service;

    #[test]
    fn another_connections_commit_is_noticed_and_nothing_else_is() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("tldops.sqlite3");
        let ours = Service::open(&db, Config::default(), "alice".into()).unwrap();
        let (tx, rx) = mpsc::channel();
        let changes = watch(Some(&db), move || {
            let _ = tx.send(());
        });
        assert!(matches!(changes, Changes::Notified(_)), "{changes:?}");

        // Reads and unrelated files in the data dir are not commits.
        ours.data_version().unwrap();
        std::fs::write(dir.path().join("config.toml"), "x").unwrap();
        assert!(
            rx.recv_timeout(Duration::from_millis(300)).is_err(),
            "woken without a commit"
        );

        let other = rusqlite::Connection::open(&db).unwrap();
        other
            .execute_batch("CREATE TABLE scratch (x); INSERT INTO scratch VALUES (1);")
            .unwrap();
        assert!(
            rx.recv_timeout(Duration::from_secs(10)).is_ok(),
            "a commit of another connection wakes the watcher"
        );
    }

    #[test]
    fn a_database_in_memory_is_polled() {
        assert!(matches!(watch(None, || {}), Changes::Polled));
        let nowhere = Path::new("/nonexistent-tldops-dir/tldops.sqlite3");
        assert!(matches!(watch(Some(nowhere), || {}), Changes::Polled));
    }
}
