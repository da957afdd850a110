//! Opening mailboxes: the configured IMAP mailbox with its password, and any mailbox again by
//! the source name stored with each of its messages (to fetch what an earlier pass left on the
//! server).

use std::path::Path;

use anyhow::Result;

use crate::config::{Config, ImapConfig, Secret};
use crate::mail::MailSource;
use crate::mail::imap::ImapSource;
use crate::mail::local::LocalSource;

/// The `[imap]` password, from its command, variable or config entry; `None` when only
/// `oauth2_token_command` is configured (the source runs that itself, when it logs in).
pub fn imap_password(imap: &ImapConfig) -> Result<Option<Secret>> {
    match imap.secret() {
        Some(source) => source
            .resolve()
            .map(Some)
            .map_err(|e| anyhow::anyhow!("imap: {e}")),
        None if imap.oauth2_token_command.is_some() => Ok(None),
        None => Err(anyhow::anyhow!("imap: no password configured")),
    }
}

/// The mailbox called `name` (`imap:…`, `maildir:PATH`, `mbox:PATH`), if this installation
/// reads it. The `[imap]` password comes from `password`, asked only when that mailbox is
/// the one wanted.
pub fn reopen(
    config: &Config,
    name: &str,
    password: &mut dyn FnMut(&ImapConfig) -> Result<Option<Secret>>,
) -> Result<Option<Box<dyn MailSource + Send>>> {
    if let Some(imap) = &config.imap
        && ImapSource::name_for(imap) == name
    {
        return Ok(Some(Box::new(ImapSource::new(imap, password(imap)?))));
    }
    if let Some(dir) = name.strip_prefix("maildir:") {
        return Ok(Some(Box::new(LocalSource::maildir(Path::new(dir))?)));
    }
    if let Some(file) = name.strip_prefix("mbox:") {
        return Ok(Some(Box::new(LocalSource::mbox(Path::new(file))?)));
    }
    Ok(None)
}
