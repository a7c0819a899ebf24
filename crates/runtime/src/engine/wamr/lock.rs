//! The lock around WAMR's process-wide state (the natives registered, the
//! runtime's initialisation, one module's instantiation): std's `Mutex`
//! with `std`, a spin lock on an `AtomicBool` without.
//!
//! Without std, the rule is the firmware's usual one: compile, link and
//! instantiate from one thread of execution, never from an interrupt handler
//! that may preempt another of them on the same core: that handler would
//! spin for ever on the lock the interrupted code holds. (WAMR's own port
//! for a single core, `firmware/wamr/`, makes its mutexes no-ops under the
//! same rule.)

#[cfg(feature = "std")]
use core::ops::DerefMut;

#[cfg(feature = "std")]
pub(super) struct Lock<T>(std::sync::Mutex<T>);

#[cfg(feature = "std")]
impl<T> Lock<T> {
    pub(super) const fn new(value: T) -> Lock<T> {
        Lock(std::sync::Mutex::new(value))
    }

    pub(super) fn lock(&self) -> impl DerefMut<Target = T> + '_ {
        // A panic while holding the lock leaves its value consistent: the
        // registry inserts a key only after WAMR accepted the native.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(not(feature = "std"))]
pub(super) use spin::Lock;

#[cfg(not(feature = "std"))]
mod spin {
    use core::cell::UnsafeCell;
    use core::ops::{Deref, DerefMut};
    use core::sync::atomic::{AtomicBool, Ordering};

    pub(in super::super) struct Lock<T> {
        held: AtomicBool,
        value: UnsafeCell<T>,
    }

    // SAFETY: the value is reached only through a `Guard`, and `held`
    // admits one guard at a time: sharing the lock hands `T` from one
    // thread to another, never to two at once.
    unsafe impl<T: Send> Sync for Lock<T> {}

    impl<T> Lock<T> {
        pub(in super::super) const fn new(value: T) -> Lock<T> {
            Lock {
                held: AtomicBool::new(false),
                value: UnsafeCell::new(value),
            }
        }

        pub(in super::super) fn lock(&self) -> Guard<'_, T> {
            while self
                .held
                .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
            {
                core::hint::spin_loop();
            }
            Guard { lock: self }
        }
    }

    pub(in super::super) struct Guard<'a, T> {
        lock: &'a Lock<T>,
    }

    impl<T> Deref for Guard<'_, T> {
        type Target = T;

        fn deref(&self) -> &T {
            // SAFETY: this guard set `held`; no other guard exists until it drops.
            unsafe { &*self.lock.value.get() }
        }
    }

    impl<T> DerefMut for Guard<'_, T> {
        fn deref_mut(&mut self) -> &mut T {
            // SAFETY: as in `deref`, exclusively through `&mut self`.
            unsafe { &mut *self.lock.value.get() }
        }
    }

    impl<T> Drop for Guard<'_, T> {
        fn drop(&mut self) {
            self.lock.held.store(false, Ordering::Release);
        }
    }
}
