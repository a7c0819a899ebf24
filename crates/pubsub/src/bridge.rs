//! A topic bridged to a transport: local samples go out, samples from
//! elsewhere come in, each side as a native participant of the broker.
//!
//! Going out, the bridge reads a local sample in place and writes it into
//! the transport's loan: one copy. Coming in, it loans a local block (in the
//! first guest subscriber's storage when there is one) and the transport
//! writes into it: one copy. The bridge never gets back what it published
//! itself, so a topic bridged both ways does not echo.

use alloc::boxed::Box;

use crate::transport::{Receiver, Sender, TransportError};
use crate::{Broker, Grants, PartId, PubSubError, Publisher, Subscriber, TopicId};

/// One topic's link to a transport.
pub(crate) struct Bridge {
    pub(crate) topic: TopicId,
    pub(crate) max_payload: u32,
    pub(crate) out: Option<(Subscriber, Box<dyn Sender>)>,
    pub(crate) inbound: Option<(Publisher, Box<dyn Receiver>)>,
}

/// Why a topic could not be bridged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BridgeError {
    /// The broker refused the bridge's port.
    PubSub(PubSubError),
    /// The transport failed.
    Transport(TransportError),
}

impl core::fmt::Display for BridgeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            BridgeError::PubSub(e) => write!(f, "bridge: {e}"),
            BridgeError::Transport(e) => write!(f, "bridge: {e}"),
        }
    }
}

impl From<PubSubError> for BridgeError {
    fn from(e: PubSubError) -> BridgeError {
        BridgeError::PubSub(e)
    }
}

impl From<TransportError> for BridgeError {
    fn from(e: TransportError) -> BridgeError {
        BridgeError::Transport(e)
    }
}

impl Bridge {
    pub(crate) fn new(
        broker: &Broker,
        name: &str,
        out: Option<Box<dyn Sender>>,
        inbound: Option<Box<dyn Receiver>>,
    ) -> Result<Bridge, BridgeError> {
        let topic = broker.topic(name).ok_or(PubSubError::NoSuchTopic)?;
        let part: PartId = broker.add_native(Grants::none().publish(name).subscribe(name));
        let out = match out {
            Some(tx) => Some((Subscriber::open_with(broker, part, name, true)?, tx)),
            None => None,
        };
        let inbound = match inbound {
            Some(rx) => Some((Publisher::open(broker, part, name)?, rx)),
            None => None,
        };
        let max_payload = broker.with(|c| c.topics[topic.0 as usize].cfg.max_payload);
        Ok(Bridge {
            topic,
            max_payload,
            out,
            inbound,
        })
    }
}
