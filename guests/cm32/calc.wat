;; A guest of world `calc` (calc.wit) with `cm32p2` names, written by hand because no
;; toolchain emits them yet. guests/build.sh turns it into calc.wasm with `wasm-tools parse`.
(module
  (import "cm32p2|wasmbed:cm32/host@0.1" "concat"
    (func $concat (param i32 i32 i32 i32 i32)))
  (import "cm32p2|wasmbed:cm32/host@0.1" "sum17"
    (func $sum17 (param i32) (result i64)))
  (memory (export "cm32p2_memory") 1)
  ;; Out-pointer area for `concat`'s result, and the greeting's prefix.
  (data (i32.const 16) "hello, ")
  (global $heap (mut i32) (i32.const 1024))
  (global $count (mut i32) (i32.const 0))

  ;; A bump allocator: enough for a test guest, it never frees.
  (func (export "cm32p2_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    global.get $heap
    local.get 2 i32.add i32.const 1 i32.sub
    i32.const 0 local.get 2 i32.sub i32.and
    local.tee $p
    local.get 3 i32.add global.set $heap
    local.get $p)

  (func (export "cm32p2_initialize")
    i32.const 100 global.set $count)

  (func (export "cm32p2|wasmbed:cm32/api@0.1|greet") (param $ptr i32) (param $len i32) (result i32)
    i32.const 16 i32.const 7
    local.get $ptr local.get $len
    i32.const 0
    call $concat
    i32.const 0)

  (func (export "cm32p2|wasmbed:cm32/api@0.1|greet_post") (param i32)
    global.get $count i32.const 1 i32.add global.set $count)

  ;; The host stored the 17 arguments at $args: the same tuple `sum17` expects.
  (func (export "cm32p2|wasmbed:cm32/api@0.1|total") (param $args i32) (result i64)
    local.get $args
    call $sum17
    i64.const 1 i64.add)

  (func (export "cm32p2||count") (result i32)
    global.get $count)
)
