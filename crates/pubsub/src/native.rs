//! The native side: publishers, loans, subscribers and samples for Rust
//! code, with the operations guests have. Dropping one returns it, as in
//! iceoryx2; the bytes are reached through the [`Bus`](crate::Bus), which
//! owns the memories they may live in.

use crate::{Block, Broker, LoanId, PartId, PubId, PubSubError, ReceiptId, SubId, TopicId};

/// The right to publish on one topic, for native code.
pub struct Publisher {
    broker: Broker,
    part: PartId,
    id: PubId,
    topic: TopicId,
}

impl Publisher {
    /// Opens a publisher on `topic` for native participant `part`.
    pub fn open(broker: &Broker, part: PartId, topic: &str) -> Result<Publisher, PubSubError> {
        let id = broker.open_publisher(part, topic)?;
        let topic = broker.topic(topic).ok_or(PubSubError::NoSuchTopic)?;
        Ok(Publisher {
            broker: broker.clone(),
            part,
            id,
            topic,
        })
    }

    /// The topic.
    pub fn topic(&self) -> TopicId {
        self.topic
    }

    /// A block of `len` bytes to write in place: in a guest subscriber's
    /// storage when the topic has one (so it reads the sample where it was
    /// written), else in the topic's native blocks.
    pub fn loan(&self, len: u32) -> Result<Loan, PubSubError> {
        let id = self.broker.loan(self.id, self.part, len)?;
        let block = self.broker.loan_block(id, self.part)?;
        Ok(Loan {
            broker: self.broker.clone(),
            part: self.part,
            id: Some(id),
            block,
        })
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        let _ = self.broker.close_publisher(self.id, self.part);
    }
}

/// A block being written by native code; dropping it unpublished returns it.
pub struct Loan {
    broker: Broker,
    part: PartId,
    id: Option<LoanId>,
    block: Block,
}

impl Loan {
    /// Where the block lives.
    pub fn block(&self) -> Block {
        self.block
    }

    /// Publishes the first `len` bytes.
    pub fn publish(mut self, len: u32) -> Result<(), PubSubError> {
        let id = self.id.take().ok_or(PubSubError::Closed)?;
        self.broker.publish(id, self.part, len)
    }
}

impl Drop for Loan {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            let _ = self.broker.discard(id, self.part);
        }
    }
}

/// A queue of samples from one topic, for native code.
pub struct Subscriber {
    broker: Broker,
    part: PartId,
    id: SubId,
    topic: TopicId,
}

impl Subscriber {
    /// Opens a subscriber on `topic` for native participant `part`.
    pub fn open(broker: &Broker, part: PartId, topic: &str) -> Result<Subscriber, PubSubError> {
        Subscriber::open_with(broker, part, topic, false)
    }

    /// As [`Subscriber::open`], skipping what `part` itself publishes when `no_echo`.
    pub(crate) fn open_with(
        broker: &Broker,
        part: PartId,
        topic: &str,
        no_echo: bool,
    ) -> Result<Subscriber, PubSubError> {
        let id = match no_echo {
            true => broker.open_subscriber_no_echo(part, topic)?,
            false => broker.open_subscriber(part, topic)?,
        };
        let topic = broker.topic(topic).ok_or(PubSubError::NoSuchTopic)?;
        Ok(Subscriber {
            id,
            broker: broker.clone(),
            part,
            topic,
        })
    }

    /// The oldest queued sample, or `None` when the queue is empty.
    pub fn receive(&self) -> Result<Option<Sample>, PubSubError> {
        let Some(id) = self.broker.receive(self.id, self.part)? else {
            return Ok(None);
        };
        let (block, _) = self.broker.sample_block(id, self.part)?;
        Ok(Some(Sample {
            broker: self.broker.clone(),
            part: self.part,
            id,
            block,
            topic: self.topic,
        }))
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        let _ = self.broker.close_subscriber(self.id, self.part);
    }
}

/// A received sample; dropping it releases it.
pub struct Sample {
    broker: Broker,
    part: PartId,
    id: ReceiptId,
    block: Block,
    topic: TopicId,
}

impl Sample {
    /// The topic it came from.
    pub fn topic(&self) -> TopicId {
        self.topic
    }

    /// Where the bytes live (a guest's memory, or the topic's native blocks), and how many.
    pub fn block(&self) -> Block {
        self.block
    }

    /// How many bytes it has.
    pub fn len(&self) -> u32 {
        self.block.len
    }

    /// Whether it has no bytes.
    pub fn is_empty(&self) -> bool {
        self.block.len == 0
    }
}

impl Drop for Sample {
    fn drop(&mut self) {
        let _ = self.broker.release(self.id, self.part);
    }
}
