//! The fuzzers' entry point reaches every function, and hostile arguments end in an errno or a trap.

use super::{call_preview1, count, function, Outcome};
use crate::{Capture, Errno, Policy};

fn ctx(dir: &std::path::Path) -> crate::WasiCtx {
    Policy::new()
        .arg("t")
        .stdout(Capture::new())
        .preopen_dir(dir, ".", false)
        .allow_clocks()
        .allow_random()
        .max_open_fds(6)
        .build()
        .unwrap()
}

#[test]
fn every_function_is_reached_once_and_indices_wrap() {
    let names: Vec<_> = (0..count()).map(|i| function(i).0).collect();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len());
    assert!(names.contains(&"path_open") && names.contains(&"poll_oneoff"));
    assert_eq!(function(count() + 3), function(3));
}

#[test]
fn hostile_arguments_are_an_errno_or_a_trap() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), "x").unwrap();
    let patterns = [0, 1, 3, 0xfffc, 0x1_0000, u32::MAX.into(), u64::MAX];
    for index in 0..count() {
        for &v in &patterns {
            let mut c = ctx(dir.path());
            let mut mem = vec![0u8; 1 << 16];
            let args = vec![v; 9];
            let _ = call_preview1(&mut c, &mut mem, index, &args);
        }
    }
}

#[test]
fn a_pointer_past_memory_traps_and_a_denied_grant_is_unlinked() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = ctx(dir.path());
    let mut mem = vec![0u8; 64];
    let i = (0..count())
        .find(|&i| function(i).0 == "fd_fdstat_get")
        .unwrap();
    assert!(matches!(
        call_preview1(&mut c, &mut mem, i, &[1, 64]),
        Outcome::Trap(_)
    ));
    assert!(matches!(
        call_preview1(&mut c, &mut mem, i, &[1, 8]),
        Outcome::Errno(Errno::Success)
    ));
    let mut denied = Policy::new().build().unwrap();
    let r = (0..count())
        .find(|&i| function(i).0 == "random_get")
        .unwrap();
    assert!(matches!(
        call_preview1(&mut denied, &mut mem, r, &[0, 8]),
        Outcome::Unlinked
    ));
}
