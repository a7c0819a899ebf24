//! What a command built by Rust's `wasm32-wasip2` target does through WASI
//! 0.2 on wasmbed: output, arguments, environment, a file written and read
//! back in a preopened directory, the wall clock, a directory listing.

fn main() {
    println!("hello from wasm32-wasip2");
    let args: Vec<String> = std::env::args().collect();
    println!("args: {args:?}");
    println!(
        "GREETING={}",
        std::env::var("GREETING").unwrap_or_default()
    );
    let text = format!("written by the guest, {} args", args.len());
    std::fs::write("/data/out.txt", text).expect("write /data/out.txt");
    let back = std::fs::read_to_string("/data/out.txt").expect("read it back");
    println!("read back: {back}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970");
    println!("clock sane: {}", now.as_secs() > 1_600_000_000);
    let entries = std::fs::read_dir("/data").expect("list /data").count();
    println!("entries in /data: {entries}");
}
