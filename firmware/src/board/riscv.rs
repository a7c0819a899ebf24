//! RISC-V (riscv32imac) on QEMU's `virt` machine: riscv-rt starts `main` in
//! machine mode, semihosting prints and ends the run.

use core::fmt;
use core::mem::MaybeUninit;
use core::ptr::addr_of_mut;

/// Prints one line on the host's console.
pub fn say(line: fmt::Arguments<'_>) {
    semihosting::println!("{}", line);
}

/// Ends the run with status 0 (`ok`) or 1.
pub fn exit(ok: bool) -> ! {
    semihosting::process::exit(if ok { 0 } else { 1 })
}

static mut MEMORY: [MaybeUninit<u8>; crate::HEAP_SIZE] = [MaybeUninit::uninit(); crate::HEAP_SIZE];

#[riscv_rt::entry]
fn main() -> ! {
    // SAFETY: `main` runs once, on the only hart, and never returns: this is
    // the one reference to MEMORY, and the heap owns it from here on.
    crate::run(unsafe { &mut *addr_of_mut!(MEMORY) })
}
