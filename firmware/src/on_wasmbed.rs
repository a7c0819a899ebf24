//! The calls through wasmbed: the world built by code (the device never
//! parses WIT), the host and the calls through bindings that
//! `wasmbed::bindgen!` generates from `guests/cm32/calc.wit` (no `Val`s),
//! the host's state in the instance's host data.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

#[cfg(feature = "wamr")]
use wasmbed::Wamr;
#[cfg(not(feature = "wamr"))]
use wasmbed::Wasmi;
use wasmbed::{Guest, Limits, Linker};
use wasmbed_abi::{FuncType, Type};
use wasmbed_wit::world::{Function, Interface, InterfaceName, Item, World};

use crate::{calc_results, fail, heap_line};

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

/// Instantiates `guest`, makes the three calls and prints their results:
/// whether they are right.
pub(crate) fn calls(guest: &[u8]) -> bool {
    #[cfg(not(feature = "wamr"))]
    let engine = Wasmi::eager();
    #[cfg(feature = "wamr")]
    let engine = Wamr::with_stack(WAMR_STACK);
    let guest = Guest::new(&engine, guest, world())
        .unwrap_or_else(|_| fail("guest does not fit its world"));
    let mut linker: Linker<Device> = Linker::new();
    bindings::Calc::add_to_linker(&mut linker, |d: &mut Device| d).unwrap_or_else(|_| fail("link"));
    let limits = Limits {
        max_memory_pages: 2,
        ..Limits::default()
    };
    let (calc, mut inst) = bindings::Calc::instantiate(&linker, &guest, Device::default(), limits)
        .unwrap_or_else(|_| fail("instantiate"));
    // What only linking needed: the instance keeps the compiled module and
    // its world, not the guest's name tables nor the linker's.
    drop(guest);
    drop(linker);
    heap_line("after instantiation");

    let api = calc.wasmbed_cm32_api();
    let greet = api.call_greet(&mut inst, "cortex-m");
    let total = api.call_total(
        &mut inst, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, -1,
    );
    let count = calc.call_count(&mut inst);
    heap_line("after the calls");
    match (greet, total, count) {
        (Ok(greet), Ok(total), Ok(count)) => calc_results(&greet, total, count, inst.data().calls),
        _ => fail("a call failed"),
    }
}
