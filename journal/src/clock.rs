//! Wall-clock milliseconds: what leases, retry times and events are stamped
//! with, comparable across processes and machines (NTP-synchronised). Read
//! from the runtime's [`Clock`]: a [`Driver`](crate::Driver) given a
//! virtual one ([`Driver::with_clock`](crate::Driver::with_clock)) stamps
//! its leases and retry times on the same virtual time as the runtime, and
//! a journal given one (`with_clock`) stamps its rows and events, and
//! times its held-back entries, on it too.

use std::sync::{Arc, Mutex};

use seedance_runtime::Clock;

/// Milliseconds since the Unix epoch on real time (0 if the clock is
/// before it): [`Clock::unix_ms`] of [`Clock::real`].
pub fn now_ms() -> i64 {
    Clock::real().unix_ms()
}

/// A journal's clock: shared by its clones and its writer, so it can be
/// set after the journal is open ([`MemoryJournal::with_clock`] and the
/// others). Real time unless set.
///
/// [`MemoryJournal::with_clock`]: crate::MemoryJournal::with_clock
#[derive(Debug, Clone, Default)]
pub(crate) struct SharedClock(Arc<Mutex<Clock>>);

impl SharedClock {
    /// Reads the time on `clock` from now on, in every clone.
    pub(crate) fn set(&self, clock: Clock) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = clock;
    }

    /// The clock now set.
    pub(crate) fn get(&self) -> Clock {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Milliseconds since the Unix epoch on the clock now set.
    pub(crate) fn now_ms(&self) -> i64 {
        self.get().unix_ms()
    }
}
