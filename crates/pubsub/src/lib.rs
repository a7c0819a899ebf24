//! Zero-copy publish/subscribe between wasmbed guests and native code.
//!
//! A guest lends the broker a region of its linear memory; its loans and the
//! samples it receives are blocks there, so it writes and reads them in
//! place, and a native subscriber reads a guest's sample where the guest
//! wrote it. The [`Broker`] keeps the books (topics, ports, loans, queues,
//! [`TopicStats`]); the [`Bus`] owns the guests' instances, so it can reach
//! their memories and make the copies between guests that no shared memory
//! avoids. Guests reach the broker through [`add_to_linker`] (the WIT is
//! `wit/pubsub/pubsub.wit`); native code through [`Publisher`] and
//! [`Subscriber`], with the same operations.
//!
//! ```
//! # #[cfg(feature = "wasmi")] {
//! use wasmbed_pubsub::{Broker, Bus, Grants, Publisher, Subscriber, TopicConfig};
//!
//! let broker = Broker::new();
//! broker.add_topic(TopicConfig::new("frames", 64)).unwrap();
//! let me = broker.add_native(Grants::all());
//! let tx = Publisher::open(&broker, me, "frames").unwrap();
//! let rx = Subscriber::open(&broker, me, "frames").unwrap();
//! // No guest yet; the bus reaches the topic's own blocks all the same.
//! let mut bus = Bus::<wasmbed::Wasmi, ()>::new(&broker);
//!
//! let loan = tx.loan(5).unwrap();
//! bus.write(&loan, |bytes| bytes.copy_from_slice(b"hello")).unwrap();
//! loan.publish(5).unwrap();
//! let sample = rx.receive().unwrap().expect("queued");
//! assert_eq!(bus.read(&sample, |bytes| bytes.to_vec()).unwrap(), b"hello");
//! assert_eq!(broker.stats(sample.topic()).copies, 0);
//! # }
//! ```
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `std` | yes | `wait` sleeps for its timeout; needed by the transports |
//! | `wasmi` | yes | the wasmi engine for wasmbed (the bus is generic over engines) |
//! | `iceoryx2` | no | `transport::iceoryx2`: topics across processes on one machine |
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![warn(clippy::std_instead_of_core, clippy::alloc_instead_of_core)]

extern crate alloc;

/// Types and export calls generated from `wit/pubsub/pubsub.wit`.
pub mod bindings {
    ::wasmbed::bindgen!({ world: "participant", path: "../../wit/pubsub/pubsub.wit" });
}
mod bridge;
mod broker;
mod bus;
pub mod config;
mod core;
mod error;
mod host;
mod native;
mod region;
mod slab;
mod stats;
pub mod transport;

pub use bridge::BridgeError;
pub use broker::Broker;
pub use bus::Bus;
pub use config::{ConfigError, Grants, Overflow, TopicConfig};
pub use error::PubSubError;
pub use host::{add_to_linker, PubSubCtx, INTERFACE};
pub use native::{Loan, Publisher, Sample, Subscriber};
pub use region::BLOCK_ALIGN;
pub use stats::TopicStats;
pub use transport::{Receiver, Sender, Transport, TransportError};

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub(crate) u32);

        impl $name {
            /// The index, as a guest's resource rep.
            pub fn index(self) -> u32 {
                self.0
            }

            /// The id behind a rep a guest handed back; the broker checks it on every use.
            pub fn from_index(i: u32) -> Self {
                $name(i)
            }
        }
    )*};
}

ids! {
    /// A topic.
    TopicId;
    /// A guest or a native component on the broker.
    PartId;
    /// A publisher port.
    PubId;
    /// A subscriber port.
    SubId;
    /// A loan being written.
    LoanId;
    /// A published sample, or a subscriber's copy of one.
    SampleId;
    /// A sample a subscriber holds.
    ReceiptId;
}

/// Where a sample's bytes live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Store {
    /// In the storage a guest lent, at an address of its linear memory.
    Guest(PartId),
    /// In the topic's native blocks, at an offset there.
    Native(TopicId),
}

/// A block of bytes: its store, where it starts there, and its length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    /// The store.
    pub store: Store,
    /// The address in the guest's memory, or the offset in the topic's native blocks.
    pub start: u32,
    /// The length in bytes.
    pub len: u32,
}

impl Block {
    pub(crate) fn new(store: Store, start: u32, len: u32) -> Block {
        Block { store, start, len }
    }

    /// Its bytes' range in its store, to slice a memory with (checked there).
    pub(crate) fn range(&self) -> ::core::ops::Range<usize> {
        self.start as usize..self.start as usize + self.len as usize
    }
}
