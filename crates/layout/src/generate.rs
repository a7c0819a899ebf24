//! WIT to C headers and Rust types (to be filled in).
