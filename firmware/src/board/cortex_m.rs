//! Cortex-M: cortex-m-rt starts `main`, semihosting prints and ends the run
//! (QEMU's mps2 boards).

use core::fmt;
use core::mem::MaybeUninit;

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};

/// Prints one line on the host's console.
pub fn say(line: fmt::Arguments<'_>) {
    hprintln!("{}", line);
}

/// Ends the run with status 0 (`ok`) or 1.
pub fn exit(ok: bool) -> ! {
    debug::exit(if ok {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    #[allow(clippy::empty_loop)]
    loop {}
}

/// Prints bytes as they are on the host's console (WAMR's log lines).
#[cfg(feature = "wamr")]
pub fn print(bytes: &[u8]) {
    if let Ok(mut out) = cortex_m_semihosting::hio::hstdout() {
        let _ = out.write_all(bytes);
    }
}

/// The lowest address the stack may reach: cortex-m-rt's `_stack_end`, the
/// end of the statics (the stack grows down to it from the end of RAM).
#[cfg(feature = "wamr")]
pub fn stack_end() -> *mut u8 {
    extern "C" {
        static _stack_end: u8;
    }
    core::ptr::addr_of!(_stack_end).cast_mut()
}

#[entry]
fn main() -> ! {
    static mut MEMORY: [MaybeUninit<u8>; crate::HEAP_SIZE] =
        [MaybeUninit::uninit(); crate::HEAP_SIZE];
    // `entry` hands MEMORY over as a `&'static mut`: the heap owns it from here on.
    crate::run(MEMORY)
}
