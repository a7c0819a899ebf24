//! Properties over random types and values: every value survives lowering
//! then lifting, and storing then loading; spilled calls round-trip; and the
//! flattening and layout computed when a type is built agree with the
//! specification's recursive definitions.

use proptest::prelude::*;
use wasmbed_abi::{
    lift_flat, load, lower_flat, store, BumpMemory, FlatType, FuncType, Layout, RawHandles,
    ResourceId, Type, Val,
};

fn leaf() -> impl Strategy<Value = Type> {
    prop_oneof![
        Just(Type::Bool),
        Just(Type::S8),
        Just(Type::U8),
        Just(Type::S16),
        Just(Type::U16),
        Just(Type::S32),
        Just(Type::U32),
        Just(Type::S64),
        Just(Type::U64),
        Just(Type::F32),
        Just(Type::F64),
        Just(Type::Char),
        Just(Type::String),
        Just(Type::Own(ResourceId(0))),
        Just(Type::Borrow(ResourceId(1))),
    ]
}

fn labels(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("l{i}")).collect()
}

fn any_type() -> impl Strategy<Value = Type> {
    leaf().prop_recursive(4, 48, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|t| Type::list(t).unwrap()),
            prop::collection::vec(inner.clone(), 1..5)
                .prop_map(|ts| Type::record(labels(ts.len()).into_iter().zip(ts)).unwrap()),
            prop::collection::vec(inner.clone(), 1..5).prop_map(|ts| Type::tuple(ts).unwrap()),
            prop::collection::vec(prop::option::of(inner.clone()), 1..5)
                .prop_map(|cs| Type::variant(labels(cs.len()).into_iter().zip(cs)).unwrap()),
            inner.clone().prop_map(|t| Type::option(t).unwrap()),
            (prop::option::of(inner.clone()), prop::option::of(inner))
                .prop_map(|(ok, err)| Type::result(ok, err).unwrap()),
            (1usize..300).prop_map(|n| Type::enumeration(labels(n)).unwrap()),
            (1usize..=32).prop_map(|n| Type::flags(labels(n)).unwrap()),
        ]
    })
}

fn boxed(v: Val) -> Option<Box<Val>> {
    Some(Box::new(v))
}

/// Random values of `ty`, NaNs with any payload included.
fn any_val(ty: &Type) -> BoxedStrategy<Val> {
    match ty {
        Type::Bool => any::<bool>().prop_map(Val::Bool).boxed(),
        Type::S8 => any::<i8>().prop_map(Val::S8).boxed(),
        Type::U8 => any::<u8>().prop_map(Val::U8).boxed(),
        Type::S16 => any::<i16>().prop_map(Val::S16).boxed(),
        Type::U16 => any::<u16>().prop_map(Val::U16).boxed(),
        Type::S32 => any::<i32>().prop_map(Val::S32).boxed(),
        Type::U32 => any::<u32>().prop_map(Val::U32).boxed(),
        Type::S64 => any::<i64>().prop_map(Val::S64).boxed(),
        Type::U64 => any::<u64>().prop_map(Val::U64).boxed(),
        Type::F32 => any::<u32>()
            .prop_map(|b| Val::F32(f32::from_bits(b)))
            .boxed(),
        Type::F64 => any::<u64>()
            .prop_map(|b| Val::F64(f64::from_bits(b)))
            .boxed(),
        Type::Char => any::<char>().prop_map(Val::Char).boxed(),
        Type::String => "\\PC{0,6}".prop_map(Val::String).boxed(),
        Type::Own(_) => any::<u32>().prop_map(Val::Own).boxed(),
        Type::Borrow(_) => any::<u32>().prop_map(Val::Borrow).boxed(),
        Type::List(l) => prop::collection::vec(any_val(l.elem()), 0..4)
            .prop_map(Val::List)
            .boxed(),
        Type::Record(r) => fields(r.fields().map(|(_, t, _)| t))
            .prop_map(Val::Record)
            .boxed(),
        Type::Tuple(t) => fields(t.fields().map(|(t, _)| t))
            .prop_map(Val::Tuple)
            .boxed(),
        Type::Variant(v) => {
            let cases: Vec<BoxedStrategy<Val>> = v
                .cases()
                .enumerate()
                .map(|(i, (_, t))| match t {
                    Some(t) => any_val(t)
                        .prop_map(move |p| Val::Variant(i as u32, boxed(p)))
                        .boxed(),
                    None => Just(Val::Variant(i as u32, None)).boxed(),
                })
                .collect();
            prop::strategy::Union::new(cases).boxed()
        }
        Type::Enum(e) => (0..e.names().len() as u32).prop_map(Val::Enum).boxed(),
        Type::Option(o) => prop::option::of(any_val(o.some()))
            .prop_map(|v| Val::Option(v.map(Box::new)))
            .boxed(),
        Type::Result(r) => {
            let side = |t: Option<&Type>| match t {
                Some(t) => any_val(t).prop_map(boxed).boxed(),
                None => Just(None).boxed(),
            };
            prop_oneof![
                side(r.ok()).prop_map(|v| Val::Result(Ok(v))),
                side(r.err()).prop_map(|v| Val::Result(Err(v))),
            ]
            .boxed()
        }
        Type::Flags(f) => any::<u32>()
            .prop_map({
                let mask = f.mask();
                move |b| Val::Flags(b & mask)
            })
            .boxed(),
    }
}

fn fields<'a>(tys: impl Iterator<Item = &'a Type>) -> BoxedStrategy<Vec<Val>> {
    tys.map(any_val).collect::<Vec<_>>().boxed()
}

fn typed_val() -> impl Strategy<Value = (Type, Val)> {
    any_type().prop_flat_map(|t| {
        let v = any_val(&t);
        (Just(t), v)
    })
}

/// What lifting must give back: the value with every NaN made canonical.
fn canonical(v: &Val) -> Val {
    match v {
        Val::F32(f) if f.is_nan() => Val::F32(f32::from_bits(0x7fc0_0000)),
        Val::F64(f) if f.is_nan() => Val::F64(f64::from_bits(0x7ff8_0000_0000_0000)),
        Val::List(vs) => Val::List(vs.iter().map(canonical).collect()),
        Val::Record(vs) => Val::Record(vs.iter().map(canonical).collect()),
        Val::Tuple(vs) => Val::Tuple(vs.iter().map(canonical).collect()),
        Val::Variant(i, p) => Val::Variant(*i, p.as_deref().map(canonical).map(Box::new)),
        Val::Option(p) => Val::Option(p.as_deref().map(canonical).map(Box::new)),
        Val::Result(Ok(p)) => Val::Result(Ok(p.as_deref().map(canonical).map(Box::new))),
        Val::Result(Err(p)) => Val::Result(Err(p.as_deref().map(canonical).map(Box::new))),
        other => other.clone(),
    }
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
    fn flattening_and_layout_agree_with_the_specification(ty in any_type()) {
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
