//! Why a compact world could not be decoded.

use core::fmt;

use wasmbed_abi::TypeError;

use super::VERSION;

/// Why bytes are not a valid compact world, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeError {
    offset: usize,
    kind: DecodeErrorKind,
}

/// What is wrong with a compact world.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The file does not start with the magic bytes `\0wbw`.
    BadMagic,
    /// A version this decoder does not read.
    UnsupportedVersion(u8),
    /// The CRC-32 at the end does not match the bytes before it.
    BadChecksum,
    /// The file ends inside the named item.
    UnexpectedEnd(&'static str),
    /// A LEB128 integer longer than five bytes or above `u32::MAX`.
    BadInteger(&'static str),
    /// A count or length larger than the bytes left could hold.
    TooLong(&'static str),
    /// A name that is not UTF-8.
    BadUtf8(&'static str),
    /// A tag byte with no meaning for the named item.
    BadTag(&'static str, u8),
    /// A type reference to no primitive and no earlier entry of the type table.
    UnknownType(u32),
    /// A resource index beyond the world's resources.
    UnknownResource(u32),
    /// The ABI refuses the type (empty, duplicate names, too large, too deep).
    Type(TypeError),
    /// Two items of one kind with the same name.
    DuplicateName(&'static str),
    /// The types expand to more than the file's size allows.
    TooLarge,
    /// Bytes after the exports.
    TrailingBytes,
}

impl DecodeError {
    pub(super) fn new(offset: usize, kind: DecodeErrorKind) -> DecodeError {
        DecodeError { offset, kind }
    }

    /// The byte offset from the start of the file where decoding failed.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// What is wrong.
    pub fn kind(&self) -> DecodeErrorKind {
        self.kind
    }
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeErrorKind::BadMagic => f.write_str("not a compact world (bad magic)"),
            DecodeErrorKind::UnsupportedVersion(v) => write!(
                f,
                "compact world version {v} is not supported (this decoder reads version {VERSION})"
            ),
            DecodeErrorKind::BadChecksum => f.write_str("checksum mismatch: the file is corrupt"),
            DecodeErrorKind::UnexpectedEnd(item) => write!(f, "unexpected end of file in {item}"),
            DecodeErrorKind::BadInteger(item) => write!(f, "invalid LEB128 integer in {item}"),
            DecodeErrorKind::TooLong(item) => write!(f, "{item} is longer than the bytes left"),
            DecodeErrorKind::BadUtf8(item) => write!(f, "{item} is not valid UTF-8"),
            DecodeErrorKind::BadTag(item, t) => write!(f, "invalid {item} tag 0x{t:02x}"),
            DecodeErrorKind::UnknownType(r) => {
                write!(f, "type reference {r} names no primitive or earlier type")
            }
            DecodeErrorKind::UnknownResource(r) => {
                write!(f, "resource {r} is not in the world's resources")
            }
            DecodeErrorKind::Type(e) => write!(f, "{e}"),
            DecodeErrorKind::DuplicateName(item) => write!(f, "duplicate {item} name"),
            DecodeErrorKind::TooLarge => {
                f.write_str("types expand beyond what the file's size allows")
            }
            DecodeErrorKind::TrailingBytes => f.write_str("bytes after the end of the world"),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at offset 0x{:x})", self.kind, self.offset)
    }
}

impl core::error::Error for DecodeError {}
