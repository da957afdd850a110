//! Where a service reads the time: every time it stamps or compares comes from its own clock,
//! so two services in one process can live at different times (the demo's seeding writes its
//! story a week back while the TUI runs on the real time). The composition root gives each
//! service the system clock, unless told otherwise.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::domain::time::Timestamp;

/// Now, as one service sees it.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// The real time.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_jiff(jiff::Timestamp::now())
    }
}

impl SystemClock {
    /// The system clock, as a service holds a clock.
    pub fn shared() -> Arc<dyn Clock> {
        Arc::new(SystemClock)
    }
}

/// The real time moved by a shift its owner sets: `set(Some(t))` makes it say `t` now (and
/// go on from there), `set(None)` the real time again. Only the services given this clock
/// see the shift.
#[derive(Debug, Default)]
pub struct ShiftedClock {
    seconds: AtomicI64,
}

impl ShiftedClock {
    pub fn set(&self, at: Option<Timestamp>) {
        let real = SystemClock.now();
        let shift = at.map_or(0, |t| t.as_second() - real.as_second());
        self.seconds.store(shift, Ordering::SeqCst);
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> Timestamp {
        let shift = jiff::SignedDuration::from_secs(self.seconds.load(Ordering::SeqCst));
        SystemClock.now().saturating_add(shift)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shifted_clock_says_what_it_was_set_to_and_then_the_real_time_again() {
        let clock = ShiftedClock::default();
        let then: Timestamp = "2026-03-02T09:00:00Z".parse().unwrap();
        clock.set(Some(then));
        assert!(clock.now().seconds_since(then) < 5, "{}", clock.now());
        clock.set(None);
        assert!(clock.now().seconds_since(SystemClock.now()) < 5);
        assert!(clock.now() > then);
    }
}
