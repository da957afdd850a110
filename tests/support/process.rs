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

/// SIGKILLs every process whose command line (NUL-separated `/proc/PID/cmdline`) satisfies
/// `matches`, and waits up to 5 s until none is left (a zombie has an empty command line and
/// holds no socket).
pub fn kill_all(matches: impl Fn(&[u8]) -> bool) {
    let leftovers = || -> Vec<libc::pid_t> {
        std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .filter(|pid: &libc::pid_t| {
                std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| matches(&c))
            })
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let pids = leftovers();
        if pids.is_empty() || Instant::now() > deadline {
            return;
        }
        for pid in pids {
            // SAFETY: kill(2) on a process this test's own server started.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
