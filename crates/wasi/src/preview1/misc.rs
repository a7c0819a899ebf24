//! Arguments, environment, clocks, random numbers, polling and process control.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use wasmbed::Error;
use wasmbed_abi::FlatVal;

use super::mem::{u32_arg, u64_arg, Mem};
use super::{Def, Grant, Ret};
use crate::ctx::{deny, Desc, WasiCtx};
use crate::errno::Errno;

/// The functions of this module.
pub(crate) const DEFS: &[Def] = &[
    ("args_get", "ii", Grant::None, args_get),
    ("args_sizes_get", "ii", Grant::None, args_sizes_get),
    ("environ_get", "ii", Grant::None, environ_get),
    ("environ_sizes_get", "ii", Grant::None, environ_sizes_get),
    ("clock_res_get", "ii", Grant::Clocks, clock_res_get),
    ("clock_time_get", "iIi", Grant::Clocks, clock_time_get),
    ("random_get", "ii", Grant::Random, random_get),
    ("poll_oneoff", "iiii", Grant::None, poll_oneoff),
    ("proc_exit", "i", Grant::None, proc_exit),
    ("proc_raise", "i", Grant::None, unsupported),
    ("sched_yield", "", Grant::None, sched_yield),
    ("sock_accept", "iii", Grant::None, unsupported),
    ("sock_recv", "iiiiii", Grant::None, unsupported),
    ("sock_send", "iiiii", Grant::None, unsupported),
    ("sock_shutdown", "ii", Grant::None, unsupported),
];

/// Writes NUL-terminated `strings` to `buf` and their addresses to `ptrs`.
fn put_strings(mem: &mut Mem<'_>, strings: &[String], ptrs: u32, buf: u32) -> Ret {
    let mut at = buf;
    for (i, s) in strings.iter().enumerate() {
        mem.put_u32(ptrs.wrapping_add(4 * i as u32), at)?;
        mem.put(at, s.as_bytes(), 1)?;
        let end = at.wrapping_add(s.len() as u32);
        mem.put(end, &[0], 1)?;
        at = end.wrapping_add(1);
    }
    Ok(())
}

fn put_sizes(mem: &mut Mem<'_>, strings: &[String], count: u32, size: u32) -> Ret {
    let bytes: usize = strings.iter().map(|s| s.len() + 1).sum();
    mem.put_u32(count, strings.len() as u32)?;
    mem.put_u32(size, u32::try_from(bytes).map_err(|_| Errno::Overflow)?)?;
    Ok(())
}

fn args_get(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    put_strings(m, &c.args, u32_arg(a, 0), u32_arg(a, 1))
}

fn args_sizes_get(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    put_sizes(m, &c.args, u32_arg(a, 0), u32_arg(a, 1))
}

fn environ_get(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    put_strings(m, &c.env, u32_arg(a, 0), u32_arg(a, 1))
}

fn environ_sizes_get(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    put_sizes(m, &c.env, u32_arg(a, 0), u32_arg(a, 1))
}

/// Nanoseconds on clock `id`: 0 is real time, 1 monotonic; the CPU-time clocks are `EBADF`, as in wasmtime.
fn now(c: &WasiCtx, id: u32) -> Result<u64, Errno> {
    match id {
        0 => Ok(SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)),
        1 => Ok(c.started.elapsed().as_nanos() as u64),
        2 | 3 => Err(Errno::Badf),
        _ => Err(Errno::Inval),
    }
}

fn clock_res_get(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    now(c, u32_arg(a, 0))?;
    m.put_u64(u32_arg(a, 1), 1)?;
    Ok(())
}

fn clock_time_get(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let t = now(c, u32_arg(a, 0))?;
    m.put_u64(u32_arg(a, 2), t)?;
    Ok(())
}

fn random_get(_: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let buf = m.bytes_mut(u32_arg(a, 0), u32_arg(a, 1))?;
    getrandom::fill(buf).map_err(|_| Errno::Io)?;
    Ok(())
}

/// Waits for the earliest clock subscription; descriptor subscriptions are ready at once.
fn poll_oneoff(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let (subs, events, n, nout) = (u32_arg(a, 0), u32_arg(a, 1), u32_arg(a, 2), u32_arg(a, 3));
    if n == 0 {
        return Err(Errno::Inval.into());
    }
    let size = u64::from(n) * 48;
    m.bytes(subs, u32::try_from(size).map_err(|_| Errno::Inval)?)?;
    m.bytes(
        events,
        u32::try_from(u64::from(n) * 32).map_err(|_| Errno::Inval)?,
    )?;
    let mut ready: Vec<[u8; 32]> = Vec::new();
    let mut sleep: Option<(u64, u64)> = None; // (nanoseconds, userdata)
    for i in 0..n {
        let s = m.bytes(subs + i * 48, 48)?;
        let mut word = [0u8; 8];
        word.copy_from_slice(&s[0..8]);
        let userdata = u64::from_le_bytes(word);
        let tag = s[8];
        let mut ev = [0u8; 32];
        ev[0..8].copy_from_slice(&userdata.to_le_bytes());
        ev[10] = tag;
        match tag {
            0 => {
                word.copy_from_slice(&s[24..32]);
                let timeout = u64::from_le_bytes(word);
                let id = u32::from_le_bytes([s[16], s[17], s[18], s[19]]);
                let abs = s[40] & 1 == 1;
                if !c.clocks {
                    let e = deny(
                        "poll_oneoff",
                        "clock subscription without the clocks grant",
                        Errno::Notcapable,
                    );
                    ev[8..10].copy_from_slice(&(e as u16).to_le_bytes());
                    ready.push(ev);
                    continue;
                }
                let wait = match now(c, id) {
                    Ok(t) if abs => timeout.saturating_sub(t),
                    Ok(_) => timeout,
                    Err(e) => {
                        ev[8..10].copy_from_slice(&(e as u16).to_le_bytes());
                        ready.push(ev);
                        continue;
                    }
                };
                if sleep.is_none_or(|(w, _)| wait < w) {
                    sleep = Some((wait, userdata));
                }
            }
            1 | 2 => {
                let fd = u32::from_le_bytes([s[16], s[17], s[18], s[19]]);
                let ok = matches!(
                    (tag, c.desc(fd, "poll_oneoff").ok()),
                    (1, Some(Desc::Stdin | Desc::File { .. }))
                        | (2, Some(Desc::Stdout | Desc::Stderr | Desc::File { .. }))
                );
                if !ok {
                    ev[8..10].copy_from_slice(&(Errno::Badf as u16).to_le_bytes());
                }
                ready.push(ev);
            }
            _ => return Err(Errno::Inval.into()),
        }
    }
    if ready.is_empty() {
        if let Some((wait, userdata)) = sleep {
            // A signal for this instance wakes it early: the event fires, like a spurious wake-up.
            wasmbed::signals::sleep(Duration::from_nanos(wait));
            let mut ev = [0u8; 32];
            ev[0..8].copy_from_slice(&userdata.to_le_bytes());
            ready.push(ev);
        }
    }
    for (i, ev) in ready.iter().enumerate() {
        m.put(events + 32 * i as u32, ev, 8)?;
    }
    m.put_u32(nout, ready.len() as u32)?;
    Ok(())
}

fn proc_exit(c: &mut WasiCtx, _: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    c.flush();
    Err(Error::exit(u32_arg(a, 0) as i32).into())
}

fn sched_yield(_: &mut WasiCtx, _: &mut Mem<'_>, _: &[FlatVal]) -> Ret {
    std::thread::yield_now();
    Ok(())
}

fn unsupported(_: &mut WasiCtx, _: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let _ = u64_arg(a, 0);
    Err(Errno::Notsup.into())
}
