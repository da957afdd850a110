//! The command line, as clap types. Help text here is what `tldops --help` shows.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::domain::case::CaseState;
use crate::domain::language::Language;
use crate::domain::region::Region;
use crate::domain::roster::Format;
use crate::domain::triage::Verdict;

#[derive(Debug, Parser)]
#[command(
    name = "tldops",
    version,
    about = "The admission desk of TLD-OPS: invite ccTLD admin contacts, triage their replies, \
             keep the roster of security contacts",
    max_term_width = 100,
    after_help = "Without a command, tldops opens the full-screen terminal UI (`?` there lists its keys)."
)]
pub struct Cli {
    /// Config file [env: TLDOPS_CONFIG] [default: the platform config dir's tldops/config.toml]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Data directory holding the database [env: TLDOPS_DATA_DIR] [default: the platform data dir]
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// More detail on stderr (-v: progress, -vv: debugging); the log file always has it
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// No colours in the terminal UI (also when NO_COLOR is set); glyphs carry the meaning
    #[arg(long, global = true)]
    pub no_color: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The terminal UI on a throwaway data dir seeded with the demo roster, a pilot of
    /// invitations and a mailbox of replies: no server needed
    Demo {
        /// Keep the demo's data dir afterwards (its path is printed)
        #[arg(long)]
        keep: bool,
    },
    /// Check the configuration and show the resolved paths
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Import, list and show the ccTLD roster
    #[command(subcommand)]
    Roster(RosterCommand),
    /// Fetch new mail from the admin mailbox (or a Maildir / mbox) and triage it
    Poll(PollArgs),
    /// List ingested messages with their verdict, TLD, reason and contacts
    Messages {
        #[command(flatten)]
        json: JsonFlag,
        /// Only messages with this verdict
        #[arg(long, value_parser = parse_verdict)]
        verdict: Option<Verdict>,
        /// Only messages about this TLD
        #[arg(long)]
        tld: Option<String>,
    },
    /// File an ambiguous or unrelated message under a TLD (logged)
    Assign {
        /// The message's Message-ID (without <>), or #ID as `tldops messages` shows it
        message: String,
        /// The TLD it is about
        tld: String,
        /// Show what it would do; change and send nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// What waits for an operator, most urgent first
    Queue {
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Invite TLDs' IANA admin contacts to name their security contacts
    Invite {
        #[command(flatten)]
        select: SelectArgs,
        /// Invite TLDs that were invited (or decided) before
        #[arg(long)]
        again: bool,
        /// Show who would get which mail; change and send nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Remind admin contacts who have not answered
    Chase {
        /// Every case whose invitation or last reminder is older than [chase] after
        #[arg(long)]
        due: bool,
        /// These TLDs (now, due or not)
        #[arg(long = "tld", value_name = "TLD", num_args = 1..)]
        tlds: Vec<String>,
        /// Show who would get which mail; change and send nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// The yearly re-confirmation: mail each due ccTLD's admin contact its current contacts
    /// and ask to confirm or correct them; remind those who have not answered
    Reconfirm {
        /// Every approved ccTLD that is due a request or a reminder ([reconfirm] every,
        /// after; at once after its IANA admin address changed)
        #[arg(long, conflicts_with = "tlds")]
        due: bool,
        /// These ccTLDs (now, due or not)
        #[arg(long = "tld", value_name = "TLD", num_args = 1..)]
        tlds: Vec<String>,
        /// Show who would get which mail; change and send nothing
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Record that a ccTLD's admin contact confirmed its contacts (a verified reply to the
    /// re-confirmation)
    Confirm {
        tld: String,
        /// Show what it would do; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Forward requests (to join, or to change contacts) to the TLD's IANA admin contact for
    /// authorisation; the admin's verified reply makes the requested contacts proposals
    Ask {
        tld: String,
        /// The request (#ID as `tldops messages` shows it, or its Message-ID); repeat it to
        /// ask about several at once
        #[arg(long = "message", value_name = "N", required = true, num_args = 1..)]
        messages: Vec<String>,
        /// Show what it would do; change and send nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Remove a member who asked to leave (a `remove` in the queue), telling them and
    /// copying the admin contact
    Remove {
        /// Their message (#ID, or its Message-ID)
        #[arg(long, value_name = "N")]
        message: String,
        /// Show what it would do; change and send nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Dismiss a request (a `request` or `remove` in the queue) without mailing anyone: spam,
    /// or a request already handled another way. Logged, with the reason
    Dismiss {
        /// The request (#ID as `tldops messages` shows it, or its Message-ID)
        #[arg(long, value_name = "N")]
        message: String,
        /// Why (logged)
        #[arg(long, value_name = "REASON")]
        reason: Option<String>,
        /// Show what it would do; change nothing
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Approve a TLD's proposed contacts: subscribe them, send the approval and welcome mails
    Approve {
        tld: String,
        /// Only these proposed contacts (emails, comma-separated)
        #[arg(long, value_delimiter = ',')]
        contacts: Vec<String>,
        /// Accept an unverified or suspicious reply, for this reason (logged)
        #[arg(long, value_name = "REASON")]
        override_reason: Option<String>,
        /// Show what it would do; change and send nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Reject a TLD's reply, telling the admin contact why
    Reject {
        tld: String,
        #[arg(long)]
        reason: String,
        /// Show what it would do; change and send nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Correct proposed contacts before approval, or remove a member
    #[command(subcommand)]
    Contacts(ContactsCommand),
    /// The list's members: export them, or retry the list server
    #[command(subcommand)]
    Members(MembersCommand),
    /// Compose the monthly contact-repository mail (and with --send, send it to the list)
    Digest {
        /// Queue it to the list address and send it (once a month)
        #[arg(long)]
        send: bool,
        /// Send it even though this month's went out already
        #[arg(long, requires = "send")]
        again: bool,
    },
    /// Coverage: ccTLDs on the list, by region, the funnel, days to answer
    Stats {
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Write the coverage report: one self-contained HTML page (inline SVG and CSS, no
    /// script), its numbers those of `stats --json`
    Report {
        /// The page to write (created readable by its owner only, or the team's in a setgid
        /// directory)
        #[arg(long, value_name = "FILE")]
        html: PathBuf,
        /// Also name every member (name, address, phone): not for publishing
        #[arg(long)]
        with_contacts: bool,
    },
    /// Outgoing mail: list it, send what is due, retry a failed or interrupted mail
    Outbox {
        #[command(subcommand)]
        command: Option<OutboxCommand>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Show the audit log, or verify its hash chain
    Log(LogArgs),
    /// Print shell completions
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the man page (roff), for `man 1 tldops`
    Man,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the config file and print the paths tldops uses
    Check {
        /// Also run the password commands (and read the variables) to check they work
        #[arg(long)]
        secrets: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum RosterCommand {
    /// Import the roster from a CSV file or IANA whois text; reports what changed
    Import {
        /// CSV (tld,country,admin_name,admin_email,tech_name,tech_email,region) or whois.iana.org records
        file: PathBuf,
        /// The file's format (default: detected)
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
        /// Show what would change; store nothing
        #[arg(long)]
        dry_run: bool,
        /// Only add and update TLDs; do not retire the ones the file does not list
        #[arg(long, conflicts_with = "prune")]
        merge: bool,
        /// Retire the TLDs the file does not list (without it, or --merge, an import that
        /// would retire any is refused, naming them)
        #[arg(long)]
        prune: bool,
    },
    /// List the TLDs with their state
    List {
        #[command(flatten)]
        json: JsonFlag,
        /// Only this regional organisation (CENTR, APTLD, LACTLD, AFTLD)
        #[arg(long, value_parser = parse_region)]
        region: Option<Region>,
        /// Only TLDs whose case is in this state
        #[arg(long, value_parser = parse_state)]
        state: Option<CaseState>,
        /// Include TLDs retired from the roster
        #[arg(long)]
        all: bool,
    },
    /// Change a TLD's settings: the language of its mail
    Set {
        /// The TLD: nl, .NL, xn--p1ai or рф
        tld: String,
        /// The language its mail is written in (en, fr, es, ar, ru, zh), with the English text
        /// below; `default` for the default by country
        #[arg(long, value_parser = parse_language)]
        language: LanguageArg,
    },
    /// Show one TLD: contacts, case and history
    Show {
        /// The TLD: nl, .NL, xn--p1ai or рф
        tld: String,
        #[command(flatten)]
        json: JsonFlag,
    },
}

#[derive(Debug, Args)]
pub struct SelectArgs {
    /// These TLDs
    #[arg(long = "tld", value_name = "TLD", num_args = 1.., conflicts_with_all = ["region", "all"])]
    pub tlds: Vec<String>,
    /// Every TLD of this regional organisation
    #[arg(long, value_parser = parse_region, conflicts_with = "all")]
    pub region: Option<Region>,
    /// Every TLD in the roster
    #[arg(long)]
    pub all: bool,
    /// Only the first N of the selection (by code): a pilot batch
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// A TLD's contacts: proposed, approved, subscribed, removed (each line one that
    /// `contacts set` takes back)
    List {
        tld: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Replace a TLD's proposed contacts: each CONTACT is "email[,name[,phone]]", or
    /// "Name <email>[, phone]" as `contacts list` prints it
    Set {
        tld: String,
        #[arg(required = true, value_name = "CONTACT")]
        contacts: Vec<String>,
        /// Show what it would do; change and send nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Unsubscribe a member from the list
    Remove {
        tld: String,
        email: String,
        #[arg(long)]
        reason: Option<String>,
        /// Show what it would do; change and send nothing
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MembersCommand {
    /// Print the members for the list server's import tool, or a regional organisation's
    Export {
        /// The format (default: members.export.format of the config, else csv); json is
        /// versioned and documented (docs/members-export.md)
        #[arg(long, value_enum)]
        format: Option<ExportArg>,
        /// Only the members of this regional organisation's ccTLDs (CENTR, APTLD, LACTLD, AFTLD)
        #[arg(long, value_parser = parse_region)]
        region: Option<Region>,
        /// Write to this file instead of stdout
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Retry subscriptions and removals the list server has not confirmed
    Sync,
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Send every mail that is due now
    Send,
    /// Queue a failed mail again (after fixing its cause)
    Retry {
        /// The mail's Message-ID, as `tldops outbox` lists it
        message_id: String,
    },
    /// Send an interrupted mail again: its receiver may get it twice
    Resend {
        /// The mail's Message-ID, as `tldops outbox` lists it
        message_id: String,
    },
    /// Record an interrupted mail as sent (its receiver has it)
    #[command(name = "mark-sent")]
    MarkSent {
        /// The mail's Message-ID, as `tldops outbox` lists it
        message_id: String,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ExportArg {
    Csv,
    Mailman,
    Vcard,
    Json,
}

#[derive(Debug, Args)]
pub struct PollArgs {
    /// Ingest a local Maildir (cur/ and new/) instead of the IMAP mailbox
    #[arg(long, value_name = "DIR", conflicts_with_all = ["mbox", "watch"])]
    pub maildir: Option<PathBuf>,
    /// Ingest a local mbox file instead of the IMAP mailbox
    #[arg(long, value_name = "FILE", conflicts_with = "watch")]
    pub mbox: Option<PathBuf>,
    /// Keep polling every imap.poll_interval until interrupted
    #[arg(long)]
    pub watch: bool,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    #[command(flatten)]
    pub json: JsonFlag,
    /// Only events about this TLD
    #[arg(long)]
    pub tld: Option<String>,
    /// Only events by this operator (OS login)
    #[arg(long)]
    pub operator: Option<String>,
    /// Show at most this many events (newest first)
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Check the log instead of listing: the hash chain from its genesis, ids without gaps,
    /// the append-only triggers, and that the events explain every case and member; exits 1
    /// naming each problem (always the whole log: it cannot be checked in part)
    #[arg(long, conflicts_with_all = ["tld", "operator", "limit"])]
    pub verify: bool,
    /// With --verify: a head recorded earlier (`log --verify`, the digest) must still be in the
    /// chain — the current head, or an earlier event's if the log has grown since
    #[arg(long, value_name = "HASH", requires = "verify")]
    pub head: Option<String>,
}

#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormatArg {
    Csv,
    Iana,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Csv => Format::Csv,
            FormatArg::Iana => Format::Iana,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

fn parse_region(s: &str) -> Result<Region, String> {
    s.parse()
}

/// `--language`: a language, or `default` (the default by country).
#[derive(Clone, Copy, Debug)]
pub struct LanguageArg(pub Option<Language>);

fn parse_language(s: &str) -> Result<LanguageArg, String> {
    if s.eq_ignore_ascii_case("default") {
        return Ok(LanguageArg(None));
    }
    s.parse()
        .map(|l| LanguageArg(Some(l)))
        .map_err(|e: String| format!("{e}, or default"))
}

fn parse_state(s: &str) -> Result<CaseState, String> {
    s.parse()
}

fn parse_verdict(s: &str) -> Result<Verdict, String> {
    s.parse()
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
