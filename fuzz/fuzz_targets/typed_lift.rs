//! The typed path (what generated bindings use) on arbitrary guest bytes and
//! core values, against the `Val` path that the reference vectors check.
//!
//! Both must agree: the same trap, or values that store to the same bytes.
//! A panic, an overflow or an out-of-bounds access is a bug.
#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use wasmbed_abi::typed::{FlatSrc, Lift, LiftCx, Lower, LowerCx};
use wasmbed_abi::{lift_flat, load, store, BumpMemory, FlatType, FlatVal, RawHandles, Type};

type Big = (
    (u8, String, Option<Result<Vec<(u32, f32)>, char>>),
    (Vec<String>, i64, Result<f32, u64>),
    (Option<f64>, Result<u32, f32>, Vec<u16>),
);

fn big_type() -> Type {
    let t = |ts: Vec<Type>| Type::tuple(ts).unwrap();
    let pair = t(vec![Type::U32, Type::F32]);
    t(vec![
        t(vec![
            Type::U8,
            Type::String,
            Type::option(Type::result(Some(Type::list(pair).unwrap()), Some(Type::Char)).unwrap())
                .unwrap(),
        ]),
        t(vec![
            Type::list(Type::String).unwrap(),
            Type::S64,
            Type::result(Some(Type::F32), Some(Type::U64)).unwrap(),
        ]),
        t(vec![
            Type::option(Type::F64).unwrap(),
            Type::result(Some(Type::U32), Some(Type::F32)).unwrap(),
            Type::list(Type::U16).unwrap(),
        ]),
    ])
}

fn flat(u: &mut Unstructured, t: FlatType, mem_len: usize) -> Result<FlatVal> {
    Ok(match t {
        FlatType::I32 if u.arbitrary()? => FlatVal::I32(u.int_in_range(0..=mem_len as i32 + 8)?),
        FlatType::I32 => FlatVal::I32(u.arbitrary()?),
        FlatType::I64 => FlatVal::I64(u.arbitrary()?),
        FlatType::F32 => FlatVal::F32(f32::from_bits(u.arbitrary()?)),
        FlatType::F64 => FlatVal::F64(f64::from_bits(u.arbitrary()?)),
    })
}

/// The bytes `v` stores to, through the typed path.
fn typed_bytes<V: Lower>(v: &V, ty: &Type) -> Vec<u8> {
    let mut bytes = vec![0u8; 1 << 16];
    let mut mem = BumpMemory::new(&mut bytes, 64);
    v.store(&mut LowerCx::new(&mut mem, &mut RawHandles), ty, 0)
        .expect("a lifted value stores");
    bytes
}

/// The bytes `v` stores to, through the `Val` path.
fn val_bytes(v: &wasmbed_abi::Val, ty: &Type) -> Vec<u8> {
    let mut bytes = vec![0u8; 1 << 16];
    let mut mem = BumpMemory::new(&mut bytes, 64);
    store(ty, v, 0, &mut mem, &mut RawHandles).expect("a lifted value stores");
    bytes
}

/// Whether a value of `ty` at `ptr` is aligned and inside `mem_len` bytes, as callers check.
fn in_bounds(ty: &Type, ptr: u32, mem_len: usize) -> bool {
    let l = ty.layout();
    ptr % l.align == 0 && u64::from(ptr) + u64::from(l.size) <= mem_len as u64
}

fn run(data: &[u8]) -> Result<()> {
    let mut u = Unstructured::new(data);
    let ty = big_type();
    let Type::Tuple(parts) = &ty else {
        unreachable!()
    };
    let first = parts.fields().next().map(|(t, _)| t.clone()).unwrap();
    let mem_len = u.int_in_range(0..=2048usize)?;
    let mut flats = Vec::new();
    for t in first.flat() {
        flats.push(flat(&mut u, *t, mem_len)?);
    }
    let ptr = if u.arbitrary()? {
        u.int_in_range(0..=mem_len as u32)?
    } else {
        u.arbitrary()?
    };
    let mut mem = u.bytes(u.len().min(mem_len))?.to_vec();
    mem.resize(mem_len, 0);

    // Memory: the whole type, loaded at `ptr`.
    let typed: std::result::Result<Big, _> =
        Lift::load(&mut LiftCx::new(&mem, &mut RawHandles), &ty, ptr);
    let dynamic = load(&ty, &mem, ptr, &mut RawHandles);
    if !in_bounds(&ty, ptr, mem_len) {
        // Every caller checks the whole value's range and alignment first (a
        // list, spilled arguments, a returned pointer) and traps there; the
        // typed load behind it then only has to stay inside the memory.
        assert!(
            dynamic.is_err(),
            "load: an unaligned or out-of-bounds value loaded"
        );
    } else {
        match (&typed, &dynamic) {
            (Ok(t), Ok(d)) => {
                assert!(
                    typed_bytes(t, &ty) == val_bytes(d, &ty),
                    "load: values differ"
                )
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "load: traps differ"),
            (t, d) => panic!("load: typed {:?}, dynamic {:?}", t.is_ok(), d.is_ok()),
        }
    }

    // Core values: the first part (its flat form fits a call), lifted.
    type First = (u8, String, Option<Result<Vec<(u32, f32)>, char>>);
    let typed: std::result::Result<First, _> = Lift::lift(
        &mut LiftCx::new(&mem, &mut RawHandles),
        &first,
        &mut FlatSrc::new(&flats),
    );
    let dynamic = lift_flat(&first, &flats, &mem, &mut RawHandles);
    match (&typed, &dynamic) {
        (Ok(t), Ok(d)) => assert!(
            typed_bytes(t, &first) == val_bytes(d, &first),
            "lift: values differ"
        ),
        (Err(a), Err(b)) => assert_eq!(a, b, "lift: traps differ"),
        (t, d) => panic!("lift: typed {:?}, dynamic {:?}", t.is_ok(), d.is_ok()),
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
});
