//! Topics across processes on one machine through iceoryx2's shared memory.
//!
//! One [`Iceoryx2`] is one iceoryx2 node; each topic is a publish-subscribe
//! service of `[u8]` slices named after the topic. A send loans a slice in the
//! shared segment and lets the caller write it in place; a receive hands the
//! shared slice to the caller in place. No copy is made beyond the caller's.
//!
//! A process that dies (even by `SIGKILL`) keeps its ports, loans and held
//! samples registered until some live process removes its stale resources.
//! This transport does so when it opens a port and when a loan finds no free
//! slot, so a crashed peer never blocks the others for long.
//!
//! The service is sized from the [`TopicConfig`]: `max_payload` bytes per
//! slice, `queue_depth` samples queued and `max_held` held per subscriber,
//! `max_publishers` and `max_subscribers` port slots; a subscriber that joins
//! late gets no history. [`Overflow::DropOldest`] is iceoryx2's safe overflow;
//! under [`Overflow::Refuse`] a full subscriber misses the new sample while the
//! others get it, since iceoryx2 cannot refuse one sample to all at once.

use alloc::format;
use alloc::string::String;
use core::time::Duration;

use iceoryx2::config::Config;
use iceoryx2::node::{Node, NodeBuilder, NodeCreationFailure, NodeState};
use iceoryx2::port::publisher::{Publisher, PublisherCreateError};
use iceoryx2::port::subscriber::{Subscriber, SubscriberCreateError};
use iceoryx2::port::{LoanError, ReceiveError, SendError};
use iceoryx2::prelude::{
    ipc, AllocationStrategy, BackpressureStrategy, CallbackProgression, PortFactory as _,
    ServiceName, SignalHandlingMode,
};
use iceoryx2::service::builder::publish_subscribe::{
    PublishSubscribeOpenError, PublishSubscribeOpenOrCreateError,
};
use iceoryx2::service::port_factory::publish_subscribe::PortFactory;

use crate::config::{Overflow, TopicConfig};
use crate::transport::{Receiver, Sender, Transport, TransportError};

/// How long a dead-node cleanup waits for another cleaner of the same node
/// before it leaves the node for a later pass.
const CLEANUP_PATIENCE: Duration = Duration::from_millis(100);

/// The service of one topic: raw byte slices, no user header.
type Service = PortFactory<ipc::Service, [u8], ()>;

/// The iceoryx2 transport: one node, opening one service per topic.
///
/// Services are named `<prefix>/<topic>` (or `<topic>` without a prefix), so
/// separate prefixes keep unrelated users of one machine apart.
#[derive(Debug)]
pub struct Iceoryx2 {
    node: Node<ipc::Service>,
    prefix: String,
}

impl Iceoryx2 {
    /// A node with iceoryx2's global config whose services are named after
    /// their topics alone.
    pub fn new() -> Result<Iceoryx2, TransportError> {
        Iceoryx2::with_config("", Config::global_config())
    }

    /// A node whose services are named `<prefix>/<topic>`, so that tests or
    /// deployments sharing a machine do not meet by accident.
    pub fn with_prefix(prefix: &str) -> Result<Iceoryx2, TransportError> {
        Iceoryx2::with_config(prefix, Config::global_config())
    }

    /// A node with its own iceoryx2 `config` (root path, or iceoryx2's own
    /// dead-node scans turned off), for deployments that must not share the
    /// global one.
    ///
    /// The node installs no signal handler: the application owns its signals.
    pub fn with_config(prefix: &str, config: &Config) -> Result<Iceoryx2, TransportError> {
        let node = NodeBuilder::new()
            .config(config)
            .signal_handling_mode(SignalHandlingMode::Disabled)
            .create::<ipc::Service>()
            .map_err(node_error)?;
        Ok(Iceoryx2 {
            node,
            prefix: String::from(prefix),
        })
    }

    /// Removes the stale resources (ports, loans, held samples) of every dead
    /// node on the machine, so a crashed process frees its slots; returns how
    /// many dead nodes it found and saw removed (by it or another cleaner).
    pub fn remove_dead_nodes(&self) -> usize {
        let mut removed = 0;
        // Best effort: a node we cannot list or clean is left for a later pass.
        let _ = Node::<ipc::Service>::list(self.node.config(), remove_if_dead(&mut removed));
        removed
    }

    /// Opens (or creates) the service of `topic`, after removing dead nodes
    /// that might hold its slots.
    fn service(&self, topic: &TopicConfig) -> Result<Service, TransportError> {
        self.remove_dead_nodes();
        let name = if self.prefix.is_empty() {
            ServiceName::new(&topic.name)
        } else {
            ServiceName::new(&format!("{}/{}", self.prefix, topic.name))
        }
        .map_err(|_| TransportError::Unavailable)?;
        self.node
            .service_builder(&name)
            .publish_subscribe::<[u8]>()
            .max_publishers(count(topic.max_publishers))
            .max_subscribers(count(topic.max_subscribers))
            .subscriber_max_buffer_size(count(topic.queue_depth))
            .subscriber_max_borrowed_samples(count(topic.max_held))
            .history_size(0)
            .enable_safe_overflow(topic.overflow == Overflow::DropOldest)
            .open_or_create()
            .map_err(service_error)
    }
}

impl Transport for Iceoryx2 {
    type Sender = Iceoryx2Sender;
    type Receiver = Iceoryx2Receiver;

    fn sender(&mut self, topic: &TopicConfig) -> Result<Iceoryx2Sender, TransportError> {
        let service = self.service(topic)?;
        let max_len = topic.max_payload as usize;
        let publisher = service
            .publisher_builder()
            .initial_max_slice_len(max_len)
            .allocation_strategy(AllocationStrategy::Static)
            // `send_with` holds one loan at a time.
            .max_loaned_samples(1)
            // A full subscriber misses the sample rather than blocking the sender.
            .backpressure_strategy(BackpressureStrategy::DiscardData)
            .create()
            .map_err(publisher_error)?;
        Ok(Iceoryx2Sender {
            publisher,
            service,
            max_len,
        })
    }

    fn receiver(&mut self, topic: &TopicConfig) -> Result<Iceoryx2Receiver, TransportError> {
        let service = self.service(topic)?;
        let subscriber = service
            .subscriber_builder()
            .buffer_size(count(topic.queue_depth))
            .create()
            .map_err(subscriber_error)?;
        Ok(Iceoryx2Receiver {
            subscriber,
            service,
        })
    }
}

/// The sending side of one topic: an iceoryx2 publisher of byte slices.
#[derive(Debug)]
pub struct Iceoryx2Sender {
    publisher: Publisher<ipc::Service, [u8], ()>,
    service: Service,
    max_len: usize,
}

impl Sender for Iceoryx2Sender {
    fn send_with(
        &mut self,
        len: usize,
        fill: &mut dyn FnMut(&mut [u8]),
    ) -> Result<(), TransportError> {
        if len > self.max_len {
            return Err(TransportError::TooLarge);
        }
        let sample = match self.publisher.loan_slice_uninit(len) {
            Ok(sample) => sample,
            Err(LoanError::OutOfMemory | LoanError::ExceedsMaxLoans) => {
                // A dead subscriber may hold our samples: reclaim them, once.
                remove_dead_nodes_of(&self.service);
                self.publisher.loan_slice_uninit(len).map_err(loan_error)?
            }
            Err(e) => return Err(loan_error(e)),
        };
        // Zeroing keeps `fill` safe (it sees initialized bytes, never a
        // previous sample's); it is a memset in the shared segment, not a copy.
        let mut sample = sample.write_from_fn(|_| 0u8);
        fill(sample.payload_mut());
        sample.send().map(|_| ()).map_err(send_error)
    }
}

/// The receiving side of one topic: an iceoryx2 subscriber of byte slices.
#[derive(Debug)]
pub struct Iceoryx2Receiver {
    subscriber: Subscriber<ipc::Service, [u8], ()>,
    service: Service,
}

impl Receiver for Iceoryx2Receiver {
    fn receive_with(&mut self, read: &mut dyn FnMut(&[u8])) -> Result<bool, TransportError> {
        let sample = match self.subscriber.receive() {
            Ok(sample) => sample,
            Err(ReceiveError::ConnectionFailure(_)) => {
                // A publisher that died may have left a half-gone connection.
                remove_dead_nodes_of(&self.service);
                self.subscriber.receive().map_err(receive_error)?
            }
            Err(e) => return Err(receive_error(e)),
        };
        match sample {
            Some(sample) => {
                read(sample.payload());
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// Removes the dead nodes among the users of `service`, so their slots and
/// held samples come back.
fn remove_dead_nodes_of(service: &Service) {
    let mut removed = 0;
    // Best effort, as in `Iceoryx2::remove_dead_nodes`.
    let _ = service.nodes(remove_if_dead(&mut removed));
}

/// A node-list visitor that removes the stale resources of each dead node
/// and counts the ones it removed.
fn remove_if_dead(
    removed: &mut usize,
) -> impl FnMut(NodeState<ipc::Service>) -> CallbackProgression + '_ {
    move |state| {
        if let NodeState::Dead(node) = state {
            // Waits while another thread or process is cleaning (iceoryx2 lets
            // one do it at a time), so the slots are free when this returns.
            if node
                .blocking_remove_stale_resources(CLEANUP_PATIENCE)
                .is_ok()
            {
                *removed += 1;
            }
        }
        CallbackProgression::Continue
    }
}

/// A topic bound as an iceoryx2 count; iceoryx2 wants at least one of each.
fn count(n: u32) -> usize {
    (n as usize).max(1)
}

fn node_error(_: NodeCreationFailure) -> TransportError {
    TransportError::Unavailable
}

fn service_error(e: PublishSubscribeOpenOrCreateError) -> TransportError {
    match e {
        PublishSubscribeOpenOrCreateError::PublishSubscribeOpenError(
            PublishSubscribeOpenError::ExceedsMaxNumberOfNodes,
        ) => TransportError::PoolExhausted,
        _ => TransportError::Unavailable,
    }
}

fn publisher_error(e: PublisherCreateError) -> TransportError {
    match e {
        PublisherCreateError::ExceedsMaxSupportedPublishers => TransportError::PoolExhausted,
        _ => TransportError::Unavailable,
    }
}

fn subscriber_error(e: SubscriberCreateError) -> TransportError {
    match e {
        SubscriberCreateError::ExceedsMaxSupportedSubscribers => TransportError::PoolExhausted,
        _ => TransportError::Unavailable,
    }
}

fn loan_error(e: LoanError) -> TransportError {
    match e {
        LoanError::OutOfMemory | LoanError::ExceedsMaxLoans => TransportError::PoolExhausted,
        LoanError::ExceedsMaxLoanSize => TransportError::TooLarge,
        LoanError::InternalFailure => TransportError::Closed,
    }
}

fn send_error(e: SendError) -> TransportError {
    match e {
        SendError::LoanError(e) => loan_error(e),
        SendError::UnableToDeliver => TransportError::PoolExhausted,
        SendError::ConnectionBrokenSinceSenderNoLongerExists
        | SendError::ConnectionCorrupted
        | SendError::ConnectionError(_)
        | SendError::InternalError => TransportError::Closed,
    }
}

fn receive_error(e: ReceiveError) -> TransportError {
    match e {
        ReceiveError::ExceedsMaxBorrows => TransportError::PoolExhausted,
        ReceiveError::ConnectionFailure(_) => TransportError::Closed,
    }
}
