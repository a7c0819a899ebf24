use std::io::Read;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use super::*;

fn place(root: &Path, read_only: bool) -> Place {
    let dir = Dir::open_ambient_dir(root, cap_std::ambient_authority()).unwrap();
    Place { dir, read_only }
}

fn read() -> OpenHow {
    OpenHow {
        read: true,
        follow: true,
        ..OpenHow::default()
    }
}

fn sub_place(desc: Desc) -> Place {
    match desc {
        Desc::Dir { place, .. } => place,
        _ => panic!("not a directory descriptor"),
    }
}

/// `f` (a file), `d/` (a directory with `d/g`), `ln` → `f`, `up` → `..`.
fn tree() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("f"), "file").unwrap();
    std::fs::create_dir(t.path().join("d")).unwrap();
    std::fs::write(t.path().join("d/g"), "g").unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("f", t.path().join("ln")).unwrap();
        std::os::unix::fs::symlink("..", t.path().join("up")).unwrap();
    }
    t
}

#[test]
fn open_gives_files_and_directories() {
    let t = tree();
    let p = place(t.path(), false);
    let Desc::File { mut file, .. } = open_at(&p, "f", &read(), "t").unwrap() else {
        panic!("not a file");
    };
    let mut s = String::new();
    file.read_to_string(&mut s).unwrap();
    assert_eq!(s, "file");
    let d = sub_place(open_at(&p, "d", &read(), "t").unwrap());
    assert_eq!(stat_at(&d, "g", true, "t").unwrap().size, 1);
    let dir_only = OpenHow {
        directory: true,
        ..read()
    };
    assert_eq!(open_at(&p, "f", &dir_only, "t").err(), Some(Errno::Notdir));
    assert_eq!(
        open_at(&p, "nope", &dir_only, "t").err(),
        Some(Errno::Noent)
    );
    let write_dir = OpenHow {
        write: true,
        ..dir_only
    };
    assert_eq!(open_at(&p, "d", &write_dir, "t").err(), Some(Errno::Isdir));
    let excl = OpenHow {
        write: true,
        create: true,
        exclusive: true,
        ..read()
    };
    assert_eq!(open_at(&p, "f", &excl, "t").err(), Some(Errno::Exist));
    assert!(open_at(&p, "new", &excl, "t").is_ok());
    assert_eq!(
        stat_at(&p, "new", true, "t").unwrap().kind,
        Kind::RegularFile
    );
}

#[cfg(unix)]
#[test]
fn a_last_symlink_is_followed_only_when_asked() {
    let t = tree();
    let p = place(t.path(), false);
    assert!(matches!(
        open_at(&p, "ln", &read(), "t"),
        Ok(Desc::File { .. })
    ));
    let no_follow = OpenHow {
        follow: false,
        ..read()
    };
    assert_eq!(open_at(&p, "ln", &no_follow, "t").err(), Some(Errno::Loop));
    let dir_no_follow = OpenHow {
        directory: true,
        ..no_follow
    };
    assert_eq!(
        open_at(&p, "ln", &dir_no_follow, "t").err(),
        Some(Errno::Loop)
    );
    // `up` → `..` leads outside, wherever it is used.
    assert_eq!(open_at(&p, "up", &read(), "t").err(), Some(Errno::Perm));
    assert_eq!(open_at(&p, "up/x", &read(), "t").err(), Some(Errno::Perm));
}

#[test]
fn a_directory_below_a_read_only_preopen_is_read_only() {
    let t = tree();
    let ro = place(t.path(), true);
    let d = sub_place(open_at(&ro, "d", &read(), "t").unwrap());
    assert!(d.read_only);
    assert_eq!(create_dir_at(&d, "x", "t").err(), Some(Errno::Perm));
    assert_eq!(unlink_file_at(&d, "g", "t").err(), Some(Errno::Perm));
    let write = OpenHow {
        write: true,
        ..read()
    };
    assert_eq!(open_at(&d, "g", &write, "t").err(), Some(Errno::Perm));
    assert!(matches!(
        open_at(&d, "g", &read(), "t"),
        Ok(Desc::File {
            read_only: true,
            ..
        })
    ));
    // A link out of the read-only tree would make its file writable elsewhere.
    let other = tempfile::tempdir().unwrap();
    let rw = place(other.path(), false);
    assert_eq!(
        link_at(&d, false, "g", &rw, "g2", "t").err(),
        Some(Errno::Perm)
    );
    assert_eq!(rename_at(&d, "g", &rw, "g2", "t").err(), Some(Errno::Perm));
    assert!(t.path().join("d/g").exists());
}

#[cfg(unix)]
#[test]
fn symlinks_made_and_read_stay_relative() {
    let t = tree();
    let p = place(t.path(), false);
    assert_eq!(
        symlink_at(&p, "/etc/passwd", "abs", "t").err(),
        Some(Errno::Perm)
    );
    assert!(!t.path().join("abs").exists());
    symlink_at(&p, "d/g", "rel", "t").unwrap();
    assert_eq!(readlink_at(&p, "rel", "t").unwrap(), "d/g");
    // An absolute link planted by the host is not shown to the guest.
    std::os::unix::fs::symlink("/etc", t.path().join("planted")).unwrap();
    assert_eq!(readlink_at(&p, "planted", "t").err(), Some(Errno::Perm));
    assert_eq!(readlink_at(&p, "f", "t").err(), Some(Errno::Inval));
}

#[test]
fn paths_change_below_their_directory() {
    let t = tree();
    let p = place(t.path(), false);
    create_dir_at(&p, "new", "t").unwrap();
    let d = sub_place(open_at(&p, "d", &read(), "t").unwrap());
    rename_at(&d, "g", &p, "new/g", "t").unwrap();
    link_at(&p, false, "new/g", &p, "new/h", "t").unwrap();
    assert_eq!(stat_at(&p, "new/h", true, "t").unwrap().nlink, 2);
    assert_eq!(
        link_at(&p, true, "f", &p, "x", "t").err(),
        Some(Errno::Inval)
    );
    unlink_file_at(&p, "new/g", "t").unwrap();
    unlink_file_at(&p, "new/h", "t").unwrap();
    remove_dir_at(&p, "new", "t").unwrap();
    assert_eq!(
        create_dir_at(&p, "../escaped", "t").err(),
        Some(Errno::Perm)
    );
    assert_eq!(rename_at(&p, "f", &p, "../f", "t").err(), Some(Errno::Perm));
    assert!(!t.path().parent().unwrap().join("escaped").exists());
}

#[test]
fn listings_are_sorted_with_kinds() {
    let t = tree();
    let p = place(t.path(), false);
    let names: Vec<(String, Kind)> = read_dir(&p)
        .unwrap()
        .into_iter()
        .map(|e| (e.name, e.kind))
        .collect();
    let mut expect = vec![
        ("d".to_string(), Kind::Directory),
        ("f".to_string(), Kind::RegularFile),
    ];
    #[cfg(unix)]
    expect.extend([
        ("ln".to_string(), Kind::SymbolicLink),
        ("up".to_string(), Kind::SymbolicLink),
    ]);
    assert_eq!(names, expect);
}

#[test]
fn times_are_set_by_path_and_by_descriptor() {
    let t = tree();
    let p = place(t.path(), false);
    let at = UNIX_EPOCH + Duration::from_secs(1_000_000);
    set_times_at(&p, "f", true, SetTime::Keep, SetTime::At(at), "t").unwrap();
    assert_eq!(stat_at(&p, "f", true, "t").unwrap().mtime, Some(at));
    let later = at + Duration::from_secs(5);
    let dir = open_at(&p, "d", &read(), "t").unwrap();
    set_times(&dir, SetTime::At(later), SetTime::At(later), "t").unwrap();
    assert_eq!(stat(&dir).unwrap().mtime, Some(later));
    let file = open_at(&p, "f", &read(), "t").unwrap();
    set_times(&file, SetTime::Keep, SetTime::At(later), "t").unwrap();
    assert_eq!(stat(&file).unwrap().mtime, Some(later));
    let ro = place(t.path(), true);
    assert_eq!(
        set_times_at(&ro, "f", true, SetTime::Now, SetTime::Now, "t").err(),
        Some(Errno::Perm)
    );
    // A preopen's handle may be `O_PATH`; its times and sync go through `.`.
    let pre = Desc::Dir {
        preopen: Some(".".into()),
        place: place(t.path(), false),
    };
    set_times(&pre, SetTime::Now, SetTime::At(at), "t").unwrap();
    assert_eq!(stat(&pre).unwrap().mtime, Some(at));
    sync(&pre, false).unwrap();
    sync(&dir, false).unwrap();
    sync(&file, true).unwrap();
    assert_eq!(set_size(&file, 0).err(), Some(Errno::Badf));
}
