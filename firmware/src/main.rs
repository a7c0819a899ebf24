//! Runs `guests/cm32/calc.wasm` on a Cortex-M4 through wasmbed and wasmi:
//! initialization, a string call through the host's `concat` (realloc,
//! post-return), and a call with 17 spilled parameters. Prints the results
//! over semihosting and exits with status 0 when they are right.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::mem::MaybeUninit;

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use linked_list_allocator::LockedHeap;
use panic_halt as _;
use wasmbed::{Guest, Limits, Linker, Val, Wasmi};
use wasmbed_abi::{FuncType, Type};
use wasmbed_wit::world::{Function, Interface, InterfaceName, Item, World};

#[global_allocator]
static HEAP: LockedHeap = LockedHeap::empty();

const HEAP_SIZE: usize = 256 * 1024;

/// The guest, as built by `guests/build.sh`.
static GUEST: &[u8] = include_bytes!("../../guests/cm32/calc.wasm");

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

fn fail(why: &str) -> ! {
    hprintln!("firmware: {}", why);
    debug::exit(debug::EXIT_FAILURE);
    loop {}
}

#[entry]
fn main() -> ! {
    static mut MEMORY: [MaybeUninit<u8>; HEAP_SIZE] = [MaybeUninit::uninit(); HEAP_SIZE];
    // `entry` hands MEMORY over as a `&'static mut`: the heap owns it from here on.
    HEAP.lock().init_from_slice(MEMORY);

    let engine = Wasmi::new();
    let guest = Guest::new(&engine, GUEST, world())
        .unwrap_or_else(|_| fail("guest does not fit its world"));
    let mut linker = Linker::new();
    linker
        .func("wasmbed:cm32/host@0.1.0", "concat", |_, args| match args {
            [Val::String(a), Val::String(b)] => {
                let mut s = String::from(a.as_str());
                s.push_str(b);
                Ok(Some(Val::String(s)))
            }
            _ => Err(wasmbed::Error::host("concat")),
        })
        .func("wasmbed:cm32/host@0.1.0", "sum17", |_, args| {
            let mut sum = 0u64;
            for a in args {
                sum = sum.wrapping_add(match a {
                    Val::U32(x) => u64::from(*x),
                    Val::S64(x) => *x as u64,
                    _ => 0,
                });
            }
            Ok(Some(Val::U64(sum)))
        });
    let limits = Limits {
        max_memory_pages: 2,
        ..Limits::default()
    };
    let mut inst = linker
        .instantiate(&guest, (), limits)
        .unwrap_or_else(|_| fail("instantiate"));
    hprintln!(
        "heap in use after instantiation: {} bytes",
        HEAP.lock().used()
    );

    let greet = inst.call(
        "wasmbed:cm32/api@0.1.0#greet",
        &[Val::String("cortex-m".into())],
    );
    let mut args: Vec<Val> = (1..=16).map(Val::U32).collect();
    args.push(Val::S64(-1));
    let total = inst.call("wasmbed:cm32/api@0.1.0#total", &args);
    let count = inst.call("count", &[]);
    match (&greet, &total, &count) {
        (Ok(Some(Val::String(g))), Ok(Some(Val::U64(t))), Ok(Some(Val::U32(c)))) => {
            hprintln!("greet -> {}", g);
            hprintln!("total -> {}", t);
            hprintln!("count -> {}", c);
            hprintln!("heap in use after the calls: {} bytes", HEAP.lock().used());
            if g == "hello, cortex-m" && *t == 136 && *c == 101 {
                debug::exit(debug::EXIT_SUCCESS);
            }
            fail("unexpected results")
        }
        _ => fail("a call failed"),
    }
}
