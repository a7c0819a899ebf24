//! What flowed through a topic, and every copy it cost.

/// Counters of one topic since it was created.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TopicStats {
    /// Samples published.
    pub published: u64,
    /// Samples queued for subscribers (one per subscriber reached).
    pub delivered: u64,
    /// Samples taken from a queue by a subscriber.
    pub received: u64,
    /// Copies of a sample's bytes the broker made (into another guest's
    /// storage, into or out of a transport, or asked for by a reader).
    pub copies: u64,
    /// Bytes those copies moved.
    pub copied_bytes: u64,
    /// Samples a subscriber lost to the drop-oldest policy.
    pub dropped: u64,
    /// Queued samples thrown away because their subscriber closed or its guest trapped.
    pub discarded: u64,
    /// Publishes that failed (a full queue under `refuse`, no room for a copy).
    pub refused: u64,
}
