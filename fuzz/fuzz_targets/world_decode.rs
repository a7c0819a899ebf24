//! Decodes arbitrary bytes as a compact world (`wasmbed_wit::compact`).
//!
//! Every outcome must be a world or a `DecodeError`; a panic, an overflow,
//! a huge allocation or a stack overflow is a bug. The bytes are tried as
//! they are (as a device reads a corrupt file) and behind a valid header
//! and checksum (so the decoder's own checks see them). A world that
//! decodes must encode and decode back equal.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasmbed_wit::compact::{checksum, decode, encode, MAGIC, VERSION};

fuzz_target!(|data: &[u8]| {
    let _ = decode(data);
    let mut bytes = MAGIC.to_vec();
    bytes.push(VERSION);
    bytes.extend_from_slice(data);
    let crc = checksum(&bytes);
    bytes.extend_from_slice(&crc.to_le_bytes());
    if let Ok(world) = decode(&bytes) {
        let again = encode(&world);
        assert_eq!(decode(&again).as_ref(), Ok(&world));
    }
});
