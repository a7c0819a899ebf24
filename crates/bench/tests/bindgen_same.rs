//! The typed-bindings benchmark's runtimes do the same work: the same results
//! for every export on wasmbed and on wasmtime; and the raw-wasmi floor of the
//! boundary benchmark computes what wasmbed does.

use wasmbed::Val;
use wasmbed_bench::{bg_wasmbed, bg_wasmtime, raw_wasmi_instance, wasmbed_instance, BG_POINTS};

#[test]
fn bindgen_guest_gives_the_same_results_on_both_runtimes() {
    use bg_wasmbed::bench::bg::types as b;
    use bg_wasmtime::bench::bg::types as t;
    let (wb, mut inst) = bg_wasmbed::instance();
    let (wt, mut store) = bg_wasmtime::instance();
    let (wb, wt) = (wb.bench_bg_api(), wt.bench_bg_api());

    let r = wb
        .call_echo_rec(
            &mut inst,
            &b::Rec {
                a: 7,
                b: -1.5,
                name: "héllo".into(),
            },
        )
        .unwrap();
    let s = wt
        .call_echo_rec(
            &mut store,
            &t::Rec {
                a: 7,
                b: -1.5,
                name: "héllo".into(),
            },
        )
        .unwrap();
    assert_eq!((r.a, r.b, r.name.as_str()), (7, -1.5, "héllo"));
    assert_eq!((s.a, s.b, s.name.as_str()), (7, -1.5, "héllo"));

    let pts: Vec<b::Pt> = (0..BG_POINTS).map(|i| b::Pt { x: i, y: !i }).collect();
    let back = wb.call_echo_pts(&mut inst, &pts).unwrap();
    assert_eq!(back, pts);
    let tpts: Vec<t::Pt> = (0..BG_POINTS).map(|i| t::Pt { x: i, y: !i }).collect();
    let tback = wt.call_echo_pts(&mut store, &tpts).unwrap();
    assert_eq!(tback.len(), tpts.len());
    assert!(tback
        .iter()
        .zip(&tpts)
        .all(|(a, b)| a.x == b.x && a.y == b.y));

    for (v, w) in [
        (b::V::None, t::V::None),
        (b::V::Num(u64::MAX - 3), t::V::Num(u64::MAX - 3)),
        (
            b::V::Text("sixteen byte str".into()),
            t::V::Text("sixteen byte str".into()),
        ),
    ] {
        let got = wb.call_echo_v(&mut inst, &v).unwrap();
        assert_eq!(got, v);
        let tgot = wt.call_echo_v(&mut store, &w).unwrap();
        assert_eq!(format!("{tgot:?}"), format!("{w:?}"));
    }
    let sc = wb.call_echo_sc(&mut inst, b::Sc { a: 3, b: 0.25 }).unwrap();
    assert_eq!((sc.a, sc.b), (3, 0.25));
    let sc = wt
        .call_echo_sc(&mut store, t::Sc { a: 3, b: 0.25 })
        .unwrap();
    assert_eq!((sc.a, sc.b), (3, 0.25));
    for (v, w) in [
        (b::Sv::None, t::Sv::None),
        (b::Sv::Num(1 << 40), t::Sv::Num(1 << 40)),
        (
            b::Sv::Pair(b::Pt { x: 1, y: 2 }),
            t::Sv::Pair(t::Pt { x: 1, y: 2 }),
        ),
    ] {
        assert_eq!(wb.call_echo_sv(&mut inst, v).unwrap(), v);
        let tgot = wt.call_echo_sv(&mut store, w).unwrap();
        assert_eq!(format!("{tgot:?}"), format!("{w:?}"));
    }

    for n in [0u32, 1, 17, 1000] {
        let want = [
            n,             // rec: the host adds one to `a` per call
            n * BG_POINTS, // pts: the lengths returned
            2 * n,         // v: `text`'s discriminant per call
            n,             // sc
            n,             // sv
            n,             // pt
        ];
        let wbs = [
            wb.call_loop_rec(&mut inst, n).unwrap(),
            wb.call_loop_pts(&mut inst, n).unwrap(),
            wb.call_loop_v(&mut inst, n).unwrap(),
            wb.call_loop_sc(&mut inst, n).unwrap(),
            wb.call_loop_sv(&mut inst, n).unwrap(),
            wb.call_loop_pt(&mut inst, n).unwrap(),
        ];
        let wts = [
            wt.call_loop_rec(&mut store, n).unwrap(),
            wt.call_loop_pts(&mut store, n).unwrap(),
            wt.call_loop_v(&mut store, n).unwrap(),
            wt.call_loop_sc(&mut store, n).unwrap(),
            wt.call_loop_sv(&mut store, n).unwrap(),
            wt.call_loop_pt(&mut store, n).unwrap(),
        ];
        assert_eq!(wbs, want, "wasmbed, n = {n}");
        assert_eq!(wts, want, "wasmtime, n = {n}");
    }
}

#[test]
fn raw_wasmi_floor_computes_what_wasmbed_does() {
    let mut wb = wasmbed_instance();
    let (mut store, raw) = raw_wasmi_instance();
    let loop_f = raw
        .get_typed_func::<u32, u32>(&store, "cm32p2||loop-f")
        .unwrap();
    let g = raw.get_typed_func::<u32, u32>(&store, "cm32p2||g").unwrap();
    for n in [0u32, 1, 17, 1000] {
        assert_eq!(
            wb.call("loop-f", &[Val::U32(n)]).unwrap(),
            Some(Val::U32(loop_f.call(&mut store, n).unwrap()))
        );
        for name in ["loop-s", "loop-l"] {
            let f = raw
                .get_typed_func::<u32, ()>(&store, &format!("cm32p2||{name}"))
                .unwrap();
            f.call(&mut store, n).unwrap();
        }
    }
    assert_eq!(g.call(&mut store, 41).unwrap(), 42);
}
