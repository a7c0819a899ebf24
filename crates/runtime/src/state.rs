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

/// One resource type's handles. Index 0 is never a valid handle.
#[derive(Default)]
struct Table {
    slots: Vec<Option<Slot>>,
    free: Vec<u32>,
    exported: bool,
    /// For a resource the guest exports: the host's own handles to guest reps,
    /// so the host names them by handle and a dropped one is never reused.
    host: Vec<Option<u32>>,
    host_free: Vec<u32>,
}

/// The guest's handle tables, one per resource type, plus the borrows lent for the current call.
#[derive(Default)]
pub(crate) struct Tables {
    tables: Vec<Table>,
    max_handles: u32,
    /// Borrow handles lent to the guest in the current export call and not yet dropped.
    pub(crate) borrows: u32,
}

impl Tables {
    fn new(world: &World, max_handles: u32) -> Tables {
        Tables {
            tables: world
                .resources
                .iter()
                .map(|r| Table {
                    exported: r.direction == Direction::Exported,
                    ..Table::default()
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
        let max = self.max_handles;
        let t = self.table(r)?;
        if let Some(h) = t.free.pop() {
            t.slots[h as usize] = Some(slot);
            return Ok(h);
        }
        if t.slots.is_empty() {
            t.slots.push(None);
        }
        if t.slots.len() > max as usize {
            return Err(ResourceTrap::TableFull.into());
        }
        t.slots.push(Some(slot));
        Ok(t.slots.len() as u32 - 1)
    }

    fn get(&mut self, r: ResourceId, h: u32) -> Result<Slot, Trap> {
        let t = self.table(r)?;
        t.slots
            .get(h as usize)
            .copied()
            .flatten()
            .ok_or(ResourceTrap::UnknownHandle { handle: h }.into())
    }

    fn remove(&mut self, r: ResourceId, h: u32) -> Result<Slot, Trap> {
        let slot = self.get(r, h)?;
        let t = self.table(r)?;
        t.slots[h as usize] = None;
        t.free.push(h);
        Ok(slot)
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
}

impl Tables {
    /// Gives the host a handle to `rep` of a guest resource.
    fn host_add(&mut self, r: ResourceId, rep: u32) -> Result<u32, Trap> {
        let max = self.max_handles;
        let t = self.table(r)?;
        if let Some(h) = t.host_free.pop() {
            t.host[h as usize] = Some(rep);
            return Ok(h);
        }
        if t.host.is_empty() {
            t.host.push(None);
        }
        if t.host.len() > max as usize {
            return Err(ResourceTrap::TableFull.into());
        }
        t.host.push(Some(rep));
        Ok(t.host.len() as u32 - 1)
    }

    /// The rep behind the host's handle `h` to a guest resource.
    fn host_get(&mut self, r: ResourceId, h: u32) -> Result<u32, Trap> {
        let t = self.table(r)?;
        t.host
            .get(h as usize)
            .copied()
            .flatten()
            .ok_or(ResourceTrap::UnknownHandle { handle: h }.into())
    }

    /// Takes the host's handle `h` to a guest resource away: its rep.
    pub(crate) fn host_remove(&mut self, r: ResourceId, h: u32) -> Result<u32, Trap> {
        let rep = self.host_get(r, h)?;
        let t = self.table(r)?;
        t.host[h as usize] = None;
        t.host_free.push(h);
        Ok(rep)
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

/// Host objects behind the resources the host implements.
#[derive(Default)]
pub(crate) struct HostObjects {
    slots: Vec<Option<Box<dyn Any + Send>>>,
    free: Vec<u32>,
}

impl HostObjects {
    pub(crate) fn insert(&mut self, obj: Box<dyn Any + Send>) -> u32 {
        match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Some(obj);
                i
            }
            None => {
                self.slots.push(Some(obj));
                self.slots.len() as u32 - 1
            }
        }
    }

    pub(crate) fn get_mut(&mut self, rep: u32) -> Option<&mut (dyn Any + Send)> {
        self.slots.get_mut(rep as usize)?.as_deref_mut()
    }

    pub(crate) fn remove(&mut self, rep: u32) -> Option<Box<dyn Any + Send>> {
        let obj = self.slots.get_mut(rep as usize)?.take()?;
        self.free.push(rep);
        Some(obj)
    }

    pub(crate) fn len(&self) -> usize {
        self.slots.len() - self.free.len()
    }
}
