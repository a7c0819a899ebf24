//! wasmbed-wasi's integration tests: C programs on wasmbed, wasmtime and natively; malicious guests.

mod harness;
mod instances;
mod malicious;
mod mixed;
mod p2;
mod p2_malicious;
mod programs;
mod race;
