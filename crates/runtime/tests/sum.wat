;; `sum(n: u32) -> u64`, the sum of 0..n with `cm32p2` names: a compute-bound
;; module field for the signal tests (crates/runtime, crates/cli) and bench.
  (func (export "cm32p2||sum") (param $n i32) (result i64) (local $i i32) (local $acc i64)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $acc))
