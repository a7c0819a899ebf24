//! The bus: the guests of one application and their broker, on one thread.
//!
//! Because it owns every guest's instance, the bus reaches any guest's
//! memory between calls: a native subscriber reads a guest's sample where
//! the guest wrote it, a native publisher writes into a guest subscriber's
//! storage, and a sample from one guest to another is copied once, before
//! the receiving guest runs again. No `unsafe` and no shared memory: the
//! borrow checker sees every access.

use alloc::boxed::Box;
use alloc::vec::Vec;

use wasmbed::{Engine, Error, Instance};

use crate::bindings::exports::wasmbed::pubsub::task;
use crate::bindings::wasmbed::pubsub::types::ErrorCode;
use crate::bridge::{Bridge, BridgeError};
use crate::transport::Transport;
use crate::{Block, Broker, Loan, PartId, Sample, Store};

struct Member<E: Engine, T: 'static> {
    instance: Instance<E, T>,
    part: PartId,
    task: Option<task::Guest>,
}

/// Guests and their broker, driven from one thread.
pub struct Bus<E: Engine, T: 'static> {
    broker: Broker,
    members: Vec<Member<E, T>>,
    bridges: Vec<Bridge>,
}

impl<E: Engine, T: 'static> Bus<E, T> {
    /// A bus over `broker`, with no guests yet.
    pub fn new(broker: &Broker) -> Bus<E, T> {
        Bus {
            broker: broker.clone(),
            members: Vec::new(),
            bridges: Vec::new(),
        }
    }

    /// The broker.
    pub fn broker(&self) -> &Broker {
        &self.broker
    }

    /// Adds a guest whose host data holds participant `part` of this bus's broker: its index.
    pub fn add(&mut self, instance: Instance<E, T>, part: PartId) -> usize {
        let task = task::Guest::new(&instance).ok();
        // One more member, not room for four: a member holds a whole instance.
        self.members.reserve_exact(1);
        self.members.push(Member {
            instance,
            part,
            task,
        });
        self.members.len() - 1
    }

    /// How many guests there are.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Guest `i`'s instance, to inspect between calls.
    pub fn instance(&self, i: usize) -> Option<&Instance<E, T>> {
        Some(&self.members.get(i)?.instance)
    }

    /// Guest `i`'s instance, writable between calls (as the guest itself would write).
    pub fn instance_mut(&mut self, i: usize) -> Option<&mut Instance<E, T>> {
        Some(&mut self.members.get_mut(i)?.instance)
    }

    /// Runs `f` on guest `i`: copies owed to it are made first, and if the
    /// guest traps, the broker takes back its loans, ports and held samples.
    pub fn call<R>(
        &mut self,
        i: usize,
        f: impl FnOnce(&mut Instance<E, T>) -> Result<R, Error>,
    ) -> Result<R, Error> {
        self.pump();
        let m = self
            .members
            .get_mut(i)
            .ok_or_else(|| Error::host(alloc::format!("no guest {i} on the bus")))?;
        let r = f(&mut m.instance);
        if m.instance.is_poisoned() {
            self.broker.fault(m.part);
        }
        self.pump();
        r
    }

    /// Calls guest `i`'s `task.init`.
    pub fn init(&mut self, i: usize) -> Result<Result<(), ErrorCode>, Error> {
        let task = self.take_task(i)?;
        let r = self.call(i, |inst| task.call_init(inst));
        self.members[i].task = Some(task);
        r
    }

    /// Calls guest `i`'s `task.step`: whether it wants more steps.
    pub fn step(&mut self, i: usize, tick: u64) -> Result<bool, Error> {
        let task = self.take_task(i)?;
        let r = self.call(i, |inst| task.call_step(inst, tick));
        self.members[i].task = Some(task);
        r
    }

    fn take_task(&mut self, i: usize) -> Result<task::Guest, Error> {
        self.members
            .get_mut(i)
            .and_then(|m| m.task.take())
            .ok_or_else(|| {
                Error::host(alloc::format!("guest {i} exports no `wasmbed:pubsub/task`"))
            })
    }

    fn member(&self, p: PartId) -> Option<usize> {
        self.members.iter().position(|m| m.part == p)
    }

    /// Links topic `name` to `transport`: what is published here goes out
    /// when `out`, and what arrives from elsewhere is published here when
    /// `inbound`. Each way costs one copy per sample, made by [`Bus::pump`].
    pub fn bridge<X: Transport>(
        &mut self,
        name: &str,
        transport: &mut X,
        out: bool,
        inbound: bool,
    ) -> Result<(), BridgeError>
    where
        X::Sender: 'static,
        X::Receiver: 'static,
    {
        let cfg = self
            .broker
            .with(|c| Some(c.topics.get(c.topic_id(name)?.0 as usize)?.cfg.clone()))
            .ok_or(crate::PubSubError::NoSuchTopic)?;
        let tx: Option<Box<dyn crate::Sender>> = match out {
            true => Some(Box::new(transport.sender(&cfg)?)),
            false => None,
        };
        let rx: Option<Box<dyn crate::Receiver>> = match inbound {
            true => Some(Box::new(transport.receiver(&cfg)?)),
            false => None,
        };
        self.bridges.push(Bridge::new(&self.broker, name, tx, rx)?);
        Ok(())
    }

    /// Moves samples: in from bridged transports, between guests (every
    /// copy owed, before the receiving guest runs), and out to bridged
    /// transports. How many copies it made.
    pub fn pump(&mut self) -> usize {
        let mut bridges = core::mem::take(&mut self.bridges);
        let mut made = 0;
        for b in &mut bridges {
            made += self.bring_in(b);
        }
        for (target, from, to) in self.broker.take_pending() {
            if self.copy(from, to) {
                self.broker.copied(target);
                made += 1;
            } else {
                self.broker.owe(target);
            }
        }
        for b in &mut bridges {
            made += self.send_out(b);
        }
        self.bridges = bridges;
        made
    }

    /// Publishes here what waits in the bridge's transport: one copy each.
    fn bring_in(&mut self, b: &mut Bridge) -> usize {
        let Some((publisher, rx)) = &mut b.inbound else {
            return 0;
        };
        let mut made = 0;
        loop {
            let Ok(loan) = publisher.loan(b.max_payload) else {
                return made;
            };
            let mut got = None;
            let r = rx.receive_with(&mut |src: &[u8]| {
                got = self.bytes_mut(loan.block(), |dst| {
                    let n = src.len().min(dst.len());
                    dst[..n].copy_from_slice(&src[..n]);
                    (n, src.len() <= dst.len())
                });
            });
            match (r, got) {
                (Ok(true), Some((n, true))) => {
                    self.broker.count_copy(b.topic, n as u32);
                    made += 1;
                    let _ = loan.publish(n as u32);
                }
                // Larger than the topic allows: refused, and the next one is tried.
                (Ok(true), _) => self.broker.count_refused(b.topic),
                _ => return made,
            }
        }
    }

    /// Sends out what was published here: one copy each.
    fn send_out(&mut self, b: &mut Bridge) -> usize {
        let Some((sub, tx)) = &mut b.out else {
            return 0;
        };
        let mut made = 0;
        while let Ok(Some(sample)) = sub.receive() {
            let sent = self.bytes(sample.block(), |src| {
                tx.send_with(src.len(), &mut |dst: &mut [u8]| dst.copy_from_slice(src))
            });
            match sent {
                Some(Ok(())) => {
                    self.broker.count_copy(b.topic, sample.len());
                    made += 1;
                }
                _ => self.broker.count_refused(b.topic),
            }
        }
        made
    }

    /// Copies the bytes of `from` into `to` (a guest's storage).
    fn copy(&mut self, from: Block, to: Block) -> bool {
        let Store::Guest(dst) = to.store else {
            return false;
        };
        let Some(d) = self.member(dst) else {
            return false;
        };
        match from.store {
            Store::Native(_) => {
                let dst = self.members[d].instance.memory_mut();
                let Some(dst) = dst.get_mut(to.range()) else {
                    return false;
                };
                self.broker
                    .native_bytes(from, |src| dst.copy_from_slice(src))
                    .is_some()
            }
            Store::Guest(src) => {
                let Some(s) = self.member(src) else {
                    return false;
                };
                // Never owed: a guest reads a sample in its own storage in place.
                if s == d {
                    return false;
                }
                let (a, b) = two(&mut self.members, s, d);
                let (Some(src), Some(dst)) = (
                    a.instance.memory().get(from.range()),
                    b.instance.memory_mut().get_mut(to.range()),
                ) else {
                    return false;
                };
                dst.copy_from_slice(src);
                true
            }
        }
    }

    /// Runs `f` on a sample's bytes where they are: in the publishing
    /// guest's memory, in this subscriber's storage, or in the topic's native
    /// blocks. No copy.
    ///
    /// A guest publisher must not touch a sample after publishing it, but
    /// nothing stops a misbehaving one between its calls: a reader that must
    /// not see bytes change under a re-validation uses [`Bus::copy_out`].
    pub fn read<R>(&self, sample: &Sample, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        self.bytes(sample.block(), |b| f(b))
    }

    /// Copies a sample's bytes into `buf` (counted as a copy): how many.
    pub fn copy_out(&self, sample: &Sample, buf: &mut [u8]) -> Option<usize> {
        let n = self.bytes(sample.block(), |b| {
            let n = b.len().min(buf.len());
            buf[..n].copy_from_slice(&b[..n]);
            n
        })?;
        self.broker.count_copy(sample.topic(), n as u32);
        Some(n)
    }

    /// Runs `f` on the bytes of any block: `None` when its store is gone.
    pub fn bytes<R>(&self, block: Block, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        match block.store {
            Store::Guest(p) => {
                let m = &self.members[self.member(p)?];
                m.instance.memory().get(block.range()).map(f)
            }
            Store::Native(_) => self.broker.native_bytes(block, |b| f(b)),
        }
    }

    /// Runs `f` on a loan's bytes where they are, to write them in place.
    pub fn write<R>(&mut self, loan: &Loan, f: impl FnOnce(&mut [u8]) -> R) -> Option<R> {
        self.bytes_mut(loan.block(), f)
    }

    /// Runs `f` on the bytes of any block, writable: `None` when its store is gone.
    pub fn bytes_mut<R>(&mut self, block: Block, f: impl FnOnce(&mut [u8]) -> R) -> Option<R> {
        match block.store {
            Store::Guest(p) => {
                let i = self.member(p)?;
                self.members[i]
                    .instance
                    .memory_mut()
                    .get_mut(block.range())
                    .map(f)
            }
            Store::Native(_) => self.broker.native_bytes_mut(block, f),
        }
    }

    /// Ends the bus, giving the instances back.
    pub fn into_instances(self) -> Vec<Instance<E, T>> {
        self.members.into_iter().map(|m| m.instance).collect()
    }
}

/// Two distinct elements of `v`, the first shared and the second writable.
fn two<X>(v: &mut [X], a: usize, b: usize) -> (&X, &mut X) {
    if a < b {
        let (l, r) = v.split_at_mut(b);
        (&l[a], &mut r[0])
    } else {
        let (l, r) = v.split_at_mut(a);
        (&r[0], &mut l[b])
    }
}
