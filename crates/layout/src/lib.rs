//! Portable struct layouts.
//!
//! WIT is the single source of a struct's bytes: [`generate`] emits C and
//! Rust types whose memory layout is the Canonical ABI's on every
//! architecture, and [`check`] audits existing C headers with the real
//! compilers of each target, so a team can move one struct at a time.
#![deny(missing_docs)]

pub mod check;
pub mod generate;
