//! The broker handle: cheap to clone, shared by the guests' host data, the
//! native ports and the bus of one thread.

use alloc::rc::Rc;
use core::cell::RefCell;

use crate::config::{ConfigError, Grants, TopicConfig};
use crate::core::Core;
use crate::{
    Block, LoanId, PartId, PubId, PubSubError, ReceiptId, Store, SubId, TopicId, TopicStats,
};

/// The books of every topic of one application: who may use which topic,
/// where each sample lives, who holds it, and what it cost.
///
/// One broker serves one thread (the bus's): it is not `Send`. Topics reach
/// other threads and processes through a [`Transport`](crate::Transport).
#[derive(Clone, Default)]
pub struct Broker {
    core: Rc<RefCell<Core>>,
}

impl Broker {
    /// A broker with no topics.
    pub fn new() -> Broker {
        Broker::default()
    }

    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut Core) -> R) -> R {
        f(&mut self.core.borrow_mut())
    }

    /// Adds a topic; its native blocks are allocated now, once.
    pub fn add_topic(&self, cfg: TopicConfig) -> Result<TopicId, ConfigError> {
        self.with(|c| c.add_topic(cfg))
    }

    /// The topic named `name`.
    pub fn topic(&self, name: &str) -> Option<TopicId> {
        self.with(|c| c.topic_id(name))
    }

    /// The counters of topic `t`.
    pub fn stats(&self, t: TopicId) -> TopicStats {
        self.with(|c| {
            c.topics
                .get(t.0 as usize)
                .map(|t| t.stats)
                .unwrap_or_default()
        })
    }

    /// A new guest participant with `grants`; [`PubSubCtx`](crate::PubSubCtx) calls this.
    pub fn add_guest(&self, grants: Grants) -> PartId {
        self.with(|c| c.add_part(true, grants))
    }

    /// A new native participant with `grants`.
    pub fn add_native(&self, grants: Grants) -> PartId {
        self.with(|c| c.add_part(false, grants))
    }

    /// Lends `[start, start + len)` of participant `p`'s memory (`memory_len` bytes now) for samples.
    pub fn add_storage(
        &self,
        p: PartId,
        start: u32,
        len: u32,
        memory_len: usize,
    ) -> Result<(), PubSubError> {
        self.with(|c| c.add_storage(p, start, len, memory_len))
    }

    /// Opens a publisher on topic `name` for `p`.
    pub fn open_publisher(&self, p: PartId, name: &str) -> Result<PubId, PubSubError> {
        self.with(|c| c.open_publisher(p, name))
    }

    /// Opens a subscriber on topic `name` for `p`.
    pub fn open_subscriber(&self, p: PartId, name: &str) -> Result<SubId, PubSubError> {
        self.with(|c| c.open_subscriber(p, name, false))
    }

    /// Opens a subscriber on topic `name` for `p` that never gets `p`'s own samples (for bridges).
    pub fn open_subscriber_no_echo(&self, p: PartId, name: &str) -> Result<SubId, PubSubError> {
        self.with(|c| c.open_subscriber(p, name, true))
    }

    /// Closes publisher `id` of `p`.
    pub fn close_publisher(&self, id: PubId, p: PartId) -> Result<(), PubSubError> {
        self.with(|c| c.close_publisher(id, p))
    }

    /// Closes subscriber `id` of `p`; samples it holds stay valid until released.
    pub fn close_subscriber(&self, id: SubId, p: PartId) -> Result<(), PubSubError> {
        self.with(|c| c.close_subscriber(id, p))
    }

    /// Loans `len` bytes to publisher `id` of `p`.
    pub fn loan(&self, id: PubId, p: PartId, len: u32) -> Result<LoanId, PubSubError> {
        self.with(|c| c.loan(id, p, len))
    }

    /// Where loan `id` of `p` lives.
    pub fn loan_block(&self, id: LoanId, p: PartId) -> Result<Block, PubSubError> {
        self.with(|c| c.loan_block(id, p))
    }

    /// Returns loan `id` of `p` unpublished.
    pub fn discard(&self, id: LoanId, p: PartId) -> Result<(), PubSubError> {
        self.with(|c| c.discard(id, p))
    }

    /// Publishes the first `len` bytes of loan `id` of `p`; the loan is consumed either way.
    pub fn publish(&self, id: LoanId, p: PartId, len: u32) -> Result<(), PubSubError> {
        self.with(|c| c.publish(id, p, len))
    }

    /// Takes the oldest sample queued for subscriber `id` of `p`.
    pub fn receive(&self, id: SubId, p: PartId) -> Result<Option<ReceiptId>, PubSubError> {
        self.with(|c| c.receive(id, p))
    }

    /// Where held sample `id` of `p` lives, and its length.
    pub fn sample_block(&self, id: ReceiptId, p: PartId) -> Result<(Block, u32), PubSubError> {
        self.with(|c| c.receipt(id, p).map(|s| (s.block, s.len)))
    }

    /// Releases held sample `id` of `p`.
    pub fn release(&self, id: ReceiptId, p: PartId) -> Result<(), PubSubError> {
        self.with(|c| c.release(id, p))
    }

    /// Participant `p` trapped or left: its loans, ports and held samples go back.
    pub fn fault(&self, p: PartId) {
        self.with(|c| c.fault(p))
    }

    /// Loans, samples and held samples alive now: for tests that account for every one.
    pub fn census(&self) -> (usize, usize, usize) {
        self.with(|c| c.census())
    }

    /// Samples queued on topic `t` now, over all its subscribers.
    pub fn queued(&self, t: TopicId) -> usize {
        self.with(|c| c.queued(t))
    }

    /// Blocks taken now in every guest's storage and every topic's native
    /// blocks: zero once every loan and sample is returned.
    pub fn blocks_in_use(&self) -> usize {
        self.with(|c| c.blocks_in_use())
    }

    /// Takes the copies the bus owes, as `(target sample, from, to)`; each
    /// is then either [`Broker::copied`] or handed back with [`Broker::owe`].
    pub(crate) fn take_pending(&self) -> alloc::vec::Vec<(crate::SampleId, Block, Block)> {
        self.with(|c| {
            let targets = core::mem::take(&mut c.pending);
            targets
                .into_iter()
                .filter_map(|t| {
                    let s = c.samples.get(t.0)?;
                    let src = c.samples.get(s.pending?.0)?;
                    Some((
                        t,
                        Block {
                            len: s.len,
                            ..src.block
                        },
                        Block {
                            len: s.len,
                            ..s.block
                        },
                    ))
                })
                .collect()
        })
    }

    /// A copy taken with [`Broker::take_pending`] could not be made now; it stays owed.
    pub(crate) fn owe(&self, target: crate::SampleId) {
        self.with(|c| c.pending.push(target))
    }

    /// Copies owed now: zero after every [`Bus::pump`](crate::Bus::pump) whose guests are all on the bus.
    pub fn pending_copies(&self) -> usize {
        self.with(|c| c.pending.len())
    }

    /// Runs `f` on the bytes of `block` when it lives in the topic's native blocks.
    pub(crate) fn native_bytes<R>(&self, block: Block, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        let bytes = self.pool(block)?;
        let bytes = bytes.try_borrow().ok()?;
        bytes.get(block.range()).map(f)
    }

    /// As [`Broker::native_bytes`], writable.
    pub(crate) fn native_bytes_mut<R>(
        &self,
        block: Block,
        f: impl FnOnce(&mut [u8]) -> R,
    ) -> Option<R> {
        let bytes = self.pool(block)?;
        let mut bytes = bytes.try_borrow_mut().ok()?;
        bytes.get_mut(block.range()).map(f)
    }

    /// The native blocks `block` lives in, if it does.
    fn pool(&self, block: Block) -> Option<Rc<RefCell<alloc::vec::Vec<u8>>>> {
        let Store::Native(t) = block.store else {
            return None;
        };
        self.with(|c| Some(c.topics.get(t.0 as usize)?.pool_bytes.clone()))
    }

    /// The copy into `target` is made.
    pub(crate) fn copied(&self, target: crate::SampleId) {
        self.with(|c| c.copied(target))
    }

    /// Counts a sample a transport refused on topic `t`.
    pub(crate) fn count_refused(&self, t: TopicId) {
        self.with(|c| {
            if let Some(t) = c.topics.get_mut(t.0 as usize) {
                t.stats.refused += 1;
            }
        })
    }

    /// Counts a copy on topic `t` made outside the books (into or out of a transport, or asked for).
    pub(crate) fn count_copy(&self, t: TopicId, bytes: u32) {
        self.with(|c| {
            if let Some(t) = c.topics.get_mut(t.0 as usize) {
                t.stats.copies += 1;
                t.stats.copied_bytes += u64::from(bytes);
            }
        })
    }
}
