//! Preview 1's numeric constants and record layouts, named once.

/// `filetype`: unknown (also a stream that is not a terminal, as wasmtime reports it).
pub(crate) const FT_UNKNOWN: u8 = 0;
/// `filetype`: directory.
pub(crate) const FT_DIR: u8 = 3;
/// `filetype`: regular file.
pub(crate) const FT_FILE: u8 = 4;
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
pub(crate) fn filestat(meta: Option<&std::fs::Metadata>) -> [u8; 64] {
    let mut b = [0u8; 64];
    let Some(m) = meta else {
        return b;
    };
    b[16] = filetype(m.file_type());
    let ns = |t: std::io::Result<std::time::SystemTime>| {
        t.ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as u64)
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        b[0..8].copy_from_slice(&m.dev().to_le_bytes());
        b[8..16].copy_from_slice(&m.ino().to_le_bytes());
        b[24..32].copy_from_slice(&m.nlink().to_le_bytes());
        let ctim = (m.ctime() as u64).wrapping_mul(1_000_000_000) + m.ctime_nsec() as u64;
        b[56..64].copy_from_slice(&ctim.to_le_bytes());
    }
    b[32..40].copy_from_slice(&m.len().to_le_bytes());
    b[40..48].copy_from_slice(&ns(m.accessed()).to_le_bytes());
    b[48..56].copy_from_slice(&ns(m.modified()).to_le_bytes());
    b
}

/// The `filetype` of a host file.
pub(crate) fn filetype(ft: std::fs::FileType) -> u8 {
    if ft.is_symlink() {
        FT_SYMLINK
    } else if ft.is_dir() {
        FT_DIR
    } else if ft.is_file() {
        FT_FILE
    } else {
        FT_UNKNOWN
    }
}
