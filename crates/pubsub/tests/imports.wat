;; The core imports of `wasmbed:pubsub/broker@0.1.0` with legacy names, as
;; module fields for the WAT guests of crates/pubsub/tests and crates/bench.
  (import "wasmbed:pubsub/broker@0.1.0" "add-storage" (func $add_storage (param i32 i32 i32)))
  (import "wasmbed:pubsub/broker@0.1.0" "[static]publisher.open" (func $pub_open (param i32 i32 i32)))
  (import "wasmbed:pubsub/broker@0.1.0" "[method]publisher.loan" (func $loan (param i32 i32 i32)))
  (import "wasmbed:pubsub/broker@0.1.0" "[method]publisher.publish" (func $publish (param i32 i32 i32 i32)))
  (import "wasmbed:pubsub/broker@0.1.0" "[method]loan.address" (func $loan_address (param i32) (result i32)))
  (import "wasmbed:pubsub/broker@0.1.0" "[static]subscriber.open" (func $sub_open (param i32 i32 i32)))
  (import "wasmbed:pubsub/broker@0.1.0" "[method]subscriber.receive" (func $receive (param i32 i32)))
  (import "wasmbed:pubsub/broker@0.1.0" "[method]subscriber.wait" (func $wait (param i32 i64 i32)))
  (import "wasmbed:pubsub/broker@0.1.0" "[method]sample.address" (func $sample_address (param i32) (result i32)))
  (import "wasmbed:pubsub/broker@0.1.0" "[method]sample.len" (func $sample_len (param i32) (result i32)))
  (import "wasmbed:pubsub/broker@0.1.0" "[resource-drop]sample" (func $sample_drop (param i32)))
  (import "wasmbed:pubsub/broker@0.1.0" "[resource-drop]loan" (func $loan_drop (param i32)))
