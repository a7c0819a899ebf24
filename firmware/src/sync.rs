//! The `__sync_*` functions that LLVM calls for atomic read-modify-write on
//! ARMv6-M (Cortex-M0/M0+), which has atomic loads and stores but no
//! exclusive-access instructions.
//!
//! wasmi, spin and wasmbed use `alloc::sync::Arc` and `compare_exchange`/
//! `fetch_*`, which Rust offers only on targets with atomic compare-and-swap.
//! `targets/thumbv6m-none-eabi-cas.json` is the built-in `thumbv6m-none-eabi`
//! with `atomic-cas` set: LLVM then lowers each read-modify-write to a call to
//! one of these functions (its `+atomics-32` feature), and each one here is
//! atomic because it runs with interrupts disabled. That holds on a
//! single-core device only, which every ARMv6-M part is.

use core::ptr;

/// Replaces the value at `ptr` with `f(old)` with interrupts disabled and
/// returns `old`.
///
/// # Safety
///
/// `ptr` is valid for reads and writes and aligned.
unsafe fn update<T: Copy>(ptr: *mut T, f: impl FnOnce(T) -> T) -> T {
    cortex_m::interrupt::free(|_| {
        // SAFETY: the caller's pointer is valid and aligned; with interrupts
        // disabled nothing else runs on this single core.
        unsafe {
            let old = ptr::read_volatile(ptr);
            ptr::write_volatile(ptr, f(old));
            old
        }
    })
}

macro_rules! sync_ops {
    ($ty:ty: $($name:ident(|$old:ident, $v:ident| $new:expr))*) => {$(
        /// A `__sync` read-modify-write: stores the new value, returns the old.
        ///
        /// # Safety
        ///
        /// `ptr` is valid for reads and writes and aligned.
        #[no_mangle]
        pub unsafe extern "C" fn $name(ptr: *mut $ty, $v: $ty) -> $ty {
            // SAFETY: the caller's contract, passed on.
            unsafe { update(ptr, |$old: $ty| $new) }
        }
    )*};
}

macro_rules! sync_width {
    ($ty:ty, $cas:ident, $swap:ident, $add:ident, $sub:ident, $and:ident, $or:ident,
     $xor:ident, $nand:ident, $max:ident, $min:ident) => {
        /// `__sync_val_compare_and_swap`: stores `new` if the value is
        /// `expected`, returns the old value.
        ///
        /// # Safety
        ///
        /// `ptr` is valid for reads and writes and aligned.
        #[no_mangle]
        pub unsafe extern "C" fn $cas(ptr: *mut $ty, expected: $ty, new: $ty) -> $ty {
            // SAFETY: the caller's contract, passed on.
            unsafe { update(ptr, |old: $ty| if old == expected { new } else { old }) }
        }

        sync_ops!($ty:
            $swap(|_old, v| v)
            $add(|old, v| old.wrapping_add(v))
            $sub(|old, v| old.wrapping_sub(v))
            $and(|old, v| old & v)
            $or(|old, v| old | v)
            $xor(|old, v| old ^ v)
            $nand(|old, v| !(old & v))
            $max(|old, v| old.max(v))
            $min(|old, v| old.min(v))
        );
    };
}

sync_width! {
    u8, __sync_val_compare_and_swap_1, __sync_lock_test_and_set_1,
    __sync_fetch_and_add_1, __sync_fetch_and_sub_1, __sync_fetch_and_and_1,
    __sync_fetch_and_or_1, __sync_fetch_and_xor_1, __sync_fetch_and_nand_1,
    __sync_fetch_and_umax_1, __sync_fetch_and_umin_1
}
sync_width! {
    u16, __sync_val_compare_and_swap_2, __sync_lock_test_and_set_2,
    __sync_fetch_and_add_2, __sync_fetch_and_sub_2, __sync_fetch_and_and_2,
    __sync_fetch_and_or_2, __sync_fetch_and_xor_2, __sync_fetch_and_nand_2,
    __sync_fetch_and_umax_2, __sync_fetch_and_umin_2
}
sync_width! {
    u32, __sync_val_compare_and_swap_4, __sync_lock_test_and_set_4,
    __sync_fetch_and_add_4, __sync_fetch_and_sub_4, __sync_fetch_and_and_4,
    __sync_fetch_and_or_4, __sync_fetch_and_xor_4, __sync_fetch_and_nand_4,
    __sync_fetch_and_umax_4, __sync_fetch_and_umin_4
}
// Signed max/min (`AtomicI32::fetch_max` and the like).
sync_ops! {
    i8:
    __sync_fetch_and_max_1(|old, v| old.max(v))
    __sync_fetch_and_min_1(|old, v| old.min(v))
}
sync_ops! {
    i16:
    __sync_fetch_and_max_2(|old, v| old.max(v))
    __sync_fetch_and_min_2(|old, v| old.min(v))
}
sync_ops! {
    i32:
    __sync_fetch_and_max_4(|old, v| old.max(v))
    __sync_fetch_and_min_4(|old, v| old.min(v))
}
