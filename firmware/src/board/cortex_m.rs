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

#[entry]
fn main() -> ! {
    static mut MEMORY: [MaybeUninit<u8>; crate::HEAP_SIZE] =
        [MaybeUninit::uninit(); crate::HEAP_SIZE];
    // `entry` hands MEMORY over as a `&'static mut`: the heap owns it from here on.
    crate::run(MEMORY)
}
