//! A handle the host holds to a resource the guest implements, with the
//! resource type it was lifted as, so the host can drop it by itself as
//! wasmtime's `ResourceAny::resource_drop` does.

use wasmbed_abi::typed::{
    ComponentType, FlatBuf, FlatSrc, Lift, LiftCx, Lower, LowerCx, Resource, ResourceNames,
    TypeMismatch,
};
use wasmbed_abi::{ResourceId, Trap, Type};

use crate::engine::Engine;
use crate::instance::Instance;
use crate::{Error, ErrorKind};

/// An `own` or `borrow` of a guest resource, as generated bindings hand it to the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResourceAny {
    handle: Resource<()>,
    ty: Option<ResourceId>,
}

impl ResourceAny {
    /// The host's handle (the number a `Val::Own` carries).
    pub fn rep(&self) -> u32 {
        self.handle.rep()
    }

    /// Whether the host owns it.
    pub fn owned(&self) -> bool {
        self.handle.owned()
    }

    /// The same handle, lent for one call (any handle may also be passed where a `borrow` is expected).
    pub fn borrowed(&self) -> ResourceAny {
        ResourceAny {
            handle: self.handle.borrowed(),
            ty: self.ty,
        }
    }

    /// The resource type it was lifted as.
    pub fn resource(&self) -> Option<ResourceId> {
        self.ty
    }

    /// Drops the host's own handle: the guest's destructor runs. A borrow, or a handle already dropped, is an error.
    pub fn resource_drop<E: Engine, T: 'static>(
        self,
        instance: &mut Instance<E, T>,
    ) -> Result<(), Error> {
        match (self.ty, self.owned()) {
            (Some(ty), true) => instance.drop_resource(ty, self.rep()),
            _ => Err(ErrorKind::BadArguments(alloc::format!(
                "handle {} is not an owned handle to a guest resource",
                self.rep()
            ))
            .into()),
        }
    }
}

fn id_of(ty: &Type) -> Option<ResourceId> {
    match ty {
        Type::Own(id) | Type::Borrow(id) => Some(*id),
        _ => None,
    }
}

impl ComponentType for ResourceAny {
    fn typecheck(ty: &Type, names: &dyn ResourceNames) -> Result<(), TypeMismatch> {
        Resource::<()>::typecheck(ty, names)
    }
}

impl<'m> Lift<'m> for ResourceAny {
    fn lift(cx: &mut LiftCx<'m, '_>, ty: &Type, src: &mut FlatSrc<'_>) -> Result<Self, Trap> {
        Ok(ResourceAny {
            handle: Resource::lift(cx, ty, src)?,
            ty: id_of(ty),
        })
    }

    fn load(cx: &mut LiftCx<'m, '_>, ty: &Type, ptr: u32) -> Result<Self, Trap> {
        Ok(ResourceAny {
            handle: Resource::load(cx, ty, ptr)?,
            ty: id_of(ty),
        })
    }
}

impl Lower for ResourceAny {
    fn lower(&self, cx: &mut LowerCx<'_>, ty: &Type, out: &mut FlatBuf) -> Result<(), Trap> {
        self.handle.lower(cx, ty, out)
    }

    fn store(&self, cx: &mut LowerCx<'_>, ty: &Type, ptr: u32) -> Result<(), Trap> {
        self.handle.store(cx, ty, ptr)
    }
}
