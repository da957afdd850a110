//! The command-line front end: parses arguments, calls the service, prints. No logic of its own.

mod args;
mod config;
mod contacts;
pub mod demo;
mod log;
mod messages;
mod output;
mod poll;
mod roster;
mod workflow;

use std::io;

use anyhow::Result;
use clap::CommandFactory;

pub use args::Cli;
use args::{
    Command, ConfigCommand, ContactsCommand, ExportArg, LogArgs, MembersCommand, OutboxCommand,
    PollArgs, RosterCommand, Shell,
};

use crate::config::ExportFormat;
use crate::config::{Config, ConfigError, Paths};
use crate::installation::Installation;
use crate::service::{Command as Action, ImportOptions, RosterFilter, Selection, Templates};
use crate::service::{EventFilter, MessageFilter};

/// Prints a failed command's error on stderr, fitted to the terminal ([`output::error_text`]).
pub fn print_error(e: &anyhow::Error) {
    eprintln!(
        "{}",
        output::error_text(&format!("{e:#}"), output::stderr_columns())
    );
}

pub fn run(cli: Cli) -> Result<()> {
    let color = !cli.no_color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    if let Some(Command::Man) = cli.command {
        clap_mangen::Man::new(Cli::command()).render(&mut io::stdout())?;
        return Ok(());
    }
    if let Some(Command::Completions { shell }) = cli.command {
        let shell = match shell {
            Shell::Bash => clap_complete::Shell::Bash,
            Shell::Zsh => clap_complete::Shell::Zsh,
            Shell::Fish => clap_complete::Shell::Fish,
        };
        clap_complete::generate(shell, &mut Cli::command(), "tldops", &mut io::stdout());
        return Ok(());
    }
    if let Some(Command::Demo { keep }) = cli.command {
        return demo::run(cli.data_dir.as_deref(), keep, color);
    }
    if cli.command.is_none() && !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return crate::service::usage(
            "the terminal UI needs a terminal (in scripts use a command: tldops queue, tldops --help)",
        );
    }
    let paths = Paths::resolve(cli.config, cli.data_dir, |k| std::env::var_os(k))?;
    if needs_installation(cli.command.as_ref()) && !paths.database().exists() {
        // A mistyped --data-dir must not become a new, empty installation (not even its log).
        // The likeliest slip: the directory given to `tldops demo`, whose data is in data/.
        let demo = paths.data_dir.join("data");
        if demo.join(crate::config::DATABASE_FILE).exists() {
            return crate::service::usage(format!(
                "no installation at {} (a demo keeps its data in {}: use --config {} --data-dir {})",
                paths.data_dir.display(),
                demo.display(),
                paths.data_dir.join("config.toml").display(),
                demo.display()
            ));
        }
        return crate::service::usage(format!(
            "no installation at {} (run `tldops roster import` or `tldops demo`)",
            paths.data_dir.display()
        ));
    }
    // The terminal UI draws on the terminal: diagnostics go to the log file only.
    let to_stderr = cli.command.is_some();
    // `config check` reads; it does not make a data dir (it says "not created yet") for its log.
    let checking = matches!(
        &cli.command,
        Some(Command::Config(ConfigCommand::Check { .. }))
    );
    let log_file = (!checking || paths.data_dir.exists()).then_some(paths.log_file.as_path());
    crate::logging::init(log_file, cli.verbose, to_stderr);
    let config = Config::load(&paths)?;
    if let Err((key, message)) = crate::tui::check_keys(&config.keys) {
        let text = std::fs::read_to_string(&paths.config_file).unwrap_or_default();
        return Err(ConfigError::at_key(&paths.config_file, &text, &key, message).into());
    }
    tracing::debug!(config = %paths.config_file.display(), data = %paths.data_dir.display(), "starting");

    if let Some(Command::Config(ConfigCommand::Check { secrets })) = cli.command {
        return config::check(&paths, &config, secrets);
    }
    let templates = match paths.config_file.parent() {
        Some(dir) => Templates::load(&dir.join("templates"))?,
        None => Templates::bundled(),
    };
    let install = Installation::new(paths, config, templates)?;
    let Some(command) = cli.command else {
        let tui = install.tui(None, color)?;
        // From here on the screen and the keys are the TUI's.
        crate::config::commands_without_terminal();
        return crate::tui::run(tui);
    };
    let mut service = install.service()?;
    match command {
        Command::Roster(RosterCommand::Import {
            file,
            format,
            dry_run,
            merge,
            prune,
        }) => roster::import(
            &mut service,
            &file,
            ImportOptions {
                format: format.map(Into::into),
                dry_run,
                merge,
                prune,
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
        Command::Roster(RosterCommand::Set { tld, language }) => {
            roster::set_language(&service, &tld, language.0)
        }
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
                poll::imap(&mut service, &install, watch, cli.verbose > 0)
            }
        }
        Command::Messages { json, verdict, tld } => {
            let tld = match tld {
                Some(t) => Some(service.tld(&t)?.tld.code.to_string()),
                None => None,
            };
            messages::list(&service, &MessageFilter { verdict, tld }, json.json)
        }
        Command::Assign {
            message,
            tld,
            dry_run,
        } => {
            let command = Action::Assign { message, tld };
            if dry_run {
                return workflow::print_plan(&service, &command);
            }
            messages::assign(&mut service, &install, &command)
        }
        Command::Queue { json } => workflow::queue(&service, json.json),
        Command::Invite {
            select,
            again,
            dry_run,
        } => {
            let selection = Selection {
                tlds: select.tlds,
                region: select.region,
                all: select.all,
                limit: select.limit,
            };
            let command = Action::Invite { selection, again };
            if dry_run {
                return workflow::print_plan(&service, &command);
            }
            workflow::perform(&mut service, &install, &command).map(|_| ())
        }
        Command::Chase { due, tlds, dry_run } => {
            let command = Action::Chase {
                tlds,
                due_only: due,
            };
            if dry_run {
                return workflow::print_plan(&service, &command);
            }
            workflow::perform(&mut service, &install, &command).map(|_| ())
        }
        Command::Reconfirm {
            due,
            tlds,
            dry_run,
            json,
        } => {
            let command = Action::Reconfirm {
                tlds,
                due_only: due,
            };
            if dry_run && !json.json {
                return workflow::print_plan(&service, &command);
            }
            if dry_run {
                return workflow::print_effects_json(&service.plan(&command)?.effects, None);
            }
            if json.json {
                let outcome = workflow::perform_quietly(&mut service, &install, &command)?;
                return workflow::print_effects_json(&outcome.effects, Some(&outcome.deliveries));
            }
            workflow::perform(&mut service, &install, &command).map(|_| ())
        }
        Command::Ask {
            tld,
            messages,
            dry_run,
        } => {
            let command = Action::Ask { tld, messages };
            if dry_run {
                return workflow::print_plan(&service, &command);
            }
            workflow::perform(&mut service, &install, &command).map(|_| ())
        }
        Command::Remove { message, dry_run } => {
            let command = Action::Remove { message };
            if dry_run {
                return workflow::print_plan(&service, &command);
            }
            workflow::perform(&mut service, &install, &command).map(|_| ())
        }
        Command::Dismiss {
            message,
            reason,
            dry_run,
            json,
        } => {
            let command = Action::Dismiss {
                message: message.clone(),
                reason,
            };
            if !json.json {
                if dry_run {
                    return workflow::print_plan(&service, &command);
                }
                return workflow::perform(&mut service, &install, &command).map(|_| ());
            }
            let effects = if dry_run {
                service.plan(&command)?.effects
            } else {
                workflow::perform_quietly(&mut service, &install, &command)?.effects
            };
            workflow::print_dismissal_json(&service, &message, dry_run, &effects)
        }
        Command::Confirm { tld, dry_run } => {
            let command = Action::Confirm { tld };
            if dry_run {
                return workflow::print_plan(&service, &command);
            }
            workflow::perform(&mut service, &install, &command).map(|_| ())
        }
        Command::Approve {
            tld,
            contacts,
            override_reason,
            dry_run,
        } => {
            let command = Action::Approve {
                tld,
                contacts,
                override_reason,
            };
            if dry_run {
                return workflow::print_plan(&service, &command);
            }
            workflow::perform(&mut service, &install, &command).map(|_| ())
        }
        Command::Reject {
            tld,
            reason,
            dry_run,
        } => {
            let command = Action::Reject { tld, reason };
            if dry_run {
                return workflow::print_plan(&service, &command);
            }
            workflow::perform(&mut service, &install, &command).map(|_| ())
        }
        Command::Contacts(ContactsCommand::List { tld, json }) => {
            contacts::list(&service, &tld, json.json)
        }
        Command::Contacts(ContactsCommand::Set {
            tld,
            contacts,
            dry_run,
        }) => {
            let parsed = contacts
                .iter()
                .map(|c| crate::domain::triage::Contact::from_line(c))
                .collect::<Result<Vec<_>, _>>()
                .or_else(crate::service::usage)?;
            let n = parsed.len();
            let command = Action::SetContacts {
                tld: tld.clone(),
                contacts: parsed,
            };
            if dry_run {
                return workflow::print_plan(&service, &command);
            }
            service.perform(&command, &mut |_| Ok(None))?;
            println!(
                "{} set for .{tld}",
                crate::domain::plural(n, "proposed contact")
            );
            Ok(())
        }
        Command::Contacts(ContactsCommand::Remove {
            tld,
            email,
            reason,
            dry_run,
        }) => {
            let command = Action::RemoveContact { tld, email, reason };
            if dry_run {
                return workflow::print_plan(&service, &command);
            }
            workflow::perform(&mut service, &install, &command).map(|_| ())
        }
        Command::Members(MembersCommand::Export {
            format,
            region,
            output,
        }) => {
            let format = match format {
                Some(ExportArg::Csv) => ExportFormat::Csv,
                Some(ExportArg::Mailman) => ExportFormat::Mailman,
                Some(ExportArg::Vcard) => ExportFormat::Vcard,
                Some(ExportArg::Json) => ExportFormat::Json,
                None => service.config().members.export.format,
            };
            workflow::export(&service, format, region, output.as_deref())
        }
        Command::Members(MembersCommand::Sync) => {
            let done = service.sync_members()?;
            if done.is_empty() {
                println!("nothing to sync");
            }
            for line in done {
                println!("{line}");
            }
            workflow::send(&mut service, &install)?;
            Ok(())
        }
        Command::Digest { send, again } => {
            let (subject, body, planned) = service.digest(send, again)?;
            if planned.is_some() {
                println!("queued the digest to the list: {subject}");
                workflow::send(&mut service, &install)?;
            } else {
                println!("Subject: {subject}\n\n{body}");
            }
            Ok(())
        }
        Command::Stats { json } => workflow::stats(&service, json.json),
        Command::Report {
            html,
            with_contacts,
        } => workflow::report(&service, &html, with_contacts),
        Command::Outbox { command, json } => match command {
            None => workflow::outbox(&service, json.json),
            Some(OutboxCommand::Send) => {
                let r = workflow::send(&mut service, &install)?;
                if r.sent == 0 && r.retrying.is_empty() && r.failed.is_empty() {
                    match service.outbox_backlog()? {
                        0 => println!("nothing to send"),
                        n => println!(
                            "nothing due now ({} waiting for a later retry or a decision: `tldops outbox`)",
                            output::count(n as usize, "mail")
                        ),
                    }
                }
                Ok(())
            }
            // Each says which mail, of which TLD, it changed.
            Some(OutboxCommand::Retry { message_id }) => {
                let done = service.perform(&Action::RetryMail { message_id }, &mut |_| Ok(None))?;
                done.effects.notes.iter().for_each(|n| println!("{n}"));
                workflow::send(&mut service, &install).map(|_| ())
            }
            Some(OutboxCommand::Resend { message_id }) => {
                let done =
                    service.perform(&Action::ResendMail { message_id }, &mut |_| Ok(None))?;
                done.effects.notes.iter().for_each(|n| println!("{n}"));
                workflow::send(&mut service, &install).map(|_| ())
            }
            Some(OutboxCommand::MarkSent { message_id }) => {
                let done =
                    service.perform(&Action::MarkMailSent { message_id }, &mut |_| Ok(None))?;
                done.effects.notes.iter().for_each(|n| println!("{n}"));
                Ok(())
            }
        },
        Command::Log(LogArgs {
            json,
            tld,
            operator,
            limit,
            verify,
            head,
        }) => {
            if verify {
                return log::verify(&service, head.as_deref(), json.json);
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
        Command::Config(_) | Command::Completions { .. } | Command::Man | Command::Demo { .. } => {
            unreachable!("handled above")
        }
    }
}

/// Commands (and the TUI) that need an installation already there — those that only look at
/// one, and a poll (it refuses to run before a roster is imported): on a data dir without one
/// they say so, instead of creating an empty one.
fn needs_installation(command: Option<&Command>) -> bool {
    match command {
        None => true,
        Some(c) => matches!(
            c,
            Command::Roster(RosterCommand::List { .. } | RosterCommand::Show { .. })
                | Command::Messages { .. }
                | Command::Queue { .. }
                | Command::Contacts(ContactsCommand::List { .. })
                | Command::Members(MembersCommand::Export { .. })
                | Command::Digest { send: false, .. }
                | Command::Stats { .. }
                | Command::Report { .. }
                | Command::Outbox { command: None, .. }
                | Command::Log(_)
                | Command::Poll(_)
        ),
    }
}
