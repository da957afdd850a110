//! `tldops config check`.

use anyhow::{Result, bail};

use crate::config::{Config, MembersBackend, Paths, Transport};

pub fn check(paths: &Paths, config: &Config, secrets: bool) -> Result<()> {
    let line = labelled_line();
    let exists = paths.config_file.exists();
    line(
        "config",
        format!(
            "{} ({}{})",
            paths.config_file.display(),
            paths.config_origin,
            if exists {
                ""
            } else {
                "; not found, using defaults"
            }
        ),
    );
    line(
        "data dir",
        format!("{} ({})", paths.data_dir.display(), paths.data_origin),
    );
    let db = paths.database();
    let schema = if db.exists() {
        format!("schema version {}", crate::service::schema_version(&db)?)
    } else {
        "not created yet".into()
    };
    line("database", format!("{} ({schema})", db.display()));
    line("log file", paths.log_file.display().to_string());
    line(
        "list",
        format!(
            "{} (at most {} contacts per ccTLD)",
            config.list.name, config.list.max_contacts
        ),
    );
    let missing: Vec<&str> = [
        ("secretariat", config.list.secretariat.is_none()),
        ("address", config.list.address.is_none()),
    ]
    .into_iter()
    .filter_map(|(key, missing)| missing.then_some(key))
    .collect();
    if !missing.is_empty() {
        line(
            "warning",
            format!(
                "no [list] {}: invite, chase, approve, reject and digest need it to send mail",
                missing.join(" or ")
            ),
        );
    }
    line(
        "imap",
        match &config.imap {
            Some(i) => format!(
                "{}@{}:{} tls={} auth={} mailbox={} every {}s",
                i.username,
                i.host,
                i.port(),
                i.tls.as_str(),
                i.auth.map_or("best offered", |a| a.as_str()),
                i.mailbox,
                i.poll_interval.0.as_secs()
            ),
            None => "not configured ([imap] is needed to poll the admin mailbox)".into(),
        },
    );
    line(
        "outgoing",
        match &config.outgoing {
            Some(o) if o.transport == Transport::Smtp => format!(
                "smtp {}:{} tls={}",
                o.host.as_deref().unwrap_or_default(),
                o.port(),
                o.tls.as_str()
            ),
            o => format!(
                "file: .eml files into {} (nothing is sent)",
                o.as_ref()
                    .and_then(|o| o.dir.clone())
                    .unwrap_or_else(|| paths.data_dir.join("sent-mail"))
                    .display()
            ),
        },
    );
    line(
        "members",
        match (
            config.members.backend,
            &config.members.mailman3,
            &config.members.email_command,
        ) {
            (MembersBackend::Mailman3, Some(m), _) => {
                format!("mailman3 {} list {} as {}", m.url, m.list_id, m.username)
            }
            (MembersBackend::EmailCommand, _, Some(e)) => format!(
                "email-command to {} (\"{}\" / \"{}\")",
                e.request_address, e.subscribe, e.unsubscribe
            ),
            _ => format!("export ({})", config.members.export.format.as_str()),
        },
    );
    if secrets {
        check_secrets(config)?;
    }
    println!("ok");
    Ok(())
}

/// Prints a label and its value, fitted to the terminal ([`super::output::labelled`]).
fn labelled_line() -> impl Fn(&str, String) {
    let columns = super::output::stdout_columns();
    move |k: &str, v: String| println!("{}", super::output::labelled(k, &v, columns))
}

/// Runs every configured password command, so a broken one is found now, not at 3 a.m.
fn check_secrets(config: &Config) -> Result<()> {
    let line = labelled_line();
    let mut sources = Vec::new();
    if let Some(i) = &config.imap {
        sources.push(("imap", i.secret()));
    }
    if let Some(o) = &config.outgoing {
        sources.push(("outgoing", o.secret()));
    }
    if let Some(m) = &config.members.mailman3 {
        sources.push(("members.mailman3", m.secret()));
    }
    let mut failed = Vec::new();
    let tokens = [
        (
            "imap",
            config
                .imap
                .as_ref()
                .and_then(|i| i.oauth2_token_command.as_ref()),
        ),
        (
            "outgoing",
            config
                .outgoing
                .as_ref()
                .and_then(|o| o.oauth2_token_command.as_ref()),
        ),
    ];
    for (section, command) in tokens {
        let Some(command) = command else { continue };
        let what = format!("{section} oauth2");
        let key = format!("{section}.oauth2_token_command");
        // Only the server can tell a good token from a stale one: it is tried at login.
        match crate::config::oauth2_token(&key, command) {
            Ok(_) => line(
                "secret",
                format!("{what} token: printed (the server checks it: tldops poll)"),
            ),
            Err(e) => {
                line("secret", format!("{what} token: FAILED: {e}"));
                failed.push(format!("the {what} token"));
            }
        }
    }
    for (what, source) in sources {
        let Some(source) = source else { continue };
        match source.resolve() {
            Ok(_) => line("secret", format!("{what}: ok")),
            Err(e) => {
                line("secret", format!("{what}: FAILED: {e}"));
                failed.push(format!("the {what} password"));
            }
        }
    }
    if !failed.is_empty() {
        bail!("cannot get {}", failed.join(", "));
    }
    Ok(())
}
