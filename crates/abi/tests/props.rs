//! Properties over random types and values: every value survives lowering
//! then lifting, and storing then loading; spilled calls round-trip; and the
//! flattening and layout computed when a type is built agree with the
//! specification's recursive definitions.

use proptest::prelude::*;
use wasmbed_abi::{
    lift_flat, load, lower_flat, store, BumpMemory, FlatType, FuncType, Layout, RawHandles, Type,
    Val,
};
use wasmbed_strategies::{any_type, any_val, canonical};

fn typed_val() -> impl Strategy<Value = (Type, Val)> {
    any_type(true).prop_flat_map(|t| {
        let v = any_val(&t);
        (Just(t), v)
    })
}

/// Equal, with floats compared by bits.
fn same(a: &Val, b: &Val) -> bool {
    format!("{a:?}") == format!("{b:?}")
        && match (a, b) {
            (Val::F32(x), Val::F32(y)) => x.to_bits() == y.to_bits(),
            (Val::F64(x), Val::F64(y)) => x.to_bits() == y.to_bits(),
            _ => true,
        }
}

/// The specification's `flatten_type`, written out independently.
fn spec_flat(ty: &Type) -> Vec<FlatType> {
    match ty {
        Type::S64 | Type::U64 => vec![FlatType::I64],
        Type::F32 => vec![FlatType::F32],
        Type::F64 => vec![FlatType::F64],
        Type::String | Type::List(_) => vec![FlatType::I32, FlatType::I32],
        Type::Record(r) => r.fields().flat_map(|(_, t, _)| spec_flat(t)).collect(),
        Type::Tuple(t) => t.fields().flat_map(|(t, _)| spec_flat(t)).collect(),
        Type::Variant(v) => spec_flat_cases(v.cases().map(|(_, t)| t)),
        Type::Enum(_) => vec![FlatType::I32],
        Type::Option(o) => spec_flat_cases([None, Some(o.some())].into_iter()),
        Type::Result(r) => spec_flat_cases([r.ok(), r.err()].into_iter()),
        _ => vec![FlatType::I32],
    }
}

fn spec_flat_cases<'a>(cases: impl Iterator<Item = Option<&'a Type>>) -> Vec<FlatType> {
    let mut flat: Vec<FlatType> = Vec::new();
    for t in cases.flatten() {
        for (i, ft) in spec_flat(t).into_iter().enumerate() {
            match flat.get_mut(i) {
                Some(slot) if *slot == ft => {}
                Some(slot)
                    if matches!(
                        (*slot, ft),
                        (FlatType::I32, FlatType::F32) | (FlatType::F32, FlatType::I32)
                    ) =>
                {
                    *slot = FlatType::I32
                }
                Some(slot) => *slot = FlatType::I64,
                None => flat.push(ft),
            }
        }
    }
    let mut out = vec![FlatType::I32];
    out.extend(flat);
    out
}

/// Layout invariants: size a multiple of align, fields aligned, in order, inside the value.
fn check_layout(ty: &Type) -> Result<(), String> {
    let Layout { size, align } = ty.layout();
    if !align.is_power_of_two() || align > 8 || size % align != 0 || size == 0 {
        return Err(format!("bad layout {size}/{align} for {ty:?}"));
    }
    let fields: Vec<(&Type, u32)> = match ty {
        Type::Record(r) => r.fields().map(|(_, t, o)| (t, o)).collect(),
        Type::Tuple(t) => t.fields().collect(),
        Type::List(l) => return check_layout(l.elem()),
        Type::Variant(v) => {
            let at = v.payload_offset();
            if at < v.discriminant().bytes() {
                return Err("payload overlaps the discriminant".into());
            }
            v.cases().filter_map(|(_, t)| t).map(|t| (t, at)).collect()
        }
        _ => Vec::new(),
    };
    let mut end = 0;
    for (t, offset) in fields {
        let l = t.layout();
        if offset % l.align != 0 || offset + l.size > size || l.align > align {
            return Err(format!(
                "field at {offset} of {l:?} does not fit {size}/{align}"
            ));
        }
        if !matches!(ty, Type::Variant(_)) {
            if offset < end {
                return Err(format!(
                    "field at {offset} overlaps the previous one ending at {end}"
                ));
            }
            end = offset + l.size;
        }
        check_layout(t)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn lower_then_lift_gives_the_value_back((ty, v) in typed_val()) {
        let mut bytes = vec![0u8; 1 << 16];
        let mut mem = BumpMemory::new(&mut bytes, 16);
        let mut flat = Vec::new();
        lower_flat(&ty, &v, &mut mem, &mut RawHandles, &mut flat).unwrap();
        prop_assert_eq!(flat.len(), ty.flat().len());
        for (f, t) in flat.iter().zip(ty.flat()) {
            prop_assert_eq!(f.ty(), *t);
        }
        let back = lift_flat(&ty, &flat, mem.data(), &mut RawHandles).unwrap();
        prop_assert!(same(&back, &canonical(&v)), "{:?} != {:?}", back, v);
    }

    #[test]
    fn store_then_load_gives_the_value_back((ty, v) in typed_val(), slack in 0u32..3) {
        let mut bytes = vec![0u8; 1 << 16];
        let ptr = ty.layout().align * slack;
        let heap = ptr + ty.layout().size;
        let mut mem = BumpMemory::new(&mut bytes, heap);
        store(&ty, &v, ptr, &mut mem, &mut RawHandles).unwrap();
        let back = load(&ty, mem.data(), ptr, &mut RawHandles).unwrap();
        prop_assert!(same(&back, &canonical(&v)), "{:?} != {:?}", back, v);
    }

    #[test]
    fn flattening_and_layout_agree_with_the_specification(ty in any_type(true)) {
        let want = spec_flat(&ty);
        prop_assert_eq!(ty.flat(), want.as_slice());
        prop_assert_eq!(check_layout(&ty), Ok(()));
    }

    #[test]
    fn flat_and_memory_paths_agree((ty, v) in typed_val()) {
        // Lowering to core values and storing to memory must carry the same value.
        let mut a = vec![0u8; 1 << 16];
        let mut b = vec![0u8; 1 << 16];
        let mut mem_a = BumpMemory::new(&mut a, 64);
        let mut mem_b = BumpMemory::new(&mut b, ty.layout().size.max(64));
        let mut flat = Vec::new();
        lower_flat(&ty, &v, &mut mem_a, &mut RawHandles, &mut flat).unwrap();
        store(&ty, &v, 0, &mut mem_b, &mut RawHandles).unwrap();
        let via_flat = lift_flat(&ty, &flat, mem_a.data(), &mut RawHandles).unwrap();
        let via_mem = load(&ty, mem_b.data(), 0, &mut RawHandles).unwrap();
        prop_assert!(same(&via_flat, &via_mem));
    }

    #[test]
    fn calls_round_trip_with_and_without_spilling(
        (tys, vals) in prop::collection::vec(typed_val(), 0..24)
            .prop_map(|tv| tv.into_iter().unzip::<_, _, Vec<Type>, Vec<Val>>()),
    ) {
        let ft = FuncType::new(tys, None).unwrap();
        let mut bytes = vec![0u8; 1 << 17];
        let mut mem = BumpMemory::new(&mut bytes, 8);
        let mut flat = Vec::new();
        ft.lower_args(&vals, &mut mem, &mut RawHandles, &mut flat).unwrap();
        let spilled = ft.params_spill();
        prop_assert_eq!(flat.len(), if spilled { 1 } else { ft.flat_params().len() });
        let back = ft.lift_args(&flat, mem.data(), &mut RawHandles).unwrap();
        prop_assert_eq!(back.len(), vals.len());
        for (b, v) in back.iter().zip(&vals) {
            prop_assert!(same(b, &canonical(v)));
        }
    }
}
