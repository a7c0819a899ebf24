//! The C programs agree on wasmbed, wasmtime and natively: stdout, stderr, exit code, files left.

use crate::harness::{agree, Input};

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[test]
fn hello_prints_and_exits_with_its_status() {
    let o = agree("hello", &Input::default(), |_| {});
    assert_eq!(
        (o.stdout.as_str(), o.stderr.as_str(), o.code),
        ("hello from wasi\n", "to stderr\n", 3)
    );
}

#[test]
fn args_and_environment() {
    let input = Input {
        args: s(&["one", "two words", ""]),
        env: vec![
            ("WASMBED_GREETING".into(), "hi there".into()),
            ("WASMBED_X".into(), "1".into()),
        ],
        ..Input::default()
    };
    let o = agree("args_env", &input, |_| {});
    assert!(o.stdout.contains("arg[2]=two words\n"), "{}", o.stdout);
    assert!(o.stdout.contains("getenv=hi there\n"), "{}", o.stdout);
}

#[test]
fn clocks_and_random_have_the_right_shape() {
    let input = Input {
        clocks_and_random: true,
        ..Input::default()
    };
    let o = agree("clock_random", &input, |_| {});
    assert_eq!(
        o.stdout,
        "realtime ok=1\nmonotonic advances=1\ngetentropy=0 nonzero>32=1\n"
    );
}

#[test]
fn files_create_write_read_seek_rename_remove() {
    let o = agree("files", &Input::default(), |d| {
        std::fs::write(d.join("keep.txt"), "untouched").unwrap();
    });
    assert_eq!(o.code, 0, "{o:?}");
    assert!(o.stdout.ends_with("done\n"), "{}", o.stdout);
    let names: Vec<&str> = o.files.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(names, ["c.txt", "keep.txt", "sub/", "sub/d.txt"]);
}

#[test]
fn directory_listing() {
    let o = agree("listdir", &Input::default(), |d| {
        for f in ["b", "a", "zz"] {
            std::fs::write(d.join(f), f).unwrap();
        }
        std::fs::create_dir(d.join("dir")).unwrap();
    });
    assert_eq!(o.stdout, "a\nb\ndir/\nzz\n");
}

#[test]
fn stdin_to_stdout() {
    let input = Input {
        stdin: Some(b"hello, stdin\nsecond line\n".to_vec()),
        ..Input::default()
    };
    let o = agree("cat", &input, |_| {});
    assert_eq!(
        (o.stdout.as_str(), o.stderr.as_str()),
        ("HELLO, STDIN\nSECOND LINE\n", "25 bytes\n")
    );
}
