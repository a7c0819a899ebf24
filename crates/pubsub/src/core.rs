//! The broker's bookkeeping: topics, ports, loans, samples and queues. It
//! never touches a sample's bytes (they live in guests' memories and in the
//! topics' native blocks); it says where they are, and which copies the bus
//! owes (`pending`).

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use crate::config::{ConfigError, Grants, Overflow, TopicConfig};
use crate::region::{Region, BLOCK_ALIGN};
use crate::slab::Slab;
use crate::stats::TopicStats;
use crate::{
    Block, LoanId, PartId, PubId, PubSubError, ReceiptId, SampleId, Store, SubId, TopicId,
};

pub(crate) struct Topic {
    pub(crate) cfg: TopicConfig,
    /// Where samples live that no guest holds: `native_blocks` blocks.
    pub(crate) pool: Region,
    /// Kept apart from the books, so code reading a sample may use the broker meanwhile.
    pub(crate) pool_bytes: alloc::rc::Rc<core::cell::RefCell<Vec<u8>>>,
    publishers: u32,
    pub(crate) subscribers: Vec<SubId>,
    pub(crate) stats: TopicStats,
}

pub(crate) struct Part {
    pub(crate) guest: bool,
    pub(crate) region: Option<Region>,
    grants: Grants,
    alive: bool,
}

struct Publisher {
    part: PartId,
    topic: TopicId,
    loans: u32,
}

pub(crate) struct Subscriber {
    pub(crate) part: PartId,
    /// Samples its own participant publishes are not queued here (a bridge's).
    no_echo: bool,
    topic: TopicId,
    queue: VecDeque<SampleId>,
    held: u32,
    open: bool,
}

struct Loan {
    part: PartId,
    /// `None` once the publisher is closed: the loan can then only be dropped.
    publisher: Option<PubId>,
    topic: TopicId,
    block: Block,
}

pub(crate) struct Sample {
    pub(crate) topic: TopicId,
    pub(crate) block: Block,
    pub(crate) len: u32,
    refs: u32,
    /// The sample this one is a copy of, until the bus makes the copy.
    pub(crate) pending: Option<SampleId>,
}

struct Receipt {
    sub: SubId,
    sample: SampleId,
}

/// All of the broker's state.
#[derive(Default)]
pub(crate) struct Core {
    pub(crate) topics: Vec<Topic>,
    pub(crate) parts: Slab<Part>,
    pubs: Slab<Publisher>,
    pub(crate) subs: Slab<Subscriber>,
    loans: Slab<Loan>,
    pub(crate) samples: Slab<Sample>,
    receipts: Slab<Receipt>,
    /// Copies the bus owes, by target sample.
    pub(crate) pending: Vec<SampleId>,
    /// Where one publish keeps each subscriber's copy block until every
    /// subscriber has one: reused, and sized when subscribers open, so
    /// publishing allocates nothing.
    copies: Vec<(SubId, Option<Block>)>,
}

fn padded(n: u32) -> u32 {
    n.div_ceil(BLOCK_ALIGN).saturating_mul(BLOCK_ALIGN)
}

impl Core {
    pub(crate) fn add_topic(&mut self, cfg: TopicConfig) -> Result<TopicId, ConfigError> {
        if self.topics.iter().any(|t| t.cfg.name == cfg.name) {
            return Err(ConfigError::Duplicate);
        }
        let bounds = [
            cfg.max_payload,
            cfg.queue_depth,
            cfg.max_held,
            cfg.max_loans,
            cfg.max_publishers,
            cfg.max_subscribers,
        ];
        if bounds.contains(&0) {
            return Err(ConfigError::Zero);
        }
        let pool_len = padded(cfg.max_payload).saturating_mul(cfg.native_blocks);
        // Topics are made once, at start: room for this one, not for four.
        self.topics.reserve_exact(1);
        self.topics.push(Topic {
            pool: Region::new(0, pool_len),
            pool_bytes: alloc::rc::Rc::new(core::cell::RefCell::new(
                alloc::vec![0; pool_len as usize],
            )),
            cfg,
            publishers: 0,
            subscribers: Vec::new(),
            stats: TopicStats::default(),
        });
        Ok(TopicId(self.topics.len() as u32 - 1))
    }

    pub(crate) fn topic_id(&self, name: &str) -> Option<TopicId> {
        let i = self.topics.iter().position(|t| t.cfg.name == name)?;
        Some(TopicId(i as u32))
    }

    pub(crate) fn add_part(&mut self, guest: bool, grants: Grants) -> PartId {
        PartId(self.parts.insert(Part {
            guest,
            region: None,
            grants,
            alive: true,
        }))
    }

    fn part(&self, p: PartId) -> Result<&Part, PubSubError> {
        match self.parts.get(p.0) {
            Some(part) if part.alive => Ok(part),
            _ => Err(PubSubError::Closed),
        }
    }

    pub(crate) fn add_storage(
        &mut self,
        p: PartId,
        start: u32,
        len: u32,
        memory_len: usize,
    ) -> Result<(), PubSubError> {
        self.part(p)?;
        let end = u64::from(start) + u64::from(len);
        if len == 0 || start % BLOCK_ALIGN != 0 || end > memory_len as u64 {
            return Err(PubSubError::BadRegion);
        }
        let part = self.parts.get_mut(p.0).ok_or(PubSubError::Closed)?;
        if part.region.is_some() {
            return Err(PubSubError::BadRegion);
        }
        part.region = Some(Region::new(start, len));
        Ok(())
    }

    /// The topic named `name`, if `p` holds the grant `allowed` checks.
    fn open(
        &self,
        p: PartId,
        name: &str,
        allowed: fn(&Grants, &str) -> bool,
    ) -> Result<TopicId, PubSubError> {
        let part = self.part(p)?;
        let t = self.topic_id(name).ok_or(PubSubError::NoSuchTopic)?;
        if !allowed(&part.grants, name) {
            return Err(PubSubError::Denied);
        }
        Ok(t)
    }

    pub(crate) fn open_publisher(&mut self, p: PartId, name: &str) -> Result<PubId, PubSubError> {
        let t = self.open(p, name, Grants::may_publish)?;
        let topic = &mut self.topics[t.0 as usize];
        if topic.publishers >= topic.cfg.max_publishers {
            return Err(PubSubError::TooMany);
        }
        topic.publishers += 1;
        Ok(PubId(self.pubs.insert(Publisher {
            part: p,
            topic: t,
            loans: 0,
        })))
    }

    pub(crate) fn open_subscriber(
        &mut self,
        p: PartId,
        name: &str,
        no_echo: bool,
    ) -> Result<SubId, PubSubError> {
        let t = self.open(p, name, Grants::may_subscribe)?;
        // A guest receives into its storage: without any, it could receive nothing.
        if self
            .parts
            .get(p.0)
            .is_some_and(|x| x.guest && x.region.is_none())
        {
            return Err(PubSubError::NoStorage);
        }
        let topic = &self.topics[t.0 as usize];
        if topic.subscribers.len() as u32 >= topic.cfg.max_subscribers {
            return Err(PubSubError::TooMany);
        }
        let depth = topic.cfg.queue_depth as usize;
        let s = SubId(self.subs.insert(Subscriber {
            part: p,
            no_echo,
            topic: t,
            queue: VecDeque::with_capacity(depth),
            held: 0,
            open: true,
        }));
        self.topics[t.0 as usize].subscribers.push(s);
        // Room for this topic's subscribers in a publish's bookkeeping.
        let n = self.topics[t.0 as usize].subscribers.len();
        self.copies.reserve_exact(n);
        Ok(s)
    }

    /// The part owning publisher `id`, checked against the caller.
    fn publisher(&self, id: PubId, caller: PartId) -> Result<&Publisher, PubSubError> {
        match self.pubs.get(id.0) {
            Some(p) if p.part == caller => Ok(p),
            _ => Err(PubSubError::Closed),
        }
    }

    pub(crate) fn close_publisher(&mut self, id: PubId, caller: PartId) -> Result<(), PubSubError> {
        let t = self.publisher(id, caller)?.topic;
        for l in self.loans.ids(|l| l.publisher == Some(id)) {
            if let Some(l) = self.loans.get_mut(l) {
                l.publisher = None;
            }
        }
        self.pubs.remove(id.0);
        self.topics[t.0 as usize].publishers -= 1;
        Ok(())
    }

    pub(crate) fn loan(
        &mut self,
        id: PubId,
        caller: PartId,
        len: u32,
    ) -> Result<LoanId, PubSubError> {
        let publisher = self.publisher(id, caller)?;
        let (t, owner, out) = (publisher.topic, publisher.part, publisher.loans);
        let topic = &self.topics[t.0 as usize];
        if len > topic.cfg.max_payload {
            return Err(PubSubError::TooLarge);
        }
        if out >= topic.cfg.max_loans {
            return Err(PubSubError::PoolExhausted);
        }
        let block = if self.parts.get(owner.0).is_some_and(|p| p.guest) {
            let region = self.parts.get_mut(owner.0).and_then(|p| p.region.as_mut());
            let region = region.ok_or(PubSubError::NoStorage)?;
            let start = region.alloc(len).ok_or(PubSubError::PoolExhausted)?;
            Block::new(Store::Guest(owner), start, len)
        } else {
            self.native_block(t, len)?
        };
        if let Some(p) = self.pubs.get_mut(id.0) {
            p.loans += 1;
        }
        Ok(LoanId(self.loans.insert(Loan {
            part: caller,
            publisher: Some(id),
            topic: t,
            block,
        })))
    }

    /// A block for a native publisher: in a guest subscriber's storage when
    /// there is one, so that subscriber reads it where it was written.
    fn native_block(&mut self, t: TopicId, len: u32) -> Result<Block, PubSubError> {
        // By index: the subscribers stay put while a region hands out a block.
        for i in 0..self.topics[t.0 as usize].subscribers.len() {
            let s = self.topics[t.0 as usize].subscribers[i];
            let Some(g) = self.subs.get(s.0).map(|s| s.part) else {
                continue;
            };
            let Some(part) = self.parts.get_mut(g.0).filter(|p| p.guest && p.alive) else {
                continue;
            };
            if let Some(start) = part.region.as_mut().and_then(|r| r.alloc(len)) {
                return Ok(Block::new(Store::Guest(g), start, len));
            }
        }
        let start = self.topics[t.0 as usize].pool.alloc(len);
        let start = start.ok_or(PubSubError::PoolExhausted)?;
        Ok(Block::new(Store::Native(t), start, len))
    }

    pub(crate) fn loan_block(&self, id: LoanId, caller: PartId) -> Result<Block, PubSubError> {
        match self.loans.get(id.0) {
            Some(loan) if loan.part == caller => Ok(loan.block),
            _ => Err(PubSubError::Closed),
        }
    }

    pub(crate) fn discard(&mut self, id: LoanId, caller: PartId) -> Result<(), PubSubError> {
        self.loan_block(id, caller)?;
        let loan = self.loans.remove(id.0).ok_or(PubSubError::Closed)?;
        self.free_block(loan.block);
        self.returned(loan.publisher);
        Ok(())
    }

    /// A loan of publisher `id` is published or returned.
    fn returned(&mut self, id: Option<PubId>) {
        if let Some(p) = id.and_then(|id| self.pubs.get_mut(id.0)) {
            p.loans -= 1;
        }
    }

    fn free_block(&mut self, b: Block) {
        let freed = match b.store {
            Store::Guest(p) => self
                .parts
                .get_mut(p.0)
                .and_then(|p| p.region.as_mut())
                .is_some_and(|r| r.free(b.start)),
            Store::Native(t) => self.topics[t.0 as usize].pool.free(b.start),
        };
        debug_assert!(freed, "a block is freed once");
    }

    /// Whether subscriber `s` reads a sample at `block` in place.
    fn reads_in_place(&self, s: &Subscriber, block: Block) -> bool {
        let guest = self.parts.get(s.part.0).is_some_and(|p| p.guest);
        !guest || block.store == Store::Guest(s.part)
    }

    pub(crate) fn publish(
        &mut self,
        id: LoanId,
        caller: PartId,
        len: u32,
    ) -> Result<(), PubSubError> {
        let block = self.loan_block(id, caller)?;
        let loan = self.loans.get(id.0).ok_or(PubSubError::Closed)?;
        let t = loan.topic;
        if loan.publisher.is_none() {
            self.discard(id, caller)?;
            return Err(PubSubError::Closed);
        }
        let result = self.deliver(t, block, len, caller);
        // The loan is consumed either way; on success its block now belongs to the sample.
        if let Some(loan) = self.loans.remove(id.0) {
            self.returned(loan.publisher);
        }
        if result.is_err() {
            self.free_block(block);
            self.topics[t.0 as usize].stats.refused += 1;
        }
        result
    }

    /// Queues a sample at `block` for every subscriber of topic `t` but
    /// those that do not take their own participant's samples (a bridge's).
    fn deliver(
        &mut self,
        t: TopicId,
        block: Block,
        len: u32,
        caller: PartId,
    ) -> Result<(), PubSubError> {
        if len > block.len {
            return Err(PubSubError::TooLarge);
        }
        // The bookkeeping vector, put back below whatever happens.
        let mut copies = core::mem::take(&mut self.copies);
        let result = self.deliver_into(t, block, len, caller, &mut copies);
        copies.clear();
        self.copies = copies;
        result
    }

    fn deliver_into(
        &mut self,
        t: TopicId,
        block: Block,
        len: u32,
        caller: PartId,
        copies: &mut Vec<(SubId, Option<Block>)>,
    ) -> Result<(), PubSubError> {
        let overflow = self.topics[t.0 as usize].cfg.overflow;
        let depth = self.topics[t.0 as usize].cfg.queue_depth as usize;
        // Under `refuse`, nothing is queued unless every subscriber takes it.
        // A topic lists its open subscribers only, and they stay put here.
        for i in 0..self.topics[t.0 as usize].subscribers.len() {
            let s = self.topics[t.0 as usize].subscribers[i];
            let Some(sub) = self.subs.get(s.0) else {
                continue;
            };
            if sub.no_echo && sub.part == caller {
                continue;
            }
            let full = sub.queue.len() >= depth;
            let in_place = self.reads_in_place(sub, block);
            if overflow == Overflow::Refuse && full {
                self.undo(copies);
                return Err(PubSubError::QueueFull);
            }
            if in_place {
                copies.push((s, None));
                continue;
            }
            match self.copy_block(s, len, overflow) {
                Some(b) => copies.push((s, Some(b))),
                None if overflow == Overflow::Refuse => {
                    self.undo(copies);
                    return Err(PubSubError::PoolExhausted);
                }
                None => {
                    // Delivered and dropped at once: no room in its storage even after dropping its whole queue.
                    let stats = &mut self.topics[t.0 as usize].stats;
                    stats.delivered += 1;
                    stats.dropped += 1;
                }
            }
        }
        let sample = SampleId(self.samples.insert(Sample {
            topic: t,
            block: Block { len, ..block },
            len,
            refs: 1,
            pending: None,
        }));
        let stats = &mut self.topics[t.0 as usize].stats;
        stats.published += 1;
        for &(s, copy) in copies.iter() {
            if let Some(x) = self.samples.get_mut(sample.0) {
                x.refs += 1;
            }
            let entry = match copy {
                None => sample,
                Some(b) => {
                    let c = SampleId(self.samples.insert(Sample {
                        topic: t,
                        block: b,
                        len,
                        refs: 1,
                        pending: Some(sample),
                    }));
                    self.pending.push(c);
                    c
                }
            };
            self.enqueue(s, entry, depth);
        }
        // The publisher's own reference.
        self.unref(sample);
        Ok(())
    }

    /// A block of `len` bytes in subscriber `s`'s storage, dropping its
    /// oldest queued samples to make room under drop-oldest.
    fn copy_block(&mut self, s: SubId, len: u32, overflow: Overflow) -> Option<Block> {
        let part = self.subs.get(s.0)?.part;
        loop {
            let region = self.parts.get_mut(part.0)?.region.as_mut()?;
            if let Some(start) = region.alloc(len) {
                return Some(Block::new(Store::Guest(part), start, len));
            }
            if overflow == Overflow::Refuse {
                return None;
            }
            let oldest = self.subs.get_mut(s.0)?.queue.pop_front()?;
            let t = self.subs.get(s.0)?.topic;
            self.topics[t.0 as usize].stats.dropped += 1;
            self.unref(oldest);
        }
    }

    fn undo(&mut self, copies: &[(SubId, Option<Block>)]) {
        for (_, b) in copies {
            if let Some(b) = b {
                self.free_block(*b);
            }
        }
    }

    fn enqueue(&mut self, s: SubId, entry: SampleId, depth: usize) {
        let Some(sub) = self.subs.get_mut(s.0) else {
            return self.unref(entry);
        };
        let t = sub.topic;
        let dropped = if sub.queue.len() >= depth {
            sub.queue.pop_front()
        } else {
            None
        };
        sub.queue.push_back(entry);
        let stats = &mut self.topics[t.0 as usize].stats;
        stats.delivered += 1;
        if let Some(old) = dropped {
            stats.dropped += 1;
            self.unref(old);
        }
    }

    /// Drops one reference to `s`, freeing its block with the last.
    fn unref(&mut self, s: SampleId) {
        let Some(sample) = self.samples.get_mut(s.0) else {
            return;
        };
        sample.refs -= 1;
        if sample.refs > 0 {
            return;
        }
        let Some(sample) = self.samples.remove(s.0) else {
            return;
        };
        self.free_block(sample.block);
        if let Some(src) = sample.pending {
            self.pending.retain(|&p| p != s);
            self.unref(src);
        }
    }

    /// The copy into `target` is made: its source may go.
    pub(crate) fn copied(&mut self, target: SampleId) {
        let Some(src) = self
            .samples
            .get_mut(target.0)
            .and_then(|s| s.pending.take())
        else {
            return;
        };
        let t = self.samples.get(target.0).map(|s| s.topic);
        if let Some(t) = t {
            let stats = &mut self.topics[t.0 as usize].stats;
            stats.copies += 1;
            stats.copied_bytes += u64::from(self.samples.get(target.0).map_or(0, |s| s.len));
        }
        self.unref(src);
    }

    fn subscriber(&self, id: SubId, caller: PartId) -> Result<&Subscriber, PubSubError> {
        match self.subs.get(id.0) {
            Some(s) if s.part == caller && s.open => Ok(s),
            _ => Err(PubSubError::Closed),
        }
    }

    pub(crate) fn receive(
        &mut self,
        id: SubId,
        caller: PartId,
    ) -> Result<Option<ReceiptId>, PubSubError> {
        let sub = self.subscriber(id, caller)?;
        let Some(&head) = sub.queue.front() else {
            return Ok(None);
        };
        if self
            .samples
            .get(head.0)
            .is_some_and(|s| s.pending.is_some())
        {
            // Its copy is not made yet: the bus makes it before the guest runs again.
            return Ok(None);
        }
        let t = sub.topic;
        if sub.held >= self.topics[t.0 as usize].cfg.max_held {
            return Err(PubSubError::PoolExhausted);
        }
        let sub = self.subs.get_mut(id.0).ok_or(PubSubError::Closed)?;
        sub.queue.pop_front();
        sub.held += 1;
        self.topics[t.0 as usize].stats.received += 1;
        Ok(Some(ReceiptId(self.receipts.insert(Receipt {
            sub: id,
            sample: head,
        }))))
    }

    pub(crate) fn receipt(&self, id: ReceiptId, caller: PartId) -> Result<&Sample, PubSubError> {
        let r = self.receipts.get(id.0).ok_or(PubSubError::Closed)?;
        match self.subs.get(r.sub.0) {
            Some(s) if s.part == caller => {}
            _ => return Err(PubSubError::Closed),
        }
        self.samples.get(r.sample.0).ok_or(PubSubError::Closed)
    }

    pub(crate) fn release(&mut self, id: ReceiptId, caller: PartId) -> Result<(), PubSubError> {
        self.receipt(id, caller)?;
        let r = self.receipts.remove(id.0).ok_or(PubSubError::Closed)?;
        self.unref(r.sample);
        if let Some(sub) = self.subs.get_mut(r.sub.0) {
            sub.held -= 1;
            if !sub.open && sub.held == 0 {
                self.subs.remove(r.sub.0);
            }
        }
        Ok(())
    }

    pub(crate) fn close_subscriber(
        &mut self,
        id: SubId,
        caller: PartId,
    ) -> Result<(), PubSubError> {
        self.subscriber(id, caller)?;
        let t = self
            .subs
            .get(id.0)
            .map(|s| s.topic)
            .ok_or(PubSubError::Closed)?;
        self.topics[t.0 as usize].subscribers.retain(|&s| s != id);
        let sub = self.subs.get_mut(id.0).ok_or(PubSubError::Closed)?;
        sub.open = false;
        let queued: Vec<SampleId> = sub.queue.drain(..).collect();
        if sub.held == 0 {
            self.subs.remove(id.0);
        }
        self.topics[t.0 as usize].stats.discarded += queued.len() as u64;
        for s in queued {
            self.unref(s);
        }
        Ok(())
    }

    /// Participant `p` trapped or left: its loans, ports and held samples go
    /// back; samples it published stay readable by their subscribers.
    pub(crate) fn fault(&mut self, p: PartId) {
        for r in self
            .receipts
            .ids(|r| self.subs.get(r.sub.0).is_some_and(|s| s.part == p))
        {
            let _ = self.release(ReceiptId(r), p);
        }
        for s in self.subs.ids(|s| s.part == p && s.open) {
            let _ = self.close_subscriber(SubId(s), p);
        }
        for l in self.loans.ids(|l| l.part == p) {
            let _ = self.discard(LoanId(l), p);
        }
        for x in self.pubs.ids(|x| x.part == p) {
            let _ = self.close_publisher(PubId(x), p);
        }
        if let Some(part) = self.parts.get_mut(p.0) {
            part.alive = false;
        }
    }

    /// Samples queued on topic `t` now, over its subscribers.
    pub(crate) fn queued(&self, t: TopicId) -> usize {
        self.subs
            .iter()
            .filter(|(_, s)| s.topic == t)
            .map(|(_, s)| s.queue.len())
            .sum()
    }

    /// Blocks taken in every guest's storage and every topic's native blocks.
    pub(crate) fn blocks_in_use(&self) -> usize {
        let guests: usize = self
            .parts
            .iter()
            .filter_map(|(_, p)| p.region.as_ref())
            .map(Region::blocks)
            .sum();
        guests + self.topics.iter().map(|t| t.pool.blocks()).sum::<usize>()
    }

    /// Loans, samples and receipts alive, for accounting checks.
    pub(crate) fn census(&self) -> (usize, usize, usize) {
        (self.loans.len(), self.samples.len(), self.receipts.len())
    }
}
