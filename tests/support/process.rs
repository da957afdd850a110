//! Ending the processes a test server left behind (forked workers that outlive their parent).

use std::time::{Duration, Instant};

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
