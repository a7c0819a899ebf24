//! Malicious guests: escapes by `..`, absolute path and planted symlink; read-only writes;
//! bad descriptors; out-of-bounds pointers; denied grants. Nothing leaves the sandbox.

use std::path::Path;

use wasmbed::{Guest, Limits, Linker, Wasmi, World};
use wasmbed_wasi::{Capture, Policy};

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

fn run_escape_on_wasmbed(root: &Path) -> String {
    let wasm = std::fs::read(guests().join("escape.wasm")).unwrap();
    let out = Capture::new();
    let ctx = Policy::new()
        .arg("escape")
        .stdout(out.clone())
        .preopen_dir(root.join("box"), ".", false)
        .preopen_dir(root.join("ro"), "ro", true)
        .build()
        .unwrap();
    let guest = Guest::new(&Wasmi::new(), &wasm, World::empty("escape")).unwrap();
    let (mut inst, _) =
        wasmbed_wasi::instantiate(&guest, &mut Linker::new(), ctx, Limits::default()).unwrap();
    let r = inst.call_core("_start");
    assert!(
        r.is_ok() || r.as_ref().err().and_then(|e| e.exit_code()) == Some(0),
        "{r:?}"
    );
    String::from_utf8(out.contents()).unwrap()
}

fn run_escape_on_wasmtime(root: &Path) -> String {
    use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
    use wasmtime_wasi::FsPerms;
    let engine = wasmtime::Engine::default();
    let module = wasmtime::Module::from_file(&engine, guests().join("escape.wasm")).unwrap();
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
    String::from_utf8(out.contents().to_vec()).unwrap()
}

#[test]
fn escapes_and_read_only_writes_are_refused_like_wasmtime() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    layout(a.path());
    layout(b.path());
    let before = snapshot(a.path());
    let ours = run_escape_on_wasmbed(a.path());
    assert_eq!(ours, run_escape_on_wasmtime(b.path()));
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

fn wat_guest(body: &str) -> Guest<Wasmi> {
    let wasm = wat::parse_str(format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") {body}))"#
    ))
    .unwrap();
    Guest::new(&Wasmi::new(), &wasm, World::empty("wat")).unwrap()
}

fn instance(
    guest: &Guest<Wasmi>,
    policy: Policy,
) -> Result<wasmbed::Instance<Wasmi>, wasmbed::Error> {
    let ctx = policy.build().unwrap();
    wasmbed_wasi::instantiate(guest, &mut Linker::new(), ctx, Limits::default()).map(|r| r.0)
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
        "import `wasi_snapshot_preview1` `random_get` needs the `random` grant, which the policy denies"
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
    let guest = Guest::new(&Wasmi::new(), &wasm, World::empty("fds")).unwrap();
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
    let guest = Guest::new(&Wasmi::new(), &wasm, World::empty("abs")).unwrap();
    let policy = Policy::new().preopen_dir(dir.path(), ".", false);
    instance(&guest, policy)
        .unwrap()
        .call_core("_start")
        .unwrap();
}
