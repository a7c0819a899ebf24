::wasmbed::bindgen!({ world: "nope", inline: "package a:b; world w { export f: func(); }" });

fn main() {}
