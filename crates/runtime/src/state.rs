//! Per-instance state: call guards and the resource handle tables.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::any::Any;

use wasmbed_abi::{Handles, ResourceId, ResourceTrap, Trap};
use wasmbed_wit::world::{Direction, World};

/// What the runtime keeps per instance, whatever the engine.
#[derive(Default)]
pub struct State {
    /// The instance trapped: it runs no more guest code.
    pub(crate) poisoned: bool,
    /// A host call into the instance is under way.
    pub(crate) in_call: bool,
    /// The module's `start` function is running.
    pub(crate) in_start: bool,
    /// The host is calling the guest's `realloc` (imports are forbidden).
    pub(crate) in_realloc: bool,
    /// The guest's signal handler runs (imports are forbidden, no signal is delivered).
    pub(crate) in_handler: bool,
    /// One handle table per resource type.
    pub(crate) tables: Tables,
    /// Objects behind the host's resources; a rep is an index here.
    pub(crate) objects: HostObjects,
}

impl State {
    pub(crate) fn new(world: &World, max_handles: u32) -> State {
        State {
            tables: Tables::new(world, max_handles),
            ..State::default()
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    rep: u32,
    own: bool,
}

/// Values by index, reusing freed indices, with an explicit bound on how many live.
struct Slab<T> {
    slots: Vec<Option<T>>,
    free: Vec<u32>,
    live: usize,
}

impl<T> Slab<T> {
    /// A slab whose index 0 is never handed out (handles start at 1).
    fn from_one() -> Slab<T> {
        Slab {
            slots: alloc::vec![None],
            free: Vec::new(),
            live: 0,
        }
    }

    /// A slab handing out indices from 0.
    const fn from_zero() -> Slab<T> {
        Slab {
            slots: Vec::new(),
            free: Vec::new(),
            live: 0,
        }
    }

    /// Stores `v`; `None` when `max` values already live.
    fn insert(&mut self, v: T, max: usize) -> Option<u32> {
        if self.live >= max {
            return None;
        }
        self.live += 1;
        if let Some(i) = self.free.pop() {
            self.slots[i as usize] = Some(v);
            return Some(i);
        }
        self.slots.push(Some(v));
        Some(self.slots.len() as u32 - 1)
    }

    fn get(&self, i: u32) -> Option<&T> {
        self.slots.get(i as usize)?.as_ref()
    }

    fn get_mut(&mut self, i: u32) -> Option<&mut T> {
        self.slots.get_mut(i as usize)?.as_mut()
    }

    fn remove(&mut self, i: u32) -> Option<T> {
        let v = self.slots.get_mut(i as usize)?.take()?;
        self.free.push(i);
        self.live -= 1;
        Some(v)
    }

    fn len(&self) -> usize {
        self.live
    }
}

/// One resource type's handles.
struct Table {
    /// The guest's handles.
    guest: Slab<Slot>,
    /// For a resource the guest exports: the host's own handles to guest reps,
    /// so the host names them by handle and a dropped one is never reused.
    host: Slab<u32>,
    exported: bool,
}

/// The guest's handle tables, one per resource type, plus the borrows lent for the current call.
#[derive(Default)]
pub(crate) struct Tables {
    tables: Vec<Table>,
    max_handles: u32,
    /// Borrow handles lent to the guest in the current export call and not yet dropped.
    pub(crate) borrows: u32,
}

fn unknown(handle: u32) -> Trap {
    ResourceTrap::UnknownHandle { handle }.into()
}

impl Tables {
    fn new(world: &World, max_handles: u32) -> Tables {
        Tables {
            tables: world
                .resources
                .iter()
                .map(|r| Table {
                    guest: Slab::from_one(),
                    host: Slab::from_one(),
                    exported: r.direction == Direction::Exported,
                })
                .collect(),
            max_handles,
            borrows: 0,
        }
    }

    fn table(&mut self, r: ResourceId) -> Result<&mut Table, Trap> {
        self.tables
            .get_mut(r.0 as usize)
            .ok_or(Trap::Resource(ResourceTrap::WrongType { handle: 0 }))
    }

    fn add(&mut self, r: ResourceId, slot: Slot) -> Result<u32, Trap> {
        let max = self.max_handles as usize;
        self.table(r)?
            .guest
            .insert(slot, max)
            .ok_or(ResourceTrap::TableFull.into())
    }

    fn get(&mut self, r: ResourceId, h: u32) -> Result<Slot, Trap> {
        self.table(r)?.guest.get(h).copied().ok_or(unknown(h))
    }

    fn remove(&mut self, r: ResourceId, h: u32) -> Result<Slot, Trap> {
        self.table(r)?.guest.remove(h).ok_or(unknown(h))
    }

    /// The guest drops handle `h`: the rep to destroy when it was an `own` handle.
    pub(crate) fn drop_handle(&mut self, r: ResourceId, h: u32) -> Result<Option<u32>, Trap> {
        let slot = self.remove(r, h)?;
        if slot.own {
            Ok(Some(slot.rep))
        } else {
            self.borrows = self.borrows.saturating_sub(1);
            Ok(None)
        }
    }

    /// `resource.new`: an `own` handle for a rep of a resource the guest exports.
    pub(crate) fn new_own(&mut self, r: ResourceId, rep: u32) -> Result<u32, Trap> {
        self.add(r, Slot { rep, own: true })
    }

    /// `resource.rep`: the rep behind a handle.
    pub(crate) fn rep(&mut self, r: ResourceId, h: u32) -> Result<u32, Trap> {
        Ok(self.get(r, h)?.rep)
    }

    /// Gives the host a handle to `rep` of a guest resource.
    fn host_add(&mut self, r: ResourceId, rep: u32) -> Result<u32, Trap> {
        let max = self.max_handles as usize;
        self.table(r)?
            .host
            .insert(rep, max)
            .ok_or(ResourceTrap::TableFull.into())
    }

    /// The rep behind the host's handle `h` to a guest resource.
    fn host_get(&mut self, r: ResourceId, h: u32) -> Result<u32, Trap> {
        self.table(r)?.host.get(h).copied().ok_or(unknown(h))
    }

    /// Takes the host's handle `h` to a guest resource away: its rep.
    pub(crate) fn host_remove(&mut self, r: ResourceId, h: u32) -> Result<u32, Trap> {
        self.table(r)?.host.remove(h).ok_or(unknown(h))
    }

    fn exported(&mut self, r: ResourceId) -> Result<bool, Trap> {
        Ok(self.table(r)?.exported)
    }
}

/// What the host sees of a handle: a host object's rep for the host's own
/// resources, and a host handle (not the guest's rep) for the guest's.
impl Handles for Tables {
    fn lift_own(&mut self, r: ResourceId, h: u32) -> Result<u32, Trap> {
        let slot = self.get(r, h)?;
        if !slot.own {
            return Err(ResourceTrap::NotOwned { handle: h }.into());
        }
        let rep = self.remove(r, h)?.rep;
        if self.exported(r)? {
            return self.host_add(r, rep);
        }
        Ok(rep)
    }

    fn lift_borrow(&mut self, r: ResourceId, h: u32) -> Result<u32, Trap> {
        self.rep(r, h)
    }

    fn lower_own(&mut self, r: ResourceId, rep: u32) -> Result<u32, Trap> {
        // Ownership of a guest resource moves from the host's handle back to the guest.
        let rep = if self.exported(r)? {
            self.host_remove(r, rep)?
        } else {
            rep
        };
        self.add(r, Slot { rep, own: true })
    }

    fn lower_borrow(&mut self, r: ResourceId, rep: u32) -> Result<u32, Trap> {
        // A guest borrowing its own resource gets the rep itself, with nothing to drop.
        if self.exported(r)? {
            return self.host_get(r, rep);
        }
        let h = self.add(r, Slot { rep, own: false })?;
        self.borrows += 1;
        Ok(h)
    }
}

/// Host objects behind the resources the host implements; a rep is an index here.
pub(crate) struct HostObjects(Slab<Box<dyn Any + Send>>);

impl Default for HostObjects {
    fn default() -> HostObjects {
        HostObjects(Slab::from_zero())
    }
}

impl HostObjects {
    pub(crate) fn insert(&mut self, obj: Box<dyn Any + Send>) -> u32 {
        // Bounded by the host, which creates them.
        self.0.insert(obj, usize::MAX).unwrap_or(u32::MAX)
    }

    pub(crate) fn get_mut(&mut self, rep: u32) -> Option<&mut (dyn Any + Send)> {
        self.0.get_mut(rep).map(|b| &mut **b)
    }

    pub(crate) fn remove(&mut self, rep: u32) -> Option<Box<dyn Any + Send>> {
        self.0.remove(rep)
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}
