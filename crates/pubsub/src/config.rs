//! A topic's fixed bounds: everything the broker will ever hold for it is
//! decided here, before the first sample.

use alloc::string::String;

/// What a publish does when a subscriber's queue is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Overflow {
    /// The subscriber's oldest queued sample is dropped (and counted) to make room.
    #[default]
    DropOldest,
    /// The publish fails with `queue-full`; no subscriber gets the sample.
    Refuse,
}

/// One topic's configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicConfig {
    /// The topic's name, as guests and native code open it.
    pub name: String,
    /// The largest sample, in bytes.
    pub max_payload: u32,
    /// Samples queued per subscriber before the overflow policy applies.
    pub queue_depth: u32,
    /// Samples one subscriber may hold (received, not yet dropped) at once.
    pub max_held: u32,
    /// Loans one publisher may have outstanding at once, so a greedy
    /// publisher cannot starve the others.
    pub max_loans: u32,
    /// Publishers on the topic at once.
    pub max_publishers: u32,
    /// Subscribers on the topic at once.
    pub max_subscribers: u32,
    /// What a publish does when a subscriber's queue is full.
    pub overflow: Overflow,
    /// Blocks of `max_payload` bytes the host keeps for samples that live in
    /// no guest's memory (a native publisher with no guest subscriber);
    /// allocated once, when the topic is created.
    pub native_blocks: u32,
}

impl TopicConfig {
    /// A topic with small defaults: 4 queued and 2 held per subscriber, 4
    /// loans, 4 publishers, 8 subscribers, drop-oldest, 8 native blocks.
    pub fn new(name: impl Into<String>, max_payload: u32) -> TopicConfig {
        TopicConfig {
            name: name.into(),
            max_payload,
            queue_depth: 4,
            max_held: 2,
            max_loans: 4,
            max_publishers: 4,
            max_subscribers: 8,
            overflow: Overflow::DropOldest,
            native_blocks: 8,
        }
    }

    /// Sets the queue depth per subscriber.
    pub fn queue_depth(mut self, n: u32) -> TopicConfig {
        self.queue_depth = n;
        self
    }

    /// Sets how many samples one subscriber may hold at once.
    pub fn max_held(mut self, n: u32) -> TopicConfig {
        self.max_held = n;
        self
    }

    /// Sets how many loans may be outstanding at once.
    pub fn max_loans(mut self, n: u32) -> TopicConfig {
        self.max_loans = n;
        self
    }

    /// Sets how many publishers may be open at once.
    pub fn max_publishers(mut self, n: u32) -> TopicConfig {
        self.max_publishers = n;
        self
    }

    /// Sets how many subscribers may be open at once.
    pub fn max_subscribers(mut self, n: u32) -> TopicConfig {
        self.max_subscribers = n;
        self
    }

    /// Sets the overflow policy.
    pub fn overflow(mut self, o: Overflow) -> TopicConfig {
        self.overflow = o;
        self
    }

    /// Sets how many host-side blocks the topic keeps.
    pub fn native_blocks(mut self, n: u32) -> TopicConfig {
        self.native_blocks = n;
        self
    }
}

/// What one participant may open: topic names or patterns, deny by default.
///
/// A pattern is a topic name, or a prefix ending in `*` (`sensors/*`), or `*`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grants {
    /// Topics the participant may publish on.
    pub publish: alloc::vec::Vec<String>,
    /// Topics the participant may subscribe to.
    pub subscribe: alloc::vec::Vec<String>,
}

impl Grants {
    /// Nothing granted.
    pub fn none() -> Grants {
        Grants::default()
    }

    /// Every topic, both ways: for trusted native code.
    pub fn all() -> Grants {
        Grants {
            publish: alloc::vec![String::from("*")],
            subscribe: alloc::vec![String::from("*")],
        }
    }

    /// Adds a publish grant.
    pub fn publish(mut self, pattern: impl Into<String>) -> Grants {
        self.publish.push(pattern.into());
        self
    }

    /// Adds a subscribe grant.
    pub fn subscribe(mut self, pattern: impl Into<String>) -> Grants {
        self.subscribe.push(pattern.into());
        self
    }

    /// Whether `topic` may be published on.
    pub fn may_publish(&self, topic: &str) -> bool {
        self.publish.iter().any(|p| matches(p, topic))
    }

    /// Whether `topic` may be subscribed to.
    pub fn may_subscribe(&self, topic: &str) -> bool {
        self.subscribe.iter().any(|p| matches(p, topic))
    }

    /// Whether nothing at all is granted, so the interface can be denied at link time.
    pub fn is_empty(&self) -> bool {
        self.publish.is_empty() && self.subscribe.is_empty()
    }
}

fn matches(pattern: &str, topic: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => topic.starts_with(prefix),
        None => pattern == topic,
    }
}

/// Why a topic could not be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// A topic of that name exists already.
    Duplicate,
    /// A bound is zero where at least one is needed (payload, queue, held, loans, ports).
    Zero,
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            ConfigError::Duplicate => "a topic of that name exists already",
            ConfigError::Zero => "a topic's payload, queue depth, held samples, loans, publishers and subscribers must each be at least 1",
        })
    }
}
