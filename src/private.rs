//! Who may read what an installation writes (DESIGN §7): its owner only, or, when the
//! directory is setgid — how a team group deliberately shares one installation — the
//! directory's group too; never anyone else. Every file and directory tldops creates (the
//! database, the log, sent mail, the members file, exports, the demo) is made here, with its
//! mode set explicitly, so neither the umask of whoever runs it nor the call site decides.
//! An existing file keeps the mode it has.

use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

const SETGID: u32 = 0o2000;

/// Who may use what is created in a directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// The account that creates it: files 0600, directories 0700.
    Owner,
    /// Also the group of a setgid directory: files 0660, directories 2770 (setgid too, so
    /// what is made inside stays the team's).
    Team,
}

impl Access {
    /// The access of what is created in `dir`: `Team` when `dir` is setgid.
    pub fn of(dir: &Path) -> Access {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        match fs::metadata(dir) {
            Ok(m) if m.mode() & SETGID != 0 => Access::Team,
            _ => Access::Owner,
        }
    }

    /// The access of a file at `path` (that of its directory).
    pub fn of_file(path: &Path) -> Access {
        Access::of(path.parent().unwrap_or(Path::new(".")))
    }

    pub fn file_mode(self) -> u32 {
        match self {
            Access::Owner => 0o600,
            Access::Team => 0o660,
        }
    }

    pub fn dir_mode(self) -> u32 {
        match self {
            Access::Owner => 0o700,
            Access::Team => 0o2770,
        }
    }
}

/// How [`open`] treats a file that exists already.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Create {
    /// It must not exist (`AlreadyExists` otherwise).
    New,
    /// Write at its end.
    Append,
    /// Empty it first.
    Truncate,
}

/// Opens `path` for writing, creating it with the access of its directory.
pub fn open(path: &Path, how: Create) -> io::Result<File> {
    let mode = Access::of_file(path).file_mode();
    let mut options = OpenOptions::new();
    options.write(true).mode(mode);
    match how {
        Create::New => {}
        Create::Append => {
            options.append(true);
        }
        Create::Truncate => {
            options.truncate(true);
        }
    }
    match options.clone().create_new(true).open(path) {
        Ok(file) => {
            // The umask must not take the group's access away.
            file.set_permissions(Permissions::from_mode(mode))?;
            Ok(file)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && how != Create::New => {
            options.open(path)
        }
        Err(e) => Err(e),
    }
}

/// Writes `bytes` to `path`, creating it if needed (as [`fs::write`] does, with the mode of
/// [`open`]).
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    open(path, Create::Truncate)?.write_all(bytes)
}

/// Replaces `path` with a new file holding `bytes`: written beside it, synced, and renamed over
/// it, so a reader sees the old file or the new one, never half of one. The new file has the
/// access of its directory, whatever the old one had.
pub fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut aside = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    aside
        .as_file()
        .set_permissions(Permissions::from_mode(Access::of(dir).file_mode()))?;
    aside.write_all(bytes)?;
    aside.as_file().sync_all()?;
    aside.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Creates `dir` and any missing parents, each with the access of the directory it is made in.
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let parent = dir.parent().unwrap_or(Path::new("."));
    create_dir_all(parent)?;
    let mode = Access::of(parent).dir_mode();
    match DirBuilder::new().mode(mode).create(dir) {
        Ok(()) => fs::set_permissions(dir, Permissions::from_mode(mode)),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().mode() & 0o7777
    }

    fn team_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::set_permissions(dir.path(), Permissions::from_mode(0o2770)).unwrap();
        dir
    }

    #[test]
    fn an_owners_directory_gets_owner_only_files_and_directories() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        create_dir_all(&p.join("a/b")).unwrap();
        open(&p.join("a/b/log"), Create::Append).unwrap();
        write(&p.join("a/out"), b"x").unwrap();
        replace(&p.join("a/members.csv"), b"x").unwrap();
        assert_eq!(mode(&p.join("a")), 0o700);
        assert_eq!(mode(&p.join("a/b")), 0o700);
        for file in ["a/b/log", "a/out", "a/members.csv"] {
            assert_eq!(mode(&p.join(file)), 0o600, "{file}");
        }
    }

    #[test]
    fn a_setgid_directory_shares_everything_made_in_it_with_its_group() {
        let dir = team_dir();
        let p = dir.path();
        create_dir_all(&p.join("sent-mail/x")).unwrap();
        open(&p.join("sent-mail/m.eml"), Create::New).unwrap();
        open(&p.join("tldops.log"), Create::Append).unwrap();
        write(&p.join("export.csv"), b"x").unwrap();
        // The old file's mode does not survive a replacement.
        fs::write(p.join("members.csv"), b"old").unwrap();
        fs::set_permissions(p.join("members.csv"), Permissions::from_mode(0o644)).unwrap();
        replace(&p.join("members.csv"), b"new").unwrap();
        assert_eq!(fs::read(p.join("members.csv")).unwrap(), b"new");
        assert_eq!(mode(&p.join("sent-mail")), 0o2770);
        assert_eq!(mode(&p.join("sent-mail/x")), 0o2770);
        for file in ["sent-mail/m.eml", "tldops.log", "export.csv", "members.csv"] {
            assert_eq!(mode(&p.join(file)), 0o660, "{file}");
        }
        let left: Vec<_> = fs::read_dir(p).unwrap().collect();
        assert_eq!(left.len(), 4, "nothing left beside the replaced file");
    }

    #[test]
    fn an_existing_file_keeps_its_mode_and_new_means_new() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        fs::write(&path, b"old").unwrap();
        fs::set_permissions(&path, Permissions::from_mode(0o640)).unwrap();
        write(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(mode(&path), 0o640);
        let e = open(&path, Create::New).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
    }
}
