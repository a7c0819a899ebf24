//! An application's threads: the table of threads with their signals and
//! outcomes, spawning a guest export in a new instance on a new host thread,
//! and joining it.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use wasmbed::signals::{block_on, Wake};
use wasmbed::{Engine, InstancePre, Interrupt, Limits, SignalConfig, Type, Val};
use wasmbed_wit::world::{InterfaceName, Item, World};

use crate::objects::{woke, Objects};
use crate::sched::{Scheduler, Spec, StdScheduler};
use crate::waiters::Waiters;
use crate::{ErrorCode, Grants};

/// How a thread ended: its entry's result, or the trap that poisoned its instance.
pub type Outcome = Result<u64, String>;

/// Counts of what the application's threads did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ThreadStats {
    /// Threads started.
    pub spawned: u64,
    /// Threads whose entry returned.
    pub finished: u64,
    /// Threads that trapped (or whose instance could not be made).
    pub trapped: u64,
    /// Spawns refused by a grant.
    pub denied: u64,
    /// Mutexes released because their holder ended while holding them.
    pub released: u64,
}

/// One thread of the application.
struct Slot {
    interrupt: Interrupt,
    outcome: Option<Outcome>,
    /// The guest dropped its handle: the slot goes when the thread ends.
    detached: bool,
}

#[derive(Default)]
struct Table {
    slots: BTreeMap<u32, Slot>,
    next: u32,
    running: u32,
    stats: ThreadStats,
    /// The latest refusals, for the host to show (at most [`MAX_DENIALS`]).
    denials: Vec<String>,
    joiners: Waiters,
}

const MAX_DENIALS: usize = 16;

/// Runs entry `entry` with `arg` for thread `ctx` on the calling host thread.
type Runner = dyn Fn(ThreadsCtx, &str, u64, Interrupt) -> Outcome + Send + Sync;

struct Shared {
    grants: Grants,
    scheduler: Box<dyn Scheduler>,
    runner: OnceLock<Box<Runner>>,
    /// Exports a thread may start with: `func(arg: u64) -> u64`.
    entries: OnceLock<Vec<String>>,
    objects: Objects,
    table: Mutex<Table>,
    epoch: Instant,
}

/// The threads of one application, shared by its instances: cheap to clone,
/// `Send + Sync`. Made once by the host with the application's grants;
/// [`Threads::serve`] then tells it which guest its threads run.
#[derive(Clone)]
pub struct Threads {
    shared: Arc<Shared>,
}

/// One thread's place in its application; it lives in the instance's host data.
#[derive(Clone)]
pub struct ThreadsCtx {
    shared: Arc<Shared>,
    id: u32,
}

impl Threads {
    /// An application with `grants`, on `std` threads.
    pub fn new(grants: Grants) -> Threads {
        Threads::with_scheduler(grants, StdScheduler::default())
    }

    /// An application with `grants`, whose threads `scheduler` starts.
    pub fn with_scheduler(grants: Grants, scheduler: impl Scheduler + 'static) -> Threads {
        let threads = grants.max_threads as usize + 1;
        let mut table = Table {
            next: 1,
            joiners: Waiters::with_capacity(threads),
            ..Table::default()
        };
        table.slots.insert(
            0,
            Slot {
                interrupt: Interrupt::new(),
                outcome: None,
                detached: false,
            },
        );
        Threads {
            shared: Arc::new(Shared {
                objects: Objects::new(grants.max_objects, grants.channel_bytes, threads),
                grants,
                scheduler: Box::new(scheduler),
                runner: OnceLock::new(),
                entries: OnceLock::new(),
                table: Mutex::new(table),
                epoch: Instant::now(),
            }),
        }
    }

    /// Runs every spawned thread as a new instance of `pre`, its host data
    /// made by `make` on the new thread (an error ends the thread as
    /// trapped, with that reason), its calls sliced by `signals` so that
    /// [`Threads::raise_all`] reaches it. Once per application.
    pub fn serve<E, T>(
        &self,
        pre: InstancePre<E, T>,
        make: impl Fn(ThreadsCtx) -> Result<T, String> + Send + Sync + 'static,
        limits: Limits,
        signals: SignalConfig,
    ) -> Result<(), ErrorCode>
    where
        E: Engine + 'static,
        InstancePre<E, T>: Send + Sync,
        T: 'static,
    {
        let entries = entries(pre.world());
        let runner = move |ctx: ThreadsCtx, entry: &str, arg: u64, interrupt: Interrupt| {
            let mut inst = pre
                .instantiate(make(ctx)?, limits)
                .map_err(|e| e.to_string())?;
            inst.set_signals(interrupt, signals)
                .map_err(|e| e.to_string())?;
            match inst.call(entry, &[Val::U64(arg)]) {
                Ok(Some(Val::U64(v))) => Ok(v),
                Ok(other) => Err(format!("`{entry}` returned {other:?}, not a u64")),
                Err(e) => Err(e.to_string()),
            }
        };
        self.shared
            .entries
            .set(entries)
            .map_err(|_| ErrorCode::Mismatch)?;
        self.shared
            .runner
            .set(Box::new(runner))
            .map_err(|_| ErrorCode::Mismatch)
    }

    /// The context of the main thread (number 0), for the first instance's host data.
    pub fn main(&self) -> ThreadsCtx {
        ThreadsCtx {
            shared: self.shared.clone(),
            id: 0,
        }
    }

    /// The main thread's signals: give them to the main instance's `set_signals`.
    pub fn main_interrupt(&self) -> Interrupt {
        self.shared.interrupt(0).unwrap_or_default()
    }

    /// Raises `signal` for every thread still running, the main one included.
    pub fn raise_all(&self, signal: u32) {
        let t = self.shared.table();
        for slot in t.slots.values().filter(|s| s.outcome.is_none()) {
            slot.interrupt.raise(signal);
        }
    }

    /// Threads running now, besides the main one.
    pub fn running(&self) -> u32 {
        self.shared.table().running
    }

    /// Waits until no thread but the main one runs, or `until`: whether none does.
    pub fn wait_idle(&self, until: Option<Instant>) -> bool {
        let me = std::thread::current();
        let r = block_on(until, || {
            let mut t = self.shared.table();
            if t.running == 0 {
                return Some(());
            }
            t.joiners.add(&me);
            None
        });
        self.shared.table().joiners.remove(me.id());
        matches!(r, Wake::Ready(()))
    }

    /// What the threads did so far.
    pub fn stats(&self) -> ThreadStats {
        self.shared.table().stats
    }

    /// The latest spawns refused by a grant, each naming the grant.
    pub fn denials(&self) -> Vec<String> {
        self.shared.table().denials.clone()
    }
}

impl Shared {
    fn table(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn interrupt(&self, id: u32) -> Option<Interrupt> {
        self.table().slots.get(&id).map(|s| s.interrupt.clone())
    }

    /// Records a refusal and logs it.
    fn deny(&self, why: String) -> ErrorCode {
        tracing::warn!("threads: spawn denied: {why}");
        let mut t = self.table();
        t.stats.denied += 1;
        if t.denials.len() == MAX_DENIALS {
            t.denials.remove(0);
        }
        t.denials.push(why);
        ErrorCode::Denied
    }

    /// Thread `id` ended with `outcome`: what it held goes, joiners wake.
    fn finish(&self, id: u32, outcome: Outcome) {
        let released = self.objects.release_all(id);
        if let Err(e) = &outcome {
            tracing::warn!("threads: thread {id} trapped: {e}");
        }
        let mut t = self.table();
        t.running -= 1;
        t.stats.released += released as u64;
        match &outcome {
            Ok(_) => t.stats.finished += 1,
            Err(_) => t.stats.trapped += 1,
        }
        let gone = t.slots.get(&id).is_some_and(|s| s.detached);
        if gone {
            t.slots.remove(&id);
        } else if let Some(s) = t.slots.get_mut(&id) {
            s.outcome = Some(outcome);
        }
        t.joiners.wake();
    }
}

/// The exports a thread may start with, by the names `Instance::call` takes.
fn entries(world: &World) -> Vec<String> {
    let entry =
        |ty: &wasmbed_abi::FuncType| ty.params() == [Type::U64] && ty.result() == Some(&Type::U64);
    let mut out = Vec::new();
    for item in &world.exports {
        match item {
            Item::Function(f) if entry(&f.ty) => out.push(f.name.clone()),
            Item::Function(_) => {}
            Item::Interface(i) => {
                let iface = match &i.name {
                    InterfaceName::Id(n) | InterfaceName::Inline(n) => n,
                };
                for f in i.functions.iter().filter(|f| entry(&f.ty)) {
                    out.push(format!("{iface}#{}", f.name));
                }
            }
        }
    }
    out
}

impl ThreadsCtx {
    /// This thread's number (0 for the main thread).
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The application this thread belongs to.
    pub fn threads(&self) -> Threads {
        Threads {
            shared: self.shared.clone(),
        }
    }

    pub(crate) fn objects(&self) -> &Objects {
        &self.shared.objects
    }

    /// Nanoseconds since the application started.
    pub(crate) fn now(&self) -> u64 {
        self.shared.epoch.elapsed().as_nanos() as u64
    }

    /// The instant of a guest's deadline; none (forever) past what the clock can hold.
    pub(crate) fn until(&self, deadline: Option<u64>) -> Option<Instant> {
        deadline.and_then(|ns| self.shared.epoch.checked_add(Duration::from_nanos(ns)))
    }

    /// Starts `entry(arg)` on a new thread: its number.
    pub(crate) fn spawn(
        &self,
        entry: &str,
        arg: u64,
        priority: u8,
        stack: u32,
    ) -> Result<u32, ErrorCode> {
        let sh = &self.shared;
        let (Some(_), Some(entries)) = (sh.runner.get(), sh.entries.get()) else {
            return Err(sh.deny("the host runs this guest without threads".into()));
        };
        if !entries.iter().any(|e| e == entry) {
            return Err(ErrorCode::NoSuchEntry);
        }
        let stack = if stack == 0 {
            sh.grants.default_stack
        } else {
            stack
        };
        if let Err(why) = sh.grants.check(priority, stack) {
            return Err(sh.deny(why));
        }
        let (id, interrupt) = {
            let mut t = sh.table();
            if t.running >= sh.grants.max_threads {
                let why = format!(
                    "{} threads run already and `threads.max` grants {}",
                    t.running, sh.grants.max_threads
                );
                drop(t);
                return Err(sh.deny(why));
            }
            let id = t.next;
            t.next += 1;
            t.running += 1;
            let interrupt = Interrupt::new();
            t.slots.insert(
                id,
                Slot {
                    interrupt: interrupt.clone(),
                    outcome: None,
                    detached: false,
                },
            );
            (id, interrupt)
        };
        let ctx = ThreadsCtx {
            shared: sh.clone(),
            id,
        };
        let entry = String::from(entry);
        let run = Box::new(move || {
            let sh = ctx.shared.clone();
            let outcome = catch_unwind(AssertUnwindSafe(|| match sh.runner.get() {
                Some(run) => run(ctx, &entry, arg, interrupt),
                None => Err("no runner".into()),
            }))
            .unwrap_or_else(|_| Err("the host panicked running the thread".into()));
            sh.finish(id, outcome);
        });
        let spec = Spec {
            id,
            priority,
            stack: stack as usize,
        };
        match sh.scheduler.spawn(&spec, run) {
            Ok(()) => {
                sh.table().stats.spawned += 1;
                Ok(id)
            }
            Err(why) => {
                tracing::warn!("threads: cannot start thread {id}: {why}");
                let mut t = sh.table();
                t.slots.remove(&id);
                t.running -= 1;
                Err(ErrorCode::SpawnFailed)
            }
        }
    }

    /// Waits for thread `id` to end.
    pub(crate) fn join(&self, id: u32, until: Option<Instant>) -> Result<u64, ErrorCode> {
        let me = std::thread::current();
        let sh = &self.shared;
        let r = block_on(until, || {
            let mut t = sh.table();
            match t.slots.get(&id).map(|s| s.outcome.clone()) {
                Some(Some(o)) => return Some(o.map_err(|_| ErrorCode::Trapped)),
                None => return Some(Err(ErrorCode::Trapped)),
                Some(None) => {}
            }
            t.joiners.add(&me);
            None
        });
        sh.table().joiners.remove(me.id());
        woke(r)?
    }

    /// The guest dropped its handle to thread `id`: it runs on unjoined.
    pub(crate) fn detach(&self, id: u32) {
        let mut t = self.shared.table();
        match t.slots.get_mut(&id) {
            Some(s) if s.outcome.is_some() => {
                t.slots.remove(&id);
            }
            Some(s) => s.detached = true,
            None => {}
        }
    }

    /// Sleeps until `deadline`.
    pub(crate) fn sleep_until(&self, deadline: u64) -> Result<(), ErrorCode> {
        let until = self.until(Some(deadline));
        match block_on(until, || None::<()>) {
            Wake::Signalled => Err(ErrorCode::Interrupted),
            _ => Ok(()),
        }
    }
}
