//! Lowers arbitrary bytes as a component (`wasmbed_lower::lower`).
//!
//! Every outcome must be a core module or an `Error`; a panic is a bug, and
//! a module that lowers must validate. Bytes without a component preamble
//! get one, so mutations reach the component's sections. Seed the corpus
//! with real components (docs/lower.md) for depth.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasmbed_lower::{lower, Scheme};

const PREAMBLE: &[u8] = b"\0asm\x0d\0\x01\0";

fuzz_target!(|data: &[u8]| {
    let bytes: Vec<u8> = if data.starts_with(PREAMBLE) {
        data.to_vec()
    } else {
        [PREAMBLE, data].concat()
    };
    for scheme in [Scheme::Cm32p2, Scheme::Legacy] {
        if let Ok(module) = lower(&bytes, scheme) {
            wasmparser::Validator::new()
                .validate_all(&module)
                .expect("a lowered module validates");
        }
    }
});
