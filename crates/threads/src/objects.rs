//! The named objects threads share: mutexes, condition variables,
//! semaphores and bounded channels. Each is one `std` mutex over its state
//! and its waiters; a wait parks through [`block_on`], so signals end it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use wasmbed::signals::{block_on, Wake};

use crate::waiters::Waiters;
use crate::ErrorCode;

/// What kind of object a name stands for, with the parameters it was made with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Mutex,
    Condvar,
    Semaphore { initial: u32, max: u32 },
    Channel { capacity: u32, max_message: u32 },
}

/// A named object: its kind and its state behind one lock.
pub(crate) struct Object {
    pub(crate) kind: Kind,
    inner: Mutex<Inner>,
}

struct Inner {
    value: Value,
    waiters: Waiters,
}

enum Value {
    /// The holder's thread number.
    Mutex(Option<u32>),
    /// Threads waiting, and notifications not yet taken by one of them.
    Condvar {
        waiting: u32,
        notified: u32,
    },
    Semaphore(u32),
    Channel(Ring),
}

/// Messages in one buffer allocated when the channel is made.
struct Ring {
    bytes: Vec<u8>,
    lens: Vec<u32>,
    max: usize,
    head: usize,
    count: usize,
}

impl Ring {
    fn new(capacity: u32, max: u32) -> Ring {
        Ring {
            bytes: vec![0; capacity as usize * max as usize],
            lens: vec![0; capacity as usize],
            max: max as usize,
            head: 0,
            count: 0,
        }
    }

    fn slot(&mut self, i: usize) -> &mut [u8] {
        let at = i * self.max;
        &mut self.bytes[at..at + self.max]
    }
}

/// What a wait gives back: the value, or why it ended without one.
pub(crate) fn woke<R>(w: Wake<R>) -> Result<R, ErrorCode> {
    match w {
        Wake::Ready(r) => Ok(r),
        Wake::TimedOut => Err(ErrorCode::TimedOut),
        Wake::Signalled => Err(ErrorCode::Interrupted),
    }
}

impl Object {
    fn new(kind: Kind, threads: usize) -> Object {
        let value = match kind {
            Kind::Mutex => Value::Mutex(None),
            Kind::Condvar => Value::Condvar {
                waiting: 0,
                notified: 0,
            },
            Kind::Semaphore { initial, .. } => Value::Semaphore(initial),
            Kind::Channel {
                capacity,
                max_message,
            } => Value::Channel(Ring::new(capacity, max_message)),
        };
        Object {
            kind,
            inner: Mutex::new(Inner {
                value,
                waiters: Waiters::with_capacity(threads),
            }),
        }
    }

    /// The state; a panic elsewhere never leaves it half-changed, so a poisoned lock is taken as is.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until `f` gives a value (tried under the lock), `until`, or a signal.
    fn wait<R>(
        &self,
        until: Option<Instant>,
        mut f: impl FnMut(&mut Value) -> Option<R>,
    ) -> Wake<R> {
        let me = std::thread::current();
        let r = block_on(until, || {
            let mut g = self.lock();
            let r = f(&mut g.value);
            if r.is_none() {
                g.waiters.add(&me);
            }
            r
        });
        self.lock().waiters.remove(me.id());
        r
    }

    /// Changes the state with `f` and wakes the waiters.
    fn change<R>(&self, f: impl FnOnce(&mut Value) -> R) -> R {
        let mut g = self.lock();
        let r = f(&mut g.value);
        g.waiters.wake();
        r
    }

    /// Takes the mutex for thread `me`.
    pub(crate) fn lock_mutex(&self, me: u32, until: Option<Instant>) -> Result<(), ErrorCode> {
        if let Value::Mutex(Some(owner)) = self.lock().value {
            if owner == me {
                return Err(ErrorCode::WouldDeadlock);
            }
        }
        woke(self.wait(until, |v| match v {
            Value::Mutex(holder @ None) => {
                *holder = Some(me);
                Some(())
            }
            _ => None,
        }))
    }

    /// Gives the mutex up, if thread `me` holds it.
    pub(crate) fn unlock_mutex(&self, me: u32) -> Result<(), ErrorCode> {
        let mut g = self.lock();
        match &mut g.value {
            Value::Mutex(holder) if *holder == Some(me) => {
                *holder = None;
                g.waiters.wake();
                Ok(())
            }
            _ => Err(ErrorCode::NotOwner),
        }
    }

    /// Releases the mutex if thread `me` holds it: `true` if it did.
    pub(crate) fn release_if_held(&self, me: u32) -> bool {
        self.unlock_mutex(me).is_ok()
    }

    /// Waits on this condition variable with `mutex`, which thread `me` holds.
    pub(crate) fn wait_condvar(
        &self,
        mutex: &Object,
        me: u32,
        until: Option<Instant>,
    ) -> Result<(), ErrorCode> {
        // Counted as waiting before the mutex goes, so a notification made
        // right after the unlock is not lost.
        let mut g = self.lock();
        mutex.unlock_mutex(me)?;
        if let Value::Condvar { waiting, .. } = &mut g.value {
            *waiting += 1;
        }
        drop(g);
        let take = |v: &mut Value| match v {
            Value::Condvar { waiting, notified } if *notified > 0 => {
                *notified -= 1;
                *waiting -= 1;
                Some(())
            }
            _ => None,
        };
        let r = match self.wait(until, take) {
            Wake::Ready(()) => Ok(()),
            // A notification that came with the timeout or the signal is taken.
            other => {
                let mut g = self.lock();
                match take(&mut g.value) {
                    Some(()) => Ok(()),
                    None => {
                        if let Value::Condvar { waiting, .. } = &mut g.value {
                            *waiting -= 1;
                        }
                        woke(other)
                    }
                }
            }
        };
        if r == Err(ErrorCode::Interrupted) {
            return r;
        }
        // The mutex again, on success and on a timeout, as POSIX does; only a signal stops this.
        mutex.lock_mutex(me, None)?;
        r
    }

    /// Wakes one waiter (`all`: every waiter) of this condition variable.
    pub(crate) fn notify(&self, all: bool) {
        self.change(|v| {
            if let Value::Condvar { waiting, notified } = v {
                *notified = if all {
                    *waiting
                } else {
                    (*notified + 1).min(*waiting)
                };
            }
        })
    }

    pub(crate) fn acquire(&self, until: Option<Instant>) -> Result<(), ErrorCode> {
        woke(self.wait(until, |v| match v {
            Value::Semaphore(n) if *n > 0 => {
                *n -= 1;
                Some(())
            }
            _ => None,
        }))
    }

    pub(crate) fn release(&self) -> Result<(), ErrorCode> {
        let max = match self.kind {
            Kind::Semaphore { max, .. } => max,
            _ => return Err(ErrorCode::Mismatch),
        };
        self.change(|v| match v {
            Value::Semaphore(n) if *n < max => {
                *n += 1;
                Ok(())
            }
            _ => Err(ErrorCode::TooLarge),
        })
    }

    /// Queues a copy of `message`, waiting for room.
    pub(crate) fn send(&self, message: &[u8], until: Option<Instant>) -> Result<(), ErrorCode> {
        let r = woke(self.wait(until, |v| {
            let Value::Channel(ring) = v else {
                return Some(Err(ErrorCode::Mismatch));
            };
            if message.len() > ring.max {
                return Some(Err(ErrorCode::TooLarge));
            }
            if ring.count == ring.lens.len() {
                return None;
            }
            let i = (ring.head + ring.count) % ring.lens.len();
            ring.slot(i)[..message.len()].copy_from_slice(message);
            ring.lens[i] = message.len() as u32;
            ring.count += 1;
            Some(Ok(()))
        }))?;
        self.change(|_| ());
        r
    }

    /// Moves the oldest message into `into`, waiting for one: its length.
    pub(crate) fn receive(
        &self,
        into: &mut [u8],
        until: Option<Instant>,
    ) -> Result<u32, ErrorCode> {
        let r = woke(self.wait(until, |v| {
            let Value::Channel(ring) = v else {
                return Some(Err(ErrorCode::Mismatch));
            };
            if ring.count == 0 {
                return None;
            }
            let (head, len) = (ring.head, ring.lens[ring.head]);
            if len as usize > into.len() {
                return Some(Err(ErrorCode::TooLarge));
            }
            into[..len as usize].copy_from_slice(&ring.slot(head)[..len as usize]);
            ring.head = (head + 1) % ring.lens.len();
            ring.count -= 1;
            Some(Ok(len))
        }))?;
        self.change(|_| ());
        r
    }
}

/// Every named object of an application, found by name or by number.
pub(crate) struct Objects {
    table: Mutex<Table>,
    max: u32,
    channel_bytes: u64,
    threads: usize,
}

#[derive(Default)]
struct Table {
    objects: Vec<Arc<Object>>,
    names: BTreeMap<String, u32>,
    channel_bytes: u64,
}

impl Objects {
    pub(crate) fn new(max: u32, channel_bytes: u32, threads: usize) -> Objects {
        Objects {
            table: Mutex::new(Table::default()),
            max,
            channel_bytes: channel_bytes.into(),
            threads,
        }
    }

    fn table(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The object `name`, made as `kind` if it does not exist: its number.
    pub(crate) fn open(&self, name: &str, kind: Kind) -> Result<u32, ErrorCode> {
        let mut t = self.table();
        if let Some(&n) = t.names.get(name) {
            return match t.objects[n as usize].kind == kind {
                true => Ok(n),
                false => Err(ErrorCode::Mismatch),
            };
        }
        if t.objects.len() as u64 >= u64::from(self.max) {
            return Err(ErrorCode::TooMany);
        }
        let bytes = match kind {
            Kind::Channel {
                capacity,
                max_message,
            } => u64::from(capacity) * u64::from(max_message),
            _ => 0,
        };
        if matches!(kind, Kind::Channel { capacity: 0, .. })
            || matches!(kind, Kind::Semaphore { initial, max } if initial > max)
        {
            return Err(ErrorCode::Mismatch);
        }
        if t.channel_bytes + bytes > self.channel_bytes {
            return Err(ErrorCode::TooMany);
        }
        t.channel_bytes += bytes;
        let n = t.objects.len() as u32;
        t.objects.push(Arc::new(Object::new(kind, self.threads)));
        t.names.insert(name.into(), n);
        Ok(n)
    }

    /// Object number `n`, if it is one of `kind`'s sort (parameters aside).
    pub(crate) fn get(&self, n: u32, sort: fn(&Kind) -> bool) -> Option<Arc<Object>> {
        let t = self.table();
        t.objects.get(n as usize).filter(|o| sort(&o.kind)).cloned()
    }

    /// Releases every mutex thread `me` holds; how many it held.
    pub(crate) fn release_all(&self, me: u32) -> usize {
        let objects: Vec<Arc<Object>> = self.table().objects.clone();
        objects.iter().filter(|o| o.release_if_held(me)).count()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn soon() -> Option<Instant> {
        Some(Instant::now() + Duration::from_millis(20))
    }

    #[test]
    fn a_mutex_knows_its_holder() {
        let m = Object::new(Kind::Mutex, 2);
        assert_eq!(m.lock_mutex(1, None), Ok(()));
        assert_eq!(m.lock_mutex(1, None), Err(ErrorCode::WouldDeadlock));
        assert_eq!(m.lock_mutex(2, soon()), Err(ErrorCode::TimedOut));
        assert_eq!(m.unlock_mutex(2), Err(ErrorCode::NotOwner));
        assert!(m.release_if_held(1) && !m.release_if_held(1));
        assert_eq!(m.lock_mutex(2, Some(Instant::now())), Ok(()));
    }

    #[test]
    fn a_condition_variable_wakes_its_waiter_with_the_mutex_held() {
        let m = Arc::new(Object::new(Kind::Mutex, 2));
        let cv = Arc::new(Object::new(Kind::Condvar, 2));
        let flag = Arc::new(Mutex::new(false));
        assert_eq!(m.lock_mutex(1, None), Ok(()));
        let (m2, cv2, f2) = (m.clone(), cv.clone(), flag.clone());
        let t = std::thread::spawn(move || {
            assert_eq!(m2.lock_mutex(2, None), Ok(()));
            *f2.lock().unwrap() = true;
            cv2.notify(false);
            m2.unlock_mutex(2)
        });
        while !*flag.lock().unwrap() {
            assert_eq!(cv.wait_condvar(&m, 1, None), Ok(()));
        }
        // Back with the mutex: the notifier's unlock came first.
        assert_eq!(t.join().unwrap(), Ok(()));
        assert_eq!(m.unlock_mutex(1), Ok(()));
        // A wait that times out takes the mutex again all the same.
        assert_eq!(m.lock_mutex(1, None), Ok(()));
        assert_eq!(cv.wait_condvar(&m, 1, soon()), Err(ErrorCode::TimedOut));
        assert_eq!(m.unlock_mutex(1), Ok(()));
        // Waiting with a mutex not held is refused.
        assert_eq!(cv.wait_condvar(&m, 1, soon()), Err(ErrorCode::NotOwner));
    }

    #[test]
    fn a_notification_with_no_waiter_is_not_kept() {
        let m = Object::new(Kind::Mutex, 1);
        let cv = Object::new(Kind::Condvar, 1);
        cv.notify(true);
        cv.notify(false);
        assert_eq!(m.lock_mutex(1, None), Ok(()));
        assert_eq!(cv.wait_condvar(&m, 1, soon()), Err(ErrorCode::TimedOut));
    }

    #[test]
    fn a_semaphore_counts_up_to_its_maximum() {
        let s = Object::new(Kind::Semaphore { initial: 1, max: 2 }, 1);
        assert_eq!(s.release(), Ok(()));
        assert_eq!(s.release(), Err(ErrorCode::TooLarge));
        assert_eq!((s.acquire(None), s.acquire(None)), (Ok(()), Ok(())));
        assert_eq!(s.acquire(soon()), Err(ErrorCode::TimedOut));
    }

    #[test]
    fn a_channel_keeps_order_bounds_and_sizes() {
        let c = Object::new(
            Kind::Channel {
                capacity: 2,
                max_message: 4,
            },
            1,
        );
        assert_eq!(c.send(b"hello", None), Err(ErrorCode::TooLarge));
        assert_eq!(
            (c.send(b"ab", None), c.send(b"cdef", None)),
            (Ok(()), Ok(()))
        );
        assert_eq!(c.send(b"x", soon()), Err(ErrorCode::TimedOut));
        let mut small = [0u8; 3];
        let mut buf = [0u8; 4];
        assert_eq!(c.receive(&mut buf, None), Ok(2));
        assert_eq!(&buf[..2], b"ab");
        // Too long for the buffer: it stays queued.
        assert_eq!(c.receive(&mut small, None), Err(ErrorCode::TooLarge));
        assert_eq!(c.receive(&mut buf, None), Ok(4));
        assert_eq!(&buf, b"cdef");
        assert_eq!(c.receive(&mut buf, soon()), Err(ErrorCode::TimedOut));
    }

    #[test]
    fn names_are_one_kind_and_the_table_is_bounded() {
        let o = Objects::new(2, 16, 1);
        let ch = Kind::Channel {
            capacity: 2,
            max_message: 8,
        };
        assert_eq!(o.open("a", Kind::Mutex), Ok(0));
        assert_eq!(o.open("a", Kind::Mutex), Ok(0));
        assert_eq!(o.open("a", Kind::Condvar), Err(ErrorCode::Mismatch));
        // 2 × 8 bytes fit the 16 granted; a different capacity is another object.
        assert_eq!(o.open("q", ch), Ok(1));
        assert_eq!(
            o.open(
                "q",
                Kind::Channel {
                    capacity: 1,
                    max_message: 8
                }
            ),
            Err(ErrorCode::Mismatch)
        );
        assert_eq!(o.open("b", Kind::Mutex), Err(ErrorCode::TooMany));
        let bad = Kind::Semaphore { initial: 3, max: 2 };
        assert_eq!(
            Objects::new(4, 0, 1).open("s", bad),
            Err(ErrorCode::Mismatch)
        );
        assert!(o.get(0, |k| matches!(k, Kind::Mutex)).is_some());
        assert!(o.get(0, |k| matches!(k, Kind::Condvar)).is_none());
        assert!(o.get(7, |_| true).is_none());
    }

    #[derive(Clone, Debug)]
    enum Op {
        Send(u8, u8),
        Receive(u8),
        Acquire,
        Release,
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            (0u8..12, any::<u8>()).prop_map(|(n, b)| Op::Send(n, b)),
            (0u8..12).prop_map(Op::Receive),
            Just(Op::Acquire),
            Just(Op::Release),
        ]
    }

    proptest::proptest! {
        /// Any sequence of operations that never waits (deadline now) does
        /// what a plain queue and counter do: order kept, bounds held,
        /// nothing lost or made up.
        #[test]
        fn objects_behave_as_their_model(ops in proptest::collection::vec(op(), 0..200)) {
            use std::collections::VecDeque;
            let now = || Some(Instant::now());
            let ch = Object::new(Kind::Channel { capacity: 3, max_message: 8 }, 1);
            let sem = Object::new(Kind::Semaphore { initial: 1, max: 3 }, 1);
            let (mut queue, mut count) = (VecDeque::<Vec<u8>>::new(), 1u32);
            for op in ops {
                match op {
                    Op::Send(n, b) => {
                        let msg = vec![b; n as usize];
                        let want = if msg.len() > 8 {
                            Err(ErrorCode::TooLarge)
                        } else if queue.len() == 3 {
                            Err(ErrorCode::TimedOut)
                        } else {
                            queue.push_back(msg.clone());
                            Ok(())
                        };
                        proptest::prop_assert_eq!(ch.send(&msg, now()), want);
                    }
                    Op::Receive(cap) => {
                        let mut buf = vec![0u8; cap as usize];
                        let want = match queue.front() {
                            None => Err(ErrorCode::TimedOut),
                            Some(m) if m.len() > buf.len() => Err(ErrorCode::TooLarge),
                            Some(_) => Ok(queue.pop_front().unwrap_or_default()),
                        };
                        let got = ch.receive(&mut buf, now()).map(|n| buf[..n as usize].to_vec());
                        proptest::prop_assert_eq!(got, want);
                    }
                    Op::Acquire => {
                        let want = if count > 0 { count -= 1; Ok(()) } else { Err(ErrorCode::TimedOut) };
                        proptest::prop_assert_eq!(sem.acquire(now()), want);
                    }
                    Op::Release => {
                        let want = if count < 3 { count += 1; Ok(()) } else { Err(ErrorCode::TooLarge) };
                        proptest::prop_assert_eq!(sem.release(), want);
                    }
                }
            }
        }
    }
}
