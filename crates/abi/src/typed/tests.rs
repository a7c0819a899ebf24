//! The typed path against the `Val` path (which the reference vectors check):
//! the same core values, the same bytes in memory, the same traps.

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use proptest::prelude::*;

use super::{ComponentType, Flat, FlatBuf, FlatSrc, Lift, LiftCx, Lower, LowerCx, NoResources};
use crate::{lift_flat, load, lower_flat, store, BumpMemory, RawHandles, Trap, Type, Val};

/// The `Val` a Rust value stands for, for the oracle.
trait ToVal {
    fn to_val(&self) -> Val;
}

macro_rules! to_val {
    ($($t:ty => $v:ident),*) => {$(
        impl ToVal for $t { fn to_val(&self) -> Val { Val::$v(*self) } }
    )*};
}
to_val!(bool => Bool, u8 => U8, i8 => S8, u16 => U16, i16 => S16, u32 => U32, i32 => S32,
        u64 => U64, i64 => S64, f32 => F32, f64 => F64, char => Char);

impl ToVal for String {
    fn to_val(&self) -> Val {
        Val::String(self.clone())
    }
}

impl<T: ToVal> ToVal for Vec<T> {
    fn to_val(&self) -> Val {
        Val::List(self.iter().map(ToVal::to_val).collect())
    }
}

impl<T: ToVal> ToVal for Option<T> {
    fn to_val(&self) -> Val {
        Val::Option(self.as_ref().map(|v| Box::new(v.to_val())))
    }
}

impl<T: ToVal, E: ToVal> ToVal for Result<T, E> {
    fn to_val(&self) -> Val {
        Val::Result(match self {
            Ok(v) => Ok(Some(Box::new(v.to_val()))),
            Err(e) => Err(Some(Box::new(e.to_val()))),
        })
    }
}

impl<A: ToVal, B: ToVal> ToVal for (A, B) {
    fn to_val(&self) -> Val {
        Val::Tuple(vec![self.0.to_val(), self.1.to_val()])
    }
}

impl<A: ToVal, B: ToVal, C: ToVal> ToVal for (A, B, C) {
    fn to_val(&self) -> Val {
        Val::Tuple(vec![self.0.to_val(), self.1.to_val(), self.2.to_val()])
    }
}

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

fn big() -> impl Strategy<Value = Big> {
    let f32s = prop_oneof![any::<f32>(), Just(f32::NAN), Just(-0.0f32)];
    (
        (
            any::<u8>(),
            ".{0,12}",
            prop::option::of(prop_oneof![
                prop::collection::vec((any::<u32>(), f32s.clone()), 0..5).prop_map(Ok),
                any::<char>().prop_map(Err),
            ]),
        ),
        (
            prop::collection::vec(".{0,6}", 0..4),
            any::<i64>(),
            prop_oneof![f32s.clone().prop_map(Ok), any::<u64>().prop_map(Err)],
        ),
        (
            prop::option::of(any::<f64>()),
            prop_oneof![any::<u32>().prop_map(Ok), f32s.prop_map(Err)],
            prop::collection::vec(any::<u16>(), 0..6),
        ),
    )
}

/// Lowers `v` both ways, compares core values and memory, and lifts it back.
fn check_flat<T>(v: &T, ty: &Type) -> Result<(), TestCaseError>
where
    T: Lower + ToVal + for<'m> Lift<'m>,
{
    let val = v.to_val();
    let (mut a, mut b) = ([0u8; 4096], [0u8; 4096]);
    let mut out = FlatBuf::new();
    let mut ma = BumpMemory::new(&mut a, 16);
    v.lower(&mut LowerCx::new(&mut ma, &mut RawHandles), ty, &mut out)
        .unwrap();
    let mut flat = Vec::new();
    let mut mb = BumpMemory::new(&mut b, 16);
    lower_flat(ty, &val, &mut mb, &mut RawHandles, &mut flat).unwrap();
    prop_assert_eq!(out.len(), flat.len());
    for (x, y) in out.as_slice().iter().zip(&flat) {
        prop_assert!(x.bits_eq(y), "{:?} vs {:?}", x, y);
    }
    prop_assert_eq!(&a[..], &b[..]);
    let back = T::lift(
        &mut LiftCx::new(&a, &mut RawHandles),
        ty,
        &mut FlatSrc::new(&flat),
    )
    .unwrap();
    let lifted = lift_flat(ty, &flat, &b, &mut RawHandles).unwrap();
    prop_assert!(same_bits(&back.to_val(), &lifted));
    Ok(())
}

/// Equality with floats compared by their bits, so a NaN equals itself.
fn same_bits(a: &Val, b: &Val) -> bool {
    let all =
        |x: &[Val], y: &[Val]| x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_bits(a, b));
    let opt = |x: &Option<Box<Val>>, y: &Option<Box<Val>>| match (x, y) {
        (Some(x), Some(y)) => same_bits(x, y),
        (None, None) => true,
        _ => false,
    };
    match (a, b) {
        (Val::F32(x), Val::F32(y)) => x.to_bits() == y.to_bits(),
        (Val::F64(x), Val::F64(y)) => x.to_bits() == y.to_bits(),
        (Val::List(x), Val::List(y))
        | (Val::Tuple(x), Val::Tuple(y))
        | (Val::Record(x), Val::Record(y)) => all(x, y),
        (Val::Option(x), Val::Option(y)) => opt(x, y),
        (Val::Result(Ok(x)), Val::Result(Ok(y))) | (Val::Result(Err(x)), Val::Result(Err(y))) => {
            opt(x, y)
        }
        (Val::Variant(i, x), Val::Variant(j, y)) => i == j && opt(x, y),
        _ => a == b,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn typed_lower_is_the_val_lower(v in big()) {
        let ty = big_type();
        let Type::Tuple(parts) = &ty else { unreachable!() };
        let parts: Vec<&Type> = parts.fields().map(|(t, _)| t).collect();
        check_flat(&v.0, parts[0])?;
        check_flat(&v.1, parts[1])?;
        check_flat(&v.2, parts[2])?;
        // All of it is 18 core values, more than a call passes directly.
        let mut bytes = [0u8; 4096];
        let mut mem = BumpMemory::new(&mut bytes, 16);
        let r = v.lower(&mut LowerCx::new(&mut mem, &mut RawHandles), &ty, &mut FlatBuf::new());
        prop_assert_eq!(r, Err(Trap::FlatMismatch { expected: None }));
    }

    #[test]
    fn typed_store_is_the_val_store(v in big()) {
        let ty = big_type();
        let val = v.to_val();
        let (mut a, mut b) = ([0u8; 4096], [0u8; 4096]);
        let size = ty.layout().size;
        let mut ma = BumpMemory::new(&mut a, 64 + size);
        v.store(&mut LowerCx::new(&mut ma, &mut RawHandles), &ty, 64).unwrap();
        let mut mb = BumpMemory::new(&mut b, 64 + size);
        store(&ty, &val, 64, &mut mb, &mut RawHandles).unwrap();
        prop_assert_eq!(&a[..], &b[..]);
        let back: Big = Lift::load(&mut LiftCx::new(&a, &mut RawHandles), &ty, 64).unwrap();
        let loaded = load(&ty, &b, 64, &mut RawHandles).unwrap();
        prop_assert!(same_bits(&back.to_val(), &loaded));
    }

    #[test]
    fn typed_load_traps_like_the_val_load(bytes in prop::collection::vec(any::<u8>(), 256)) {
        // Arbitrary bytes: every check (discriminants, chars, UTF-8, bounds) must agree.
        let ty = big_type();
        let typed: Result<Big, Trap> = Lift::load(&mut LiftCx::new(&bytes, &mut RawHandles), &ty, 0);
        let dynamic = load(&ty, &bytes, 0, &mut RawHandles);
        match (typed, dynamic) {
            (Ok(t), Ok(d)) => prop_assert!(same_bits(&t.to_val(), &d)),
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (t, d) => prop_assert!(false, "typed {:?}, dynamic {:?}", t.map(|_| ()), d),
        }
    }
}

/// Checks that `T` stands for `ty`, and that its compile-time `FLAT` is
/// `ty`'s real flattening.
fn check_static_flat<T: ComponentType>(ty: &Type) {
    T::typecheck(ty, &NoResources).unwrap();
    let real = Flat::of_core(ty.flat());
    assert_eq!(T::FLAT, Some(real), "{ty:?}");
}

#[test]
fn a_static_flattening_is_the_flattening_of_the_type() {
    let ty = big_type();
    let Type::Tuple(parts) = &ty else {
        unreachable!()
    };
    let part = |i: usize| -> Vec<Type> {
        let Type::Tuple(t) = parts.fields().nth(i).unwrap().0 else {
            unreachable!()
        };
        t.fields().map(|(t, _)| t.clone()).collect()
    };
    let (a, b, c) = (part(0), part(1), part(2));
    // An option keeps its payload's core types.
    check_static_flat::<Option<Result<Vec<(u32, f32)>, char>>>(&a[2]);
    check_static_flat::<Option<f64>>(&c[0]);
    check_static_flat::<Option<u32>>(&Type::option(Type::U32).unwrap());
    check_static_flat::<Option<u64>>(&Type::option(Type::U64).unwrap());
    // A result joins its cases position by position.
    let joined = Type::result(Some(Type::String), Some(Type::U8)).unwrap();
    check_static_flat::<Result<String, u8>>(&joined);
    let unit = Type::result(None, Some(Type::U32)).unwrap();
    check_static_flat::<Result<(), u32>>(&unit);
    check_static_flat::<Result<u32, f32>>(&c[1]);
    check_static_flat::<Result<f32, u64>>(&b[2]);
    // Every pair of core types.
    macro_rules! pairs {
        ($(($x:ty, $tx:ident)),*) => {
            pairs!(@rows [$(($x, $tx)),*] $(($x, $tx))*);
        };
        (@rows $all:tt $(($x:ty, $tx:ident))*) => {
            $(pairs!(@row ($x, $tx) $all);)*
        };
        (@row ($x:ty, $tx:ident) [$(($y:ty, $ty:ident)),*]) => {
            $(
                let r = Type::result(Some(Type::$tx), Some(Type::$ty)).unwrap();
                check_static_flat::<Result<$x, $y>>(&r);
                let pair = Type::tuple([Type::U8, Type::$ty]).unwrap();
                let r = Type::result(Some(Type::$tx), Some(pair)).unwrap();
                check_static_flat::<Result<$x, (u8, $y)>>(&r);
            )*
        };
    }
    pairs!((u32, U32), (u64, U64), (f32, F32), (f64, F64));
    // Too long to pass directly: only its count is described.
    type S4 = (String, String, String, String);
    type S8 = (S4, S4);
    type S9 = (S8, String);
    let s4 = Type::tuple((0..4).map(|_| Type::String)).unwrap();
    let s8 = Type::tuple([s4.clone(), s4]).unwrap();
    let s9 = Type::tuple([s8, Type::String]).unwrap();
    let long = Type::result(Some(s9.clone()), Some(Type::F32)).unwrap();
    check_static_flat::<Result<S9, f32>>(&long);
    check_static_flat::<(S9, u64)>(&Type::tuple([s9, Type::U64]).unwrap());
    // Sixteen values then none: still described.
    assert_eq!(
        Flat::then(<S8 as ComponentType>::FLAT, Some(Flat::i32s(0))),
        Some(Flat::i32s(16))
    );
    assert_eq!(
        Flat::then(Some(Flat::i32s(15)), Some(Flat::F64)).map(|f| (f.wide, f.float)),
        Some((1 << 15, 1 << 15))
    );
    // Tuples add their parts up.
    check_static_flat::<(u8, String, Option<Result<Vec<(u32, f32)>, char>>)>(
        parts.fields().next().unwrap().0,
    );
    check_static_flat::<Big>(&ty);
}

#[test]
fn borrowed_strings_and_bytes_point_into_memory() {
    let mut mem = [0u8; 64];
    mem[8..13].copy_from_slice(b"hello");
    let flat = [crate::FlatVal::I32(8), crate::FlatVal::I32(5)];
    let s: &str = Lift::lift(
        &mut LiftCx::new(&mem, &mut RawHandles),
        &Type::String,
        &mut FlatSrc::new(&flat),
    )
    .unwrap();
    assert_eq!(s.as_ptr(), mem[8..].as_ptr());
    let list = Type::list(Type::U8).unwrap();
    let b: &[u8] = Lift::lift(
        &mut LiftCx::new(&mem, &mut RawHandles),
        &list,
        &mut FlatSrc::new(&flat),
    )
    .unwrap();
    assert_eq!(b, b"hello");
    mem[9] = 0xff;
    let bad: Result<&str, Trap> = Lift::lift(
        &mut LiftCx::new(&mem, &mut RawHandles),
        &Type::String,
        &mut FlatSrc::new(&flat),
    );
    assert!(matches!(bad, Err(Trap::InvalidUtf8 { at: 1, .. })));
}

#[test]
fn typecheck_names_what_differs() {
    use super::{ComponentType, NoResources};
    let ty = Type::tuple([Type::U32, Type::String]).unwrap();
    assert!(<(u32, String)>::typecheck(&ty, &NoResources).is_ok());
    let e = <(u32, u32)>::typecheck(&ty, &NoResources).unwrap_err();
    assert_eq!(e.to_string(), "expected u32, found `string`");
    assert!(<Result<(), u8>>::typecheck(
        &Type::result(None, Some(Type::U8)).unwrap(),
        &NoResources
    )
    .is_ok());
    assert!(<Result<u8, u8>>::typecheck(
        &Type::result(None, Some(Type::U8)).unwrap(),
        &NoResources
    )
    .is_err());
}
