//! Topics beyond this process: a transport carries a topic's samples to
//! other processes (iceoryx2, one machine) or machines (Zenoh, next).
//!
//! The broker bridges a local topic to a transport: a local publish is
//! written into a transport loan, and a sample from elsewhere is handed to
//! local subscribers. Both sides work in place through closures, so a
//! transport with shared memory costs no copy beyond the one between a
//! guest's linear memory and the shared segment.

use core::fmt;

use crate::config::TopicConfig;

/// Why a transport operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportError {
    /// The transport could not open or create the topic's service.
    Unavailable,
    /// The sample is larger than the service's maximum.
    TooLarge,
    /// Every loan or slot of the service is taken.
    PoolExhausted,
    /// The service or the peer is gone.
    Closed,
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportError::Unavailable => "the transport could not open the topic",
            TransportError::TooLarge => "the sample is larger than the transport allows",
            TransportError::PoolExhausted => "the transport has no free slot",
            TransportError::Closed => "the transport's topic is closed",
        })
    }
}

/// A way to reach other processes or machines, opening one sender and one receiver per topic.
pub trait Transport {
    /// Sends a topic's samples out.
    type Sender: Sender;
    /// Receives a topic's samples from elsewhere.
    type Receiver: Receiver;

    /// Opens the sending side of `topic`.
    fn sender(&mut self, topic: &TopicConfig) -> Result<Self::Sender, TransportError>;

    /// Opens the receiving side of `topic`.
    fn receiver(&mut self, topic: &TopicConfig) -> Result<Self::Receiver, TransportError>;
}

/// The sending side of one topic.
pub trait Sender {
    /// Loans `len` bytes from the transport, lets `fill` write them in place, then sends them.
    fn send_with(
        &mut self,
        len: usize,
        fill: &mut dyn FnMut(&mut [u8]),
    ) -> Result<(), TransportError>;
}

/// The receiving side of one topic.
pub trait Receiver {
    /// Hands the oldest waiting sample to `read` in place and releases it;
    /// `false` when none waits.
    fn receive_with(&mut self, read: &mut dyn FnMut(&[u8])) -> Result<bool, TransportError>;
}

#[cfg(feature = "iceoryx2")]
pub mod iceoryx2;
