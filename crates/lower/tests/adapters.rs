//! The fused adapters over random types: a composition whose outer
//! component lifts an identity function of `(x: T, p0…p15: u32) ->
//! tuple<T, u32>` over its own memory, and whose nested component lowers it
//! over another memory and lifts it again for the host. Seventeen
//! parameters travel in memory, and the identity returns the address of its
//! argument tuple, which is laid out as the result (`T` then `p0`), so every
//! value crosses two memories both ways through the adapter and must come
//! back as it went (floats' NaNs made canonical, as any lift does).

use proptest::prelude::*;
use wasmbed::{Guest, Limits, Linker, Val, Wasmi};
use wasmbed_abi::Type;
use wasmbed_lower::{lower, Scheme};
use wasmbed_strategies::{any_type, any_val, canonical};

/// Equal, with floats compared by bits.
fn same(a: &Val, b: &Val) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

/// `T` in the text format. The nominal types (records, variants, enums,
/// flags) must be named where a function using them is imported or
/// exported, so each is defined, children first, as `$dN` in the outer
/// component, imported as `tN` by the nested one, and exported as `tN`
/// beside the function by the instance the host sees (`test:echo/api`, an
/// interface).
struct Text {
    outer: bool,
    decls: Vec<String>,
    next: usize,
}

impl Text {
    fn ty(&mut self, t: &Type) -> String {
        let inline = match t {
            Type::Bool => return "bool".into(),
            Type::S8 => return "s8".into(),
            Type::U8 => return "u8".into(),
            Type::S16 => return "s16".into(),
            Type::U16 => return "u16".into(),
            Type::S32 => return "s32".into(),
            Type::U32 => return "u32".into(),
            Type::S64 => return "s64".into(),
            Type::U64 => return "u64".into(),
            Type::F32 => return "f32".into(),
            Type::F64 => return "f64".into(),
            Type::Char => return "char".into(),
            Type::String => return "string".into(),
            Type::List(l) => return format!("(list {})", self.ty(l.elem())),
            Type::Tuple(tu) => {
                let ts: Vec<String> = tu.fields().map(|(t, _)| self.ty(t)).collect();
                return format!("(tuple {})", ts.join(" "));
            }
            Type::Option(o) => return format!("(option {})", self.ty(o.some())),
            Type::Result(r) => {
                let ok = r.ok().map(|t| self.ty(t));
                let err = r.err().map(|t| format!("(error {})", self.ty(t)));
                let parts: Vec<String> = ok.into_iter().chain(err).collect();
                return format!("(result {})", parts.join(" "));
            }
            Type::Record(r) => {
                let fs: Vec<String> = r
                    .fields()
                    .map(|(n, t, _)| format!("(field \"{n}\" {})", self.ty(t)))
                    .collect();
                format!("(record {})", fs.join(" "))
            }
            Type::Variant(v) => {
                let cs: Vec<String> = v
                    .cases()
                    .map(|(n, t)| match t {
                        Some(t) => format!("(case \"{n}\" {})", self.ty(t)),
                        None => format!("(case \"{n}\")"),
                    })
                    .collect();
                format!("(variant {})", cs.join(" "))
            }
            Type::Enum(e) => {
                let ns: Vec<String> = e.names().map(|n| format!("\"{n}\"")).collect();
                format!("(enum {})", ns.join(" "))
            }
            Type::Flags(f) => {
                let ns: Vec<String> = f.names().map(|n| format!("\"{n}\"")).collect();
                format!("(flags {})", ns.join(" "))
            }
            Type::Own(_) | Type::Borrow(_) => unreachable!("no handles here"),
        };
        let n = self.next;
        self.next += 1;
        self.decls.push(format!("(type $d{n} {inline})"));
        if self.outer {
            return format!("$d{n}");
        }
        self.decls
            .push(format!("(import \"t{n}\" (type $t{n} (eq $d{n})))"));
        format!("$t{n}")
    }
}

const REALLOC: &str = r#"
    (func $realloc (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and
        (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (if (i32.gt_u (global.get $bump) (i32.shl (memory.size) (i32.const 16)))
        (then (drop (memory.grow (i32.add (i32.const 1)
          (i32.shr_u (global.get $bump) (i32.const 16)))))))
      (local.get $p))"#;

/// The composition for `ty`.
fn composition(ty: &Type) -> String {
    let mut outer = Text {
        outer: true,
        decls: Vec::new(),
        next: 0,
    };
    let t_outer = outer.ty(ty);
    let mut inner = Text {
        outer: false,
        decls: Vec::new(),
        next: 0,
    };
    let t_inner = inner.ty(ty);
    let pads: String = (0..16).map(|i| format!("(param \"p{i}\" u32) ")).collect();
    let sig = |t: &str| format!("(param \"x\" {t}) {pads}(result (tuple {t} u32))");
    let with: String = (0..outer.next)
        .map(|n| format!("(with \"t{n}\" (type $d{n})) "))
        .collect();
    let named: String = (0..outer.next)
        .map(|n| format!("(export \"t{n}\" (type $d{n})) "))
        .collect();
    // The return area in the nested component's memory: past it, the heap.
    let area = 16;
    let heap = (area + ty.layout().size + 64).next_multiple_of(8);
    format!(
        r#"(component
  {outer_decls}
  (core module $callee
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 1024))
    {REALLOC}
    (func (export "echo") (param i32) (result i32) (local.get 0)))
  (core instance $ci (instantiate $callee))
  (alias core export $ci "memory" (core memory $cm))
  (alias core export $ci "realloc" (core func $cr))
  (func $echo {outer_sig} (canon lift (core func $ci "echo") (memory $cm) (realloc $cr)))
  (component $caller
    {inner_decls}
    (import "echo" (func $echo {inner_sig}))
    (core module $libc
      (memory (export "memory") 1)
      (global $bump (mut i32) (i32.const {heap}))
      {REALLOC})
    (core instance $libc (instantiate $libc))
    (alias core export $libc "memory" (core memory $mem))
    (alias core export $libc "realloc" (core func $realloc))
    (core func $lowered (canon lower (func $echo) (memory $mem) (realloc $realloc)))
    (core module $m
      (import "api" "echo" (func $e (param i32 i32)))
      (func (export "echo") (param i32) (result i32)
        (call $e (local.get 0) (i32.const {area})) (i32.const {area})))
    (core instance $i (instantiate $m (with "api" (instance (export "echo" (func $lowered))))))
    (func (export "echo") {inner_sig}
      (canon lift (core func $i "echo") (memory $mem) (realloc $realloc))))
  (instance $c (instantiate $caller {with}(with "echo" (func $echo))))
  (instance $api {named}(export "echo" (func $c "echo")))
  (export "test:echo/api" (instance $api)))"#,
        outer_decls = outer.decls.join("\n  "),
        inner_decls = inner.decls.join("\n    "),
        outer_sig = sig(&t_outer),
        inner_sig = sig(&t_inner),
    )
}

fn typed_vals() -> impl Strategy<Value = (Type, Vec<(Val, u32)>)> {
    // No handles: an adapter copies values, not handles.
    any_type(false).prop_flat_map(|t| {
        let vs = prop::collection::vec((any_val(&t), any::<u32>()), 1..4);
        (Just(t), vs)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn values_cross_two_memories_through_the_adapter_unchanged((ty, vals) in typed_vals()) {
        let wat = composition(&ty);
        let component = wat::parse_str(&wat).unwrap_or_else(|e| panic!("{e}\n{wat}"));
        let lowered = lower(&component, Scheme::Cm32p2).unwrap_or_else(|e| panic!("{e}\n{wat}"));
        let world = wasmbed_wit::world_from_module(&lowered).unwrap().unwrap();
        let guest = Guest::new(&Wasmi::new(), &lowered, world).unwrap();
        let mut inst = Linker::new().instantiate(&guest, (), Limits::default()).unwrap();
        for (v, p0) in vals {
            let mut args = vec![v.clone(), Val::U32(p0)];
            args.extend((1..16).map(Val::U32));
            let got = inst.call("test:echo/api#echo", &args).unwrap_or_else(|e| panic!("{e}\n{wat}"));
            let want = Val::Tuple(vec![canonical(&v), Val::U32(p0)]);
            let got = got.expect("a result");
            prop_assert!(same(&got, &want), "{ty:?}\n got {got:?}\nwant {want:?}");
        }
    }
}
