//! Typed export calls: the type is checked once when the handle is made;
//! calls then pass scalars as core values directly, with no name lookup,
//! no `Val`s and no allocation.

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::marker::PhantomData;

use wasmbed_abi::{FlatVal, FuncType, Trap, Type};

use crate::engine::{Engine, EngineInstance};
use crate::error::TrapReason;
use crate::instance::Instance;
use crate::{Error, ErrorKind};

/// A scalar an export takes or returns, as a core value.
pub trait Scalar: Sized {
    /// Its WIT type.
    fn ty() -> Type;
    /// Its core value.
    fn lower(self) -> FlatVal;
    /// Reads it from a core value as the Canonical ABI lifts it.
    fn lift(v: FlatVal) -> Result<Self, Trap>;
}

macro_rules! int_scalar {
    ($($t:ty => $ty:ident, $flat:ident, $wide:ty);* $(;)?) => {$(
        impl Scalar for $t {
            fn ty() -> Type { Type::$ty }
            fn lower(self) -> FlatVal { FlatVal::$flat(self as $wide) }
            fn lift(v: FlatVal) -> Result<Self, Trap> {
                match v {
                    FlatVal::$flat(x) => Ok(x as $t),
                    _ => Err(Trap::FlatMismatch { expected: Some(wasmbed_abi::FlatType::$flat) }),
                }
            }
        }
    )*};
}

int_scalar! {
    u8 => U8, I32, i32; i8 => S8, I32, i32; u16 => U16, I32, i32; i16 => S16, I32, i32;
    u32 => U32, I32, i32; i32 => S32, I32, i32; u64 => U64, I64, i64; i64 => S64, I64, i64;
}

impl Scalar for bool {
    fn ty() -> Type {
        Type::Bool
    }
    fn lower(self) -> FlatVal {
        FlatVal::I32(i32::from(self))
    }
    fn lift(v: FlatVal) -> Result<Self, Trap> {
        Ok(<u32 as Scalar>::lift(v)? != 0)
    }
}

impl Scalar for char {
    fn ty() -> Type {
        Type::Char
    }
    fn lower(self) -> FlatVal {
        FlatVal::I32(u32::from(self) as i32)
    }
    fn lift(v: FlatVal) -> Result<Self, Trap> {
        let x = <u32 as Scalar>::lift(v)?;
        char::from_u32(x).ok_or(Trap::InvalidChar { value: x })
    }
}

impl Scalar for f32 {
    fn ty() -> Type {
        Type::F32
    }
    fn lower(self) -> FlatVal {
        FlatVal::F32(if self.is_nan() {
            f32::from_bits(0x7fc0_0000)
        } else {
            self
        })
    }
    fn lift(v: FlatVal) -> Result<Self, Trap> {
        match v {
            FlatVal::F32(x) if x.is_nan() => Ok(f32::from_bits(0x7fc0_0000)),
            FlatVal::F32(x) => Ok(x),
            _ => Err(Trap::FlatMismatch {
                expected: Some(wasmbed_abi::FlatType::F32),
            }),
        }
    }
}

impl Scalar for f64 {
    fn ty() -> Type {
        Type::F64
    }
    fn lower(self) -> FlatVal {
        FlatVal::F64(if self.is_nan() {
            f64::from_bits(0x7ff8_0000_0000_0000)
        } else {
            self
        })
    }
    fn lift(v: FlatVal) -> Result<Self, Trap> {
        match v {
            FlatVal::F64(x) if x.is_nan() => Ok(f64::from_bits(0x7ff8_0000_0000_0000)),
            FlatVal::F64(x) => Ok(x),
            _ => Err(Trap::FlatMismatch {
                expected: Some(wasmbed_abi::FlatType::F64),
            }),
        }
    }
}

/// The parameters of a typed export: a tuple of up to eight scalars.
pub trait Params {
    /// Their WIT types.
    fn types() -> Vec<Type>;
    /// Writes them as core values; returns how many.
    fn lower(self, out: &mut [FlatVal; 8]) -> usize;
}

/// The result of a typed export: a scalar, or `()` for none.
pub trait Results: Sized {
    /// Its WIT type.
    fn ty() -> Option<Type>;
    /// Reads it from the core result.
    fn lift(v: Option<FlatVal>) -> Result<Self, Trap>;
}

impl Results for () {
    fn ty() -> Option<Type> {
        None
    }
    fn lift(_: Option<FlatVal>) -> Result<(), Trap> {
        Ok(())
    }
}

impl<T: Scalar> Results for T {
    fn ty() -> Option<Type> {
        Some(T::ty())
    }
    fn lift(v: Option<FlatVal>) -> Result<T, Trap> {
        T::lift(v.ok_or(Trap::FlatMismatch { expected: None })?)
    }
}

macro_rules! params {
    ($($a:ident),*) => {
        impl<$($a: Scalar),*> Params for ($($a,)*) {
            fn types() -> Vec<Type> {
                alloc::vec![$($a::ty()),*]
            }
            #[allow(non_snake_case, unused_mut, unused_variables)]
            fn lower(self, out: &mut [FlatVal; 8]) -> usize {
                let ($($a,)*) = self;
                let mut n = 0;
                $( out[n] = $a.lower(); n += 1; )*
                n
            }
        }
    };
}

params!();
params!(A1);
params!(A1, A2);
params!(A1, A2, A3);
params!(A1, A2, A3, A4);
params!(A1, A2, A3, A4, A5);
params!(A1, A2, A3, A4, A5, A6);
params!(A1, A2, A3, A4, A5, A6, A7);
params!(A1, A2, A3, A4, A5, A6, A7, A8);

/// An export resolved and type-checked once, called with Rust scalars.
pub struct TypedExport<E: Engine, P, R> {
    func: <E::Instance as EngineInstance>::Func,
    post: Option<<E::Instance as EngineInstance>::Func>,
    name: String,
    _types: PhantomData<fn(P) -> R>,
}

impl<E: Engine> Instance<E> {
    /// A typed handle to export `name`, if its WIT type is exactly `P -> R`.
    pub fn typed<P: Params, R: Results>(&self, name: &str) -> Result<TypedExport<E, P, R>, Error> {
        let (func, post, ty) = self.export_parts(name)?;
        let fits = ty.params() == P::types().as_slice() && ty.result() == R::ty().as_ref();
        if !fits {
            return Err(ErrorKind::BadArguments(format!(
                "export `{name}` does not have the requested typed signature"
            ))
            .into());
        }
        Ok(TypedExport {
            func,
            post,
            name: name.into(),
            _types: PhantomData,
        })
    }
}

impl<E: Engine, P: Params, R: Results> TypedExport<E, P, R> {
    /// Calls the export on `instance` (the one it was made from).
    pub fn call(&self, instance: &mut Instance<E>, params: P) -> Result<R, Error> {
        let mut args = [FlatVal::I32(0); 8];
        let n = params.lower(&mut args);
        let has_result = R::ty().is_some();
        let name = &self.name;
        instance.guarded(name, |inner| {
            let mut out = [FlatVal::I32(0)];
            let results = if has_result {
                &mut out[..]
            } else {
                &mut out[..0]
            };
            inner.call(&self.func, &args[..n], results)?;
            let r = R::lift(results.first().copied())
                .map_err(|t| Error::trap(name, TrapReason::Abi(t)))?;
            if let Some(post) = &self.post {
                inner.call(post, results, &mut [])?;
            }
            Ok(r)
        })
    }
}

/// What a typed handle needs from an export, shared with the `Val` path.
pub(crate) type ExportParts<F> = (F, Option<F>, Arc<FuncType>);
