//! `wasi:clocks/monotonic-clock` and `wall-clock`, on the clock preview 1 reads too.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use wasmbed::{Error, Val};

use super::{u64_at, Defs, Pollable};
use crate::ctx::WasiCtx;

pub(super) const MONOTONIC: Defs = &[
    ("now", |c, _| Ok(Some(Val::U64(monotonic_now(c))))),
    ("resolution", |_, _| Ok(Some(Val::U64(1)))),
    ("subscribe-instant", subscribe_instant),
    ("subscribe-duration", subscribe_duration),
];

pub(super) const WALL: Defs = &[
    ("now", wall_now),
    ("resolution", |_, _| {
        Ok(Some(datetime(Duration::from_nanos(1))))
    }),
];

/// Nanoseconds since the instance's context was built, as preview 1's monotonic clock.
fn monotonic_now(c: &WasiCtx) -> u64 {
    u64::try_from(c.started.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

fn subscribe_instant(c: &mut WasiCtx, a: &[Val]) -> Result<Option<Val>, Error> {
    let when = c.started.checked_add(Duration::from_nanos(u64_at(a, 0)));
    // An instant beyond what the host can represent never comes: wait "forever", a century.
    let when = when.unwrap_or_else(|| c.started + Duration::from_secs(100 * 365 * 86_400));
    Ok(Some(Val::Own(c.p2.pollables.insert(Pollable::At(when)))))
}

fn subscribe_duration(c: &mut WasiCtx, a: &[Val]) -> Result<Option<Val>, Error> {
    let now = monotonic_now(c);
    subscribe_instant(c, &[Val::U64(now.saturating_add(u64_at(a, 0)))])
}

fn datetime(d: Duration) -> Val {
    Val::Record(vec![Val::U64(d.as_secs()), Val::U32(d.subsec_nanos())])
}

fn wall_now(_: &mut WasiCtx, _: &[Val]) -> Result<Option<Val>, Error> {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Ok(Some(datetime(since)))
}
