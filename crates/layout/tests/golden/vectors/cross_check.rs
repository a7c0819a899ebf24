//! The `vectors` case's Rust types against `wasmbed-abi`, not against what the generator printed.
//!
//! Sizes, alignments and offsets must be those `Type::layout()` and
//! `fields()` compute, and a value that `wasmbed_abi::store` writes must
//! read back through the generated type, in place.

use std::mem::{offset_of, size_of};

use wasmbed_abi::{read_struct, store, BumpMemory, RawHandles, Type, Val};
use wasmbed_wit::TypeMap;

use super::golden_vectors as g;

/// The ABI type of a named type of the `types` interface of `input.wit`.
fn abi(name: &str) -> Type {
    let input = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/vectors/input.wit"
    );
    let loaded = wasmbed_wit::load_path(std::path::Path::new(input)).unwrap();
    let iface = loaded.resolve.packages[loaded.package].interfaces["types"];
    let id = loaded.resolve.interfaces[iface].types[name];
    TypeMap::new(&loaded.resolve).convert_id(id).unwrap()
}

/// The type of a record's field, by name.
fn field(ty: &Type, name: &str) -> Type {
    let Type::Record(r) = ty else {
        panic!("not a record: {ty:?}")
    };
    r.fields().find(|(n, ..)| *n == name).unwrap().1.clone()
}

/// Field offsets of a record or tuple, as `wasmbed-abi` lays them out.
fn offsets(ty: &Type) -> Vec<u32> {
    match ty {
        Type::Record(r) => r.fields().map(|(_, _, o)| o).collect(),
        Type::Tuple(t) => t.fields().map(|(_, o)| o).collect(),
        other => panic!("not a record or tuple: {other:?}"),
    }
}

/// Asserts size and `ALIGN`, and every field's offset for records and tuples.
macro_rules! same_layout {
    ($abi:expr, $t:ty $(, [$($f:ident),*])?) => {{
        let abi: Type = $abi;
        let name = stringify!($t);
        assert_eq!(size_of::<$t>() as u32, abi.layout().size, "size of {name}");
        assert_eq!(<$t>::ALIGN, abi.layout().align, "alignment of {name}");
        $(assert_eq!(vec![$(offset_of!($t, $f) as u32),*], offsets(&abi), "offsets of {name}");)?
    }};
}

#[test]
fn sizes_alignments_and_offsets_are_wasmbed_abi_s() {
    same_layout!(abi("padded"), g::Padded, [a, b, c, d, e, g, h]);
    assert_eq!(size_of::<g::Padded>(), 32);
    same_layout!(abi("point"), g::Point, [x, y]);
    same_layout!(abi("segment"), g::Segment, [start, end, weight, tag]);
    same_layout!(field(&abi("segment"), "tag"), g::SegmentTag, [f0, f1]);
    same_layout!(abi("pair"), g::Pair, [f0, f1]);
    same_layout!(abi("triple"), g::Triple, [f0, f1, f2]);
    same_layout!(abi("small-enum"), g::SmallEnum);
    same_layout!(abi("big-enum"), g::BigEnum);
    same_layout!(abi("flags3"), g::Flags3);
    same_layout!(abi("flags9"), g::Flags9);
    same_layout!(abi("flags17"), g::Flags17);
    same_layout!(abi("mixed"), g::Mixed);
    same_layout!(abi("maybe"), g::Maybe);
    same_layout!(abi("outcome"), g::Outcome);
    let holder = abi("holder");
    same_layout!(
        holder.clone(),
        g::Holder,
        [kind, wide, bits, many, value, opt, res, empty]
    );
    same_layout!(field(&holder, "opt"), g::HolderOpt);
    same_layout!(field(&holder, "res"), g::HolderRes);
    same_layout!(field(&holder, "empty"), g::HolderEmpty);
    let Type::Variant(mixed) = abi("mixed") else {
        panic!("not a variant")
    };
    assert_eq!(offset_of!(g::Mixed, payload) as u32, mixed.payload_offset());
    let (_, two) = mixed.cases().nth(3).unwrap();
    same_layout!(two.unwrap().clone(), g::MixedTwo, [f0, f1]);
}

/// Stores `val` with `wasmbed-abi` at an aligned address and views it as `T` in place.
fn stored<T>(ty: &Type, val: Val, bytes: &mut [u8], check: impl FnOnce(&T))
where
    T: zerocopy::FromBytes + zerocopy::KnownLayout + zerocopy::Immutable + zerocopy::Unaligned,
{
    let ptr = 64;
    bytes.fill(0xee);
    let mut mem = BumpMemory::new(bytes, 0);
    store(ty, &val, ptr, &mut mem, &mut RawHandles).unwrap();
    let view: &T = read_struct(bytes, ptr, ty.layout().align).unwrap();
    assert!(std::ptr::eq(view as *const T as *const u8, &bytes[64]));
    check(view);
}

#[test]
fn values_stored_by_wasmbed_abi_read_back_through_generated_types() {
    let mut bytes = vec![0u8; 256];
    let padded = Val::Record(vec![
        Val::U8(1),
        Val::U16(0x0203),
        Val::U8(4),
        Val::U32(0x0506_0708),
        Val::U8(9),
        Val::U64(0x0a0b_0c0d_0e0f_1011),
        Val::U8(0x12),
    ]);
    stored(&abi("padded"), padded, &mut bytes, |p: &g::Padded| {
        assert_eq!(
            (p.a, p.b.get(), p.c, p.d.get()),
            (1, 0x0203, 4, 0x0506_0708)
        );
        assert_eq!((p.e, p.g.get(), p.h), (9, 0x0a0b_0c0d_0e0f_1011, 0x12));
    });

    let two = Val::Variant(
        3,
        Some(Box::new(Val::Tuple(vec![Val::U16(0xbeef), Val::U8(7)]))),
    );
    stored(&abi("mixed"), two, &mut bytes, |m: &g::Mixed| {
        assert_eq!(m.tag(), g::Mixed::TWO);
        let t = m.as_two().unwrap();
        assert_eq!((t.f0.get(), t.f1), (0xbeef, 7));
        assert!(m.as_big().is_none());
    });
    let real = Val::Variant(1, Some(Box::new(Val::F32(-0.75))));
    stored(&abi("mixed"), real, &mut bytes, |m: &g::Mixed| {
        assert_eq!(m.as_real().unwrap().get(), -0.75);
    });

    let some = Val::Option(Some(Box::new(Val::U32(77))));
    stored(&abi("maybe"), some, &mut bytes, |m: &g::Maybe| {
        assert_eq!(m.as_some().unwrap().get(), 77);
    });
    let err = Val::Result(Err(Some(Box::new(Val::U8(5)))));
    stored(&abi("outcome"), err, &mut bytes, |o: &g::Outcome| {
        assert_eq!((o.tag(), *o.as_err().unwrap()), (g::Outcome::ERR, 5));
        assert!(o.as_ok().is_none());
    });

    let holder = Val::Record(vec![
        Val::Enum(2),
        Val::Enum(299),
        Val::Flags(0x101),
        Val::Flags(0x1_0001),
        Val::Variant(2, Some(Box::new(Val::U64(u64::MAX - 1)))),
        Val::Option(None),
        Val::Result(Ok(Some(Box::new(Val::U64(12))))),
        Val::Result(Err(None)),
    ]);
    stored(&abi("holder"), holder, &mut bytes, |h: &g::Holder| {
        assert_eq!(h.kind, g::SmallEnum::THREE);
        assert_eq!((h.wide, h.wide.is_valid()), (g::BigEnum::C299, true));
        assert!(h.bits.contains(g::Flags9::F0) && h.bits.contains(g::Flags9::F8));
        assert_eq!(
            h.many.bits(),
            g::Flags17::G0.bits() | g::Flags17::G16.bits()
        );
        assert_eq!(h.value.as_big().unwrap().get(), u64::MAX - 1);
        assert_eq!(h.opt.tag(), g::HolderOpt::NONE);
        assert_eq!(h.res.as_ok().unwrap().get(), 12);
        assert_eq!(h.empty.tag(), g::HolderEmpty::ERR);
    });
}

#[test]
fn generated_setters_write_what_wasmbed_abi_loads() {
    use zerocopy::{FromZeros, IntoBytes};

    let mut m = g::Mixed::new_zeroed();
    m.set_two(g::MixedTwo {
        f0: 0x1234.into(),
        f1: 9,
        _pad0: [0],
    });
    let mut bytes = vec![0u8; 64];
    bytes[16..32].copy_from_slice(m.as_bytes());
    let back = wasmbed_abi::load(&abi("mixed"), &bytes, 16, &mut RawHandles).unwrap();
    let want = Val::Tuple(vec![Val::U16(0x1234), Val::U8(9)]);
    assert_eq!(back, Val::Variant(3, Some(Box::new(want))));
}
