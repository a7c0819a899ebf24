//! The suite on WAMR.

/// The engine under test.
pub(crate) type E = wasmbed::Wamr;
/// WAMR meters instructions in every build.
pub(crate) fn engine() -> E {
    E::new()
}
/// The same engine: its budget bounds each call (docs/wamr.md).
pub(crate) fn metered() -> E {
    E::new()
}

include!("suite.rs");

/// What WAMR does differently, by design (docs/wamr.md).
mod only {
    use wasmbed::{ErrorKind, Guest, Interrupt, Limits, Linker, SignalConfig, TrapReason, Val};

    use super::{engine, world};

    const WIT: &str = "package test:wamr;
world w {
  export count: func(n: u32) -> u32;
  export deep: func(n: u32) -> u32;
}";

    /// `count(n)` loops `n` times; `deep(n)` recurses `n` deep.
    const WAT: &str = r#"(module
  (func (export "cm32p2||count") (param $n i32) (result i32) (local $i i32)
    (block (loop
      local.get $i local.get $n i32.ge_u br_if 1
      local.get $i i32.const 1 i32.add local.set $i
      br 0))
    local.get $i)
  (func $deep (export "cm32p2||deep") (param $n i32) (result i32)
    local.get $n i32.eqz
    if (result i32) i32.const 0
    else local.get $n i32.const 1 i32.sub call $deep i32.const 1 i32.add end))"#;

    fn instance(fuel: Option<u64>) -> wasmbed::Instance<super::E> {
        let wasm = wat::parse_str(WAT).unwrap();
        let guest = Guest::new(&engine(), &wasm, world(WIT, "w")).unwrap();
        let limits = Limits {
            fuel,
            ..Limits::default()
        };
        Linker::new().instantiate(&guest, (), limits).unwrap()
    }

    #[test]
    fn the_fuel_limit_is_a_budget_for_each_call() {
        // About 8 instructions per iteration: 1,000 iterations fit a budget
        // of 20,000 every time, though ten calls use far more than that.
        let mut inst = instance(Some(20_000));
        for _ in 0..10 {
            assert_eq!(
                inst.call("count", &[Val::U32(1000)]).unwrap(),
                Some(Val::U32(1000))
            );
        }
        assert_eq!(inst.fuel(), None, "WAMR cannot say what a call used");
        let err = inst.call("count", &[Val::U32(1_000_000)]).unwrap_err();
        assert!(
            matches!(
                err.kind(),
                ErrorKind::Trap {
                    reason: TrapReason::OutOfFuel,
                    ..
                }
            ),
            "{err}"
        );
        assert!(inst.is_poisoned());
    }

    #[test]
    fn without_a_fuel_limit_calls_run_to_the_end() {
        let mut inst = instance(None);
        assert_eq!(
            inst.call("count", &[Val::U32(3_000_000)]).unwrap(),
            Some(Val::U32(3_000_000))
        );
    }

    #[test]
    fn deep_recursion_traps_cleanly_and_poisons() {
        let mut inst = instance(None);
        assert_eq!(
            inst.call("deep", &[Val::U32(100)]).unwrap(),
            Some(Val::U32(100))
        );
        let err = inst.call("deep", &[Val::U32(10_000_000)]).unwrap_err();
        assert!(err.to_string().contains("stack overflow"), "{err}");
        assert!(inst.is_poisoned());
    }

    #[test]
    fn signals_are_refused_with_the_reason() {
        let mut inst = instance(None);
        let err = inst
            .set_signals(Interrupt::new(), SignalConfig::default())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "signals need an engine that runs calls in slices (wasmi with fuel; WAMR cannot)"
        );
    }

    #[test]
    fn a_module_wamr_cannot_load_is_a_compile_error_on_one_line() {
        // A memory of 1-byte pages (what `wasmbed shrink` writes).
        let wasm =
            wat::parse_str(r#"(module (memory (export "cm32p2_memory") 1024 (pagesize 1)))"#)
                .unwrap();
        let Err(err) = Guest::new(&engine(), &wasm, world(WIT, "w")) else {
            panic!("WAMR loaded a memory of 1-byte pages");
        };
        assert!(matches!(err.kind(), ErrorKind::Compile(_)), "{err}");
        assert!(!err.to_string().contains('\n'), "{err}");
    }
}
