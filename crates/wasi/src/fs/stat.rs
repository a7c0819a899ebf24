//! What a file is, independent of how preview 1 or WASI 0.2 encode it.

use std::time::SystemTime;

use cap_std::fs::{FileType, Metadata};

/// The kind of a file, the union of preview 1's `filetype` and 0.2's `descriptor-type`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Kind {
    /// None of the others (or not known).
    #[default]
    Unknown,
    /// A block device.
    BlockDevice,
    /// A character device.
    CharacterDevice,
    /// A directory.
    Directory,
    /// A named pipe.
    Fifo,
    /// A symbolic link.
    SymbolicLink,
    /// A regular file.
    RegularFile,
    /// A socket.
    Socket,
}

impl Kind {
    /// The kind of host file type `ft`.
    pub(crate) fn of(ft: FileType) -> Kind {
        if ft.is_symlink() {
            return Kind::SymbolicLink;
        }
        if ft.is_dir() {
            return Kind::Directory;
        }
        if ft.is_file() {
            return Kind::RegularFile;
        }
        #[cfg(unix)]
        {
            use cap_std::fs::FileTypeExt;
            if ft.is_block_device() {
                return Kind::BlockDevice;
            }
            if ft.is_char_device() {
                return Kind::CharacterDevice;
            }
            if ft.is_fifo() {
                return Kind::Fifo;
            }
            if ft.is_socket() {
                return Kind::Socket;
            }
        }
        Kind::Unknown
    }
}

/// A file's metadata, as both preview 1's `filestat` and 0.2's `descriptor-stat` need it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Stat {
    /// What it is.
    pub(crate) kind: Kind,
    /// The device it is on (0 where the host does not say).
    pub(crate) dev: u64,
    /// Its inode number (0 where the host does not say).
    pub(crate) ino: u64,
    /// Its hard links (0 where the host does not say).
    pub(crate) nlink: u64,
    /// Its size in bytes.
    pub(crate) size: u64,
    /// Last access, if the host keeps it.
    pub(crate) atime: Option<SystemTime>,
    /// Last modification, if the host keeps it.
    pub(crate) mtime: Option<SystemTime>,
    /// Last status change, if the host keeps it.
    pub(crate) ctime: Option<SystemTime>,
}

impl Stat {
    /// The stat of host metadata `m`.
    pub(crate) fn of(m: &Metadata) -> Stat {
        let mut s = Stat {
            kind: Kind::of(m.file_type()),
            size: m.len(),
            atime: m.accessed().ok().map(|t| t.into_std()),
            mtime: m.modified().ok().map(|t| t.into_std()),
            ..Stat::default()
        };
        #[cfg(unix)]
        {
            use cap_std::fs::MetadataExt;
            s.dev = m.dev();
            s.ino = m.ino();
            s.nlink = m.nlink();
            s.ctime = since_epoch(m.ctime(), m.ctime_nsec());
        }
        s
    }
}

/// The time `secs` and `nsecs` after the epoch; `None` before it or past what `SystemTime` holds.
#[cfg(unix)]
fn since_epoch(secs: i64, nsecs: i64) -> Option<SystemTime> {
    use std::time::{Duration, UNIX_EPOCH};
    let secs = u64::try_from(secs).ok()?;
    let nsecs = u64::try_from(nsecs).ok()?;
    UNIX_EPOCH
        .checked_add(Duration::from_secs(secs))?
        .checked_add(Duration::from_nanos(nsecs))
}

/// One entry of a directory listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DirEntry {
    /// Its name in the directory.
    pub(crate) name: String,
    /// What it is (a symlink itself, not its target).
    pub(crate) kind: Kind,
    /// Its inode number, 0 where the host does not say or it vanished meanwhile.
    pub(crate) ino: u64,
}

impl DirEntry {
    /// The listing entry for host entry `e`, named `name`.
    pub(crate) fn of(name: String, e: &cap_std::fs::DirEntry) -> DirEntry {
        let kind = e.file_type().map_or(Kind::Unknown, Kind::of);
        #[cfg(unix)]
        let ino = {
            use cap_std::fs::MetadataExt;
            e.metadata().map_or(0, |m| m.ino())
        };
        #[cfg(not(unix))]
        let ino = 0;
        DirEntry { name, kind, ino }
    }
}
