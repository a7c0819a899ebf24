//! Path resolution cannot be raced: a host swapping a checked directory for a
//! symlink out of the sandbox never leads a guest's operation outside.
//!
//! Every operation is relative to an open directory handle, so a descriptor the
//! guest holds keeps meaning the directory it opened, and a path through the
//! swapped name is resolved afresh, beneath the preopen, and refused.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;

use wasmbed::{Guest, Instance, Limits, World};
use wasmbed_wasi::{Capture, Policy, WasiCtx};

use super::{engine, E};

const INSIDE: &str = "inside!";
const OUTSIDE: &str = "OUTSIDE-SECRET";

/// `box/` (the preopen) with `box/sub/secret`, and `outside/secret` beside it.
fn layout(root: &Path) {
    std::fs::create_dir_all(root.join("box/sub")).unwrap();
    std::fs::create_dir_all(root.join("outside")).unwrap();
    std::fs::write(root.join("box/sub/secret"), INSIDE).unwrap();
    std::fs::write(root.join("outside/secret"), OUTSIDE).unwrap();
}

/// A guest whose exports call preview 1 path functions and report each result
/// as 4 little-endian bytes on stdout. Strings: `sub` at 0, `secret` at 16,
/// `sub/secret` at 32, `made` at 48, `sub/made` at 64.
fn guest(exports: &str) -> Guest<E> {
    let wasm = wat::parse_str(format!(
        r#"(module
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $stat (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_remove_directory" (func $rmdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "sub")
  (data (i32.const 16) "secret")
  (data (i32.const 32) "sub/secret")
  (data (i32.const 48) "made")
  (data (i32.const 64) "sub/made")
  ;; iovecs: the report slot at 200 (4 bytes), the read buffer at 300 (16 bytes).
  (data (i32.const 208) "\c8\00\00\00\04\00\00\00")
  (data (i32.const 320) "\2c\01\00\00\10\00\00\00")
  (func $report (param i32)
    (i32.store (i32.const 200) (local.get 0))
    (drop (call $write (i32.const 1) (i32.const 208) (i32.const 1) (i32.const 108))))
  ;; Reads up to 16 bytes of descriptor $fd into the buffer at 300, zeroed first.
  (func $read_into_buffer (param $fd i32) (result i32)
    (i64.store (i32.const 300) (i64.const 0))
    (i64.store (i32.const 308) (i64.const 0))
    (call $read (local.get $fd) (i32.const 320) (i32.const 1) (i32.const 108)))
  {exports})"#
    ))
    .unwrap();
    Guest::new(&engine(), &wasm, World::empty("race")).unwrap()
}

fn instance(guest: &Guest<E>, root: &Path, out: &Capture) -> Instance<E, WasiCtx> {
    let ctx = Policy::new()
        .stdout(out.clone())
        .preopen_dir(root.join("box"), ".", false)
        .build()
        .unwrap();
    wasmbed_wasi::instantiate(guest, ctx, Limits::default()).unwrap()
}

/// The 4-byte reports on stdout.
fn reports(out: &Capture) -> Vec<[u8; 4]> {
    out.contents()
        .chunks(4)
        .map(|c| c.try_into().unwrap())
        .collect()
}

fn errno(e: u32) -> [u8; 4] {
    e.to_le_bytes()
}

#[test]
fn a_held_directory_keeps_its_directory_after_a_swap_and_the_swapped_path_is_eperm() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    layout(root);
    let guest = guest(
        r#"
  ;; Opens `sub` with O_DIRECTORY; its descriptor goes to 100.
  (func (export "open_sub")
    (call $report (call $open (i32.const 3) (i32.const 1) (i32.const 0) (i32.const 3)
      (i32.const 2) (i64.const 16386) (i64.const 16386) (i32.const 0) (i32.const 100))))
  ;; Through the held descriptor: reads `secret`, creates `made`.
  (func (export "use_held")
    (call $report (call $open (i32.load (i32.const 100)) (i32.const 1) (i32.const 16) (i32.const 6)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 104)))
    (call $report (call $read_into_buffer (i32.load (i32.const 104))))
    (call $report (i32.load (i32.const 300)))
    (call $report (call $open (i32.load (i32.const 100)) (i32.const 1) (i32.const 48) (i32.const 4)
      (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 104))))
  ;; Through the swapped name, from the preopen: open, stat, mkdir, opendir.
  (func (export "use_path")
    (call $report (call $open (i32.const 3) (i32.const 1) (i32.const 32) (i32.const 10)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 104)))
    (call $report (call $stat (i32.const 3) (i32.const 1) (i32.const 32) (i32.const 10) (i32.const 512)))
    (call $report (call $mkdir (i32.const 3) (i32.const 64) (i32.const 8)))
    (call $report (call $open (i32.const 3) (i32.const 1) (i32.const 0) (i32.const 3)
      (i32.const 2) (i64.const 16386) (i64.const 16386) (i32.const 0) (i32.const 104))))"#,
    );
    let out = Capture::new();
    let mut inst = instance(&guest, root, &out);
    inst.call_core("open_sub").unwrap();
    assert_eq!(reports(&out), [errno(0)]);

    // The host swaps the checked directory for a symlink to the outside.
    std::fs::rename(root.join("box/sub"), root.join("box/moved")).unwrap();
    std::os::unix::fs::symlink(root.join("outside"), root.join("box/sub")).unwrap();

    inst.call_core("use_held").unwrap();
    let insi: [u8; 4] = INSIDE.as_bytes()[..4].try_into().unwrap();
    assert_eq!(
        reports(&out)[1..],
        [errno(0), errno(0), insi, errno(0)],
        "the held descriptor reads and creates in the directory it opened"
    );
    assert!(root.join("box/moved/made").exists());
    assert!(!root.join("outside/made").exists());

    inst.call_core("use_path").unwrap();
    assert_eq!(
        reports(&out)[5..],
        [errno(63), errno(63), errno(63), errno(63)],
        "a path through the swapped name is refused with EPERM"
    );
    let outside: Vec<_> = std::fs::read_dir(root.join("outside"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(outside, ["secret"]);
}

/// Against the former check-then-use resolver (`lstat` each component, then
/// open the joined host path) this read the outside secret in every run.
#[test]
fn resolution_cannot_be_raced_out_of_the_preopen() {
    const ROUNDS: u32 = 20000;
    let root = tempfile::tempdir().unwrap();
    let root = root.path().to_path_buf();
    layout(&root);
    let guest = guest(&format!(
        r#"
  ;; Counts, at 600.., reads of the outside secret, reads of the inside one,
  ;; stats of the outside secret (14 bytes), and directories made (then removed).
  (func (export "_start") (local $i i32)
    (loop $l
      (if (i32.eqz (call $open (i32.const 3) (i32.const 1) (i32.const 32) (i32.const 10)
            (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 104)))
        (then
          (drop (call $read_into_buffer (i32.load (i32.const 104))))
          (if (i32.eq (i32.load8_u (i32.const 300)) (i32.const 0x4f))
            (then (i32.store (i32.const 600) (i32.add (i32.load (i32.const 600)) (i32.const 1))))
            (else (i32.store (i32.const 604) (i32.add (i32.load (i32.const 604)) (i32.const 1)))))
          (drop (call $close (i32.load (i32.const 104))))))
      (if (i32.eqz (call $stat (i32.const 3) (i32.const 1) (i32.const 32) (i32.const 10) (i32.const 512)))
        (then (if (i64.eq (i64.load (i32.const 544)) (i64.const 14))
          (then (i32.store (i32.const 608) (i32.add (i32.load (i32.const 608)) (i32.const 1)))))))
      (if (i32.eqz (call $mkdir (i32.const 3) (i32.const 64) (i32.const 8)))
        (then
          (i32.store (i32.const 612) (i32.add (i32.load (i32.const 612)) (i32.const 1)))
          (drop (call $rmdir (i32.const 3) (i32.const 64) (i32.const 8)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const {ROUNDS}))))
    (call $report (i32.load (i32.const 600)))
    (call $report (i32.load (i32.const 604)))
    (call $report (i32.load (i32.const 608)))
    (call $report (i32.load (i32.const 612))))"#
    ));
    let out = Capture::new();
    let mut inst = instance(&guest, &root, &out);

    // The host flips `sub` between the real directory and a symlink to the outside.
    let stop = Arc::new(AtomicBool::new(false));
    let flips = Arc::new(AtomicU32::new(0));
    let flipper = {
        let (stop, flips, root) = (stop.clone(), flips.clone(), root.clone());
        std::thread::spawn(move || {
            let (sub, parked) = (root.join("box/sub"), root.join("parked"));
            while !stop.load(Ordering::Relaxed) {
                std::fs::rename(&sub, &parked).unwrap();
                std::os::unix::fs::symlink(root.join("outside"), &sub).unwrap();
                std::thread::yield_now();
                std::fs::remove_file(&sub).unwrap();
                std::fs::rename(&parked, &sub).unwrap();
                flips.fetch_add(1, Ordering::Relaxed);
                std::thread::yield_now();
            }
        })
    };
    let r = inst.call_core("_start");
    stop.store(true, Ordering::Relaxed);
    flipper.join().unwrap();
    r.unwrap();

    let counts: Vec<u32> = reports(&out).into_iter().map(u32::from_le_bytes).collect();
    let [outside_reads, inside_reads, outside_stats, made] = counts[..] else {
        panic!("reports: {counts:?}");
    };
    let flips = flips.load(Ordering::Relaxed);
    eprintln!("{flips} swaps; {inside_reads} inside reads, {made} directories made inside");
    assert!(flips > 0, "the host never raced");
    assert_eq!(
        outside_reads, 0,
        "read the outside secret ({inside_reads} inside)"
    );
    assert_eq!(outside_stats, 0, "stat the outside secret");
    assert!(
        !root.join("outside/made").exists(),
        "made {made} directories"
    );
    let outside: Vec<_> = std::fs::read_dir(root.join("outside"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(outside, ["secret"]);
}
