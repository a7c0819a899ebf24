//! Interrupting a running guest to run its signal handler, within a stated
//! bound: calls run in fuel slices, and at each slice boundary the runtime
//! looks at the signals raised since (from any thread, through an
//! [`Interrupt`]). A guest exporting `wasmbed:signals/handler@0.1.0` has
//! `on-signal` run on the interrupted instance, with its own fuel budget;
//! its answer resumes the call or unwinds it. Without a handler the call
//! unwinds. Nothing here blocks or allocates per slice.
//!
//! The worst-case latency from [`Interrupt::raise`] to the handler is one
//! slice of fuel plus one basic block (wasmi charges fuel per block on
//! entry), documented with measured times in `docs/signals.md`.

use alloc::sync::Arc;
use core::sync::atomic::{AtomicU32, Ordering};

use wasmbed_abi::FlatVal;

use crate::engine::EngineInstance;
use crate::error::TrapReason;
use crate::Error;

/// The call's deadline passed.
pub const DEADLINE: u32 = 1;
/// The host asks the guest to stop what it does.
pub const INTERRUPT: u32 = 2;
/// The first signal number left to the application (up to 31).
pub const FIRST_APPLICATION: u32 = 16;
/// The largest signal number.
pub const MAX_SIGNAL: u32 = 31;

/// The export that handles signals, as the world names it.
pub const HANDLER: &str = "wasmbed:signals/handler@0.1.0#on-signal";

/// Signals raised for one instance and not yet delivered: cheap to clone,
/// `Send + Sync`, usable from another thread, a timer or an interrupt handler.
///
/// Raising a signal that is already pending does nothing more, as with
/// POSIX signals: each pending signal is delivered once.
#[derive(Clone, Debug, Default)]
pub struct Interrupt {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    pending: AtomicU32,
    /// A thread asleep in a host call of this instance ([`sleep`]), woken by [`Interrupt::raise`].
    #[cfg(feature = "std")]
    sleeper: std::sync::Mutex<Option<std::thread::Thread>>,
}

impl Interrupt {
    /// No signal pending.
    pub fn new() -> Interrupt {
        Interrupt::default()
    }

    /// Raises `signal` (1 to 31); `false` for a number out of range.
    pub fn raise(&self, signal: u32) -> bool {
        if !(1..=MAX_SIGNAL).contains(&signal) {
            return false;
        }
        self.inner.pending.fetch_or(1 << signal, Ordering::Release);
        #[cfg(feature = "std")]
        if let Ok(sleeper) = self.inner.sleeper.lock() {
            if let Some(t) = sleeper.as_ref() {
                t.unpark();
            }
        }
        true
    }

    /// Whether any signal is pending.
    pub fn is_pending(&self) -> bool {
        self.inner.pending.load(Ordering::Acquire) != 0
    }

    /// Takes the lowest pending signal.
    pub(crate) fn take(&self) -> Option<u32> {
        let pending = &self.inner.pending;
        let mut bits = pending.load(Ordering::Acquire);
        loop {
            if bits == 0 {
                return None;
            }
            let signal = bits.trailing_zeros();
            let rest = bits & !(1 << signal);
            match pending.compare_exchange_weak(bits, rest, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return Some(signal),
                Err(now) => bits = now,
            }
        }
    }
}

#[cfg(feature = "std")]
std::thread_local! {
    /// The interrupt of the sliced call running on this thread, for host calls that sleep.
    static CURRENT: core::cell::RefCell<Option<Interrupt>> = const { core::cell::RefCell::new(None) };
}

/// Makes `interrupt` this thread's current one until the guard drops.
#[cfg(feature = "std")]
#[cfg_attr(not(feature = "wasmi"), allow(dead_code))]
pub(crate) fn enter(interrupt: &Interrupt) -> impl Drop {
    struct Restore(Option<Interrupt>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = previous);
        }
    }
    Restore(CURRENT.with(|c| c.borrow_mut().replace(interrupt.clone())))
}

/// Sleeps for `duration` in a host call, waking early when a signal is
/// raised for the instance whose sliced call runs on this thread: `true`
/// when woken by a signal (the runtime delivers it at the next slice
/// boundary). Host functions that block call this instead of
/// `std::thread::sleep`, so a deadline also stops a guest that sleeps.
#[cfg(feature = "std")]
pub fn sleep(duration: core::time::Duration) -> bool {
    let until = std::time::Instant::now() + duration;
    matches!(block_on(Some(until), || None::<()>), Wake::Signalled)
}

/// Why [`block_on`] returned.
#[derive(Debug, PartialEq, Eq)]
pub enum Wake<R> {
    /// What the wait waited for.
    Ready(R),
    /// The deadline passed first.
    TimedOut,
    /// A signal was raised for the calling instance; the runtime delivers it
    /// when the host call returns.
    Signalled,
}

/// Blocks the calling host function until `ready` gives a value, `until`
/// passes, or a signal is raised for the instance whose sliced call runs on
/// this thread. Any host call that waits goes through this, so deadlines
/// and interrupts reach guests that wait.
///
/// `ready` is tried first, then after every wake-up; whoever makes it ready
/// must `unpark` this thread (a host object keeps its waiters'
/// [`std::thread::Thread`]s), and spurious wake-ups only cost a retry.
#[cfg(feature = "std")]
pub fn block_on<R>(
    until: Option<std::time::Instant>,
    mut ready: impl FnMut() -> Option<R>,
) -> Wake<R> {
    let interrupt = CURRENT.with(|c| c.borrow().clone());
    let set = |t: Option<std::thread::Thread>| {
        if let Some(i) = &interrupt {
            if let Ok(mut s) = i.inner.sleeper.lock() {
                *s = t;
            }
        }
    };
    set(Some(std::thread::current()));
    let woken = loop {
        if let Some(r) = ready() {
            break Wake::Ready(r);
        }
        if interrupt.as_ref().is_some_and(Interrupt::is_pending) {
            break Wake::Signalled;
        }
        match until {
            None => std::thread::park(),
            Some(until) => {
                let now = std::time::Instant::now();
                if now >= until {
                    break Wake::TimedOut;
                }
                std::thread::park_timeout(until - now);
            }
        }
    };
    set(None);
    woken
}

/// How an instance's calls are sliced and its handler bounded.
#[derive(Clone, Copy, Debug)]
pub struct SignalConfig {
    /// Fuel per slice: the bound on how long a signal waits, in fuel units.
    pub slice: u64,
    /// Fuel the handler may use per signal; past it the handler is trapped.
    pub handler_fuel: u64,
}

impl Default for SignalConfig {
    /// Slices of 10,000 fuel units, 100,000 for a handler.
    fn default() -> SignalConfig {
        SignalConfig {
            slice: 10_000,
            handler_fuel: 100_000,
        }
    }
}

/// What an engine instance slices calls with: the interrupt, the bounds and the handler.
pub struct Slicing<F> {
    /// Where signals are raised.
    pub interrupt: Interrupt,
    /// The bounds.
    pub config: SignalConfig,
    /// The guest's `on-signal`, if it exports one.
    pub handler: Option<F>,
}

/// The name of a signal, for messages.
pub fn signal_name(signal: u32) -> &'static str {
    match signal {
        DEADLINE => "deadline",
        INTERRUPT => "interrupt",
        s if s >= FIRST_APPLICATION => "application",
        _ => "reserved",
    }
}

/// At a slice boundary, with the call suspended: delivers the lowest
/// pending signal, if any. `Ok` resumes the call; an error unwinds it.
///
/// Called by engine backends; `inst`'s fuel is the instance's lifetime fuel
/// left, and stays so.
pub fn at_boundary<T: 'static, I: EngineInstance<T>>(
    inst: &mut I,
    s: &Slicing<I::Func>,
) -> Result<(), Error> {
    let Some(signal) = s.interrupt.take() else {
        return Ok(());
    };
    let Some(handler) = &s.handler else {
        return Err(Error::trap("export", TrapReason::Signal(signal)));
    };
    let life = inst.fuel().unwrap_or(u64::MAX);
    let budget = s.config.handler_fuel.min(life);
    inst.set_fuel(budget);
    inst.state().in_handler = true;
    let mut out = [FlatVal::I32(0)];
    let r = inst.call(handler, &[FlatVal::I32(signal as i32)], &mut out);
    inst.state().in_handler = false;
    let left = inst.fuel().unwrap_or(0);
    inst.set_fuel(life - (budget - left.min(budget)));
    match r {
        Err(e) if e.is_out_of_fuel() => {
            Err(Error::trap("export", TrapReason::HandlerBudget(signal)))
        }
        Err(e) => Err(e),
        Ok(()) => match out[0] {
            FlatVal::I32(0) => Ok(()),
            FlatVal::I32(1) => Err(Error::trap("export", TrapReason::Signal(signal))),
            _ => Err(Error::trap("export", TrapReason::BadAction(signal))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_signals_come_out_lowest_first_once_each() {
        let i = Interrupt::new();
        assert!(i.raise(17) && i.raise(2) && i.raise(17));
        assert!(!i.raise(0) && !i.raise(32));
        assert_eq!((i.take(), i.take(), i.take()), (Some(2), Some(17), None));
        assert!(!i.is_pending());
    }
}
