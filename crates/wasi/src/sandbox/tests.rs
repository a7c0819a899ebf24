use super::*;

fn place(root: &Path) -> Place {
    Place {
        root: root.canonicalize().unwrap(),
        rel: PathBuf::new(),
        read_only: false,
    }
}

#[test]
fn dotdot_inside_stays_and_outside_is_eperm() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("a")).unwrap();
    let p = place(dir.path());
    let r = resolve(&p, "a/../b", true, "t").unwrap();
    assert_eq!(r.rel, PathBuf::from("b"));
    assert_eq!(
        resolve(&p, "a/../../x", true, "t").unwrap_err(),
        Errno::Perm
    );
    assert_eq!(
        resolve(&p, "/etc/passwd", true, "t").unwrap_err(),
        Errno::Perm
    );
    assert_eq!(resolve(&p, "", true, "t").unwrap_err(), Errno::Noent);
}

#[cfg(unix)]
#[test]
fn symlinks_are_followed_inside_only() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("a")).unwrap();
    std::os::unix::fs::symlink("a", dir.path().join("in")).unwrap();
    std::os::unix::fs::symlink("/etc", dir.path().join("abs")).unwrap();
    std::os::unix::fs::symlink("../..", dir.path().join("a/up")).unwrap();
    std::os::unix::fs::symlink("loop", dir.path().join("loop")).unwrap();
    let p = place(dir.path());
    assert_eq!(
        resolve(&p, "in/f", true, "t").unwrap().rel,
        PathBuf::from("a/f")
    );
    assert_eq!(
        resolve(&p, "in", false, "t").unwrap().rel,
        PathBuf::from("in")
    );
    assert_eq!(
        resolve(&p, "abs/passwd", true, "t").unwrap_err(),
        Errno::Perm
    );
    assert_eq!(resolve(&p, "abs", true, "t").unwrap_err(), Errno::Perm);
    assert_eq!(resolve(&p, "a/up/x", true, "t").unwrap_err(), Errno::Perm);
    assert_eq!(resolve(&p, "loop", true, "t").unwrap_err(), Errno::Loop);
}
