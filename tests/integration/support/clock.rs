//! tldops' service clock is one per process: `tldops::service::set_clock`, which the demo's
//! seeding moves back a week while it writes its story. In the one test binary, a test that
//! seeds the demo, or runs the service in this process (not the binary in its own), holds this
//! lock while it does, so that none stamps its rows with another's moved time. (Each file was
//! its own process before; the demo's two tests already shared theirs.)

use std::sync::{Mutex, MutexGuard, PoisonError};

/// The clock to oneself until the guard is dropped: `let _clock = support::clock::exclusive();`.
pub fn exclusive() -> MutexGuard<'static, ()> {
    static CLOCK: Mutex<()> = Mutex::new(());
    // A test that failed while holding it leaves the clock as it found it (the seeding resets
    // it when it unwinds too): the next one goes on.
    CLOCK.lock().unwrap_or_else(PoisonError::into_inner)
}
