//! `wasmbed:pubsub/broker` for guests: the WIT functions over the broker,
//! each guest a participant of its own. No function lowers a string or a
//! list, so the guest's `realloc` is never called.

use wasmbed::{Error, HostCx, Linker, Resource};

use crate::bindings::wasmbed::pubsub::broker::{Loan, Publisher, Sample, Subscriber};
use crate::bindings::wasmbed::pubsub::types::ErrorCode;
use crate::{Broker, LoanId, PartId, PubId, PubSubError, ReceiptId, SubId};

/// The interface guests import.
pub const INTERFACE: &str = "wasmbed:pubsub/broker@0.1.0";

/// One guest's place on the broker; it lives in the instance's host data.
pub struct PubSubCtx {
    broker: Broker,
    part: PartId,
}

impl PubSubCtx {
    /// A new guest participant of `broker`, with what it is granted.
    pub fn new(broker: &Broker, grants: crate::Grants) -> PubSubCtx {
        PubSubCtx {
            part: broker.add_guest(grants),
            broker: broker.clone(),
        }
    }

    /// The participant, to find the guest in the broker's books.
    pub fn part(&self) -> PartId {
        self.part
    }

    /// The broker.
    pub fn broker(&self) -> &Broker {
        &self.broker
    }
}

impl From<PubSubError> for ErrorCode {
    fn from(e: PubSubError) -> ErrorCode {
        match e {
            PubSubError::Denied => ErrorCode::Denied,
            PubSubError::NoSuchTopic => ErrorCode::NoSuchTopic,
            PubSubError::TooLarge => ErrorCode::TooLarge,
            PubSubError::PoolExhausted => ErrorCode::PoolExhausted,
            PubSubError::QueueFull => ErrorCode::QueueFull,
            PubSubError::TooMany => ErrorCode::TooMany,
            PubSubError::NoStorage => ErrorCode::NoStorage,
            PubSubError::BadRegion => ErrorCode::BadRegion,
            PubSubError::Closed => ErrorCode::Closed,
        }
    }
}

impl From<ErrorCode> for PubSubError {
    fn from(e: ErrorCode) -> PubSubError {
        match e {
            ErrorCode::Denied => PubSubError::Denied,
            ErrorCode::NoSuchTopic => PubSubError::NoSuchTopic,
            ErrorCode::TooLarge => PubSubError::TooLarge,
            ErrorCode::PoolExhausted => PubSubError::PoolExhausted,
            ErrorCode::QueueFull => PubSubError::QueueFull,
            ErrorCode::TooMany => PubSubError::TooMany,
            ErrorCode::NoStorage => PubSubError::NoStorage,
            ErrorCode::BadRegion => PubSubError::BadRegion,
            ErrorCode::Closed => PubSubError::Closed,
        }
    }
}

type Get<T> = fn(&mut T) -> &mut PubSubCtx;

/// A handle the guest holds that the broker no longer knows: a trap, since
/// the handle tables already made sure the guest was given it.
fn stale(what: &str, e: PubSubError) -> Error {
    Error::host(alloc::format!("`{what}`: {e}"))
}

/// Runs `f` on the broker as participant of the calling guest.
fn with<T: 'static, R>(
    cx: &mut HostCx<'_, T>,
    get: Get<T>,
    f: impl FnOnce(&Broker, PartId) -> R,
) -> R {
    let ctx = get(cx.data_mut());
    f(&ctx.broker, ctx.part)
}

/// Defines `wasmbed:pubsub/broker` on `linker`; `get` finds each instance's context in its host data.
pub fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: Get<T>) -> &mut Linker<T> {
    let i = INTERFACE;
    linker.func_typed(i, "add-storage", move |cx, (at, len): (u32, u32)| {
        let memory = cx.memory().len();
        let r = with(cx, get, |b, p| b.add_storage(p, at, len, memory));
        Ok(r.map_err(ErrorCode::from))
    });
    linker.func_typed(
        i,
        "[static]publisher.open",
        move |cx, (topic,): (alloc::string::String,)| {
            let r = with(cx, get, |b, p| b.open_publisher(p, &topic));
            Ok(r.map(|id| Resource::<Publisher>::new_own(id.0))
                .map_err(ErrorCode::from))
        },
    );
    linker.func_typed(
        i,
        "[method]publisher.loan",
        move |cx, (this, len): (Resource<Publisher>, u32)| {
            let r = with(cx, get, |b, p| b.loan(PubId(this.rep()), p, len));
            Ok(r.map(|id| Resource::<Loan>::new_own(id.0))
                .map_err(ErrorCode::from))
        },
    );
    linker.func_typed(
        i,
        "[method]publisher.publish",
        move |cx, (_this, loan, len): (Resource<Publisher>, Resource<Loan>, u32)| {
            let r = with(cx, get, |b, p| b.publish(LoanId(loan.rep()), p, len));
            Ok(r.map_err(ErrorCode::from))
        },
    );
    linker.func_typed(
        i,
        "[method]loan.address",
        move |cx, (this,): (Resource<Loan>,)| {
            with(cx, get, |b, p| b.loan_block(LoanId(this.rep()), p))
                .map(|blk| blk.start)
                .map_err(|e| stale("loan.address", e))
        },
    );
    linker.func_typed(
        i,
        "[method]loan.capacity",
        move |cx, (this,): (Resource<Loan>,)| {
            with(cx, get, |b, p| b.loan_block(LoanId(this.rep()), p))
                .map(|blk| blk.len)
                .map_err(|e| stale("loan.capacity", e))
        },
    );
    linker.func_typed(
        i,
        "[static]subscriber.open",
        move |cx, (topic,): (alloc::string::String,)| {
            let r = with(cx, get, |b, p| b.open_subscriber(p, &topic));
            Ok(r.map(|id| Resource::<Subscriber>::new_own(id.0))
                .map_err(ErrorCode::from))
        },
    );
    let receive = move |cx: &mut HostCx<'_, T>, this: Resource<Subscriber>| {
        let r = with(cx, get, |b, p| b.receive(SubId(this.rep()), p));
        Ok(r.map(|s| s.map(|id| Resource::<Sample>::new_own(id.0)))
            .map_err(ErrorCode::from))
    };
    linker.func_typed(
        i,
        "[method]subscriber.receive",
        move |cx, (this,): (Resource<Subscriber>,)| receive(cx, this),
    );
    linker.func_typed(
        i,
        "[method]subscriber.wait",
        move |cx, (this, timeout): (Resource<Subscriber>, u64)| {
            let first = receive(cx, this)?;
            if !matches!(first, Ok(None)) {
                return Ok(first);
            }
            // Nothing else runs on this bus while the guest waits: samples
            // from other guests come between calls, so waiting only helps
            // for samples from other threads, which this broker has not.
            // A signal for this instance ends the wait early.
            #[cfg(feature = "std")]
            wasmbed::signals::sleep(core::time::Duration::from_nanos(timeout));
            #[cfg(not(feature = "std"))]
            let _ = timeout;
            receive(cx, this)
        },
    );
    linker.func_typed(
        i,
        "[method]sample.address",
        move |cx, (this,): (Resource<Sample>,)| {
            with(cx, get, |b, p| b.sample_block(ReceiptId(this.rep()), p))
                .map(|(blk, _)| blk.start)
                .map_err(|e| stale("sample.address", e))
        },
    );
    linker.func_typed(
        i,
        "[method]sample.len",
        move |cx, (this,): (Resource<Sample>,)| {
            with(cx, get, |b, p| b.sample_block(ReceiptId(this.rep()), p))
                .map(|(_, len)| len)
                .map_err(|e| stale("sample.len", e))
        },
    );
    linker.resource(i, "publisher", move |cx, rep| {
        with(cx, get, |b, p| b.close_publisher(PubId(rep), p)).map_err(|e| stale("publisher", e))
    });
    linker.resource(i, "loan", move |cx, rep| {
        with(cx, get, |b, p| b.discard(LoanId(rep), p)).map_err(|e| stale("loan", e))
    });
    linker.resource(i, "subscriber", move |cx, rep| {
        with(cx, get, |b, p| b.close_subscriber(SubId(rep), p)).map_err(|e| stale("subscriber", e))
    });
    linker.resource(i, "sample", move |cx, rep| {
        with(cx, get, |b, p| b.release(ReceiptId(rep), p)).map_err(|e| stale("sample", e))
    })
}
