//! Where the config file, the data directory and the log file are: flag, then environment,
//! then the platform's standard directories.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

use directories::ProjectDirs;

use super::ConfigError;

pub const CONFIG_ENV: &str = "TLDOPS_CONFIG";
pub const DATA_DIR_ENV: &str = "TLDOPS_DATA_DIR";

/// Where a path came from, so `config check` can say why it is what it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Flag,
    Env,
    Platform,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Origin::Flag => "command line",
            Origin::Env => "environment",
            Origin::Platform => "platform default",
        })
    }
}

/// The database's file name in a data directory.
pub const DATABASE_FILE: &str = "tldops.sqlite3";

#[derive(Clone, Debug)]
pub struct Paths {
    pub config_file: PathBuf,
    pub config_origin: Origin,
    pub data_dir: PathBuf,
    pub data_origin: Origin,
    pub log_file: PathBuf,
}

impl Paths {
    /// Resolves paths from the flags and the given environment lookup (the process environment
    /// in production, a map in tests).
    pub fn resolve(
        config_flag: Option<PathBuf>,
        data_dir_flag: Option<PathBuf>,
        env: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Paths, ConfigError> {
        let from_env = |name| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let platform = || {
            ProjectDirs::from("", "", "tldops").ok_or_else(|| {
                ConfigError::plain(
                    "cannot find the home directory for the default paths: \
                     give --config and --data-dir (or TLDOPS_CONFIG and TLDOPS_DATA_DIR)",
                )
            })
        };
        let (config_file, config_origin) = match (config_flag, from_env(CONFIG_ENV)) {
            (Some(p), _) => (p, Origin::Flag),
            (None, Some(p)) => (p, Origin::Env),
            (None, None) => (
                platform()?.config_dir().join("config.toml"),
                Origin::Platform,
            ),
        };
        let (data_dir, data_origin) = match (data_dir_flag, from_env(DATA_DIR_ENV)) {
            (Some(p), _) => (p, Origin::Flag),
            (None, Some(p)) => (p, Origin::Env),
            (None, None) => (platform()?.data_dir().to_path_buf(), Origin::Platform),
        };
        // A data dir chosen for this run (a demo, a test) keeps its log with it; the default
        // installation logs to the platform's state directory.
        let log_dir = match data_origin {
            Origin::Platform => platform()?
                .state_dir()
                .map_or_else(|| data_dir.clone(), |d| d.to_path_buf()),
            _ => data_dir.clone(),
        };
        Ok(Paths {
            config_file,
            config_origin,
            log_file: log_dir.join("tldops.log"),
            data_dir,
            data_origin,
        })
    }

    pub fn database(&self) -> PathBuf {
        self.data_dir.join(DATABASE_FILE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let map: HashMap<String, OsString> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn flag_beats_env_beats_platform() {
        let e = env(&[(CONFIG_ENV, "/env/c.toml"), (DATA_DIR_ENV, "/env/data")]);
        let p = Paths::resolve(Some("/flag/c.toml".into()), None, &e).unwrap();
        assert_eq!(p.config_file, PathBuf::from("/flag/c.toml"));
        assert_eq!(p.config_origin, Origin::Flag);
        assert_eq!(p.data_dir, PathBuf::from("/env/data"));
        assert_eq!(p.data_origin, Origin::Env);
        assert_eq!(p.log_file, PathBuf::from("/env/data/tldops.log"));
        assert_eq!(p.database(), PathBuf::from("/env/data/tldops.sqlite3"));

        let p = Paths::resolve(None, None, env(&[(CONFIG_ENV, "")])).unwrap();
        assert_eq!(
            p.config_origin,
            Origin::Platform,
            "empty variable counts as unset"
        );
        assert!(p.config_file.ends_with("tldops/config.toml"));
    }
}
