//! Any interleaving of loan, publish, receive, release, close and trap keeps
//! every sample accounted for: none delivered twice to one subscriber, none
//! out of order, none changed, none lost except by the declared policies,
//! and every block back in its pool at the end.

use std::collections::HashMap;

use proptest::prelude::*;
use wasmbed::Wasmi;
use wasmbed_pubsub::{
    Block, Bus, Grants, LoanId, Overflow, PartId, PubId, ReceiptId, SubId, TopicConfig,
};

use crate::{broker, guest, instance, join, linker, rogue, Host};

#[derive(Clone, Debug)]
enum Op {
    Publisher(usize, usize),
    Subscriber(usize, usize),
    Loan(usize, u32),
    Publish(usize, u32),
    Discard(usize),
    Receive(usize),
    Release(usize),
    CloseSub(usize),
    Fault(usize),
    Pump,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (0..4usize, 0..2usize).prop_map(|(p, t)| Op::Publisher(p, t)),
        1 => (0..4usize, 0..2usize).prop_map(|(p, t)| Op::Subscriber(p, t)),
        4 => (any::<usize>(), 4..=72u32).prop_map(|(i, n)| Op::Loan(i, n)),
        4 => (any::<usize>(), 0..=72u32).prop_map(|(i, n)| Op::Publish(i, n)),
        1 => (any::<usize>()).prop_map(Op::Discard),
        4 => (any::<usize>()).prop_map(Op::Receive),
        3 => (any::<usize>()).prop_map(Op::Release),
        1 => (any::<usize>()).prop_map(Op::CloseSub),
        1 => (0..2usize).prop_map(Op::Fault),
        2 => Just(Op::Pump),
    ]
}

/// The bytes of sample number `id`, `len` long: the id, then a pattern of it.
fn pattern(id: u32, len: u32) -> Vec<u8> {
    let mut v: Vec<u8> = (0..len).map(|j| (id as u8).wrapping_add(j as u8)).collect();
    v[..4].copy_from_slice(&id.to_le_bytes());
    v
}

fn pick<T: Copy>(v: &[T], i: usize) -> Option<T> {
    (!v.is_empty()).then(|| v[i % v.len()])
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let topics = [
        TopicConfig::new("a", 64)
            .queue_depth(3)
            .max_held(2)
            .native_blocks(4),
        TopicConfig::new("b", 64)
            .queue_depth(2)
            .overflow(Overflow::Refuse)
            .native_blocks(2),
    ];
    let b = broker(&topics);
    let mut bus = Bus::<Wasmi, Host>::new(&b);
    let g = guest(&rogue("", ""));
    // Participants 0 and 1 are guests (their storage lent by `init`), 2 and 3 native.
    let mut parts: Vec<PartId> = Vec::new();
    for _ in 0..2 {
        let i = join(&mut bus, instance(&linker(), &g, &b, Grants::all()));
        parts.push(bus.instance(i).unwrap().data().ps.part());
    }
    parts.push(b.add_native(Grants::all()));
    parts.push(b.add_native(Grants::all()));

    let mut pubs: Vec<(PubId, PartId)> = Vec::new();
    let mut subs: Vec<(SubId, PartId)> = Vec::new();
    let mut loans: Vec<(LoanId, PartId, Block)> = Vec::new();
    let mut held: Vec<(ReceiptId, PartId)> = Vec::new();
    let mut next_id = 1u32;
    let mut last_seen: HashMap<SubId, u32> = HashMap::new();

    for op in ops {
        match op {
            Op::Publisher(p, t) => {
                if let Ok(id) = b.open_publisher(parts[p], ["a", "b"][t]) {
                    pubs.push((id, parts[p]));
                }
            }
            Op::Subscriber(p, t) => {
                if let Ok(id) = b.open_subscriber(parts[p], ["a", "b"][t]) {
                    subs.push((id, parts[p]));
                }
            }
            Op::Loan(i, n) => {
                if let Some((id, p)) = pick(&pubs, i) {
                    if let Ok(l) = b.loan(id, p, n) {
                        let block = b.loan_block(l, p).unwrap();
                        prop_assert!(block.len >= n);
                        loans.push((l, p, block));
                    }
                }
            }
            Op::Publish(i, n) => {
                if loans.is_empty() {
                    continue;
                }
                let (l, p, block) = loans.remove(i % loans.len());
                let n = n.clamp(4, block.len.max(4));
                let id = next_id;
                next_id += 1;
                let bytes = pattern(id, n.min(block.len));
                bus.bytes_mut(block, |w| w[..bytes.len()].copy_from_slice(&bytes))
                    .unwrap();
                let _ = b.publish(l, p, n);
            }
            Op::Discard(i) => {
                if !loans.is_empty() {
                    let (l, p, _) = loans.remove(i % loans.len());
                    b.discard(l, p).unwrap();
                }
            }
            Op::Receive(i) => {
                if let Some((s, p)) = pick(&subs, i) {
                    if let Ok(Some(r)) = b.receive(s, p) {
                        let (block, len) = b.sample_block(r, p).unwrap();
                        let got = bus.bytes(block, |b| b[..len as usize].to_vec()).unwrap();
                        let id = u32::from_le_bytes(got[..4].try_into().unwrap());
                        prop_assert_eq!(&got, &pattern(id, len), "bytes unchanged");
                        let last = last_seen.insert(s, id).unwrap_or(0);
                        prop_assert!(id > last, "subscriber {:?} got {} after {}", s, id, last);
                        held.push((r, p));
                    }
                }
            }
            Op::Release(i) => {
                if !held.is_empty() {
                    let (r, p) = held.remove(i % held.len());
                    b.release(r, p).unwrap();
                }
            }
            Op::CloseSub(i) => {
                if !subs.is_empty() {
                    let (s, p) = subs.remove(i % subs.len());
                    b.close_subscriber(s, p).unwrap();
                }
            }
            Op::Fault(g) => {
                let p = parts[g];
                b.fault(p);
                pubs.retain(|x| x.1 != p);
                subs.retain(|x| x.1 != p);
                loans.retain(|x| x.1 != p);
                held.retain(|x| x.1 != p);
            }
            Op::Pump => {
                bus.pump();
                prop_assert_eq!(b.pending_copies(), 0, "a pump makes every copy owed");
            }
        }
        prop_assert!(
            b.pending_copies() <= b.census().1,
            "no more copies owed than samples alive"
        );
        for t in ["a", "b"] {
            let t = b.topic(t).unwrap();
            let s = b.stats(t);
            prop_assert_eq!(
                s.delivered,
                s.received + s.dropped + s.discarded + b.queued(t) as u64,
                "every delivered sample is received, dropped, discarded or queued"
            );
        }
    }
    // Give everything back: every block returns.
    for (r, p) in held {
        b.release(r, p).unwrap();
    }
    for (l, p, _) in loans {
        b.discard(l, p).unwrap();
    }
    for (s, p) in subs {
        b.close_subscriber(s, p).unwrap();
    }
    prop_assert_eq!(b.census(), (0, 0, 0));
    prop_assert_eq!(b.blocks_in_use(), 0);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn every_sample_is_accounted_for(ops in proptest::collection::vec(op(), 1..120)) {
        run(ops)?;
    }
}
