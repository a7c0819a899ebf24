::wasmbed::bindgen!({ inline: "
package a:b;
world w {
  export f: func(x: u32 -> u32;
}
" });

fn main() {}
