//! Builds `guests/compute/compute.c` for this machine, so the compute bench
//! compares the engines with the native build of the same C.

fn main() {
    let src = "../../guests/compute/compute.c";
    println!("cargo:rerun-if-changed={src}");
    cc::Build::new().file(src).opt_level(2).compile("compute");
}
