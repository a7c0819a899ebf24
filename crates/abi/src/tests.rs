//! Unit tests of layout, traps and the zero-copy views; the specification's
//! cases are in `tests/vectors.rs`.

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use crate::*;

fn pair_ty() -> Type {
    Type::record([("a", Type::U8), ("b", Type::String)]).unwrap()
}

#[test]
fn layout_of_padded_record() {
    let ty = Type::record([
        ("a", Type::U8),
        ("b", Type::U16),
        ("c", Type::U8),
        ("d", Type::U32),
        ("e", Type::U8),
        ("g", Type::U64),
        ("h", Type::U8),
    ])
    .unwrap();
    assert_eq!(ty.layout(), Layout { size: 32, align: 8 });
    let Type::Record(r) = &ty else { unreachable!() };
    let offsets: Vec<u32> = r.fields().map(|(_, _, o)| o).collect();
    assert_eq!(offsets, [0, 2, 4, 8, 12, 16, 24]);
}

#[test]
fn discriminant_width_follows_case_count() {
    let names = |n: usize| (0..n).map(|i| alloc::format!("c{i}")).collect::<Vec<_>>();
    for (n, size) in [(1, 1), (256, 1), (257, 2), (65536, 2), (65537, 4)] {
        let ty = Type::enumeration(names(n)).unwrap();
        assert_eq!(ty.layout().size, size, "{n} cases");
    }
}

#[test]
fn variant_slots_join() {
    let ty = Type::variant([
        ("a", Some(Type::F32)),
        ("b", Some(Type::U32)),
        ("c", Some(Type::F64)),
        ("d", None),
    ])
    .unwrap();
    assert_eq!(ty.flat(), [FlatType::I32, FlatType::I64]);
    let ty = Type::variant([("a", Some(Type::F32)), ("b", Some(Type::S16))]).unwrap();
    assert_eq!(ty.flat(), [FlatType::I32, FlatType::I32]);
}

#[test]
fn bad_types_are_refused() {
    assert_eq!(
        Type::record(Vec::<(&str, Type)>::new()),
        Err(TypeError::Empty(TypeKind::Record))
    );
    assert_eq!(
        Type::record([("a", Type::U8), ("a", Type::U8)]),
        Err(TypeError::DuplicateName(TypeKind::Record))
    );
    assert_eq!(
        Type::flags((0..33).map(|i| i.to_string())),
        Err(TypeError::TooManyFlags(33))
    );
    let mut ty = Type::U8;
    let mut result = Ok(());
    for _ in 0..=MAX_TYPE_DEPTH {
        match Type::option(ty.clone()) {
            Ok(t) => ty = t,
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    assert_eq!(result, Err(TypeError::TooDeep));
}

#[test]
fn trap_messages_name_type_and_reason() {
    let mem = [0u8; 16];
    let enum3 = Type::enumeration(["a", "b", "c"]).unwrap();
    let err = lift_flat(&enum3, &[FlatVal::I32(256)], &mem, &mut RawHandles).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid discriminant 256 for `enum` with 3 cases"
    );
    let err = lift_flat(
        &Type::String,
        &[FlatVal::I32(10), FlatVal::I32(7)],
        &mem,
        &mut RawHandles,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`string` at 0xa (7 bytes) is out of bounds of memory (16 bytes)"
    );
    let err = lift_flat(&Type::Char, &[FlatVal::I32(0xd800)], &mem, &mut RawHandles).unwrap_err();
    assert_eq!(err, Trap::InvalidChar { value: 0xd800 });
    let list = Type::list(Type::U32).unwrap();
    let err = lift_flat(
        &list,
        &[FlatVal::I32(2), FlatVal::I32(0)],
        &mem,
        &mut RawHandles,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`list` pointer 0x2 is not aligned to 4 bytes"
    );
}

#[test]
fn flat_values_of_the_wrong_type_or_number_are_refused() {
    let mem = [0u8; 4];
    assert_eq!(
        lift_flat(&Type::U32, &[FlatVal::I64(1)], &mem, &mut RawHandles),
        Err(Trap::FlatMismatch {
            expected: Some(FlatType::I32)
        })
    );
    assert_eq!(
        lift_flat(&Type::U32, &[], &mem, &mut RawHandles),
        Err(Trap::FlatMismatch { expected: None })
    );
}

#[test]
fn host_values_that_do_not_match_are_refused() {
    let mut bytes = [0u8; 64];
    let mut mem = BumpMemory::new(&mut bytes, 16);
    let mut out = Vec::new();
    let err = lower_flat(&pair_ty(), &Val::U8(1), &mut mem, &mut RawHandles, &mut out);
    assert_eq!(
        err,
        Err(Trap::ValueMismatch {
            expected: TypeKind::Record
        })
    );
    let opt = Type::option(Type::U8).unwrap();
    let bad = Val::Variant(1, None);
    assert!(store(&opt, &bad, 0, &mut mem, &mut RawHandles).is_err());
    let enum2 = Type::enumeration(["a", "b"]).unwrap();
    assert!(lower_flat(&enum2, &Val::Enum(2), &mut mem, &mut RawHandles, &mut out).is_err());
}

#[test]
fn realloc_out_of_bounds_traps() {
    let mut bytes = [0u8; 8];
    let mut mem = BumpMemory::new(&mut bytes, 6);
    let mut out = Vec::new();
    let err = lower_flat(
        &Type::String,
        &Val::String("abc".into()),
        &mut mem,
        &mut RawHandles,
        &mut out,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Trap::BadRealloc {
                ptr: 6,
                size: 3,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn zero_copy_views_borrow_guest_memory() {
    let mut mem = vec![0u8; 32];
    mem[4..8].copy_from_slice(&0x0102_0304u32.to_le_bytes());
    mem[8..12].copy_from_slice(&0xa0b0_c0d0u32.to_le_bytes());
    mem[16..21].copy_from_slice("héll".as_bytes());
    let words = read_list::<u32>(&mem, 4, 2).unwrap();
    assert_eq!(words.len(), 2);
    assert_eq!(words[0].get(), 0x0102_0304);
    assert_eq!(words[1].get(), 0xa0b0_c0d0);
    // The view points into the memory itself: no copy was made.
    assert_eq!(words.as_ptr() as *const u8, mem[4..].as_ptr());
    assert_eq!(read_str(&mem, 16, 5).unwrap(), "héll");
    assert_eq!(
        read_bytes(&mem, 16, 5).unwrap().as_ptr(),
        mem[16..].as_ptr()
    );
    assert!(matches!(
        read_list::<u32>(&mem, 2, 1),
        Err(Trap::Misaligned { .. })
    ));
    assert!(matches!(
        read_list::<u64>(&mem, 24, 2),
        Err(Trap::OutOfBounds { .. })
    ));
    assert!(matches!(
        read_str(&mem, 17, 1),
        Err(Trap::InvalidUtf8 { at: 0, .. })
    ));
    assert!(matches!(
        read_bytes(&mem, 0, 1 << 28),
        Err(Trap::TooLong { .. })
    ));
}

#[test]
fn functype_spills_params_and_results() {
    let many = vec![Type::U32; 17];
    let ft = FuncType::new(many, Some(pair_ty())).unwrap();
    let lift = ft.core_signature(AbiContext::Lift);
    assert_eq!(lift.params, [FlatType::I32]);
    assert_eq!(lift.results, [FlatType::I32]);
    let lower = flatten_functype(&ft, AbiContext::Lower);
    assert_eq!(lower.params, [FlatType::I32, FlatType::I32]);
    assert!(lower.results.is_empty());
    assert!(ft.needs_memory());
    assert!(ft.needs_realloc(AbiContext::Lift));
    assert!(ft.needs_realloc(AbiContext::Lower));
}

#[test]
fn spilled_arguments_round_trip_through_memory() {
    let tys: Vec<Type> = (0..20).map(|_| Type::U64).collect();
    let ft = FuncType::new(tys, Some(pair_ty())).unwrap();
    let args: Vec<Val> = (0..20).map(|i| Val::U64(i * 1000)).collect();
    let mut bytes = vec![0u8; 1024];
    let mut mem = BumpMemory::new(&mut bytes, 8);
    let mut flat = Vec::new();
    ft.lower_args(&args, &mut mem, &mut RawHandles, &mut flat)
        .unwrap();
    assert_eq!(flat.len(), 1, "params spilled into one pointer");

    // Called as an import, the guest passes the same pointer plus a return pointer.
    let ret_ptr = 512;
    let mut args_flat = flat.clone();
    args_flat.push(FlatVal::I32(ret_ptr));
    let back = ft
        .lift_args(&args_flat, mem.data(), &mut RawHandles)
        .unwrap();
    assert_eq!(back, args);

    // The result of an import goes through the guest's return pointer.
    let result = Val::Record(vec![Val::U8(9), Val::String("hi".into())]);
    let mut out = Vec::new();
    ft.lower_result(
        Some(&result),
        &args_flat,
        &mut mem,
        &mut RawHandles,
        &mut out,
    )
    .unwrap();
    assert!(out.is_empty());
    let got = ft
        .lift_results(&[FlatVal::I32(ret_ptr)], mem.data(), &mut RawHandles)
        .unwrap();
    assert_eq!(got, Some(result));
    // A return pointer out of bounds traps instead of writing.
    args_flat.pop();
    args_flat.push(FlatVal::I32(1020));
    let err = ft.lower_result(
        Some(&Val::Record(vec![Val::U8(1), Val::String(String::new())])),
        &args_flat,
        &mut mem,
        &mut RawHandles,
        &mut out,
    );
    assert!(matches!(err, Err(Trap::OutOfBounds { .. })));
}

#[test]
fn read_struct_borrows_guest_memory_after_checking_alignment_and_bounds() {
    use zerocopy::little_endian::{U16, U32};

    /// `record { a: u16, b: u32 }`: size 8, align 4, `a` at 0, `b` at 4.
    #[derive(
        zerocopy::FromBytes, zerocopy::KnownLayout, zerocopy::Immutable, zerocopy::Unaligned,
    )]
    #[repr(C)]
    struct Pair {
        a: U16,
        _pad: [u8; 2],
        b: U32,
    }

    let mut mem = [0u8; 32];
    mem[8..10].copy_from_slice(&0x1234u16.to_le_bytes());
    mem[12..16].copy_from_slice(&0xdead_beefu32.to_le_bytes());
    let pair: &Pair = read_struct(&mem, 8, 4).unwrap();
    assert_eq!((pair.a.get(), pair.b.get()), (0x1234, 0xdead_beef));
    assert!(core::ptr::eq(pair as *const Pair as *const u8, &mem[8]));

    assert_eq!(
        read_struct::<Pair>(&mem, 6, 4).err(),
        Some(Trap::Misaligned {
            ty: TypeKind::Record,
            ptr: 6,
            align: 4
        })
    );
    assert!(matches!(
        read_struct::<Pair>(&mem, 28, 4),
        Err(Trap::OutOfBounds { len: 8, .. })
    ));
    assert!(matches!(
        read_struct::<Pair>(&mem, u32::MAX - 3, 4),
        Err(Trap::OutOfBounds { .. })
    ));
    // An alignment of 0 is taken as 1, never a division by zero.
    assert!(read_struct::<Pair>(&mem, 3, 0).is_ok());
}
