//! Malicious guests: escapes by `..`, absolute path and planted symlink; read-only writes;
//! bad descriptors; out-of-bounds pointers; denied grants. Nothing leaves the sandbox.

use std::path::Path;

use wasmbed::{Guest, Limits, World};
use wasmbed_wasi::{Capture, Policy, WasiCtx};

use super::{engine, E};
use crate::harness::{guests, snapshot};

/// A sandbox `box/` (preopened as `.`, with `link` → the outside directory),
/// a read-only `ro/` with `secret.txt`, and an `outside/` the guest must never reach.
fn layout(root: &Path) {
    for d in ["box/sub", "ro", "outside"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::write(root.join("outside/outside.txt"), "private").unwrap();
    std::fs::write(root.join("ro/secret.txt"), "read me").unwrap();
    std::os::unix::fs::symlink(root.join("outside"), root.join("box/link")).unwrap();
}

/// Runs `wasm`'s `_start` on wasmbed with `box/` as `.` and `ro/` read-only as `ro`; its stdout.
fn run_on_wasmbed(wasm: &[u8], root: &Path) -> Vec<u8> {
    let out = Capture::new();
    let ctx = Policy::new()
        .arg("escape")
        .stdout(out.clone())
        .preopen_dir(root.join("box"), ".", false)
        .preopen_dir(root.join("ro"), "ro", true)
        .build()
        .unwrap();
    let guest = Guest::new(&engine(), wasm, World::empty("escape")).unwrap();
    let mut inst = wasmbed_wasi::instantiate(&guest, ctx, Limits::default()).unwrap();
    let r = inst.call_core("_start");
    assert!(
        r.is_ok() || r.as_ref().err().and_then(|e| e.exit_code()) == Some(0),
        "{r:?}"
    );
    out.contents()
}

/// Runs `wasm` on wasmtime-wasi's preview 1 with the same grants as [`run_on_wasmbed`].
fn run_on_wasmtime(wasm: &[u8], root: &Path) -> Vec<u8> {
    use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
    use wasmtime_wasi::FsPerms;
    let engine = wasmtime::Engine::default();
    let module = wasmtime::Module::new(&engine, wasm).unwrap();
    let out = MemoryOutputPipe::new(1 << 16);
    let mut b = wasmtime_wasi::WasiCtxBuilder::new();
    b.arg("escape").stdout(out.clone());
    b.preopened_dir(root.join("box"), ".", FsPerms::ReadWrite)
        .unwrap();
    b.preopened_dir(root.join("ro"), "ro", FsPerms::ReadOnly)
        .unwrap();
    let mut store = wasmtime::Store::new(&engine, b.build_p1());
    let mut linker = wasmtime::Linker::new(&engine);
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |c| c).unwrap();
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let start = inst.get_typed_func::<(), ()>(&mut store, "_start").unwrap();
    let _ = start.call(&mut store, ());
    out.contents().to_vec()
}

#[test]
fn escapes_and_read_only_writes_are_refused_like_wasmtime() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    layout(a.path());
    layout(b.path());
    let before = snapshot(a.path());
    let wasm = std::fs::read(guests().join("escape.wasm")).unwrap();
    let ours = String::from_utf8(run_on_wasmbed(&wasm, a.path())).unwrap();
    assert_eq!(
        ours.as_bytes(),
        run_on_wasmtime(&wasm, b.path()),
        "wasmbed vs wasmtime"
    );
    assert_eq!(snapshot(a.path()), before, "the guest changed something");
    // wasi-libc refuses `/etc/passwd` itself (no preopen matches it); the host's own
    // refusal of absolute paths is `an_absolute_path_reaching_the_host_is_eperm`.
    let expect = "\
open ../outside.txt: Operation not permitted
open sub/../../outside.txt: Operation not permitted
open /etc/passwd: No such file or directory
open link/outside.txt: Operation not permitted
open link: Operation not permitted
open ro/secret.txt: Operation not permitted
open ro/new.txt: Operation not permitted
open ro/secret.txt: OPENED
rename ro: Operation not permitted
unlink ro: Operation not permitted
mkdir ro: Operation not permitted
write bad fd: Bad file descriptor
close bad fd: Bad file descriptor
";
    assert_eq!(ours, expect);
}

/// Guest strings for inline WAT: each call to [`Strings::at`] adds a data segment.
#[derive(Default)]
struct Strings {
    data: String,
    next: u32,
}

impl Strings {
    /// `(i32.const ptr) (i32.const len)` of `text`, placed from 1024 on.
    fn at(&mut self, text: &str) -> String {
        let ptr = 1024 + self.next;
        self.next += 64;
        self.data += &format!("(data (i32.const {ptr}) \"{text}\")\n");
        format!("(i32.const {ptr}) (i32.const {})", text.len())
    }
}

/// Every path function, given a way out, is refused with `EPERM`, as wasmtime refuses it.
#[test]
fn every_path_function_refuses_escapes_like_wasmtime() {
    let mut s = Strings::default();
    let (follow, nofollow) = ("(i32.const 1)", "(i32.const 0)");
    let checks = [
        // A symlink planted by the host, pointing outside.
        format!("(call $stat (i32.const 3) {follow} {} (i32.const 512))", s.at("link/outside.txt")),
        format!("(call $stat (i32.const 3) {follow} {} (i32.const 512))", s.at("link")),
        format!("(call $stat (i32.const 3) {nofollow} {} (i32.const 512))", s.at("link")),
        format!("(call $readlink (i32.const 3) {} (i32.const 256) (i32.const 64) (i32.const 320))", s.at("link")),
        format!("(call $mkdir (i32.const 3) {})", s.at("link/evil")),
        format!("(call $unlink (i32.const 3) {})", s.at("link/outside.txt")),
        format!("(call $rename (i32.const 3) {} (i32.const 3) {})", s.at("link/outside.txt"), s.at("stolen")),
        format!("(call $link (i32.const 3) {nofollow} {} (i32.const 3) {})", s.at("link/outside.txt"), s.at("stolen")),
        format!("(call $times (i32.const 3) {follow} {} (i64.const 0) (i64.const 0) (i32.const 10))", s.at("link/outside.txt")),
        // `..` above the preopen.
        format!("(call $mkdir (i32.const 3) {})", s.at("../evil")),
        format!("(call $unlink (i32.const 3) {})", s.at("../outside/outside.txt")),
        format!("(call $rename (i32.const 3) {} (i32.const 3) {})", s.at("sub"), s.at("../moved")),
        format!("(call $open (i32.const 3) {follow} {} (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 320))", s.at("sub/../../outside/outside.txt")),
        // Absolute paths and symlink targets.
        format!("(call $stat (i32.const 3) {follow} {} (i32.const 512))", s.at("/etc/passwd")),
        format!("(call $symlink {} (i32.const 3) {})", s.at("/etc/passwd"), s.at("abs")),
        // A relative symlink may climb out, but nothing goes through it.
        format!("(call $symlink {} (i32.const 3) {})", s.at("../outside"), s.at("rel")),
        format!("(call $open (i32.const 3) {follow} {} (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 320))", s.at("rel/outside.txt")),
        format!("(call $unlink (i32.const 3) {})", s.at("rel")),
        // The read-only preopen: no times, and nothing linked or moved out of it.
        format!("(call $times (i32.const 4) {follow} {} (i64.const 0) (i64.const 0) (i32.const 10))", s.at("secret.txt")),
        format!("(call $link (i32.const 4) {nofollow} {} (i32.const 3) {})", s.at("secret.txt"), s.at("copy")),
        format!("(call $rename (i32.const 4) {} (i32.const 3) {})", s.at("secret.txt"), s.at("moved")),
    ];
    let body: String = checks
        .iter()
        .map(|c| format!("(call $report {c})\n"))
        .collect();
    let wasm = wat::parse_str(format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $stat (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_set_times" (func $times (param i32 i32 i32 i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_readlink" (func $readlink (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file" (func $unlink (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename" (func $rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_link" (func $link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $symlink (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 208) "\c8\00\00\00\01\00\00\00")
  {}
  ;; Reports one errno as a byte on stdout.
  (func $report (param i32)
    (i32.store8 (i32.const 200) (local.get 0))
    (drop (call $write (i32.const 1) (i32.const 208) (i32.const 1) (i32.const 216))))
  (func (export "_start") {body}))"#,
        s.data
    ))
    .unwrap();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    layout(a.path());
    layout(b.path());
    let before = snapshot(a.path());
    let ours = run_on_wasmbed(&wasm, a.path());
    assert_eq!(
        ours,
        run_on_wasmtime(&wasm, b.path()),
        "wasmbed vs wasmtime"
    );
    let (ok, perm) = (0, 63);
    let expect = [
        perm, perm, ok, perm, perm, perm, perm, perm, perm, // planted symlink
        perm, perm, perm, perm, // `..`
        perm, perm, // absolute
        ok, perm, ok, // climbing relative symlink
        perm, perm, perm, // read-only
    ];
    assert_eq!(ours, expect);
    assert_eq!(snapshot(a.path()), before, "the guest changed something");
}

fn wat_guest(body: &str) -> Guest<E> {
    let wasm = wat::parse_str(format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") {body}))"#
    ))
    .unwrap();
    Guest::new(&engine(), &wasm, World::empty("wat")).unwrap()
}

fn instance(
    guest: &Guest<E>,
    policy: Policy,
) -> Result<wasmbed::Instance<E, WasiCtx>, wasmbed::Error> {
    let ctx = policy.build().unwrap();
    wasmbed_wasi::instantiate(guest, ctx, Limits::default())
}

#[test]
fn an_out_of_bounds_pointer_traps_as_wasmtime_does() {
    // An iovec array past the end of memory, then an iovec whose buffer is past the end.
    for body in [
        "(drop (call $write (i32.const 1) (i32.const 65532) (i32.const 1) (i32.const 0)))",
        "(i32.store (i32.const 0) (i32.const 65530)) (i32.store (i32.const 4) (i32.const 100))
         (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))",
        "(drop (call $random (i32.const 65535) (i32.const 2)))",
    ] {
        let guest = wat_guest(body);
        let policy = Policy::new().stdout(Capture::new()).allow_random();
        let mut inst = instance(&guest, policy).unwrap();
        let err = inst.call_core("_start").unwrap_err();
        assert!(err.to_string().contains("outside memory"), "{err}");
        assert!(inst.is_poisoned());
    }
}

#[test]
fn a_bad_descriptor_and_a_denied_stream_are_ebadf() {
    let guest = wat_guest(
        "(i32.store (i32.const 100) (call $write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 8)))
         (i32.store (i32.const 104) (call $write (i32.const 12345) (i32.const 0) (i32.const 0) (i32.const 8)))
         (if (i32.ne (i32.load (i32.const 100)) (i32.const 8)) (then unreachable))
         (if (i32.ne (i32.load (i32.const 104)) (i32.const 8)) (then unreachable))",
    );
    // No stdout granted: fd 1 does not exist.
    instance(&guest, Policy::new().allow_random())
        .unwrap()
        .call_core("_start")
        .unwrap();
}

#[test]
fn a_denied_grant_is_a_link_error_naming_import_and_grant() {
    let guest = wat_guest("");
    let err = instance(&guest, Policy::new()).err().unwrap();
    assert_eq!(
        err.to_string(),
        "import `wasi_snapshot_preview1` `random_get` is denied: it needs the `random` grant, which the policy denies"
    );
}

#[test]
fn the_descriptor_limit_is_emfile() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), "x").unwrap();
    let wasm = wat::parse_str(
        r#"(module
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "f")
  (func (export "_start")
    (if (i32.ne (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 8)) (i32.const 0)) (then unreachable))
    (if (i32.ne (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 8)) (i32.const 33)) (then unreachable))))"#,
    )
    .unwrap();
    let guest = Guest::new(&engine(), &wasm, World::empty("fds")).unwrap();
    let policy = Policy::new()
        .preopen_dir(dir.path(), ".", true)
        .max_open_fds(2);
    instance(&guest, policy)
        .unwrap()
        .call_core("_start")
        .unwrap();
}

#[test]
fn an_absolute_path_reaching_the_host_is_eperm() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = wat::parse_str(
        r#"(module
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "/etc/passwd")
  (func (export "_start")
    (if (i32.ne (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 11) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 16)) (i32.const 63)) (then unreachable))))"#,
    )
    .unwrap();
    let guest = Guest::new(&engine(), &wasm, World::empty("abs")).unwrap();
    let policy = Policy::new().preopen_dir(dir.path(), ".", false);
    instance(&guest, policy)
        .unwrap()
        .call_core("_start")
        .unwrap();
}
