//! The broker's guest-facing operations in any order, with any ids a guest
//! could hand back (its own, another participant's, stale or made up) and
//! any regions and lengths.
//!
//! Nothing may panic; after every operation every delivered sample is
//! received, dropped, discarded or still queued; and once every participant
//! has left, every loan, sample and block is back.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use wasmbed_pubsub::{
    Broker, Grants, LoanId, Overflow, PartId, PubId, ReceiptId, SubId, TopicConfig,
};

#[derive(Arbitrary, Debug)]
enum Op {
    AddStorage { part: u8, start: u32, len: u32 },
    OpenPublisher { part: u8, topic: u8 },
    OpenSubscriber { part: u8, topic: u8 },
    Loan { part: u8, id: u8, len: u16 },
    LoanBlock { part: u8, id: u8 },
    Discard { part: u8, id: u8 },
    Publish { part: u8, id: u8, len: u16 },
    Receive { part: u8, id: u8 },
    SampleBlock { part: u8, id: u8 },
    Release { part: u8, id: u8 },
    ClosePublisher { part: u8, id: u8 },
    CloseSubscriber { part: u8, id: u8 },
    Fault { part: u8 },
}

const TOPICS: [&str; 3] = ["a", "b", "missing"];
const MEMORY: usize = 64 * 1024;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let b = Broker::new();
    b.add_topic(TopicConfig::new("a", 256).queue_depth(3).native_blocks(3))
        .unwrap();
    b.add_topic(
        TopicConfig::new("b", 64)
            .overflow(Overflow::Refuse)
            .max_loans(1),
    )
    .unwrap();
    let parts: Vec<PartId> = vec![
        b.add_guest(Grants::all()),
        b.add_guest(Grants::none().publish("a").subscribe("b")),
        b.add_guest(Grants::none()),
        b.add_native(Grants::all()),
    ];
    let part = |i: u8| parts[i as usize % parts.len()];
    // A made-up id now and then: the id space is small so real ones are hit often.
    let id = |i: u8| u32::from(i % 16);
    // An exhausted input yields default values forever: stop at its end.
    while !u.is_empty() {
        let Ok(op) = Op::arbitrary(&mut u) else { break };
        if std::env::var_os("PUBSUB_FUZZ_TRACE").is_some() {
            eprintln!("{op:?}");
        }
        match op {
            Op::AddStorage {
                part: p,
                start,
                len,
            } => {
                let _ = b.add_storage(part(p), start, len, MEMORY);
            }
            Op::OpenPublisher { part: p, topic } => {
                let _ = b.open_publisher(part(p), TOPICS[topic as usize % 3]);
            }
            Op::OpenSubscriber { part: p, topic } => {
                let _ = b.open_subscriber(part(p), TOPICS[topic as usize % 3]);
            }
            Op::Loan {
                part: p,
                id: i,
                len,
            } => {
                let _ = b.loan(PubId::from_index(id(i)), part(p), len.into());
            }
            Op::LoanBlock { part: p, id: i } => {
                if let Ok(block) = b.loan_block(LoanId::from_index(id(i)), part(p)) {
                    assert!(block.len <= 256);
                }
            }
            Op::Discard { part: p, id: i } => {
                let _ = b.discard(LoanId::from_index(id(i)), part(p));
            }
            Op::Publish {
                part: p,
                id: i,
                len,
            } => {
                let _ = b.publish(LoanId::from_index(id(i)), part(p), len.into());
            }
            Op::Receive { part: p, id: i } => {
                let _ = b.receive(SubId::from_index(id(i)), part(p));
            }
            Op::SampleBlock { part: p, id: i } => {
                if let Ok((block, len)) = b.sample_block(ReceiptId::from_index(id(i)), part(p)) {
                    assert!(len <= block.len.max(len) && len <= 256);
                }
            }
            Op::Release { part: p, id: i } => {
                let _ = b.release(ReceiptId::from_index(id(i)), part(p));
            }
            Op::ClosePublisher { part: p, id: i } => {
                let _ = b.close_publisher(PubId::from_index(id(i)), part(p));
            }
            Op::CloseSubscriber { part: p, id: i } => {
                let _ = b.close_subscriber(SubId::from_index(id(i)), part(p));
            }
            Op::Fault { part: p } => b.fault(part(p)),
        }
        for t in ["a", "b"] {
            let t = b.topic(t).unwrap();
            let s = b.stats(t);
            assert_eq!(
                s.delivered,
                s.received + s.dropped + s.discarded + b.queued(t) as u64
            );
        }
    }
    for &p in &parts {
        b.fault(p);
    }
    assert_eq!(
        b.census(),
        (0, 0, 0),
        "every loan, sample and held sample is back"
    );
    assert_eq!(b.blocks_in_use(), 0, "every block is back");
});
