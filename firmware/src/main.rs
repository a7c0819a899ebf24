//! Runs `guests/cm32/calc.small.wasm` (calc with its memory shrunk to 2,080
//! bytes by `wasmbed shrink`) on a microcontroller through wasmbed and
//! wasmi, in a 32 KiB heap: initialization, a string call through the host's `concat` (realloc,
//! post-return), and a call with 17 spilled parameters. With the feature
//! `wamr` it runs `guests/cm32/calc.wasm` (WAMR loads no 1-byte pages: one
//! 64 KiB page) on WAMR's fast interpreter instead, in a 96 KiB heap, with
//! the same calls and results (Cortex-M4F and Cortex-M0+, not RISC-V yet;
//! docs/wamr-firmware.md). The host and the calls
//! go through bindings that `wasmbed::bindgen!` generates from the guest's WIT
//! (no `Val`s); the host's state lives in the instance's host data. Prints the
//! results over semihosting and exits with status 0 when they are right.
//!
//! One program for every target; what differs (startup, memory map, output)
//! is in `board/`: Cortex-M4F (`thumbv7em-none-eabihf`), Cortex-M0+
//! (`thumbv6m`, with `sync.rs`) and RISC-V (`riscv32imac-unknown-none-elf`).
//! What WAMR's platform port needs from the firmware is in `wamr_port.rs`.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::mem::MaybeUninit;

use linked_list_allocator::LockedHeap;
use panic_halt as _;
#[cfg(feature = "wamr")]
use wasmbed::Wamr;
#[cfg(not(feature = "wamr"))]
use wasmbed::Wasmi;
use wasmbed::{Guest, Limits, Linker};
use wasmbed_abi::{FuncType, Type};
use wasmbed_wit::world::{Function, Interface, InterfaceName, Item, World};

#[cfg_attr(target_arch = "arm", path = "board/cortex_m.rs")]
#[cfg_attr(target_arch = "riscv32", path = "board/riscv.rs")]
mod board;
#[cfg(armv6m)]
mod sync;
#[cfg(feature = "wamr")]
mod wamr_port;

/// Prints a line through the board.
macro_rules! say {
    ($($arg:tt)*) => { board::say(format_args!($($arg)*)) };
}

#[global_allocator]
static HEAP: LockedHeap = LockedHeap::empty();

/// Room for the engine, the compiled guest, the instance and its memory,
/// and what compiling needs on the way.
#[cfg(not(feature = "wamr"))]
const HEAP_SIZE: usize = 32 * 1024;
/// On WAMR, the same and the guest's one 64 KiB page of linear memory.
#[cfg(feature = "wamr")]
const HEAP_SIZE: usize = 96 * 1024;

/// The guest, as built by `guests/build.sh`.
#[cfg(not(feature = "wamr"))]
static GUEST: &[u8] = include_bytes!("../../guests/cm32/calc.small.wasm");
/// WAMR loads no custom page sizes: the unshrunk guest.
#[cfg(feature = "wamr")]
static GUEST: &[u8] = include_bytes!("../../guests/cm32/calc.wasm");

/// WAMR's operand and frame stack for the instance, in bytes.
#[cfg(feature = "wamr")]
const WAMR_STACK: u32 = 2 * 1024;

fn func(name: &str, params: Vec<Type>, result: Option<Type>) -> Function {
    Function {
        name: name.into(),
        ty: FuncType::new(params, result).unwrap_or_else(|_| fail("bad function type")),
    }
}

/// The `calc` world, built by code: the device never parses WIT.
fn world() -> World {
    let mut seventeen = vec![Type::U32; 16];
    seventeen.push(Type::S64);
    World {
        name: "wasmbed:cm32/calc".into(),
        imports: vec![Item::Interface(Interface {
            name: InterfaceName::Id("wasmbed:cm32/host@0.1.0".into()),
            functions: vec![
                func(
                    "concat",
                    vec![Type::String, Type::String],
                    Some(Type::String),
                ),
                func("sum17", seventeen.clone(), Some(Type::U64)),
            ],
            resources: vec![],
        })],
        exports: vec![
            Item::Interface(Interface {
                name: InterfaceName::Id("wasmbed:cm32/api@0.1.0".into()),
                functions: vec![
                    func("greet", vec![Type::String], Some(Type::String)),
                    func("total", seventeen, Some(Type::U64)),
                ],
                resources: vec![],
            }),
            Item::Function(func("count", vec![], Some(Type::U32))),
        ],
        resources: vec![],
    }
}

mod bindings {
    ::wasmbed::bindgen!({ world: "calc", path: "../guests/cm32/calc.wit" });
}

use bindings::wasmbed::cm32::host::Host;

/// The host's state, owned by the instance.
#[derive(Default)]
struct Device {
    /// Host calls the guest made.
    calls: u32,
}

impl Host for Device {
    fn concat(&mut self, a: String, b: String) -> String {
        self.calls += 1;
        let mut s = a;
        s.push_str(&b);
        s
    }

    #[allow(clippy::too_many_arguments)]
    fn sum17(
        &mut self,
        a0: u32,
        a1: u32,
        a2: u32,
        a3: u32,
        a4: u32,
        a5: u32,
        a6: u32,
        a7: u32,
        a8: u32,
        a9: u32,
        a10: u32,
        a11: u32,
        a12: u32,
        a13: u32,
        a14: u32,
        a15: u32,
        a16: i64,
    ) -> u64 {
        self.calls += 1;
        let small = [
            a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15,
        ];
        small
            .iter()
            .fold(a16 as u64, |sum, x| sum.wrapping_add(u64::from(*x)))
    }
}

fn fail(why: &str) -> ! {
    say!("firmware: {}", why);
    board::exit(false)
}

/// Runs the guest with `memory` as the heap; the board's entry calls it.
fn run(memory: &'static mut [MaybeUninit<u8>]) -> ! {
    HEAP.lock().init_from_slice(memory);

    #[cfg(not(feature = "wamr"))]
    let engine = Wasmi::new();
    #[cfg(feature = "wamr")]
    let engine = Wamr::with_stack(WAMR_STACK);
    let guest = Guest::new(&engine, GUEST, world())
        .unwrap_or_else(|_| fail("guest does not fit its world"));
    let mut linker: Linker<Device> = Linker::new();
    bindings::Calc::add_to_linker(&mut linker, |d: &mut Device| d).unwrap_or_else(|_| fail("link"));
    let limits = Limits {
        max_memory_pages: 2,
        ..Limits::default()
    };
    let (calc, mut inst) = bindings::Calc::instantiate(&linker, &guest, Device::default(), limits)
        .unwrap_or_else(|_| fail("instantiate"));
    say!(
        "heap in use after instantiation: {} bytes",
        HEAP.lock().used()
    );

    let api = calc.wasmbed_cm32_api();
    let greet = api.call_greet(&mut inst, "cortex-m");
    let total = api.call_total(
        &mut inst, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, -1,
    );
    let count = calc.call_count(&mut inst);
    match (&greet, &total, &count) {
        (Ok(g), Ok(t), Ok(c)) => {
            say!("greet -> {}", g);
            say!("total -> {}", t);
            say!("count -> {}", c);
            say!("heap in use after the calls: {} bytes", HEAP.lock().used());
            say!("host calls -> {}", inst.data().calls);
            if g == "hello, cortex-m" && *t == 136 && *c == 101 && inst.data().calls == 2 {
                board::exit(true);
            }
            fail("unexpected results")
        }
        _ => fail("a call failed"),
    }
}
