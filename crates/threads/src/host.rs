//! `wasmbed:threads/threads` and `wasmbed:threads/sync` for guests. No
//! function lowers a string or a list, so a guest without `realloc` uses
//! them all; `channel.receive` copies into a buffer the guest names.

use std::sync::Arc;

use wasmbed::{Error, GuestBytes, GuestStr, HostCx, Linker, Resource};

use crate::bindings::wasmbed::threads::sync::{Channel, Condvar, Mutex, Semaphore};
use crate::bindings::wasmbed::threads::threads::{SpawnOptions, Thread};
use crate::objects::{Kind, Object};
use crate::{ErrorCode, ThreadsCtx};

/// The interfaces guests import: threads, then sync.
pub const INTERFACES: [&str; 2] = [
    "wasmbed:threads/threads@0.1.0",
    "wasmbed:threads/sync@0.1.0",
];

type Get<T> = fn(&mut T) -> &mut ThreadsCtx;

/// The calling thread's context.
fn ctx<T: 'static>(cx: &mut HostCx<'_, T>, get: Get<T>) -> ThreadsCtx {
    get(cx.data_mut()).clone()
}

/// The object behind a handle of `sort`: the handle tables vouch for the
/// handle, so a miss is a host bug reported as a trap, never a panic.
fn object(
    ctx: &ThreadsCtx,
    rep: u32,
    what: &str,
    sort: fn(&Kind) -> bool,
) -> Result<Arc<Object>, Error> {
    ctx.objects()
        .get(rep, sort)
        .ok_or_else(|| Error::host(format!("`{what}`: no object {rep}")))
}

fn is_mutex(k: &Kind) -> bool {
    matches!(k, Kind::Mutex)
}
fn is_condvar(k: &Kind) -> bool {
    matches!(k, Kind::Condvar)
}
fn is_semaphore(k: &Kind) -> bool {
    matches!(k, Kind::Semaphore { .. })
}
fn is_channel(k: &Kind) -> bool {
    matches!(k, Kind::Channel { .. })
}

/// Opens (or makes) object `name` as `kind`: the handle's rep.
fn open<T: 'static>(
    cx: &mut HostCx<'_, T>,
    get: Get<T>,
    name: GuestStr,
    kind: Kind,
) -> Result<Result<u32, ErrorCode>, Error> {
    let c = ctx(cx, get);
    Ok(c.objects().open(cx.guest_str(name)?, kind))
}

/// Defines `wasmbed:threads/threads` and `wasmbed:threads/sync` on `linker`;
/// `get` finds each instance's context in its host data.
pub fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: Get<T>) -> &mut Linker<T> {
    let [th, sy] = INTERFACES;
    linker.func_typed(
        th,
        "spawn",
        move |cx, (entry, arg, o): (GuestStr, u64, SpawnOptions)| {
            let c = ctx(cx, get);
            let entry = cx.guest_str(entry)?;
            Ok(c.spawn(entry, arg, o.priority, o.stack_size)
                .map(Resource::<Thread>::new_own))
        },
    );
    linker.func_typed(
        th,
        "[method]thread.id",
        |_, (this,): (Resource<Thread>,)| Ok(this.rep()),
    );
    linker.func_typed(
        th,
        "[method]thread.join",
        move |cx, (this, deadline): (Resource<Thread>, Option<u64>)| {
            let c = ctx(cx, get);
            Ok(c.join(this.rep(), c.until(deadline)))
        },
    );
    linker.resource(th, "thread", move |cx, rep| {
        get(cx.data_mut()).detach(rep);
        Ok(())
    });
    linker.func_typed(th, "current", move |cx, (): ()| Ok(get(cx.data_mut()).id()));
    linker.func_typed(th, "now", move |cx, (): ()| Ok(get(cx.data_mut()).now()));
    linker.func_typed(th, "sleep-until", move |cx, (deadline,): (u64,)| {
        Ok(ctx(cx, get).sleep_until(deadline))
    });

    linker.func_typed(sy, "[static]mutex.open", move |cx, (name,): (GuestStr,)| {
        Ok(open(cx, get, name, Kind::Mutex)?.map(Resource::<Mutex>::new_own))
    });
    linker.func_typed(
        sy,
        "[method]mutex.lock",
        move |cx, (this, deadline): (Resource<Mutex>, Option<u64>)| {
            let c = ctx(cx, get);
            let m = object(&c, this.rep(), "mutex.lock", is_mutex)?;
            Ok(m.lock_mutex(c.id(), c.until(deadline)))
        },
    );
    linker.func_typed(
        sy,
        "[method]mutex.unlock",
        move |cx, (this,): (Resource<Mutex>,)| {
            let c = ctx(cx, get);
            Ok(object(&c, this.rep(), "mutex.unlock", is_mutex)?.unlock_mutex(c.id()))
        },
    );

    linker.func_typed(
        sy,
        "[static]condvar.open",
        move |cx, (name,): (GuestStr,)| {
            Ok(open(cx, get, name, Kind::Condvar)?.map(Resource::<Condvar>::new_own))
        },
    );
    linker.func_typed(
        sy,
        "[method]condvar.wait",
        move |cx, (this, lock, deadline): (Resource<Condvar>, Resource<Mutex>, Option<u64>)| {
            let c = ctx(cx, get);
            let cv = object(&c, this.rep(), "condvar.wait", is_condvar)?;
            let m = object(&c, lock.rep(), "condvar.wait", is_mutex)?;
            Ok(cv.wait_condvar(&m, c.id(), c.until(deadline)))
        },
    );
    linker.func_typed(
        sy,
        "[method]condvar.notify-one",
        move |cx, (this,): (Resource<Condvar>,)| {
            let c = ctx(cx, get);
            object(&c, this.rep(), "condvar.notify-one", is_condvar)?.notify(false);
            Ok(())
        },
    );
    linker.func_typed(
        sy,
        "[method]condvar.notify-all",
        move |cx, (this,): (Resource<Condvar>,)| {
            let c = ctx(cx, get);
            object(&c, this.rep(), "condvar.notify-all", is_condvar)?.notify(true);
            Ok(())
        },
    );

    linker.func_typed(
        sy,
        "[static]semaphore.open",
        move |cx, (name, initial, max): (GuestStr, u32, u32)| {
            let kind = Kind::Semaphore { initial, max };
            Ok(open(cx, get, name, kind)?.map(Resource::<Semaphore>::new_own))
        },
    );
    linker.func_typed(
        sy,
        "[method]semaphore.acquire",
        move |cx, (this, deadline): (Resource<Semaphore>, Option<u64>)| {
            let c = ctx(cx, get);
            let s = object(&c, this.rep(), "semaphore.acquire", is_semaphore)?;
            Ok(s.acquire(c.until(deadline)))
        },
    );
    linker.func_typed(
        sy,
        "[method]semaphore.release",
        move |cx, (this,): (Resource<Semaphore>,)| {
            let c = ctx(cx, get);
            Ok(object(&c, this.rep(), "semaphore.release", is_semaphore)?.release())
        },
    );

    linker.func_typed(
        sy,
        "[static]channel.open",
        move |cx, (name, capacity, max_message): (GuestStr, u32, u32)| {
            let kind = Kind::Channel {
                capacity,
                max_message,
            };
            Ok(open(cx, get, name, kind)?.map(Resource::<Channel>::new_own))
        },
    );
    linker.func_typed(
        sy,
        "[method]channel.send",
        move |cx, (this, message, deadline): (Resource<Channel>, GuestBytes, Option<u64>)| {
            let c = ctx(cx, get);
            let ch = object(&c, this.rep(), "channel.send", is_channel)?;
            Ok(ch.send(cx.guest_bytes(message)?, c.until(deadline)))
        },
    );
    linker.func_typed(
        sy,
        "[method]channel.receive",
        move |cx, (this, address, capacity, deadline): (Resource<Channel>, u32, u32, Option<u64>)| {
            let c = ctx(cx, get);
            let ch = object(&c, this.rep(), "channel.receive", is_channel)?;
            let (memory, _) = cx.memory_and_data();
            let len = memory.len();
            let into = (address as usize)
                .checked_add(capacity as usize)
                .and_then(|end| memory.get_mut(address as usize..end))
                .ok_or_else(|| {
                    Error::host(format!(
                        "`channel.receive`: a buffer of {capacity} bytes at {address} \
                         is outside linear memory ({len} bytes)"
                    ))
                })?;
            Ok(ch.receive(into, c.until(deadline)))
        },
    );
    for name in ["mutex", "condvar", "semaphore", "channel"] {
        // Objects live as long as the application; a handle is only a name for one.
        linker.resource(sy, name, |_, _| Ok(()));
    }
    linker
}
