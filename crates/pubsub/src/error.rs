//! Why a pub/sub operation failed: the values of the WIT `error-code`.

use core::fmt;

/// Why an operation failed; a guest sees the same value as WIT's `error-code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PubSubError {
    /// The participant holds no such grant on the topic.
    Denied,
    /// No topic of that name exists.
    NoSuchTopic,
    /// More bytes than the topic's maximum payload, or than the loan holds.
    TooLarge,
    /// No free block, or the topic's loans or the subscriber's held samples are all taken.
    PoolExhausted,
    /// A subscriber's queue is full and the topic refuses new samples.
    QueueFull,
    /// The topic has as many publishers or subscribers as it allows.
    TooMany,
    /// The guest has lent no storage.
    NoStorage,
    /// The storage lent is outside memory, misaligned, empty or overlapping.
    BadRegion,
    /// The topic or the port is closed.
    Closed,
}

impl fmt::Display for PubSubError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PubSubError::Denied => "denied: no grant for this topic",
            PubSubError::NoSuchTopic => "no such topic",
            PubSubError::TooLarge => "sample too large",
            PubSubError::PoolExhausted => "pool exhausted",
            PubSubError::QueueFull => "a subscriber's queue is full",
            PubSubError::TooMany => "too many publishers or subscribers on the topic",
            PubSubError::NoStorage => "no storage lent",
            PubSubError::BadRegion => "bad storage region",
            PubSubError::Closed => "closed",
        })
    }
}

impl core::error::Error for PubSubError {}
