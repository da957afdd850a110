//! How long to wait before retrying: the one schedule of tldops, exponential and capped. A
//! pass that failed (polling, resuming IDLE) waits with jitter so several tldops processes (one
//! per operator on the jump host) do not hammer a recovering server in lockstep; a mail that
//! failed waits exactly [`Backoff::step`] of its attempts, since only one process sends it.

use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

/// Retry delays: `base`, `2·base`, `4·base` … up to `cap`, each drawn uniformly from the upper
/// half of its step ("equal jitter": never less than half the step, never more than it).
#[derive(Clone, Debug)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    failures: u32,
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration) -> Backoff {
        Backoff {
            base,
            cap: cap.max(base),
            failures: 0,
        }
    }

    /// Records one more failure and returns how long to wait before the next attempt.
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.delay(random_unit());
        self.failures = self.failures.saturating_add(1);
        delay
    }

    /// Forgets the failures after a successful pass.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// Failures since the last success (for "retry 3 in 40 s" in the UI).
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// The step after `failures` earlier failures: `base · 2^failures`, at most `cap`.
    pub fn step(&self, failures: u32) -> Duration {
        self.base
            .checked_mul(1u32.checked_shl(failures).unwrap_or(u32::MAX))
            .unwrap_or(self.cap)
            .min(self.cap)
    }

    /// The delay for the current failure count, `unit` in [0, 1] choosing within the step.
    fn delay(&self, unit: f64) -> Duration {
        let step = self.step(self.failures);
        let half = step / 2;
        half + (step - half).mul_f64(unit.clamp(0.0, 1.0))
    }
}

/// A number in [0, 1] that differs from call to call: `RandomState` is seeded randomly per
/// thread and changes its keys on every `new`, which is plenty for spreading retries.
fn random_unit() -> f64 {
    let bits = RandomState::new().hash_one(0u8);
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn doubles_up_to_the_cap() {
        let mut b = Backoff::new(secs(2), secs(60));
        let mut highs = Vec::new();
        for _ in 0..8 {
            highs.push(b.delay(1.0).as_secs());
            b.failures += 1;
        }
        assert_eq!(highs, [2, 4, 8, 16, 32, 60, 60, 60]);
    }

    #[test]
    fn jitter_stays_in_the_upper_half_of_the_step() {
        let b = Backoff {
            base: secs(10),
            cap: secs(300),
            failures: 2,
        };
        assert_eq!(b.delay(0.0), secs(20));
        assert_eq!(b.delay(0.5), secs(30));
        assert_eq!(b.delay(1.0), secs(40));
        let mut b = Backoff::new(secs(10), secs(300));
        for _ in 0..50 {
            let step = b.delay(1.0);
            let d = b.next_delay();
            assert!(
                d >= step / 2 && d <= step,
                "{d:?} outside [{:?}, {step:?}]",
                step / 2
            );
        }
    }

    #[test]
    fn draws_differ_and_reset_starts_over() {
        let draws: Vec<f64> = (0..20).map(|_| random_unit()).collect();
        assert!(draws.iter().all(|u| (0.0..=1.0).contains(u)));
        assert!(draws.windows(2).any(|w| w[0] != w[1]), "{draws:?}");

        let mut b = Backoff::new(secs(1), secs(30));
        for _ in 0..100 {
            b.next_delay();
        }
        assert_eq!(b.failures(), 100);
        assert!(
            b.delay(1.0) == secs(30),
            "huge failure counts stay at the cap"
        );
        b.reset();
        assert_eq!(b.failures(), 0);
        assert!(b.next_delay() <= secs(1));
    }
}
