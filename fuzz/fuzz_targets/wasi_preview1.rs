//! Calls WASI preview 1 functions in sequence, with arbitrary arguments over
//! arbitrary guest memory, as a hostile guest would.
//!
//! Every call must end in an errno or a trap; a panic is a bug. After each
//! input nothing outside the sandbox may have changed: the sentinel directory
//! next to the preopen stays empty, the read-only preopen and the file outside
//! keep their contents, and no host descriptor is left open.
#![no_main]

use std::fs;
use std::io::Cursor;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use wasmbed_wasi::fuzzing::{call_preview1, count, function, Outcome};
use wasmbed_wasi::{Capture, Policy};

/// The guest's memory: one 64 KiB page.
const MEM: usize = 1 << 16;
/// Where most pointers land: 64 slots of 64 bytes at the start of memory.
const SLOTS: u32 = 64;
/// Paths the guest may name, planted at `PATH_AT + 64 * i`: inside, escaping, odd.
const PATHS: &[&str] = &[
    "a.txt",
    "sub",
    "sub/c.txt",
    "in",
    "out",
    "out/x",
    "secret",
    "up",
    "up/sentinel/x",
    "new",
    "sub/new",
    "..",
    "../sentinel/x",
    "/etc/passwd",
    ".",
    "sub/../a.txt",
    "a.txt/",
    "secret.txt",
    "dir",
    "dir/inner.txt",
    "ro/secret.txt",
    "",
];
const PATH_AT: u32 = 0xF000;
/// Calls per input.
const MAX_CALLS: usize = 8;
/// The longest a clock subscription may make `poll_oneoff` sleep, in nanoseconds.
const MAX_SLEEP_NS: u64 = 1_000;

/// The host directories, made once per process under `/dev/shm` (or the temp directory).
struct Sandbox {
    base: PathBuf,
    /// Preopened as `.`, read-write; reset before every input.
    rw: PathBuf,
    /// Preopened as `ro`, read-only.
    ro: PathBuf,
    /// Next to `rw`, reachable through a symlink in it; must stay empty.
    sentinel: PathBuf,
    /// Next to `rw`, the target of a symlink in it; must keep its contents.
    outside: PathBuf,
    /// What `ro` held at the start.
    ro_before: Vec<(String, Vec<u8>, Option<SystemTime>)>,
}

fn sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        let parent = if Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        remove_stale(&parent);
        let base = parent.join(format!("wasmbed-fuzz-wasi-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        let (rw, ro, sentinel) = (base.join("box"), base.join("ro"), base.join("sentinel"));
        for d in [&rw, &ro.join("dir"), &sentinel] {
            fs::create_dir_all(d).unwrap();
        }
        let outside = base.join("outside.txt");
        fs::write(&outside, "private").unwrap();
        fs::write(ro.join("secret.txt"), "read me").unwrap();
        fs::write(ro.join("dir/inner.txt"), "inner").unwrap();
        symlink("../outside.txt", ro.join("secret")).unwrap();
        reset(&rw);
        Sandbox {
            ro_before: snapshot(&ro),
            base,
            rw,
            ro,
            sentinel,
            outside,
        }
    })
}

/// Removes the directories of fuzzers no longer running.
fn remove_stale(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(pid) = name.strip_prefix("wasmbed-fuzz-wasi-") {
            if !Path::new("/proc").join(pid).exists() {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
}

/// Empties `rw` and plants files, a subdirectory and symlinks inside and out.
fn reset(rw: &Path) {
    for e in fs::read_dir(rw).unwrap() {
        let p = e.unwrap().path();
        if fs::symlink_metadata(&p).unwrap().is_dir() {
            fs::remove_dir_all(&p).unwrap();
        } else {
            fs::remove_file(&p).unwrap();
        }
    }
    fs::write(rw.join("a.txt"), "hello\n").unwrap();
    fs::write(rw.join("b.bin"), [7u8; 300]).unwrap();
    fs::create_dir(rw.join("sub")).unwrap();
    fs::write(rw.join("sub/c.txt"), "c").unwrap();
    symlink("a.txt", rw.join("in")).unwrap();
    symlink("../sentinel", rw.join("out")).unwrap();
    symlink("../outside.txt", rw.join("secret")).unwrap();
    symlink("..", rw.join("up")).unwrap();
}

/// Every entry under `dir`, sorted, with file contents and modification times.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>, Option<SystemTime>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let meta = fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(dir).unwrap().display().to_string();
            let body = if meta.is_file() {
                fs::read(&p).unwrap()
            } else if meta.is_symlink() {
                fs::read_link(&p)
                    .unwrap()
                    .into_os_string()
                    .into_encoded_bytes()
            } else {
                todo.push(p);
                Vec::new()
            };
            out.push((rel, body, meta.modified().ok()));
        }
    }
    out.sort();
    out
}

/// The host descriptors this process has open on anything under `base`.
fn open_under(base: &Path) -> Vec<PathBuf> {
    let Ok(dir) = fs::read_dir("/proc/self/fd") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| fs::read_link(e.path()).ok())
        .filter(|to| to.starts_with(base))
        .collect()
}

/// A guest pointer: mostly a slot or a planted path, sometimes near the end, past it, or anything.
fn addr(u: &mut Unstructured) -> Result<u32> {
    Ok(match u.int_in_range(0..=9u8)? {
        0..=5 => u.int_in_range(0..=SLOTS - 1)? * 64 + u.int_in_range(0..=1u32)? * 4,
        6 => MEM as u32 - u.int_in_range(0..=64u32)?,
        7 => u.int_in_range(0..=MEM as u32 + 8)?,
        8 => PATH_AT + 64 * u.int_in_range(0..=PATHS.len() as u32 - 1)?,
        _ => u.arbitrary()?,
    })
}

/// A length or count: mostly small.
fn small(u: &mut Unstructured) -> Result<u32> {
    Ok(match u.int_in_range(0..=7u8)? {
        0..=5 => u.int_in_range(0..=16)?,
        6 => u.int_in_range(0..=512)?,
        _ => u.arbitrary()?,
    })
}

fn put(mem: &mut [u8], at: usize, bytes: &[u8]) {
    let end = (at + bytes.len()).min(mem.len());
    if at < end {
        mem[at..end].copy_from_slice(&bytes[..end - at]);
    }
}

/// Plants input bytes, iovec arrays, subscriptions and words over memory.
fn seed(u: &mut Unstructured, mem: &mut [u8]) -> Result<()> {
    for (i, p) in PATHS.iter().enumerate() {
        put(mem, PATH_AT as usize + 64 * i, p.as_bytes());
    }
    for _ in 0..u.int_in_range(0..=6u8)? {
        let at = addr(u)? as usize;
        match u.int_in_range(0..=3u8)? {
            0 => {
                let n = u.int_in_range(0..=64usize)?;
                put(mem, at, u.bytes(n)?);
            }
            1 => {
                let mut iovs = Vec::new();
                for _ in 0..u.int_in_range(0..=4u8)? {
                    iovs.extend_from_slice(&addr(u)?.to_le_bytes());
                    iovs.extend_from_slice(&small(u)?.to_le_bytes());
                }
                put(mem, at, &iovs);
            }
            2 => {
                let mut sub = [0u8; 48];
                sub[0..8].copy_from_slice(&u.arbitrary::<u64>()?.to_le_bytes());
                sub[8] = u.int_in_range(0..=3)?;
                sub[16..20].copy_from_slice(&small(u)?.to_le_bytes());
                sub[24..32].copy_from_slice(&u.arbitrary::<u64>()?.to_le_bytes());
                sub[40] = u.int_in_range(0..=1)?;
                put(mem, at, &sub);
            }
            _ => put(mem, at, &u.arbitrary::<u64>()?.to_le_bytes()),
        }
    }
    Ok(())
}

/// What each parameter of a function is, so arguments are often plausible: `f` a descriptor,
/// `p` and `l` a planted path's pointer and length, `b` a buffer, `n` a length or count,
/// `x` flags or a clock, `t` a 64-bit offset, time or rights.
const SHAPES: &[(&str, &str)] = &[
    ("args_get", "bb"),
    ("args_sizes_get", "bb"),
    ("environ_get", "bb"),
    ("environ_sizes_get", "bb"),
    ("clock_res_get", "xb"),
    ("clock_time_get", "xtb"),
    ("random_get", "bn"),
    ("poll_oneoff", "bbnb"),
    ("fd_advise", "fttx"),
    ("fd_allocate", "ftt"),
    ("fd_fdstat_get", "fb"),
    ("fd_fdstat_set_flags", "fx"),
    ("fd_fdstat_set_rights", "ftt"),
    ("fd_filestat_get", "fb"),
    ("fd_filestat_set_size", "ft"),
    ("fd_filestat_set_times", "fttx"),
    ("fd_pread", "fbntb"),
    ("fd_pwrite", "fbntb"),
    ("fd_read", "fbnb"),
    ("fd_renumber", "ff"),
    ("fd_seek", "ftxb"),
    ("fd_tell", "fb"),
    ("fd_write", "fbnb"),
    ("fd_prestat_get", "fb"),
    ("fd_prestat_dir_name", "fbn"),
    ("fd_readdir", "fbntb"),
    ("path_create_directory", "fpl"),
    ("path_filestat_get", "fxplb"),
    ("path_filestat_set_times", "fxplttx"),
    ("path_link", "fxplfpl"),
    ("path_open", "fxplxttxb"),
    ("path_readlink", "fplbnb"),
    ("path_remove_directory", "fpl"),
    ("path_rename", "fplfpl"),
    ("path_symlink", "plfpl"),
    ("path_unlink_file", "fpl"),
];

/// The arguments of a call: mostly as its shape says, sometimes anything.
fn args(u: &mut Unstructured, name: &str, sig: &str) -> Result<Vec<u64>> {
    let shape = SHAPES
        .iter()
        .find(|(n, s)| *n == name && s.len() == sig.len())
        .map_or("", |(_, s)| *s);
    let mut roles = shape.chars();
    let mut last_path = 0u64;
    let mut out = Vec::new();
    for _ in sig.chars() {
        let role = roles.next().unwrap_or('f');
        let role = if u.ratio(1, 5)? { '?' } else { role };
        let v = match role {
            'f' => u.int_in_range(0..=9u64)?,
            'p' => {
                let i = u.choose_index(PATHS.len())?;
                last_path = PATHS[i].len() as u64;
                (PATH_AT + 64 * i as u32).into()
            }
            'l' => last_path,
            'b' => addr(u)?.into(),
            'n' => small(u)?.into(),
            'x' if u.arbitrary()? => u.int_in_range(0..=15u64)?,
            't' => {
                let any = u.arbitrary()?;
                *u.choose(&[0, 1, 10, 300, (1 << 30) - 1, u64::MAX, any])?
            }
            _ => match u.int_in_range(0..=3u8)? {
                0 => small(u)?.into(),
                1 => addr(u)?.into(),
                2 => *u.choose(&[
                    u32::MAX.into(),
                    i32::MAX as u64,
                    MEM as u64,
                    u64::MAX,
                    1 << 63,
                    i64::MAX as u64,
                ])?,
                _ => u.arbitrary()?,
            },
        };
        out.push(v);
    }
    Ok(out)
}

/// Caps how long `poll_oneoff` may sleep by rewriting its clock subscriptions' timeouts.
///
/// Without this a guest sleeps as long as it asks (up to `u64::MAX` nanoseconds).
fn tame_poll(mem: &mut [u8], args: &[u64]) {
    let (subs, n) = (args[0] as u32 as usize, args[2] as u32 as usize);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    for i in 0..n.min(MEM / 48 + 1) {
        let at = subs + 48 * i;
        let Some(s) = mem.get_mut(at..at + 48) else {
            break;
        };
        if s[8] != 0 {
            continue;
        }
        let id = u32::from_le_bytes(s[16..20].try_into().unwrap());
        let t = u64::from_le_bytes(s[24..32].try_into().unwrap());
        let cap = match (s[40] & 1 == 1, id) {
            (true, 0) => now.saturating_add(MAX_SLEEP_NS),
            _ => MAX_SLEEP_NS,
        };
        s[24..32].copy_from_slice(&t.min(cap).to_le_bytes());
    }
}

fn run(data: &[u8]) -> Result<()> {
    let sb = sandbox();
    reset(&sb.rw);
    let mut u = Unstructured::new(data);
    let grants: u8 = u.arbitrary()?;
    let max_fds = u.int_in_range(0..=8u32)?;
    let max_write = *u.choose(&[1u32, 7, 64, 1 << 16])?;
    let mut policy = Policy::new()
        .arg("fuzz")
        .arg("two words")
        .env("KEY", "value")
        .stdout(Capture::new())
        .stderr(Capture::new())
        .preopen_dir(&sb.rw, ".", false)
        .preopen_dir(&sb.ro, "ro", true)
        .max_open_fds(max_fds)
        .max_write_bytes(max_write);
    if grants & 1 == 0 {
        let n = u.int_in_range(0..=64usize)?;
        policy = policy.stdin(Cursor::new(u.bytes(n)?.to_vec()));
    }
    if grants & 6 != 2 {
        policy = policy.allow_clocks();
    }
    if grants & 6 != 4 {
        policy = policy.allow_random();
    }
    let mut ctx = policy.build().unwrap();
    let first = ctx.open_fds();
    let mut mem = vec![0u8; MEM];
    seed(&mut u, &mut mem)?;
    let calls = u.int_in_range(1..=MAX_CALLS)?;
    for _ in 0..calls {
        let index = u.int_in_range(0..=count() - 1)?;
        let (name, sig) = function(index);
        let args = args(&mut u, name, sig)?;
        if name == "poll_oneoff" {
            tame_poll(&mut mem, &args);
        }
        let outcome = call_preview1(&mut ctx, &mut mem, index, &args);
        assert_eq!(mem.len(), MEM);
        assert!(
            ctx.open_fds() <= first.max(max_fds as usize),
            "`{name}` went past the descriptor limit"
        );
        // A trapped guest (or one that exited) makes no more calls.
        if let Outcome::Trap(_) = outcome {
            break;
        }
    }
    drop(ctx);
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
    let sb = sandbox();
    let escaped: Vec<_> = fs::read_dir(&sb.sentinel).unwrap().collect();
    assert!(
        escaped.is_empty(),
        "created outside the sandbox: {escaped:?}"
    );
    assert_eq!(
        fs::read(&sb.outside).unwrap(),
        b"private",
        "changed outside"
    );
    let mut names: Vec<_> = fs::read_dir(&sb.base)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["box", "outside.txt", "ro", "sentinel"],
        "next to the sandbox"
    );
    assert!(
        snapshot(&sb.ro) == sb.ro_before,
        "the read-only preopen changed"
    );
    let leaked = open_under(&sb.base);
    assert!(leaked.is_empty(), "host descriptors leaked: {leaked:?}");
});
