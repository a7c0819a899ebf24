//! Runs `guests/cm32/calc.small.wasm` (calc with its memory shrunk to 2,080
//! bytes by `wasmbed shrink`) on a microcontroller through wasmbed and wasmi,
//! in a 32 KiB heap: initialization, a string call through the host's
//! `concat` (realloc, post-return), and a call with 17 spilled parameters.
//! Prints the results over semihosting and exits with status 0 when they are
//! right. Other builds of the same program:
//!
//! - `wamr`: `guests/cm32/calc.wasm` (WAMR loads no 1-byte pages: one 64 KiB
//!   page) on WAMR's fast interpreter, in a 96 KiB heap, with the same calls
//!   and results (Cortex-M4F and Cortex-M0+, not RISC-V yet;
//!   docs/wamr-firmware.md).
//! - `bare`: the same calls on wasmi alone, without wasmbed: the baseline that
//!   prices wasmbed's layer.
//! - `pubsub`: `guests/pubsub/roundtrip.small.wasm` on wasmbed-pubsub: the
//!   guest publishes on "ping" into the storage it lends the broker, native
//!   code answers on "pong" in place.
//!
//! One program for every target; what differs (startup, memory map, output)
//! is in `board/`: Cortex-M4F (`thumbv7em-none-eabihf`), Cortex-M0+
//! (`thumbv6m`, with `sync.rs`) and RISC-V (`riscv32imac-unknown-none-elf`).
//! The hosts and their calls are in `on_wasmbed.rs` (bindings that
//! `wasmbed::bindgen!` generates from the guest's WIT), `on_wasmi.rs` (`bare`)
//! and `on_pubsub.rs` (`pubsub`); what WAMR's platform port needs from the
//! firmware is in `wamr_port.rs`. `bash firmware/table.sh` builds, runs and
//! measures each.
#![no_std]
#![no_main]

extern crate alloc;

use core::mem::MaybeUninit;

use linked_list_allocator::LockedHeap;
use panic_halt as _;

/// Prints a line through the board (defined before the modules that use it).
macro_rules! say {
    ($($arg:tt)*) => { $crate::board::say(format_args!($($arg)*)) };
}

#[cfg_attr(target_arch = "arm", path = "board/cortex_m.rs")]
#[cfg_attr(target_arch = "riscv32", path = "board/riscv.rs")]
mod board;
#[cfg(feature = "pubsub")]
mod on_pubsub;
#[cfg(not(any(feature = "bare", feature = "pubsub")))]
mod on_wasmbed;
#[cfg(feature = "bare")]
mod on_wasmi;
#[cfg(armv6m)]
mod sync;
#[cfg(feature = "wamr")]
mod wamr_port;

#[cfg(feature = "pubsub")]
use on_pubsub::calls;
#[cfg(not(any(feature = "bare", feature = "pubsub")))]
use on_wasmbed::calls;
#[cfg(feature = "bare")]
use on_wasmi::calls;

#[global_allocator]
static HEAP: LockedHeap = LockedHeap::empty();

/// Room for the engine, the compiled guest, the instance and its memory,
/// and what compiling needs on the way.
#[cfg(not(any(feature = "wamr", feature = "pubsub")))]
const HEAP_SIZE: usize = 32 * 1024;
/// The pub/sub guest's instance, its broker and two 64-byte topics take more.
#[cfg(feature = "pubsub")]
const HEAP_SIZE: usize = 48 * 1024;
/// On WAMR, the same and the guest's one 64 KiB page of linear memory.
#[cfg(feature = "wamr")]
const HEAP_SIZE: usize = 96 * 1024;

/// The guest, as built by `guests/build.sh`.
#[cfg(not(any(feature = "wamr", feature = "pubsub")))]
static GUEST: &[u8] = include_bytes!("../../guests/cm32/calc.small.wasm");
/// WAMR loads no custom page sizes: the unshrunk guest.
#[cfg(feature = "wamr")]
static GUEST: &[u8] = include_bytes!("../../guests/cm32/calc.wasm");
/// The pub/sub guest, shrunk the same way (1 KiB of stack).
#[cfg(feature = "pubsub")]
static GUEST: &[u8] = include_bytes!("../../guests/pubsub/roundtrip.small.wasm");

fn fail(why: &str) -> ! {
    say!("firmware: {}", why);
    board::exit(false)
}

/// Prints the heap in use `when`, as `firmware/footprint.sh` reads it.
fn heap_line(when: &str) {
    say!("heap in use {}: {} bytes", when, HEAP.lock().used());
}

/// Prints what calc's three calls returned and how many host calls it made:
/// whether they are right. Shared by both hosts of calc.
#[cfg(not(feature = "pubsub"))]
fn calc_results(greet: &str, total: u64, count: u32, host_calls: u32) -> bool {
    say!("greet -> {}", greet);
    say!("total -> {}", total);
    say!("count -> {}", count);
    say!("host calls -> {}", host_calls);
    greet == "hello, cortex-m" && total == 136 && count == 101 && host_calls == 2
}

/// Runs the guest with `memory` as the heap; the board's entry calls it.
fn run(memory: &'static mut [MaybeUninit<u8>]) -> ! {
    HEAP.lock().init_from_slice(memory);
    if calls(GUEST) {
        board::exit(true);
    }
    fail("unexpected results")
}
