use super::*;
use crate::fs::{self, Kind};

fn place(root: &Path, read_only: bool) -> Place {
    let dir = cap_std::fs::Dir::open_ambient_dir(root, cap_std::ambient_authority()).unwrap();
    Place { dir, read_only }
}

#[test]
fn dotdot_inside_stays_and_outside_is_eperm() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("a")).unwrap();
    std::fs::write(dir.path().join("b"), "b").unwrap();
    let p = place(dir.path(), false);
    assert_eq!(fs::stat_at(&p, "a/../b", true, "t").unwrap().size, 1);
    assert_eq!(
        fs::stat_at(&p, "a/../../x", true, "t").unwrap_err(),
        Errno::Perm
    );
    assert_eq!(fs::stat_at(&p, "..", true, "t").unwrap_err(), Errno::Perm);
    assert_eq!(
        fs::stat_at(&p, "/etc/passwd", true, "t").unwrap_err(),
        Errno::Perm
    );
    assert_eq!(fs::stat_at(&p, "", true, "t").unwrap_err(), Errno::Noent);
    assert_eq!(
        fs::stat_at(&p, "a\0b", true, "t").unwrap_err(),
        Errno::Inval
    );
}

#[cfg(unix)]
#[test]
fn symlinks_are_followed_inside_only() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("a")).unwrap();
    std::fs::write(dir.path().join("a/f"), "inside").unwrap();
    std::os::unix::fs::symlink("a", dir.path().join("in")).unwrap();
    std::os::unix::fs::symlink("/etc", dir.path().join("abs")).unwrap();
    std::os::unix::fs::symlink("../..", dir.path().join("a/up")).unwrap();
    std::os::unix::fs::symlink("loop", dir.path().join("loop")).unwrap();
    let p = place(dir.path(), false);
    let direct = fs::stat_at(&p, "a/f", true, "t").unwrap();
    assert_eq!(fs::stat_at(&p, "in/f", true, "t").unwrap(), direct);
    assert_eq!(
        fs::stat_at(&p, "in", false, "t").unwrap().kind,
        Kind::SymbolicLink
    );
    assert_eq!(
        fs::stat_at(&p, "in", true, "t").unwrap().kind,
        Kind::Directory
    );
    assert_eq!(
        fs::stat_at(&p, "abs/passwd", true, "t").unwrap_err(),
        Errno::Perm
    );
    assert_eq!(fs::stat_at(&p, "abs", true, "t").unwrap_err(), Errno::Perm);
    // The link itself is inside: it may be looked at, not gone through.
    assert_eq!(
        fs::stat_at(&p, "abs", false, "t").unwrap().kind,
        Kind::SymbolicLink
    );
    assert_eq!(
        fs::stat_at(&p, "a/up/x", true, "t").unwrap_err(),
        Errno::Perm
    );
    assert_eq!(fs::stat_at(&p, "loop", true, "t").unwrap_err(), Errno::Loop);
}

#[test]
fn an_escape_is_eperm_and_a_host_eacces_stays_eacces() {
    let escape = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "out");
    assert!(is_escape(&escape));
    assert_eq!(host_err(escape, "t", "../x"), Errno::Perm);
    #[cfg(unix)]
    {
        let eacces = std::io::Error::from_raw_os_error(13);
        assert!(!is_escape(&eacces));
        assert_eq!(Errno::from(eacces), Errno::Acces);
    }
}

#[test]
fn a_read_only_place_refuses_changes() {
    let dir = tempfile::tempdir().unwrap();
    let p = place(dir.path(), true);
    assert_eq!(writable(&p, "t", "x").unwrap_err(), Errno::Perm);
    assert!(writable(&place(dir.path(), false), "t", "x").is_ok());
}
