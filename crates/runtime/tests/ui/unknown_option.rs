::wasmbed::bindgen!({ inline: "package a:b; world w {}", colour: true });

fn main() {}
