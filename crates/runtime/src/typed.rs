//! Typed host functions: Rust closures over scalars and views of guest memory.
//!
//! Checked against the WIT type once, when linked; each call then reads the
//! core arguments directly, allocating nothing. Strings and byte lists arrive
//! as [`GuestStr`] and [`GuestBytes`], validated on entry as the Canonical ABI
//! requires, and are read in place with [`HostCx::str`] and [`HostCx::bytes`].

use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use wasmbed_abi::typed::Flat;
use wasmbed_abi::{read_bytes, read_str, FlatVal, Trap, Type};

use crate::engine::{GuestAccess, HostFn};
use crate::error::TrapReason;
use crate::host::{check_may_enter, HostCx};
use crate::Error;

/// A `string` argument: where it lies in guest memory, already validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GuestStr {
    ptr: u32,
    len: u32,
}

/// A `list<u8>` argument: where it lies in guest memory, already bounds-checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GuestBytes {
    ptr: u32,
    len: u32,
}

impl<T: 'static> HostCx<'_, T> {
    /// The text of a string argument, borrowed from guest memory.
    pub fn guest_str(&self, s: GuestStr) -> Result<&str, Error> {
        self.str(s.ptr, s.len)
    }

    /// The bytes of a `list<u8>` argument, borrowed from guest memory.
    pub fn guest_bytes(&self, b: GuestBytes) -> Result<&[u8], Error> {
        self.bytes(b.ptr, b.len)
    }
}

/// A parameter type a typed host function can take.
pub trait HostArg: Sized {
    /// Its WIT type.
    fn ty() -> Type;
    /// Core values it takes.
    const FLAT: usize;
    /// What they flatten to, when known at compile time (only a typed
    /// trampoline's choice depends on it).
    const CORE: Option<Flat> = None;
    /// Whether reading it needs the guest's memory (scalars do not, so their calls skip looking it up).
    const MEMORY: bool = false;
    /// Reads it from its core values, checking it against guest memory.
    fn lift(flat: &[FlatVal], mem: &[u8]) -> Result<Self, Trap>;
}

/// A result type a typed host function can return.
pub trait HostResult {
    /// Its WIT type, or `None` for no result.
    fn ty() -> Option<Type>;
    /// The core results it takes, when known at compile time.
    const FLAT: Option<Flat> = None;
    /// Writes it as core results, or fails the call.
    fn lower(self, out: &mut [FlatVal]) -> Result<(), Error>;
}

fn i32_at(flat: &[FlatVal], i: usize) -> i32 {
    match flat.get(i) {
        Some(FlatVal::I32(v)) => *v,
        _ => 0,
    }
}

macro_rules! int_arg {
    ($($t:ty => $ty:ident),*) => {$(
        impl HostArg for $t {
            fn ty() -> Type { Type::$ty }
            const FLAT: usize = 1;
            const CORE: Option<Flat> = Some(Flat::i32s(1));
            fn lift(flat: &[FlatVal], _: &[u8]) -> Result<Self, Trap> {
                Ok(i32_at(flat, 0) as $t)
            }
        }
        impl HostResult for $t {
            fn ty() -> Option<Type> { Some(Type::$ty) }
            const FLAT: Option<Flat> = Some(Flat::i32s(1));
            fn lower(self, out: &mut [FlatVal]) -> Result<(), Error> {
                out[0] = FlatVal::I32(self as i32);
                Ok(())
            }
        }
    )*};
}

int_arg!(u8 => U8, i8 => S8, u16 => U16, i16 => S16, u32 => U32, i32 => S32);

impl HostArg for bool {
    fn ty() -> Type {
        Type::Bool
    }
    const FLAT: usize = 1;
    const CORE: Option<Flat> = Some(Flat::i32s(1));
    fn lift(flat: &[FlatVal], _: &[u8]) -> Result<Self, Trap> {
        Ok(i32_at(flat, 0) != 0)
    }
}

impl HostResult for bool {
    fn ty() -> Option<Type> {
        Some(Type::Bool)
    }
    const FLAT: Option<Flat> = Some(Flat::i32s(1));
    fn lower(self, out: &mut [FlatVal]) -> Result<(), Error> {
        out[0] = FlatVal::I32(i32::from(self));
        Ok(())
    }
}

impl HostArg for u64 {
    fn ty() -> Type {
        Type::U64
    }
    const FLAT: usize = 1;
    const CORE: Option<Flat> = Some(Flat::I64);
    fn lift(flat: &[FlatVal], _: &[u8]) -> Result<Self, Trap> {
        match flat.first() {
            Some(FlatVal::I64(v)) => Ok(*v as u64),
            _ => Err(Trap::FlatMismatch {
                expected: Some(wasmbed_abi::FlatType::I64),
            }),
        }
    }
}

impl HostResult for u64 {
    fn ty() -> Option<Type> {
        Some(Type::U64)
    }
    const FLAT: Option<Flat> = Some(Flat::I64);
    fn lower(self, out: &mut [FlatVal]) -> Result<(), Error> {
        out[0] = FlatVal::I64(self as i64);
        Ok(())
    }
}

macro_rules! float_arg {
    ($($t:ident => $ty:ident, $flat:ident);*) => {$(
        impl HostArg for $t {
            fn ty() -> Type {
                Type::$ty
            }
            const FLAT: usize = 1;
            const CORE: Option<Flat> = Some(Flat::$ty);
            fn lift(flat: &[FlatVal], _: &[u8]) -> Result<Self, Trap> {
                match flat.first() {
                    // One NaN, as the Canonical ABI lifts them.
                    Some(FlatVal::$flat(v)) if v.is_nan() => Ok($t::NAN),
                    Some(FlatVal::$flat(v)) => Ok(*v),
                    _ => Err(Trap::FlatMismatch {
                        expected: Some(wasmbed_abi::FlatType::$flat),
                    }),
                }
            }
        }

        impl HostResult for $t {
            fn ty() -> Option<Type> {
                Some(Type::$ty)
            }
            const FLAT: Option<Flat> = Some(Flat::$ty);
            fn lower(self, out: &mut [FlatVal]) -> Result<(), Error> {
                // One NaN, as the Canonical ABI lowers them.
                out[0] = FlatVal::$flat(if self.is_nan() { $t::NAN } else { self });
                Ok(())
            }
        }
    )*};
}

float_arg!(f32 => F32, F32; f64 => F64, F64);

impl HostArg for char {
    fn ty() -> Type {
        Type::Char
    }
    const FLAT: usize = 1;
    const CORE: Option<Flat> = Some(Flat::i32s(1));
    fn lift(flat: &[FlatVal], _: &[u8]) -> Result<Self, Trap> {
        let v = i32_at(flat, 0) as u32;
        char::from_u32(v).ok_or(Trap::InvalidChar { value: v })
    }
}

impl HostArg for GuestStr {
    fn ty() -> Type {
        Type::String
    }
    const FLAT: usize = 2;
    const CORE: Option<Flat> = Some(Flat::i32s(2));
    const MEMORY: bool = true;
    fn lift(flat: &[FlatVal], mem: &[u8]) -> Result<Self, Trap> {
        let s = GuestStr {
            ptr: i32_at(flat, 0) as u32,
            len: i32_at(flat, 1) as u32,
        };
        read_str(mem, s.ptr, s.len)?;
        Ok(s)
    }
}

impl HostArg for GuestBytes {
    fn ty() -> Type {
        Type::list(Type::U8).unwrap_or(Type::String)
    }
    const FLAT: usize = 2;
    const CORE: Option<Flat> = Some(Flat::i32s(2));
    const MEMORY: bool = true;
    fn lift(flat: &[FlatVal], mem: &[u8]) -> Result<Self, Trap> {
        let b = GuestBytes {
            ptr: i32_at(flat, 0) as u32,
            len: i32_at(flat, 1) as u32,
        };
        read_bytes(mem, b.ptr, b.len)?;
        Ok(b)
    }
}

/// Makes a guest-memory view a parameter of [`Linker::func_typed`](crate::Linker::func_typed):
/// checked in place (`$check`) and kept as its position, so the host reads
/// it through [`HostCx`] and nothing is copied or allocated.
macro_rules! typed_view {
    ($view:ident, $like:ty, $kind:ident, $check:ident) => {
        impl wasmbed_abi::typed::ComponentType for $view {
            fn typecheck(
                ty: &Type,
                names: &dyn wasmbed_abi::typed::ResourceNames,
            ) -> Result<(), wasmbed_abi::typed::TypeMismatch> {
                <$like as wasmbed_abi::typed::ComponentType>::typecheck(ty, names)
            }
        }

        impl<'m> wasmbed_abi::typed::Lift<'m> for $view {
            fn lift(
                cx: &mut wasmbed_abi::typed::LiftCx<'m, '_>,
                _: &Type,
                src: &mut wasmbed_abi::typed::FlatSrc<'_>,
            ) -> Result<Self, Trap> {
                let (ptr, len) = (src.i32()? as u32, src.i32()? as u32);
                $check(cx.memory(), ptr, len)?;
                Ok($view { ptr, len })
            }

            fn load(
                cx: &mut wasmbed_abi::typed::LiftCx<'m, '_>,
                _: &Type,
                at: u32,
            ) -> Result<Self, Trap> {
                let (ptr, len) = cx.pair(wasmbed_abi::TypeKind::$kind, at)?;
                $check(cx.memory(), ptr, len)?;
                Ok($view { ptr, len })
            }
        }
    };
}

typed_view!(GuestStr, str, String, read_str);
typed_view!(GuestBytes, [u8], List, read_bytes);

impl HostResult for () {
    fn ty() -> Option<Type> {
        None
    }
    const FLAT: Option<Flat> = Some(Flat::i32s(0));
    fn lower(self, _: &mut [FlatVal]) -> Result<(), Error> {
        Ok(())
    }
}

impl<T: HostResult> HostResult for Result<T, Error> {
    fn ty() -> Option<Type> {
        T::ty()
    }
    const FLAT: Option<Flat> = T::FLAT;
    fn lower(self, out: &mut [FlatVal]) -> Result<(), Error> {
        self?.lower(out)
    }
}

/// A closure usable as a typed host function with parameters `P`.
pub trait IntoHostFunc<T, P>: Send + Sync + 'static {
    /// The WIT parameter types.
    fn params() -> Vec<Type>;
    /// The WIT result type.
    fn result() -> Option<Type>;
    /// The core parameters and results it takes, when known at compile time.
    const FLAT: (Option<Flat>, Option<Flat>) = (None, None);
    /// The core function, for an import named `name`.
    fn into_host_fn(self, name: alloc::string::String) -> HostFn<T>;
}

macro_rules! into_host_func {
    ($($a:ident),*) => {
        impl<T: 'static, F, R, $($a),*> IntoHostFunc<T, ($($a,)*)> for F
        where
            F: Fn(&mut HostCx<'_, T>, $($a),*) -> R + Send + Sync + 'static,
            R: HostResult,
            $($a: HostArg,)*
        {
            fn params() -> Vec<Type> {
                vec![$($a::ty()),*]
            }
            fn result() -> Option<Type> {
                R::ty()
            }
            const FLAT: (Option<Flat>, Option<Flat>) = (
                {
                    let flat = Some(Flat::i32s(0));
                    $(let flat = Flat::then(flat, $a::CORE);)*
                    flat
                },
                R::FLAT,
            );
            #[allow(non_snake_case, unused_mut, unused_variables, unused_assignments)]
            fn into_host_fn(self, name: alloc::string::String) -> HostFn<T> {
                Arc::new(move |access: &mut dyn GuestAccess<T>, args: &[FlatVal], out: &mut [FlatVal]| {
                    check_may_enter(access.state(), false, &name)?;
                    let needs_memory = false $(|| $a::MEMORY)*;
                    let mem = if needs_memory { access.memory() } else { &[] };
                    let mut at = 0;
                    $(
                        let $a = $a::lift(args.get(at..).unwrap_or(&[]), mem)
                            .map_err(|t| Error::trap(&name, TrapReason::Abi(t)))?;
                        at += $a::FLAT;
                    )*
                    self(&mut HostCx::new(access), $($a),*).lower(out)
                })
            }
        }
    };
}

into_host_func!();
into_host_func!(A1);
into_host_func!(A1, A2);
into_host_func!(A1, A2, A3);
into_host_func!(A1, A2, A3, A4);
into_host_func!(A1, A2, A3, A4, A5);
into_host_func!(A1, A2, A3, A4, A5, A6);
into_host_func!(A1, A2, A3, A4, A5, A6, A7);
into_host_func!(A1, A2, A3, A4, A5, A6, A7, A8);
