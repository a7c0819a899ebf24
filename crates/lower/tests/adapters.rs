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

fn leaf() -> impl Strategy<Value = Type> {
    prop_oneof![
        Just(Type::Bool),
        Just(Type::S8),
        Just(Type::U8),
        Just(Type::S16),
        Just(Type::U16),
        Just(Type::S32),
        Just(Type::U32),
        Just(Type::S64),
        Just(Type::U64),
        Just(Type::F32),
        Just(Type::F64),
        Just(Type::Char),
        Just(Type::String),
    ]
}

fn labels(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("l{i}")).collect()
}

/// Types without handles (an adapter copies values, not handles).
fn any_type() -> impl Strategy<Value = Type> {
    leaf().prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|t| Type::list(t).unwrap()),
            prop::collection::vec(inner.clone(), 1..4)
                .prop_map(|ts| Type::record(labels(ts.len()).into_iter().zip(ts)).unwrap()),
            prop::collection::vec(inner.clone(), 1..4).prop_map(|ts| Type::tuple(ts).unwrap()),
            prop::collection::vec(prop::option::of(inner.clone()), 1..4)
                .prop_map(|cs| Type::variant(labels(cs.len()).into_iter().zip(cs)).unwrap()),
            inner.clone().prop_map(|t| Type::option(t).unwrap()),
            (prop::option::of(inner.clone()), prop::option::of(inner))
                .prop_map(|(ok, err)| Type::result(ok, err).unwrap()),
            (1usize..300).prop_map(|n| Type::enumeration(labels(n)).unwrap()),
            (1usize..=32).prop_map(|n| Type::flags(labels(n)).unwrap()),
        ]
    })
}

fn boxed(v: Val) -> Option<Box<Val>> {
    Some(Box::new(v))
}

/// Random values of `ty`, NaNs with any payload included.
fn any_val(ty: &Type) -> BoxedStrategy<Val> {
    match ty {
        Type::Bool => any::<bool>().prop_map(Val::Bool).boxed(),
        Type::S8 => any::<i8>().prop_map(Val::S8).boxed(),
        Type::U8 => any::<u8>().prop_map(Val::U8).boxed(),
        Type::S16 => any::<i16>().prop_map(Val::S16).boxed(),
        Type::U16 => any::<u16>().prop_map(Val::U16).boxed(),
        Type::S32 => any::<i32>().prop_map(Val::S32).boxed(),
        Type::U32 => any::<u32>().prop_map(Val::U32).boxed(),
        Type::S64 => any::<i64>().prop_map(Val::S64).boxed(),
        Type::U64 => any::<u64>().prop_map(Val::U64).boxed(),
        Type::F32 => any::<u32>()
            .prop_map(|b| Val::F32(f32::from_bits(b)))
            .boxed(),
        Type::F64 => any::<u64>()
            .prop_map(|b| Val::F64(f64::from_bits(b)))
            .boxed(),
        Type::Char => any::<char>().prop_map(Val::Char).boxed(),
        Type::String => "\\PC{0,6}".prop_map(Val::String).boxed(),
        Type::List(l) => prop::collection::vec(any_val(l.elem()), 0..4)
            .prop_map(Val::List)
            .boxed(),
        Type::Record(r) => fields(r.fields().map(|(_, t, _)| t))
            .prop_map(Val::Record)
            .boxed(),
        Type::Tuple(t) => fields(t.fields().map(|(t, _)| t))
            .prop_map(Val::Tuple)
            .boxed(),
        Type::Variant(v) => {
            let cases: Vec<BoxedStrategy<Val>> = v
                .cases()
                .enumerate()
                .map(|(i, (_, t))| match t {
                    Some(t) => any_val(t)
                        .prop_map(move |p| Val::Variant(i as u32, boxed(p)))
                        .boxed(),
                    None => Just(Val::Variant(i as u32, None)).boxed(),
                })
                .collect();
            prop::strategy::Union::new(cases).boxed()
        }
        Type::Enum(e) => (0..e.names().len() as u32).prop_map(Val::Enum).boxed(),
        Type::Option(o) => prop::option::of(any_val(o.some()))
            .prop_map(|v| Val::Option(v.map(Box::new)))
            .boxed(),
        Type::Result(r) => {
            let side = |t: Option<&Type>| match t {
                Some(t) => any_val(t).prop_map(boxed).boxed(),
                None => Just(None).boxed(),
            };
            prop_oneof![
                side(r.ok()).prop_map(|v| Val::Result(Ok(v))),
                side(r.err()).prop_map(|v| Val::Result(Err(v))),
            ]
            .boxed()
        }
        Type::Flags(f) => any::<u32>()
            .prop_map({
                let mask = f.mask();
                move |b| Val::Flags(b & mask)
            })
            .boxed(),
        Type::Own(_) | Type::Borrow(_) => unreachable!("no handles here"),
    }
}

fn fields<'a>(tys: impl Iterator<Item = &'a Type>) -> BoxedStrategy<Vec<Val>> {
    tys.map(any_val).collect::<Vec<_>>().boxed()
}

/// What lifting gives back: the value with every NaN made canonical.
fn canonical(v: &Val) -> Val {
    match v {
        Val::F32(f) if f.is_nan() => Val::F32(f32::from_bits(0x7fc0_0000)),
        Val::F64(f) if f.is_nan() => Val::F64(f64::from_bits(0x7ff8_0000_0000_0000)),
        Val::List(vs) => Val::List(vs.iter().map(canonical).collect()),
        Val::Record(vs) => Val::Record(vs.iter().map(canonical).collect()),
        Val::Tuple(vs) => Val::Tuple(vs.iter().map(canonical).collect()),
        Val::Variant(i, p) => Val::Variant(*i, p.as_deref().map(canonical).map(Box::new)),
        Val::Option(p) => Val::Option(p.as_deref().map(canonical).map(Box::new)),
        Val::Result(Ok(p)) => Val::Result(Ok(p.as_deref().map(canonical).map(Box::new))),
        Val::Result(Err(p)) => Val::Result(Err(p.as_deref().map(canonical).map(Box::new))),
        other => other.clone(),
    }
}

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
    any_type().prop_flat_map(|t| {
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
