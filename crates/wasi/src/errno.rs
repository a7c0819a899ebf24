//! Preview 1 error numbers, so every failure reaches the guest as the specification's value.

use std::io;

/// A WASI preview 1 `errno` value (the specification's numbering).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u16)]
#[non_exhaustive]
pub enum Errno {
    /// No error.
    Success = 0,
    /// Argument list too long.
    TooBig = 1,
    /// Permission denied (by the host file system).
    Acces = 2,
    /// Resource unavailable, try again.
    Again = 6,
    /// Bad file descriptor.
    Badf = 8,
    /// Device or resource busy.
    Busy = 10,
    /// File exists.
    Exist = 20,
    /// Bad address.
    Fault = 21,
    /// File too large.
    Fbig = 22,
    /// Illegal byte sequence (a path that is not UTF-8).
    Ilseq = 25,
    /// Interrupted function.
    Intr = 27,
    /// Invalid argument.
    Inval = 28,
    /// I/O error.
    Io = 29,
    /// Is a directory.
    Isdir = 31,
    /// Too many levels of symbolic links.
    Loop = 32,
    /// Too many open descriptors (the policy's limit).
    Mfile = 33,
    /// Too many links.
    Mlink = 34,
    /// Filename too long.
    Nametoolong = 37,
    /// No such file or directory.
    Noent = 44,
    /// Not enough space.
    Nomem = 48,
    /// No space left on device.
    Nospc = 51,
    /// Function not supported.
    Nosys = 52,
    /// Not a directory.
    Notdir = 54,
    /// Directory not empty.
    Notempty = 55,
    /// Not supported.
    Notsup = 58,
    /// Value too large to be stored in data type.
    Overflow = 61,
    /// Operation not permitted: sandbox escapes and writes through read-only preopens.
    Perm = 63,
    /// Broken pipe.
    Pipe = 64,
    /// Read-only file system.
    Rofs = 69,
    /// Invalid seek.
    Spipe = 70,
    /// Cross-device link.
    Xdev = 75,
    /// Capabilities insufficient.
    Notcapable = 76,
}

impl Errno {
    /// The value handed to the guest.
    pub fn raw(self) -> i32 {
        self as u16 as i32
    }
}

impl From<io::Error> for Errno {
    fn from(e: io::Error) -> Errno {
        // cap-std's refusal of a path leading outside its directory: never `EACCES`.
        if crate::sandbox::is_escape(&e) {
            return Errno::Perm;
        }
        #[cfg(target_os = "linux")]
        if let Some(code) = e.raw_os_error() {
            if let Some(errno) = from_linux(code) {
                return errno;
            }
        }
        use io::ErrorKind as K;
        match e.kind() {
            K::NotFound => Errno::Noent,
            K::PermissionDenied => Errno::Acces,
            K::AlreadyExists => Errno::Exist,
            K::InvalidInput | K::InvalidData => Errno::Inval,
            K::NotADirectory => Errno::Notdir,
            K::IsADirectory => Errno::Isdir,
            K::DirectoryNotEmpty => Errno::Notempty,
            K::ReadOnlyFilesystem => Errno::Rofs,
            K::BrokenPipe => Errno::Pipe,
            K::WouldBlock => Errno::Again,
            K::Interrupted => Errno::Intr,
            K::Unsupported => Errno::Notsup,
            K::OutOfMemory => Errno::Nomem,
            _ => Errno::Io,
        }
    }
}

/// The Linux `errno` values whose meaning `io::ErrorKind` loses (`ELOOP`, `EPERM`, …).
#[cfg(target_os = "linux")]
fn from_linux(code: i32) -> Option<Errno> {
    Some(match code {
        1 => Errno::Perm,
        2 => Errno::Noent,
        9 => Errno::Badf,
        13 => Errno::Acces,
        17 => Errno::Exist,
        18 => Errno::Xdev,
        20 => Errno::Notdir,
        21 => Errno::Isdir,
        22 => Errno::Inval,
        24 => Errno::Mfile,
        27 => Errno::Fbig,
        28 => Errno::Nospc,
        29 => Errno::Spipe,
        30 => Errno::Rofs,
        36 => Errno::Nametoolong,
        39 => Errno::Notempty,
        40 => Errno::Loop,
        _ => return None,
    })
}
