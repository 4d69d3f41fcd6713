//! Wall-clock milliseconds: what leases, retry times and events are stamped
//! with, comparable across processes and machines (NTP-synchronised). Read
//! from the runtime's [`Clock`]: a [`Driver`](crate::Driver) given a
//! virtual one ([`Driver::with_clock`](crate::Driver::with_clock)) stamps
//! its leases and retry times on the same virtual time as the runtime.

use seedance_runtime::Clock;

/// Milliseconds since the Unix epoch on real time (0 if the clock is
/// before it): [`Clock::unix_ms`] of [`Clock::real`].
pub fn now_ms() -> i64 {
    Clock::real().unix_ms()
}
