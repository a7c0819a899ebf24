//! A guest mixing preview 1 with WIT imports: a wasi-libc command (`_start`)
//! that also calls WASI 0.2 through wit-bindgen (guests/wasi-mixed). Both must
//! share one stdout, one descriptor table and one descriptor limit.

use std::path::{Path, PathBuf};

use wasmbed::{Guest, Limits};
use wasmbed_wasi::{Capture, Policy};

use super::engine;
use crate::harness::{
    command_component, exit_status, run_component, snapshot, wit_world, Outcome,
};

/// Standard streams (3) and the preopen (1), then room for four more descriptors.
const MAX_OPEN_FDS: u32 = 8;

/// What the guest prints on wasmbed, with [`MAX_OPEN_FDS`].
///
/// The table lines (`fds: `) read: preview 1 opens a.txt as fd 4; the 0.2
/// preopen and b.txt descriptors take 5 and 6 in the same table, so preview
/// 1's next open is fd 7 (separate tables would give 5), and preview 1 sees 5
/// and 6 as EBADF and cannot close them. The table is then full for both:
/// preview 1 gets EMFILE and 0.2 gets `insufficient-memory`. Dropping the 0.2
/// b.txt descriptor frees 6, which preview 1's next open reuses.
const EXPECTED: &str = "\
one
two
three
fds: preview 1 open a.txt: fd 4
WASI 0.2 preopen: \".\"
fds: preview 1 open a.txt again: fd 7
fds: preview 1 fstat of fds 3-9: oo--o--
fds: numbers below fd 7 preview 1 cannot use: 5 6
fds: preview 1 close(5): EBADF
fds: preview 1 close(6): EBADF
fds: preview 1 open at the limit: EMFILE
fds: WASI 0.2 open-at at the limit: insufficient-memory
fds: preview 1 open b.txt after the 0.2 drop: fd 6
b.txt through preview 1 and WASI 0.2: bravo
a.txt through preview 1 and WASI 0.2: alpha
c.txt:
line 1 from preview 1
line 2 from WASI 0.2
failed checks: 0
";

fn wasm() -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../guests/wasi-mixed/mixed.wasm");
    std::fs::read(p).unwrap()
}

fn setup(dir: &Path) {
    std::fs::write(dir.join("a.txt"), "alpha\n").unwrap();
    std::fs::write(dir.join("b.txt"), "bravo\n").unwrap();
}

fn outcome(out: Vec<u8>, err: Vec<u8>, code: i32, dir: &Path) -> Outcome {
    Outcome {
        stdout: String::from_utf8(out).unwrap(),
        stderr: String::from_utf8(err).unwrap(),
        code,
        files: snapshot(dir),
    }
}

/// Runs the guest on wasmbed; also returns how many descriptors were open when it returned.
fn on_wasmbed(dir: &Path) -> (Outcome, usize) {
    let wasm = wasm();
    let world = wasmbed_wit::world_from_module(&wasm)
        .unwrap()
        .expect("the guest carries its world");
    let guest = Guest::new(&engine(), &wasm, world).unwrap();
    let (out, err) = (Capture::new(), Capture::new());
    let ctx = Policy::new()
        .arg("mixed")
        .stdin(std::io::empty())
        .stdout(out.clone())
        .stderr(err.clone())
        .preopen_dir(dir, ".", false)
        .max_open_fds(MAX_OPEN_FDS)
        .build()
        .unwrap();
    let mut inst = wasmbed_wasi::instantiate(&guest, ctx, Limits::default()).unwrap();
    let code = match inst.call_core("_start") {
        Ok(()) => 0,
        Err(e) => e.exit_code().unwrap_or_else(|| panic!("{e}")),
    };
    let open = inst.data().open_fds();
    (outcome(out.contents(), err.contents(), code, dir), open)
}

/// The same module as a component, its preview 1 imports served by wasmtime's
/// command adapter (which exports `wasi:cli/run` calling `_start`), on wasmtime-wasi.
fn on_wasmtime(dir: &Path) -> Outcome {
    use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
    let component = command_component(&wasm());
    let (out, err) = (
        MemoryOutputPipe::new(1 << 20),
        MemoryOutputPipe::new(1 << 20),
    );
    let mut b = wasmtime_wasi::WasiCtxBuilder::new();
    b.arg("mixed").stdout(out.clone()).stderr(err.clone());
    b.preopened_dir(dir, ".", wasmtime_wasi::FsPerms::ReadWrite)
        .unwrap();
    let code = exit_status(run_component(&component, &mut b));
    outcome(out.contents().to_vec(), err.contents().to_vec(), code, dir)
}

/// The command-adapter component of [`on_wasmtime`], lowered by
/// wasmbed-lower, on wasmbed. Its lowers name two reallocs (the main
/// module's for its own WASI 0.2 calls, the adapter's for preview 1's), so
/// the lowered module routes each import's through a trampoline.
fn lowered_on_wasmbed(dir: &Path) -> Outcome {
    let component = command_component(&wasm());
    let core = wasmbed_lower::lower(&component, wasmbed_lower::Scheme::Cm32p2).unwrap();
    let world = wasmbed_wit::world_from_module(&core).unwrap().unwrap();
    let guest = Guest::new(&engine(), &core, world).unwrap();
    let (out, err) = (Capture::new(), Capture::new());
    let ctx = Policy::new()
        .arg("mixed")
        .stdout(out.clone())
        .stderr(err.clone())
        .preopen_dir(dir, ".", false)
        .build()
        .unwrap();
    let mut inst = wasmbed_wasi::instantiate(&guest, ctx, Limits::default()).unwrap();
    let code = match inst.call("wasi:cli/run@0.2.0#run", &[]) {
        Ok(Some(wasmbed::Val::Result(Ok(_)))) => 0,
        Ok(_) => 1,
        Err(e) => e.exit_code().unwrap_or_else(|| panic!("{e}")),
    };
    outcome(out.contents(), err.contents(), code, dir)
}

#[test]
fn the_component_lowered_prints_what_wasmtime_prints_running_it() {
    let run = |f: &dyn Fn(&Path) -> Outcome| {
        let dir = tempfile::tempdir().unwrap();
        setup(dir.path());
        f(dir.path())
    };
    let theirs = run(&on_wasmtime);
    let lowered = run(&lowered_on_wasmbed);
    assert_eq!(lowered, theirs);
    assert!(lowered.stdout.ends_with("failed checks: 0\n"), "{}", lowered.stdout);
}

/// The lines every host must print alike: all but the descriptor-table ones.
fn portable(stdout: &str) -> Vec<&str> {
    stdout.lines().filter(|l| !l.starts_with("fds: ")).collect()
}

fn expected_files() -> Vec<(String, String)> {
    vec![
        ("a.txt".into(), "alpha\n".into()),
        ("b.txt".into(), "bravo\n".into()),
        (
            "c.txt".into(),
            "line 1 from preview 1\nline 2 from WASI 0.2\n".into(),
        ),
    ]
}

#[test]
fn preview1_and_wasi_0_2_share_one_stdout_one_table_and_one_limit() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let (ours, open) = on_wasmbed(dir.path());
    assert_eq!(ours.stdout, EXPECTED);
    assert_eq!(ours.stderr, "");
    assert_eq!(ours.code, 0);
    assert_eq!(ours.files, expected_files());
    // The guest closed and dropped everything it opened: stdio and the preopen remain.
    assert_eq!(open, 4);
}

#[test]
fn the_guest_imports_both_preview1_and_wasi_0_2() {
    let wasm = wasm();
    let world = wasmbed_wit::world_from_module(&wasm).unwrap().unwrap();
    let g = Guest::new(&engine(), &wasm, world).unwrap();
    let modules: Vec<&str> = g.imports().iter().map(|i| i.module.as_str()).collect();
    assert!(modules.contains(&wasmbed_wasi::PREVIEW1), "{modules:?}");
    assert!(
        modules.contains(&"wasi:filesystem/types@0.2.12"),
        "{modules:?}"
    );
}

/// On wasmtime the adapter keeps preview 1's descriptors in its own table,
/// apart from the component's 0.2 handles, and sets no descriptor limit, so
/// the `fds: ` lines legitimately differ there: preview 1's second open is fd
/// 5, it sees no numbers held by 0.2, and no open hits a limit (what wasmbed
/// would print with two tables). The output order, the contents read through
/// both paths, the file written through both, and the status must agree.
#[test]
fn the_portable_part_agrees_with_wasmtime_and_its_adapter() {
    let run = |f: &dyn Fn(&Path) -> Outcome| {
        let dir = tempfile::tempdir().unwrap();
        setup(dir.path());
        f(dir.path())
    };
    let ours = run(&|d| on_wasmbed(d).0);
    let theirs = run(&on_wasmtime);
    assert_eq!(portable(&theirs.stdout), portable(&ours.stdout));
    assert_eq!(
        theirs.stdout.lines().take(3).collect::<Vec<_>>(),
        ["one", "two", "three"]
    );
    assert_eq!((theirs.code, &theirs.files), (ours.code, &ours.files));
    // Without a shared table or limit, wasmtime's preview 1 opens never hit EMFILE.
    assert!(
        theirs
            .stdout
            .contains("fds: preview 1 open at the limit: ok\n"),
        "{}",
        theirs.stdout
    );
}

/// Regression: a guest whose `realloc` calls preview 1 while a WASI 0.2 read
/// lowers its bytes used to deadlock the host on the context's lock; the
/// runtime now traps any import called from `realloc`, core imports included.
#[test]
fn a_preview1_call_from_realloc_traps_instead_of_deadlocking() {
    let wat = r#"(module
      (import "wasi:cli/stdin@0.2.12" "get-stdin" (func $stdin (result i32)))
      (import "wasi:io/streams@0.2.12" "[method]input-stream.read" (func $read (param i32 i64 i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
        (drop (call $w (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 8))) (i32.const 1024))
      (func (export "_start") (call $read (call $stdin) (i64.const 4) (i32.const 64))))"#;
    let wasm = wat::parse_str(wat).unwrap();
    let (resolve, world) = wit_world("imports");
    let world = wasmbed_wit::world_from_resolve(&resolve, world).unwrap();
    let guest = wasmbed::Guest::new(&engine(), &wasm, world).unwrap();
    let ctx = wasmbed_wasi::Policy::new()
        .stdin(std::io::Cursor::new(b"data".to_vec()))
        .stdout(wasmbed_wasi::Capture::new())
        .build()
        .unwrap();
    let mut inst = wasmbed_wasi::instantiate(&guest, ctx, wasmbed::Limits::default()).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let r = inst.call_core("_start").map_err(|e| e.to_string());
        let _ = tx.send(r);
    });
    let r = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the call returns instead of deadlocking");
    let e = r.unwrap_err();
    assert!(
        e.contains("wasi_snapshot_preview1#fd_write") && e.contains("realloc"),
        "{e}"
    );
}
