//! Work off the UI thread: a data worker (loads what the views show, runs operator actions,
//! sends mail when it is due, notices other connections' commits when told of a write to the
//! database, see `changes.rs`) and a poller (the mailbox, with back-off). Both talk to the UI
//! over channels only, and sleep while nothing happens.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use anyhow::Result;

use super::changes::Changes;
use super::missing::Missing;
use super::state::{Command, MESSAGE_PAGE, PollStatus, Snapshot, clock_in, clock_now};
use super::update::{Msg, Refusal};
use crate::service::{
    EventFilter, Mailbox, MessageQuery, NeedsOverride, Outgoing, Plan, RosterFilter, Service,
    Wakeup, Watch,
};

/// What the data worker is asked to do.
#[derive(Debug)]
pub enum Job {
    Reload,
    LoadCase(String),
    LoadMessage(i64),
    LoadMessages(MessageQuery, usize),
    Plan(Command),
    Run(Command),
    /// The database's `-wal` file was written: maybe another connection committed.
    Changed,
}

/// How often the worker looks for other connections' commits when it is not told of them
/// (see [`Changes::Polled`]).
const LOOK: Duration = Duration::from_secs(1);
/// After looking, how long notifications of more writes wait before the next look: a commit
/// of another operator's shows this late at most.
const SETTLE: Duration = Duration::from_millis(200);
/// While writes go on (a first poll commits four times a second for minutes), one look per
/// this: a reload of the views at 50,000 messages takes a core for ~40 ms.
const BURST: Duration = Duration::from_secs(1);
/// How often mail that is due but was not sent (a transport blocked, another process's mail)
/// is tried again; mail with a retry time is tried at that time.
const RESEND: Duration = Duration::from_secs(60);

/// When the data worker next has something to do on its own: look at the database, send.
/// Nothing at all while nothing is queued and every commit is notified: an idle TUI sleeps.
#[derive(Debug)]
struct Wakeups {
    polled: bool,
    /// A notification came and was not looked into yet.
    pending: bool,
    /// One more look is due after a notified one: a commit becomes visible (in the `-shm`
    /// index, which no notification reports) just after its last write to the `-wal` file, so
    /// a look at once may come too early.
    again: bool,
    /// Looking again before this waits (see [`SETTLE`]), or with polling, the next look.
    next_look: Instant,
    next_send: Option<Instant>,
}

impl Wakeups {
    fn new(changes: &Changes, now: Instant) -> Wakeups {
        let polled = matches!(changes, Changes::Polled);
        Wakeups {
            polled,
            pending: false,
            again: false,
            next_look: if polled { now + LOOK } else { now },
            next_send: None,
        }
    }

    /// The moment to stop waiting for jobs; `None`: wait for a job (or a notification).
    fn deadline(&self) -> Option<Instant> {
        let look = (self.polled || self.pending || self.again).then_some(self.next_look);
        [look, self.next_send].into_iter().flatten().min()
    }

    /// Whether to look at the database now; if so, the next look is scheduled.
    fn look(&mut self, now: Instant) -> bool {
        if !(self.polled || self.pending || self.again) || now < self.next_look {
            return false;
        }
        // Written to since the last look, which was itself for a write: a burst.
        let burst = self.again && self.pending;
        self.again = self.pending;
        self.pending = false;
        self.next_look = now
            + if self.polled {
                LOOK
            } else if burst {
                BURST
            } else {
                SETTLE
            };
        true
    }

    /// Whether to send due mail now.
    fn send(&self, now: Instant) -> bool {
        self.next_send.is_some_and(|t| now >= t)
    }

    /// Schedules the next send from how long until queued mail is due (`None`: none queued).
    fn schedule_send(&mut self, due_in: Option<Duration>, now: Instant) {
        self.next_send = due_in.map(|d| now + if d.is_zero() { RESEND } else { d });
    }
}

pub fn data_worker(
    service: Service,
    mut transport: Outgoing,
    mut reopen: Box<super::OpenSource>,
    missing: Missing,
    changes: Changes,
    jobs: Receiver<Job>,
    ui: Sender<Msg>,
) {
    let mut version = service.data_version().unwrap_or(0);
    let mut wakeups = Wakeups::new(&changes, Instant::now());
    wakeups.schedule_send(service.next_send_in().unwrap_or(None), Instant::now());
    loop {
        let job = match wakeups.deadline() {
            None => match jobs.recv() {
                Ok(job) => Some(job),
                Err(_) => return,
            },
            Some(at) => match jobs.recv_timeout(at.saturating_duration_since(Instant::now())) {
                Ok(job) => Some(job),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            },
        };
        // Coalesce: several reloads queued while busy are one reload.
        let mut batch: Vec<Job> = job.into_iter().collect();
        while let Ok(more) = jobs.try_recv() {
            batch.push(more);
        }
        let mut reload = false;
        let mut sent = false;
        // What an action did is told after the views reloaded: "✓ confirmed .za" never shows
        // over a queue that still offers to confirm it.
        let mut outcomes = Vec::new();
        for job in batch {
            let msg = match job {
                Job::Reload => {
                    reload = true;
                    continue;
                }
                Job::Changed => {
                    wakeups.pending = true;
                    continue;
                }
                Job::LoadCase(tld) => service.case_detail(&tld).map(|c| Msg::Case(Box::new(c))),
                Job::LoadMessage(id) => service
                    .message_detail(id)
                    .map(|m| Msg::Message(Box::new(m))),
                Job::LoadMessages(query, offset) => service
                    .message_page(&query, offset, MESSAGE_PAGE)
                    .map(|p| Msg::Messages(Box::new(p))),
                Job::Plan(cmd) => Ok(Msg::Planned(Box::new(plan(&service, &missing, &cmd)))),
                Job::Run(cmd) => {
                    reload = true;
                    sent = true;
                    outcomes.push(match service.perform(&cmd, reopen.as_mut()) {
                        Ok(mut outcome) => {
                            let _ = service.deliver(&mut outcome, transport.as_mut());
                            if outcome.failed() {
                                Msg::Failed(outcome.summary())
                            } else {
                                Msg::Done(outcome.summary())
                            }
                        }
                        Err(e) => Msg::Failed(format!("{e:#}")),
                    });
                    continue;
                }
            };
            let msg = msg.unwrap_or_else(|e| Msg::Failed(format!("{e:#}")));
            if ui.send(msg).is_err() {
                return;
            }
        }
        if wakeups.look(Instant::now()) {
            let current = service.data_version().unwrap_or(version);
            if current != version {
                version = current;
                reload = true;
            }
        }
        if wakeups.send(Instant::now()) {
            sent = true;
            if service
                .send_due(transport.as_mut())
                .is_ok_and(|r| r.sent > 0)
            {
                reload = true;
            }
        }
        if reload || sent {
            // Another process may have queued mail, or a send left some for later.
            wakeups.schedule_send(service.next_send_in().unwrap_or(None), Instant::now());
        }
        if reload {
            let msg = snapshot(&service).map_or_else(
                |e| Msg::Failed(format!("{e:#}")),
                |s| Msg::Data(Box::new(s)),
            );
            if ui.send(msg).is_err() {
                return;
            }
        }
        for msg in outcomes {
            if ui.send(msg).is_err() {
                return;
            }
        }
    }
}

/// Everything the list views show.
pub fn snapshot(service: &Service) -> Result<Snapshot> {
    Ok(Snapshot {
        loaded_at: Some(service.now()),
        queue: service.queue_items()?,
        roster: service.roster(&RosterFilter::default())?,
        members: service.members()?,
        proposed: service.proposed_contacts()?,
        stats: Some(service.stats()?),
        log: service.log(&EventFilter {
            limit: Some(1000),
            ..EventFilter::default()
        })?,
        outbox_backlog: service.outbox_backlog()?,
    })
}

/// `cmd`'s plan, or why it cannot be done (an approval that needs an override reason apart,
/// and what needs a secret this session runs without).
fn plan(service: &Service, missing: &Missing, cmd: &Command) -> Result<Plan, Refusal> {
    let plan = service
        .plan(cmd)
        .map_err(|e| match (cmd, e.downcast_ref::<NeedsOverride>()) {
            (Command::Approve { tld, .. }, Some(why)) => Refusal::NeedsOverride {
                tld: tld.clone(),
                why: why.0.clone(),
            },
            _ => Refusal::Refused(format!("{e:#}")),
        })?;
    match plan.nothing_to_do().or_else(|| missing.refusal(&plan)) {
        Some(why) => Err(Refusal::Refused(why)),
        None => Ok(plan),
    }
}

/// Polls `source` every `interval`, at once when asked, and — where the server offers IMAP
/// IDLE — at once when new mail arrives; backs off after failures.
pub fn poller(
    service: Service,
    mut source: Mailbox,
    interval: Duration,
    poll_now: Receiver<()>,
    ui: Sender<Msg>,
) {
    let Ok(wakeup) = Wakeup::new() else {
        let _ = ui.send(Msg::Failed(
            "cannot start the poller (no socket pair)".into(),
        ));
        return;
    };
    // "Poll now" and the UI's end both wake the wait between passes (IDLE included).
    let closed = Arc::new(AtomicBool::new(false));
    {
        let (waker, closed) = (wakeup.waker(), closed.clone());
        std::thread::spawn(move || {
            while poll_now.recv().is_ok() {
                waker.wake();
            }
            closed.store(true, Ordering::SeqCst);
            waker.wake();
        });
    }
    let mut status = PollStatus {
        source: Some(source.name()),
        ..PollStatus::default()
    };
    service.watch(source.as_mut(), interval, &closed, &wakeup, |event| {
        heard(&mut status, event);
        ui.send(Msg::Poll(status.clone())).is_ok()
    });
}

/// What the bar shows of the poller's news.
fn heard(status: &mut PollStatus, event: Watch) {
    match event {
        Watch::Polling => status.polling = true,
        Watch::Polled { report, next, idle } => {
            status.polling = false;
            status.news = report.wrote;
            status.stored = report.stored;
            status.error = None;
            status.last_poll = Some(clock_now());
            status.next_poll = Some(clock_in(next));
            status.idle = idle;
        }
        // Replaced at once, it is no news: the next pass reconnects, and says so if it
        // cannot. Waited for (it keeps breaking), the bar says the mailbox is not watched.
        Watch::Lost { retry, .. } if retry.is_zero() => {
            status.next_poll = Some(clock_in(retry));
        }
        Watch::Lost { reason, retry } => {
            status.error = Some((reason.to_string(), clock_in(retry)));
            status.next_poll = None;
            status.idle = false;
        }
        Watch::Failed { error, retry } => {
            status.polling = false;
            // A failed pass may have committed chunks before it failed.
            status.news = true;
            status.error = Some((format!("{error:#}"), clock_in(retry)));
            status.next_poll = None;
            status.idle = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::installation::Installation;

    /// The next poll status that says a pass started, within `within`.
    fn pass_started(ui: &Receiver<Msg>, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match ui.recv_timeout(left) {
                Ok(Msg::Poll(p)) if p.polling => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        false
    }

    #[test]
    fn an_idle_worker_has_no_deadline_and_a_notification_two_looks() {
        let t0 = Instant::now();
        let w = Wakeups::new(&Changes::Polled, t0);
        assert_eq!(
            w.deadline(),
            Some(t0 + LOOK),
            "without notifications: every second"
        );

        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("tldops.sqlite3");
        Service::open(&db, Config::default(), "alice".into()).unwrap();
        let notified = super::super::changes::watch(Some(&db), || {});
        let mut w = Wakeups::new(&notified, t0);
        assert_eq!(w.deadline(), None, "idle: no wake-up at all");
        assert!(!w.look(t0));
        w.pending = true;
        assert!(w.look(t0), "the first notification is looked into at once");
        assert_eq!(w.deadline(), Some(t0 + SETTLE), "and once more, soon");
        w.pending = true;
        assert_eq!(
            w.deadline(),
            Some(t0 + SETTLE),
            "more writes: no more looks"
        );
        assert!(!w.look(t0 + SETTLE / 2));
        assert!(w.look(t0 + SETTLE));
        let then = t0 + SETTLE + BURST;
        assert_eq!(
            w.deadline(),
            Some(then),
            "written meanwhile: a burst, looked at slower"
        );
        w.pending = true;
        assert!(
            !w.look(then - SETTLE),
            "one look a second while writes go on"
        );
        assert!(w.look(then));
        assert_eq!(w.deadline(), Some(then + BURST));
        assert!(w.look(then + BURST), "the last notification's second look");
        assert_eq!(w.deadline(), None, "then idle again");
        assert!(!w.look(then + 2 * BURST));

        // A lone commit after the burst: looked into at once, and once more soon.
        w.pending = true;
        let later = then + 3 * BURST;
        assert!(w.look(later));
        assert_eq!(w.deadline(), Some(later + SETTLE));
        assert!(w.look(later + SETTLE));
        assert_eq!(w.deadline(), None);

        w.schedule_send(Some(Duration::from_secs(120)), t0);
        assert_eq!(
            w.deadline(),
            Some(t0 + Duration::from_secs(120)),
            "a retry time"
        );
        w.schedule_send(Some(Duration::ZERO), t0);
        assert_eq!(
            w.deadline(),
            Some(t0 + RESEND),
            "due but not sent: every minute"
        );
        w.schedule_send(None, t0);
        assert_eq!(w.deadline(), None, "nothing queued");
    }

    /// A data worker on `service` (its mail written into `dir`): the UI's end, and the thread.
    fn start_worker(
        service: Service,
        dir: &std::path::Path,
        changes: Changes,
        jobs: std::sync::mpsc::Receiver<Job>,
    ) -> (std::sync::mpsc::Receiver<Msg>, std::thread::JoinHandle<()>) {
        let (ui_tx, ui_rx) = std::sync::mpsc::channel();
        let transport = Installation::file_transport(dir.join("sent-mail"));
        let reopen: Box<super::super::OpenSource> = Box::new(|_| Ok(None));
        let missing = Missing::default();
        let worker = std::thread::spawn(move || {
            data_worker(service, transport, reopen, missing, changes, jobs, ui_tx)
        });
        (ui_rx, worker)
    }

    #[test]
    fn another_connections_commit_reloads_the_views() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("tldops.sqlite3");
        let service = Service::open(&db, Config::default(), "alice".into()).unwrap();
        let (job_tx, job_rx) = std::sync::mpsc::channel();
        let job_tx = Arc::new(job_tx);
        let changes = {
            let jobs = Arc::downgrade(&job_tx);
            super::super::changes::watch(Some(&db), move || {
                if let Some(jobs) = jobs.upgrade() {
                    let _ = jobs.send(Job::Changed);
                }
            })
        };
        assert!(matches!(changes, Changes::Notified(_)), "{changes:?}");
        let (ui_rx, worker) = start_worker(service, dir.path(), changes, job_rx);

        // The worker has read the database once (its baseline for what changed) before
        // the commit: a reload asked for and answered.
        job_tx.send(Job::Reload).unwrap();
        let first = ui_rx.recv_timeout(Duration::from_secs(10));
        assert!(matches!(first, Ok(Msg::Data(_))), "first load: {first:?}");

        // Another process (here another connection: SQLite cannot tell) commits.
        let other = rusqlite::Connection::open(&db).unwrap();
        other
            .execute_batch("CREATE TABLE scratch (x); INSERT INTO scratch VALUES (1);")
            .unwrap();
        let got = ui_rx.recv_timeout(Duration::from_secs(10));
        assert!(matches!(got, Ok(Msg::Data(_))), "reloaded: {got:?}");

        // Dropping the UI's end of the job channel ends the worker, watcher or not.
        drop(job_tx);
        worker.join().unwrap();
    }

    #[test]
    fn what_an_action_did_is_told_after_the_views_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let service = Service::in_memory_polling(Config::default(), "alice".into()).unwrap();
        let (job_tx, job_rx) = std::sync::mpsc::channel();
        let (ui_rx, worker) = start_worker(service, dir.path(), Changes::Polled, job_rx);
        job_tx
            .send(Job::Run(Command::Reject {
                tld: "nl".into(),
                reason: "not the admin".into(),
            }))
            .unwrap();
        let first = ui_rx.recv_timeout(Duration::from_secs(10));
        assert!(
            matches!(first, Ok(Msg::Data(_))),
            "the views first: {first:?}"
        );
        let then = ui_rx.recv_timeout(Duration::from_secs(10));
        assert!(
            matches!(then, Ok(Msg::Failed(_) | Msg::Done(_))),
            "{then:?}"
        );
        drop(job_tx);
        worker.join().unwrap();
    }

    /// A connection that kept breaking was waited out in silence: the bar went on saying
    /// "polled … · next …" while nothing was watched.
    #[test]
    fn a_connection_that_keeps_breaking_shows_until_a_pass_works() {
        let mut s = PollStatus::default();
        let lost = |retry| Watch::Lost {
            reason: "connection closed by the server",
            retry,
        };
        heard(&mut s, lost(Duration::ZERO));
        assert_eq!(s.error, None, "replaced at once: no news");
        heard(&mut s, lost(Duration::from_secs(20)));
        assert_eq!(
            s.error.as_ref().map(|e| e.0.as_str()),
            Some("connection closed by the server")
        );
        let report = crate::service::IngestReport::default();
        let polled = Watch::Polled {
            report: &report,
            next: Duration::from_secs(60),
            idle: true,
        };
        heard(&mut s, polled);
        assert_eq!(s.error, None);
        assert!(s.idle);
    }

    #[test]
    fn poll_now_cuts_the_wait_short_and_closing_ends_the_poller() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        let service = Service::in_memory_polling(Config::default(), "alice".into()).unwrap();
        let source = Installation::maildir(dir.path()).unwrap();
        let (now_tx, now_rx) = std::sync::mpsc::channel();
        let (ui_tx, ui_rx) = std::sync::mpsc::channel();
        let hour = Duration::from_secs(3600);
        let poller = std::thread::spawn(move || poller(service, source, hour, now_rx, ui_tx));
        assert!(pass_started(&ui_rx, Duration::from_secs(10)), "first pass");
        now_tx.send(()).unwrap();
        assert!(
            pass_started(&ui_rx, Duration::from_secs(10)),
            "`p` polls now, not in an hour"
        );
        drop(now_tx);
        poller.join().unwrap();
    }
}
