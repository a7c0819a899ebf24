//! wasmbed-wasi's integration tests: C programs on wasmbed, wasmtime and natively; malicious guests.

mod harness;
mod malicious;
mod p2;
mod programs;
mod race;
