//! The files of a test Dovecot (directories, certificates, password file, `dovecot.conf`) and
//! the system accounts it runs as, root or not.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use super::certs;
use super::dovecot::{PASSWORD, USER};

/// How a test server differs from the default (TLS on, plaintext LOGIN allowed, passwords only).
#[derive(Clone, Debug)]
pub struct Options {
    /// STARTTLS on the plain port and an implicit-TLS port.
    pub tls: bool,
    /// `disable_plaintext_auth = yes`: LOGINDISABLED (and no AUTH=PLAIN) on the plain port
    /// before STARTTLS, for clients whose address is not the server's own.
    pub login_disabled: bool,
    /// XOAUTH2 and OAUTHBEARER, checked by the introspection endpoint on this 127.0.0.1 port.
    pub oauth2_introspection_port: Option<u16>,
    /// `mail_max_userip_connections`: a server that refuses a second connection.
    pub max_connections: Option<u32>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tls: true,
            login_disabled: false,
            oauth2_introspection_port: None,
            max_connections: None,
        }
    }
}

/// Which system accounts run what, and who owns the mail files.
pub struct Accounts {
    root: bool,
    internal_user: String,
    login_user: String,
    internal_group: String,
    mail_uid: u32,
    mail_gid: u32,
}

impl Accounts {
    /// As root: Dovecot refuses to run its login or mail processes as root, so they run as
    /// the package's `dovenull` and `dovecot` users. Otherwise: everything as the caller.
    pub fn current() -> Accounts {
        if id(&["-u"]) == "0" {
            Accounts {
                root: true,
                internal_user: "dovecot".into(),
                login_user: "dovenull".into(),
                internal_group: id(&["-gn", "dovecot"]),
                mail_uid: id(&["-u", "dovecot"]).parse().expect("uid of dovecot"),
                mail_gid: id(&["-g", "dovecot"]).parse().expect("gid of dovecot"),
            }
        } else {
            let user = id(&["-un"]);
            Accounts {
                root: false,
                internal_user: user.clone(),
                login_user: user,
                internal_group: id(&["-gn"]),
                mail_uid: id(&["-u"]).parse().expect("own uid"),
                mail_gid: id(&["-g"]).parse().expect("own gid"),
            }
        }
    }

    /// Hands a file we wrote to the mail user (a no-op unprivileged: it is already ours).
    pub fn give(&self, path: &Path) {
        if self.root {
            std::os::unix::fs::chown(path, Some(self.mail_uid), Some(self.mail_gid))
                .unwrap_or_else(|e| panic!("chown {}: {e}", path.display()));
        }
    }
}

/// Directories, the TLS files and the password file; the home belongs to the mail user.
pub fn prepare(dir: &Path, accounts: &Accounts, tls: bool) {
    // Dovecot's unprivileged processes must reach the files below.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    for sub in [
        "run",
        "state",
        "home/Maildir/cur",
        "home/Maildir/new",
        "home/Maildir/tmp",
    ] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    for sub in [
        "home",
        "home/Maildir",
        "home/Maildir/cur",
        "home/Maildir/new",
        "home/Maildir/tmp",
    ] {
        accounts.give(&dir.join(sub));
    }
    if tls {
        let c = certs::generate();
        std::fs::write(dir.join("ca.pem"), c.ca_pem).unwrap();
        std::fs::write(dir.join("server.pem"), c.server_pem).unwrap();
        std::fs::write(dir.join("server.key"), c.server_key_pem).unwrap();
    }
    let (uid, gid, home) = (accounts.mail_uid, accounts.mail_gid, dir.join("home"));
    let line = format!(
        "{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{}::\n",
        home.display()
    );
    std::fs::write(dir.join("passwd"), line).unwrap();
}

/// `dovecot.conf`: everything inside `dir`, plaintext LOGIN allowed on `plain_port`, implicit
/// TLS on `tls_port` (with `ssl = no` when there is none, so STARTTLS is not offered either).
pub fn write_config(
    dir: &Path,
    accounts: &Accounts,
    instance: &str,
    plain_port: u16,
    tls_port: Option<u16>,
    options: &Options,
) {
    let d = dir.display();
    let plaintext = if options.login_disabled { "yes" } else { "no" };
    let (mechanisms, oauth2_passdb) = match options.oauth2_introspection_port {
        Some(port) => {
            std::fs::write(
                dir.join("oauth2.conf.ext"),
                format!(
                    "introspection_mode = post\n\
                     introspection_url = http://127.0.0.1:{port}/introspect\n\
                     username_attribute = username\n\
                     active_attribute = active\n\
                     active_value = true\n"
                ),
            )
            .unwrap();
            (
                "plain login xoauth2 oauthbearer",
                format!(
                    "passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  \
                     args = {d}/oauth2.conf.ext\n}}\n"
                ),
            )
        }
        None => ("plain login", String::new()),
    };
    let a = accounts;
    let (ssl, tls_listener) = match tls_port {
        Some(port) => (
            format!("ssl = yes\nssl_cert = <{d}/server.pem\nssl_key = <{d}/server.key\n"),
            format!("  inet_listener imaps {{\n    port = {port}\n    ssl = yes\n  }}\n"),
        ),
        None => ("ssl = no\n".to_string(), String::new()),
    };
    // Unprivileged, the login processes cannot chroot.
    let chroot = if a.root { "" } else { "  chroot =\n" };
    let max_connections = options.max_connections.map_or(String::new(), |n| {
        format!("protocol imap {{\n  mail_max_userip_connections = {n}\n}}\n")
    });
    let config = format!(
        "# Written by tests/integration/support/dovecot_files.rs for one test.
protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
instance_name = {instance}
log_path = {d}/dovecot.log
{ssl}disable_plaintext_auth = {plaintext}
auth_mechanisms = {mechanisms}
auth_failure_delay = 0
mailbox_idle_check_interval = 1 secs
first_valid_uid = {uid}
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
mail_location = maildir:~/Maildir
{oauth2_passdb}passdb {{
  driver = passwd-file
  args = scheme=PLAIN {d}/passwd
}}
userdb {{
  driver = passwd-file
  args = {d}/passwd
}}
service imap-login {{
{chroot}  inet_listener imap {{
    port = {plain_port}
  }}
{tls_listener}}}
service anvil {{
{chroot}}}
{max_connections}",
        uid = a.mail_uid,
        internal = a.internal_user,
        group = a.internal_group,
        login = a.login_user,
    );
    std::fs::write(dir.join("dovecot.conf"), config).unwrap();
}

/// `id ARGS`, trimmed; panics with a hint when the account is missing.
fn id(args: &[&str]) -> String {
    let out = Command::new("id").args(args).output().expect("run id");
    assert!(
        out.status.success(),
        "`id {}` failed: {} (is dovecot-core installed? apt-get install dovecot-imapd)",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr).trim()
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
