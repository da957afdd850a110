//! Ending the processes a test server left behind (forked workers that outlive their parent).

use std::process::Child;
use std::time::{Duration, Instant};

/// Waits until `ready()` holds for a server just spawned as `child`, polling every `every`;
/// fails when the child exits first (`None` is left in its place) or `within` passes.
pub fn wait_until_ready(
    child: &mut Option<Child>,
    within: Duration,
    every: Duration,
    mut ready: impl FnMut() -> bool,
) -> Result<(), String> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
            *child = None;
            return Err(format!("it exited ({status})"));
        }
        if ready() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("not ready within {} s", within.as_secs()));
        }
        std::thread::sleep(every);
    }
}

/// Stops a test server the way a crash does: SIGKILLs `child` (reaping it) and then every
/// process it left behind that `leftover` recognises by its command line. Nothing when it
/// is not running.
pub fn stop(child: &mut Option<Child>, leftover: impl Fn(&[u8]) -> bool) {
    let Some(mut child) = child.take() else {
        return;
    };
    child.kill().ok();
    child.wait().ok();
    kill_all(leftover);
}

/// SIGKILLs every process whose command line (NUL-separated `/proc/PID/cmdline`) satisfies
/// `matches`, and waits up to 5 s until each is dead. Dead means a zombie or gone: an exiting
/// process loses its command line before it closes its files, so until then it may still hold
/// a listening socket that accepts a connection only to reset it.
pub fn kill_all(matches: impl Fn(&[u8]) -> bool) {
    let matching = || -> Vec<libc::pid_t> {
        std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .filter(|pid: &libc::pid_t| {
                std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| matches(&c))
            })
            .collect()
    };
    let mut killed: Vec<libc::pid_t> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        killed.retain(|&pid| alive(pid));
        let new: Vec<libc::pid_t> = matching()
            .into_iter()
            .filter(|pid| !killed.contains(pid))
            .collect();
        if (new.is_empty() && killed.is_empty()) || Instant::now() > deadline {
            return;
        }
        for pid in new {
            // SAFETY: kill(2) on a process this test's own server started.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
            killed.push(pid);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The process exists and is not yet a zombie (state `Z` or `X` in `/proc/PID/stat`).
fn alive(pid: libc::pid_t) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // "PID (comm) S …": the state follows the last `)` (comm may contain anything).
    let state = stat
        .rfind(')')
        .and_then(|i| stat[i + 1..].trim_start().chars().next());
    !matches!(state, None | Some('Z' | 'X'))
}
