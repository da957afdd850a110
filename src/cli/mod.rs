//! The command-line front end: parses arguments, calls the service, prints. No logic of its own.

mod args;
mod config;
mod log;
mod messages;
mod output;
mod poll;
mod roster;

use std::io;

use anyhow::Result;
use clap::CommandFactory;

pub use args::Cli;
use args::{Command, ConfigCommand, LogArgs, PollArgs, RosterCommand, Shell};

use crate::config::{Config, Paths};
use crate::service::{ImportOptions, RosterFilter, Service};
use crate::store::{EventFilter, MessageFilter, Store};

pub fn run(cli: Cli) -> Result<()> {
    if let Command::Completions { shell } = cli.command {
        let shell = match shell {
            Shell::Bash => clap_complete::Shell::Bash,
            Shell::Zsh => clap_complete::Shell::Zsh,
            Shell::Fish => clap_complete::Shell::Fish,
        };
        clap_complete::generate(shell, &mut Cli::command(), "tldops", &mut io::stdout());
        return Ok(());
    }
    let paths = Paths::resolve(cli.config, cli.data_dir, |k| std::env::var_os(k))?;
    crate::logging::init(&paths.log_file, cli.verbose);
    let config = Config::load(&paths)?;
    tracing::debug!(config = %paths.config_file.display(), data = %paths.data_dir.display(), "starting");

    if let Command::Config(ConfigCommand::Check { secrets }) = cli.command {
        return config::check(&paths, &config, secrets);
    }
    let store = Store::open(&paths.database())?;
    let mut service = Service::new(store, config, crate::operator::current_login()?);
    match cli.command {
        Command::Roster(RosterCommand::Import {
            file,
            format,
            dry_run,
            merge,
        }) => roster::import(
            &mut service,
            &file,
            ImportOptions {
                format: format.map(Into::into),
                dry_run,
                merge,
            },
        ),
        Command::Roster(RosterCommand::List {
            json,
            region,
            state,
            all,
        }) => roster::list(
            &service,
            &RosterFilter {
                region,
                state,
                include_retired: all,
            },
            json.json,
        ),
        Command::Roster(RosterCommand::Show { tld, json }) => {
            roster::show(&service, &tld, json.json)
        }
        Command::Poll(PollArgs {
            maildir,
            mbox,
            watch,
        }) => {
            if maildir.is_some() || mbox.is_some() {
                messages::poll_local(&mut service, maildir.as_deref(), mbox.as_deref())
            } else {
                poll::imap(&mut service, watch)
            }
        }
        Command::Messages { json, verdict, tld } => {
            let tld = match tld {
                Some(t) => Some(service.tld(&t)?.tld.code.to_string()),
                None => None,
            };
            messages::list(&service, &MessageFilter { verdict, tld }, json.json)
        }
        Command::Assign { message, tld } => messages::assign(&mut service, &message, &tld),
        Command::Log(LogArgs {
            json,
            tld,
            operator,
            limit,
            verify,
        }) => {
            if verify {
                return log::verify(&service, json.json);
            }
            let tld = match tld {
                Some(t) => Some(service.tld(&t)?.tld.code.to_string()),
                None => None,
            };
            log::list(
                &service,
                &EventFilter {
                    tld,
                    operator,
                    limit,
                },
                json.json,
            )
        }
        Command::Config(_) | Command::Completions { .. } => unreachable!("handled above"),
    }
}
