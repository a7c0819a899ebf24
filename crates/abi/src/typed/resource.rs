//! Typed resource handles: what the host holds for an `own` or `borrow`.
//!
//! For a resource the host implements, the value is the host's rep; for one
//! the guest implements, it is the host's handle to it. The handle tables
//! ([`Handles`](crate::Handles)) translate between these and the guest's own
//! handles on every lift and lower, with their checks.

use core::fmt;
use core::marker::PhantomData;

use crate::trap::Trap;
use crate::types::Type;
use crate::val::FlatVal;

use super::{
    write_at, ComponentType, Flat, FlatBuf, FlatSrc, Lift, LiftCx, Lower, LowerCx, ResourceNames,
    TypeMismatch,
};

/// An `own<R>` or `borrow<R>` as the host holds it, typed by a Rust marker `R`.
pub struct Resource<R: ?Sized> {
    rep: u32,
    own: bool,
    _r: PhantomData<fn() -> R>,
}

impl<R: ?Sized> Resource<R> {
    /// An owned handle to rep `rep`: passing it moves it to the guest.
    pub const fn new_own(rep: u32) -> Resource<R> {
        Resource {
            rep,
            own: true,
            _r: PhantomData,
        }
    }

    /// A borrowed handle to rep `rep`, valid for one call.
    pub const fn new_borrow(rep: u32) -> Resource<R> {
        Resource {
            rep,
            own: false,
            _r: PhantomData,
        }
    }

    /// The rep (host resources) or host handle (guest resources).
    pub const fn rep(&self) -> u32 {
        self.rep
    }

    /// Whether this handle is owned.
    pub const fn owned(&self) -> bool {
        self.own
    }

    /// The same handle as a borrow, to pass to a method.
    pub const fn borrowed(&self) -> Resource<R> {
        Resource::new_borrow(self.rep)
    }
}

impl<R: ?Sized> Clone for Resource<R> {
    fn clone(&self) -> Resource<R> {
        *self
    }
}

impl<R: ?Sized> Copy for Resource<R> {}

impl<R: ?Sized> PartialEq for Resource<R> {
    fn eq(&self, other: &Resource<R>) -> bool {
        self.rep == other.rep && self.own == other.own
    }
}

impl<R: ?Sized> Eq for Resource<R> {}

impl<R: ?Sized> fmt::Debug for Resource<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.own { "own" } else { "borrow" };
        write!(f, "Resource({kind} {})", self.rep)
    }
}

impl<R: ?Sized> ComponentType for Resource<R> {
    const FLAT: Option<Flat> = Some(Flat::i32s(1));

    fn typecheck(ty: &Type, _: &dyn ResourceNames) -> Result<(), TypeMismatch> {
        match ty {
            Type::Own(_) | Type::Borrow(_) => Ok(()),
            _ => Err(TypeMismatch::new("a resource handle", ty)),
        }
    }
}

impl<R: ?Sized> Resource<R> {
    pub(crate) fn from_guest(
        cx: &mut LiftCx<'_, '_>,
        ty: &Type,
        handle: u32,
    ) -> Result<Resource<R>, Trap> {
        match ty {
            Type::Own(id) => Ok(Resource::new_own(cx.handles().lift_own(*id, handle)?)),
            Type::Borrow(id) => Ok(Resource::new_borrow(cx.handles().lift_borrow(*id, handle)?)),
            _ => Err(Trap::ValueMismatch {
                expected: ty.kind(),
            }),
        }
    }

    fn guest_handle(&self, cx: &mut LowerCx<'_>, ty: &Type) -> Result<u32, Trap> {
        match ty {
            Type::Own(id) => cx.handles().lower_own(*id, self.rep),
            Type::Borrow(id) => cx.handles().lower_borrow(*id, self.rep),
            _ => Err(Trap::ValueMismatch {
                expected: ty.kind(),
            }),
        }
    }
}

impl<'m, R: ?Sized> Lift<'m> for Resource<R> {
    fn lift(cx: &mut LiftCx<'m, '_>, ty: &Type, src: &mut FlatSrc<'_>) -> Result<Self, Trap> {
        let handle = src.i32()? as u32;
        Resource::from_guest(cx, ty, handle)
    }

    fn load(cx: &mut LiftCx<'m, '_>, ty: &Type, ptr: u32) -> Result<Self, Trap> {
        let b: [u8; 4] = cx.bytes(ty.kind(), ptr)?;
        Resource::from_guest(cx, ty, u32::from_le_bytes(b))
    }
}

impl<R: ?Sized> Lower for Resource<R> {
    fn lower(&self, cx: &mut LowerCx<'_>, ty: &Type, out: &mut FlatBuf) -> Result<(), Trap> {
        let h = self.guest_handle(cx, ty)?;
        out.push(FlatVal::I32(h as i32))
    }

    fn store(&self, cx: &mut LowerCx<'_>, ty: &Type, ptr: u32) -> Result<(), Trap> {
        let h = self.guest_handle(cx, ty)?;
        write_at(cx.memory_mut(), ty.kind(), ptr, &h.to_le_bytes())
    }
}
