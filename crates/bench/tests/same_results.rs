//! The benchmark's two runtimes do the same work: same results for every export.

use wasmbed::Val;
use wasmbed_bench::{wasmbed_instance, wasmtime_instance};

#[test]
fn both_runtimes_compute_the_same() {
    let mut wb = wasmbed_instance();
    let (mut store, wt) = wasmtime_instance();
    for n in [0u32, 1, 17, 1000] {
        let f = wt
            .get_typed_func::<(u32,), (u32,)>(&mut store, "loop-f")
            .unwrap();
        let (want,) = f.call(&mut store, (n,)).unwrap();
        assert_eq!(
            wb.call("loop-f", &[Val::U32(n)]).unwrap(),
            Some(Val::U32(want))
        );
        assert_eq!(want, n, "f adds one per call");
        for name in ["loop-s", "loop-l"] {
            let f = wt.get_typed_func::<(u32,), ()>(&mut store, name).unwrap();
            f.call(&mut store, (n,)).unwrap();
            assert_eq!(wb.call(name, &[Val::U32(n)]).unwrap(), None);
        }
    }
    let g = wt
        .get_typed_func::<(u32,), (u32,)>(&mut store, "g")
        .unwrap();
    assert_eq!(g.call(&mut store, (41,)).unwrap(), (42,));
    assert_eq!(wb.call("g", &[Val::U32(41)]).unwrap(), Some(Val::U32(42)));
}
