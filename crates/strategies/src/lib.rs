//! Random Canonical ABI types and values for property tests: every crate's
//! properties (the ABI's round trips, the lowering's adapters) draw from the
//! same distribution instead of each keeping a copy of it.

use proptest::prelude::*;
use wasmbed_abi::{ResourceId, Type, Val};

/// The types without children: every scalar and `string`, and two handles
/// (of resources 0 and 1) when `handles`.
pub fn leaf(handles: bool) -> BoxedStrategy<Type> {
    let scalars = prop_oneof![
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
    ];
    match handles {
        true => prop_oneof![
            10 => scalars,
            1 => Just(Type::Own(ResourceId(0))),
            1 => Just(Type::Borrow(ResourceId(1))),
        ]
        .boxed(),
        false => scalars.boxed(),
    }
}

/// `n` distinct labels: `l0`, `l1`, ….
pub fn labels(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("l{i}")).collect()
}

/// Types of every kind, nested up to four deep; with handles when `handles`.
pub fn any_type(handles: bool) -> impl Strategy<Value = Type> {
    leaf(handles).prop_recursive(4, 48, 4, |inner| {
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
pub fn any_val(ty: &Type) -> BoxedStrategy<Val> {
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

/// What lifting must give back: the value with every NaN made canonical.
pub fn canonical(v: &Val) -> Val {
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
