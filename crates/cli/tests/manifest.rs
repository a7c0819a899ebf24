//! `wasmbed run`'s manifest `wasmbed.toml`: the grants it makes to the C guests of
//! `guests/wasi`, how flags combine with it, and its one-line errors.

mod common;

use common::{repo, wasmbed};
use std::path::Path;

/// Copies `guests/wasi/NAME.wasm` into `dir` with `manifest` as `wasmbed.toml` beside it.
fn guest_with_manifest(dir: &Path, name: &str, manifest: &str) -> String {
    let file = dir.join(format!("{name}.wasm"));
    std::fs::copy(repo().join(format!("guests/wasi/{name}.wasm")), &file).unwrap();
    std::fs::write(dir.join("wasmbed.toml"), manifest).unwrap();
    file.display().to_string()
}

/// A manifest in its own directory, away from any guest.
fn manifest_file(dir: &Path, text: &str) -> String {
    let conf = dir.join("conf");
    std::fs::create_dir_all(&conf).unwrap();
    let file = conf.join("other.toml");
    std::fs::write(&file, text).unwrap();
    file.display().to_string()
}

#[test]
fn without_a_manifest_the_guest_gets_no_args_and_no_env() {
    let (code, out, err) = wasmbed(&["run", "guests/wasi/args_env.wasm"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, "argc=1\ngetenv=(unset)\n");
}

#[test]
fn a_manifest_next_to_the_guest_grants_args_and_env() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = r#"
[wasi]
args = ["one", "two words"]
env = { WASMBED_GREETING = "hi", WASMBED_MODE = "test", OTHER = "x" }
"#;
    let file = guest_with_manifest(tmp.path(), "args_env", manifest);
    let (code, out, err) = wasmbed(&["run", &file, "--", "three"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        "argc=4\narg[1]=one\narg[2]=two words\narg[3]=three\n\
         env WASMBED_GREETING=hi\nenv WASMBED_MODE=test\ngetenv=hi\n"
    );
}

#[test]
fn a_manifest_preopen_is_relative_to_the_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("data/sub")).unwrap();
    std::fs::write(tmp.path().join("data/a.txt"), "a").unwrap();
    let manifest = "[[wasi.dir]]\nhost = \"data\"\nguest = \".\"\n";
    let file = guest_with_manifest(tmp.path(), "listdir", manifest);
    let (code, out, err) = wasmbed(&["run", &file]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, "a.txt\nsub/\n");
}

#[test]
fn a_read_only_preopen_refuses_writes() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("data")).unwrap();
    let manifest = "[[wasi.dir]]\nhost = \"data\"\nguest = \".\"\nread-only = true\n";
    let file = guest_with_manifest(tmp.path(), "files", manifest);
    let (code, out, err) = wasmbed(&["run", &file]);
    assert_eq!((code, out.as_str()), (1, ""));
    // The host's denial, logged, then the guest's `perror`.
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].starts_with("wasmbed: warning: wasi: denied: ")
            && lines[0].ends_with("read-only preopen func=\"path_open\""),
        "{err}"
    );
    assert_eq!(lines[1], "open a.txt: Operation not permitted");
    assert_eq!(
        std::fs::read_dir(tmp.path().join("data")).unwrap().count(),
        0
    );
    // The same directory, writable: the guest gets to the end.
    let manifest = "[[wasi.dir]]\nhost = \"data\"\nguest = \".\"\n";
    std::fs::write(tmp.path().join("wasmbed.toml"), manifest).unwrap();
    let (code, out, err) = wasmbed(&["run", &file]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(out.ends_with("done\n"), "{out}");
}

#[test]
fn the_manifest_grants_clocks_and_random_and_deny_flags_take_them_back() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = "[wasi]\nclocks = true\nrandom = true\n";
    let file = guest_with_manifest(tmp.path(), "clock_random", manifest);
    let (code, out, err) = wasmbed(&["run", &file]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        "realtime ok=1\nmonotonic advances=1\ngetentropy=0 nonzero>32=1\n"
    );
    let (code, _, err) = wasmbed(&["run", &file, "--deny-clock"]);
    assert_eq!(code, 1);
    assert!(err.contains("needs the `clocks` grant"), "{err}");
    let (code, _, err) = wasmbed(&["run", &file, "--deny-random"]);
    assert_eq!(code, 1);
    assert!(err.contains("needs the `random` grant"), "{err}");
}

#[test]
fn manifest_flag_replaces_the_one_next_to_the_guest() {
    let tmp = tempfile::tempdir().unwrap();
    let file = guest_with_manifest(tmp.path(), "args_env", "[wasi]\nargs = [\"next\"]\n");
    let other = manifest_file(tmp.path(), "[wasi]\nargs = [\"other\"]\n");
    let (code, out, err) = wasmbed(&["run", &file, "--manifest", &other]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, "argc=2\narg[1]=other\ngetenv=(unset)\n");
}

#[test]
fn flags_add_to_the_manifest_and_win_over_it() {
    let tmp = tempfile::tempdir().unwrap();
    let other = manifest_file(
        tmp.path(),
        "[wasi]\nargs = [\"m\"]\nenv = { WASMBED_GREETING = \"manifest\", WASMBED_KEEP = \"k\" }\n",
    );
    let (code, out, err) = wasmbed(&[
        "run",
        "guests/wasi/args_env.wasm",
        "--manifest",
        &other,
        "--env",
        "WASMBED_GREETING=flag",
        "--env",
        "WASMBED_EXTRA=x",
        "--",
        "f",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        "argc=3\narg[1]=m\narg[2]=f\n\
         env WASMBED_EXTRA=x\nenv WASMBED_GREETING=flag\nenv WASMBED_KEEP=k\ngetenv=flag\n"
    );
    // `--no-stdio` takes stdout away from what the manifest (by default) grants.
    let (code, out, _) = wasmbed(&[
        "run",
        "guests/wasi/args_env.wasm",
        "--manifest",
        &other,
        "--no-stdio",
    ]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn a_dir_flag_replaces_the_manifest_dir_with_the_same_guest_path() {
    let tmp = tempfile::tempdir().unwrap();
    for (d, f) in [("a", "from-manifest"), ("b", "from-flag")] {
        std::fs::create_dir(tmp.path().join(d)).unwrap();
        std::fs::write(tmp.path().join(d).join(f), "").unwrap();
    }
    let other = manifest_file(
        tmp.path(),
        "[[wasi.dir]]\nhost = \"../a\"\nguest = \".\"\nread-only = true\n",
    );
    let (code, out, err) = wasmbed(&["run", "guests/wasi/listdir.wasm", "--manifest", &other]);
    assert_eq!(
        (code, err.as_str(), out.as_str()),
        (0, "", "from-manifest\n")
    );
    let b = format!("{}::.", tmp.path().join("b").display());
    let (code, out, err) = wasmbed(&[
        "run",
        "guests/wasi/listdir.wasm",
        "--manifest",
        &other,
        "--dir",
        &b,
    ]);
    assert_eq!((code, err.as_str(), out.as_str()), (0, "", "from-flag\n"));
}

/// Runs `guest` beside a manifest `text`; expects one `error:` line that
/// names the manifest at `line`, and says `what`.
fn assert_manifest_error(text: &str, line: Option<u32>, what: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let file = guest_with_manifest(tmp.path(), "hello", text);
    let (code, out, err) = wasmbed(&["run", &file]);
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    assert_eq!(err.lines().count(), 1, "not one line:\n{err}");
    let manifest = tmp.path().join("wasmbed.toml").display().to_string();
    let at = match line {
        Some(n) => format!("{manifest}:{n}:"),
        None => format!("{manifest}: "),
    };
    assert!(err.starts_with(&format!("error: {file}: {at}")), "{err}");
    assert!(err.contains(what), "no `{what}` in {err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
}

#[test]
fn a_malformed_manifest_is_one_line_with_its_place() {
    assert_manifest_error("[wasi\nstdin = true\n", Some(1), "");
    assert_manifest_error("[wasi]\nstdin = \n", Some(2), "");
    assert_manifest_error("[wasi]\nstdin = \"yes\"\n", Some(2), "bool");
    assert_manifest_error("[wasi]\nmax-open-fds = -1\n", Some(2), "");
    assert_manifest_error("[[wasi.dir]]\nguest = \"/d\"\n", Some(1), "`host`");
}

#[test]
fn an_unknown_key_is_one_line_naming_it() {
    assert_manifest_error("[wasi]\nstdin = true\nstdni = true\n", Some(3), "`stdni`");
    assert_manifest_error("[wsai]\nstdin = true\n", Some(1), "`wsai`");
    assert_manifest_error(
        "[[wasi.dir]]\nhost = \".\"\nreadonly = true\n",
        Some(3),
        "`readonly`",
    );
}

#[test]
fn a_missing_preopen_is_one_line_naming_the_key() {
    assert_manifest_error(
        "[wasi]\nstdin = false\n\n[[wasi.dir]]\nhost = \"nope\"\n",
        Some(5),
        "`wasi.dir` host `nope`: No such file or directory",
    );
    assert_manifest_error(
        "[[wasi.dir]]\nhost = \"wasmbed.toml\"\n",
        Some(2),
        "`wasi.dir` host `wasmbed.toml`: not a directory",
    );
    assert_manifest_error(
        "[wasi.env]\n\"A=B\" = \"c\"\n",
        Some(2),
        "`wasi.env`: variable name `A=B` contains `=`",
    );
}

#[test]
fn a_missing_manifest_or_dir_flag_is_one_line() {
    let (code, _, err) = wasmbed(&[
        "run",
        "guests/wasi/hello.wasm",
        "--manifest",
        "no/such.toml",
    ]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("error: guests/wasi/hello.wasm: no/such.toml: "),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let (code, _, err) = wasmbed(&["run", "guests/wasi/hello.wasm", "--dir", "no/such::/d"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("error: guests/wasi/hello.wasm: --dir `no/such::/d`: "),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}
