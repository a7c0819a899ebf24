//! Preview 1's numeric constants and record layouts, named once.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::fs::{Kind, Stat};

/// `filetype`: unknown (also a stream that is not a terminal, as wasmtime reports it).
pub(crate) const FT_UNKNOWN: u8 = 0;
/// `filetype`: block device.
pub(crate) const FT_BLOCK_DEVICE: u8 = 1;
/// `filetype`: character device.
pub(crate) const FT_CHARACTER_DEVICE: u8 = 2;
/// `filetype`: directory.
pub(crate) const FT_DIR: u8 = 3;
/// `filetype`: regular file.
pub(crate) const FT_FILE: u8 = 4;
/// `filetype`: stream socket.
pub(crate) const FT_SOCKET_STREAM: u8 = 6;
/// `filetype`: symbolic link.
pub(crate) const FT_SYMLINK: u8 = 7;

/// `oflags`: create if missing.
pub(crate) const O_CREAT: u32 = 1;
/// `oflags`: must be a directory.
pub(crate) const O_DIRECTORY: u32 = 2;
/// `oflags`: fail if it exists.
pub(crate) const O_EXCL: u32 = 4;
/// `oflags`: truncate to zero.
pub(crate) const O_TRUNC: u32 = 8;

/// `fdflags`: append.
pub(crate) const FDFLAG_APPEND: u32 = 1;
/// `lookupflags`: follow a symlink in the last component.
pub(crate) const LOOKUP_FOLLOW: u32 = 1;

/// `rights`: `fd_read`.
pub(crate) const RIGHT_FD_READ: u64 = 1 << 1;
/// `rights`: `fd_seek`.
pub(crate) const RIGHT_FD_SEEK: u64 = 1 << 2;
/// `rights`: `fd_write`.
pub(crate) const RIGHT_FD_WRITE: u64 = 1 << 6;
/// `rights`: `fd_allocate`.
pub(crate) const RIGHT_FD_ALLOCATE: u64 = 1 << 8;
/// `rights`: `fd_readdir`.
pub(crate) const RIGHT_FD_READDIR: u64 = 1 << 14;
/// `rights`: `fd_filestat_set_size`.
pub(crate) const RIGHT_FD_SET_SIZE: u64 = 1 << 22;
/// `rights`: `fd_datasync`.
pub(crate) const RIGHT_FD_DATASYNC: u64 = 1;
/// Every right preview 1 defines (bits 0 to 29).
pub(crate) const RIGHTS_ALL: u64 = (1 << 30) - 1;

/// A `filestat` record: 64 bytes, 8-aligned.
pub(crate) fn filestat(s: &Stat) -> [u8; 64] {
    let mut b = [0u8; 64];
    b[0..8].copy_from_slice(&s.dev.to_le_bytes());
    b[8..16].copy_from_slice(&s.ino.to_le_bytes());
    b[16] = filetype(s.kind);
    b[24..32].copy_from_slice(&s.nlink.to_le_bytes());
    b[32..40].copy_from_slice(&s.size.to_le_bytes());
    b[40..48].copy_from_slice(&timestamp(s.atime).to_le_bytes());
    b[48..56].copy_from_slice(&timestamp(s.mtime).to_le_bytes());
    b[56..64].copy_from_slice(&timestamp(s.ctime).to_le_bytes());
    b
}

/// A `timestamp`: nanoseconds since the epoch, 0 when unknown or before it.
pub(crate) fn timestamp(t: Option<SystemTime>) -> u64 {
    t.and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64)
}

/// The `filetype` of a kind (a FIFO is `unknown`, a socket `socket_stream`, as wasmtime says).
pub(crate) fn filetype(kind: Kind) -> u8 {
    match kind {
        Kind::Unknown | Kind::Fifo => FT_UNKNOWN,
        Kind::BlockDevice => FT_BLOCK_DEVICE,
        Kind::CharacterDevice => FT_CHARACTER_DEVICE,
        Kind::Directory => FT_DIR,
        Kind::RegularFile => FT_FILE,
        Kind::Socket => FT_SOCKET_STREAM,
        Kind::SymbolicLink => FT_SYMLINK,
    }
}
