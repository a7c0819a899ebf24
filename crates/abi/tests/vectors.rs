//! Every Canonical ABI vector produced by the specification's reference implementation.
//!
//! Reads `$WASMBED_VECTORS_DIR`, else `../shared/vectors/public` beside the
//! repository, as they are (see `FORMAT.md` there). Fails when a case fails
//! or when no case is found, and prints the cases passed per kind.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::Value as Json;
use wasmbed_abi::{
    lift_flat, load, lower_flat, store, AbiContext, BumpMemory, FlatType, FlatVal, FuncType,
    GuestMemory, RawHandles, Trap, Type, Val,
};

const KINDS: [&str; 6] = [
    "layout",
    "lift_flat",
    "load",
    "store",
    "lower_flat",
    "functype",
];

fn vectors_dir() -> PathBuf {
    match std::env::var_os("WASMBED_VECTORS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors/public"),
    }
}

/// The declared types of a vector file, resolved into `Type`s.
struct Types {
    exprs: HashMap<String, Json>,
    resolved: HashMap<String, Type>,
}

impl Types {
    fn new(map: &Json) -> Types {
        let exprs = map
            .as_object()
            .expect("`types` is an object")
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Types {
            exprs,
            resolved: HashMap::new(),
        }
    }

    fn get(&mut self, expr: &Json) -> Type {
        match expr {
            Json::String(name) => self.named(name),
            Json::Object(o) => {
                let (key, arg) = o.iter().next().expect("one-key type expression");
                match key.as_str() {
                    "list" => Type::list(self.get(arg)).unwrap(),
                    "option" => Type::option(self.get(arg)).unwrap(),
                    "result" => {
                        let ok = self.opt(&arg["ok"]);
                        let err = self.opt(&arg["err"]);
                        Type::result(ok, err).unwrap()
                    }
                    "tuple" => Type::tuple(arr(arg).iter().map(|t| self.get(t))).unwrap(),
                    "record" => {
                        let fields: Vec<(String, Type)> = arr(arg)
                            .iter()
                            .map(|f| (str_of(&f[0]).to_string(), self.get(&f[1])))
                            .collect();
                        Type::record(fields).unwrap()
                    }
                    "variant" => {
                        let cases: Vec<(String, Option<Type>)> = arr(arg)
                            .iter()
                            .map(|c| (str_of(&c[0]).to_string(), self.opt(&c[1])))
                            .collect();
                        Type::variant(cases).unwrap()
                    }
                    "enum" => Type::enumeration(arr(arg).iter().map(str_of)).unwrap(),
                    "flags" => Type::flags(arr(arg).iter().map(str_of)).unwrap(),
                    other => panic!("unknown type expression `{other}`"),
                }
            }
            other => panic!("bad type expression {other}"),
        }
    }

    fn opt(&mut self, expr: &Json) -> Option<Type> {
        (!expr.is_null()).then(|| self.get(expr))
    }

    fn named(&mut self, name: &str) -> Type {
        let prim = match name {
            "bool" => Some(Type::Bool),
            "s8" => Some(Type::S8),
            "u8" => Some(Type::U8),
            "s16" => Some(Type::S16),
            "u16" => Some(Type::U16),
            "s32" => Some(Type::S32),
            "u32" => Some(Type::U32),
            "s64" => Some(Type::S64),
            "u64" => Some(Type::U64),
            "f32" => Some(Type::F32),
            "f64" => Some(Type::F64),
            "char" => Some(Type::Char),
            "string" => Some(Type::String),
            _ => None,
        };
        if let Some(t) = prim {
            return t;
        }
        if let Some(t) = self.resolved.get(name) {
            return t.clone();
        }
        let expr = self
            .exprs
            .get(name)
            .unwrap_or_else(|| panic!("undeclared type `{name}`"))
            .clone();
        let t = self.get(&expr);
        self.resolved.insert(name.to_string(), t.clone());
        t
    }
}

fn arr(j: &Json) -> &Vec<Json> {
    j.as_array().expect("array")
}

fn str_of(j: &Json) -> &str {
    j.as_str().expect("string")
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn bits(j: &Json) -> u64 {
    u64::from_str_radix(str_of(j).trim_start_matches("0x"), 16).expect("hex bits")
}

/// A component value in the vectors' JSON encoding, as a `Val` of type `ty`.
fn val(ty: &Type, j: &Json) -> Val {
    let int = || j.as_i64().expect("integer");
    match ty {
        Type::Bool => Val::Bool(j.as_bool().unwrap()),
        Type::S8 => Val::S8(int() as i8),
        Type::U8 => Val::U8(int() as u8),
        Type::S16 => Val::S16(int() as i16),
        Type::U16 => Val::U16(int() as u16),
        Type::S32 => Val::S32(int() as i32),
        Type::U32 => Val::U32(int() as u32),
        Type::S64 => Val::S64(str_of(j).parse().unwrap()),
        Type::U64 => Val::U64(str_of(j).parse().unwrap()),
        Type::F32 => Val::F32(f32::from_bits(bits(&j["f32"]) as u32)),
        Type::F64 => Val::F64(f64::from_bits(bits(&j["f64"]))),
        Type::Char => Val::Char(str_of(j).chars().next().unwrap()),
        Type::String => Val::String(str_of(j).to_string()),
        Type::List(l) => Val::List(arr(j).iter().map(|e| val(l.elem(), e)).collect()),
        Type::Record(r) => Val::Record(r.fields().map(|(n, t, _)| val(t, &j[n])).collect()),
        Type::Tuple(t) => Val::Tuple(
            t.fields()
                .zip(arr(j))
                .map(|((t, _), e)| val(t, e))
                .collect(),
        ),
        Type::Variant(v) => {
            let label = str_of(&j["case"]);
            let (i, payload) = v
                .cases()
                .enumerate()
                .find(|(_, (n, _))| *n == label)
                .map(|(i, (_, t))| (i, t))
                .expect("known case");
            Val::Variant(i as u32, payload.map(|t| Box::new(val(t, &j["value"]))))
        }
        Type::Enum(e) => Val::Enum(e.names().position(|n| n == str_of(j)).unwrap() as u32),
        Type::Option(o) => match j.get("some") {
            Some(v) => Val::Option(Some(Box::new(val(o.some(), v)))),
            None => Val::Option(None),
        },
        Type::Result(r) => match j.get("ok") {
            Some(v) => Val::Result(Ok(r.ok().map(|t| Box::new(val(t, v))))),
            None => Val::Result(Err(r.err().map(|t| Box::new(val(t, &j["err"]))))),
        },
        Type::Flags(f) => {
            let names: Vec<&str> = f.names().collect();
            let set = arr(j)
                .iter()
                .map(|l| 1u32 << names.iter().position(|n| *n == str_of(l)).unwrap())
                .fold(0, |a, b| a | b);
            Val::Flags(set)
        }
        Type::Own(_) | Type::Borrow(_) => unreachable!("no resources in the vectors"),
    }
}

/// Equality that compares floats by bits, so a canonical NaN equals itself.
fn same(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::F32(x), Val::F32(y)) => x.to_bits() == y.to_bits(),
        (Val::F64(x), Val::F64(y)) => x.to_bits() == y.to_bits(),
        (Val::List(x), Val::List(y))
        | (Val::Record(x), Val::Record(y))
        | (Val::Tuple(x), Val::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Val::Variant(i, x), Val::Variant(j, y)) => i == j && same_opt(x, y),
        (Val::Option(x), Val::Option(y)) => same_opt(x, y),
        (Val::Result(Ok(x)), Val::Result(Ok(y))) | (Val::Result(Err(x)), Val::Result(Err(y))) => {
            same_opt(x, y)
        }
        _ => a == b,
    }
}

fn same_opt(a: &Option<Box<Val>>, b: &Option<Box<Val>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => same(a, b),
        (None, None) => true,
        _ => false,
    }
}

fn flat(j: &Json) -> FlatVal {
    let (k, v) = j.as_object().unwrap().iter().next().unwrap();
    match k.as_str() {
        "i32" => FlatVal::I32(v.as_u64().unwrap() as u32 as i32),
        "i64" => FlatVal::I64(str_of(v).parse::<u64>().unwrap() as i64),
        "f32" => FlatVal::F32(f32::from_bits(bits(v) as u32)),
        "f64" => FlatVal::F64(f64::from_bits(bits(v))),
        other => panic!("unknown core type {other}"),
    }
}

fn flat_type(j: &Json) -> FlatType {
    match str_of(j) {
        "i32" => FlatType::I32,
        "i64" => FlatType::I64,
        "f32" => FlatType::F32,
        "f64" => FlatType::F64,
        other => panic!("unknown core type {other}"),
    }
}

/// The bump allocator of the vectors, recording each call as `[align, size, ptr]`.
struct Recording<'a> {
    inner: BumpMemory<'a>,
    allocs: Vec<[u64; 3]>,
}

impl GuestMemory for Recording<'_> {
    fn data(&self) -> &[u8] {
        self.inner.data()
    }
    fn data_mut(&mut self) -> &mut [u8] {
        self.inner.data_mut()
    }
    fn realloc(&mut self, old_ptr: u32, old_size: u32, align: u32, size: u32) -> Result<u32, Trap> {
        let ptr = self.inner.realloc(old_ptr, old_size, align, size)?;
        self.allocs.push([align.into(), size.into(), ptr.into()]);
        Ok(ptr)
    }
}

/// The trap a category of crafted cases must produce, where it names one.
fn trap_matches(category: &str, trap: &Trap) -> bool {
    match category {
        "bad-discriminant" => matches!(trap, Trap::InvalidDiscriminant { .. }),
        "bad-char" => matches!(trap, Trap::InvalidChar { .. }),
        "bad-utf8" => matches!(trap, Trap::InvalidUtf8 { .. }),
        // The specification checks the byte limit before the bounds, so a
        // huge out-of-bounds length is refused as too long.
        "string-oob" | "list-oob" => {
            matches!(trap, Trap::OutOfBounds { .. } | Trap::TooLong { .. })
        }
        "list-misaligned" => matches!(trap, Trap::Misaligned { .. }),
        "string-too-long" | "list-too-long" => matches!(trap, Trap::TooLong { .. }),
        "alloc-oob" => matches!(trap, Trap::BadRealloc { .. }),
        _ => true,
    }
}

/// Checks one case; `Err` says what differed.
fn check(kind: &str, case: &Json, types: &mut Types) -> Result<(), String> {
    let expect_trap = case.get("trap").and_then(Json::as_bool) == Some(true);
    let category = str_of(&case["tags"][0]);
    let outcome = |got: Result<Val, Trap>, want: Option<&Json>, ty: &Type| match (got, want) {
        (Err(t), None) if expect_trap && trap_matches(category, &t) => Ok(()),
        (Err(t), None) => Err(format!("trapped with `{t}`, not a `{category}` trap")),
        (Ok(v), None) => Err(format!("expected a trap, got {v:?}")),
        (Err(t), Some(_)) => Err(format!("unexpected trap: {t}")),
        (Ok(v), Some(w)) => {
            let w = val(ty, w);
            if same(&v, &w) {
                Ok(())
            } else {
                Err(format!("got {v:?}, expected {w:?}"))
            }
        }
    };
    match kind {
        "layout" => {
            let ty = types.get(&case["type"]);
            let l = ty.layout();
            let want_flat: Vec<FlatType> = arr(&case["flat"]).iter().map(flat_type).collect();
            let want = (
                case["size"].as_u64().unwrap(),
                case["align"].as_u64().unwrap(),
            );
            if (u64::from(l.size), u64::from(l.align)) != want || ty.flat() != want_flat {
                return Err(format!("got {l:?} {:?}", ty.flat()));
            }
            Ok(())
        }
        "lift_flat" => {
            let ty = types.get(&case["type"]);
            let mem = hex(str_of(&case["memory_hex"]));
            let core: Vec<FlatVal> = arr(&case["core"]).iter().map(flat).collect();
            outcome(
                lift_flat(&ty, &core, &mem, &mut RawHandles),
                case.get("expect"),
                &ty,
            )
        }
        "load" => {
            let ty = types.get(&case["type"]);
            let mem = hex(str_of(&case["memory_hex"]));
            let ptr = case["ptr"].as_u64().unwrap() as u32;
            outcome(
                load(&ty, &mem, ptr, &mut RawHandles),
                case.get("expect"),
                &ty,
            )
        }
        "store" | "lower_flat" => {
            let ty = types.get(&case["type"]);
            let value = val(&ty, &case["value"]);
            let mut bytes = vec![0u8; case["memory_size"].as_u64().unwrap() as usize];
            let heap = case["heap_base"].as_u64().unwrap() as u32;
            let mut mem = Recording {
                inner: BumpMemory::new(&mut bytes, heap),
                allocs: Vec::new(),
            };
            let mut core = Vec::new();
            let result = if kind == "store" {
                let ptr = case["ptr"].as_u64().unwrap() as u32;
                store(&ty, &value, ptr, &mut mem, &mut RawHandles)
            } else {
                lower_flat(&ty, &value, &mut mem, &mut RawHandles, &mut core)
            };
            let want_allocs: Vec<[u64; 3]> = arr(&case["expect_allocs"])
                .iter()
                .map(|a| {
                    [
                        a[0].as_u64().unwrap(),
                        a[1].as_u64().unwrap(),
                        a[2].as_u64().unwrap(),
                    ]
                })
                .collect();
            if mem.allocs != want_allocs {
                return Err(format!(
                    "realloc calls {:?}, expected {want_allocs:?}",
                    mem.allocs
                ));
            }
            match (result, expect_trap) {
                (Err(t), true) if trap_matches(category, &t) => return Ok(()),
                (Err(t), true) => return Err(format!("trapped with `{t}`, not `{category}`")),
                (Ok(()), true) => return Err("expected a trap".into()),
                (Err(t), false) => return Err(format!("unexpected trap: {t}")),
                (Ok(()), false) => {}
            }
            if mem.data() != hex(str_of(&case["expect_memory_hex"])) {
                return Err("memory differs".into());
            }
            if kind == "lower_flat" {
                let want: Vec<FlatVal> = arr(&case["expect_core"]).iter().map(flat).collect();
                let ok =
                    core.len() == want.len() && core.iter().zip(&want).all(|(a, b)| a.bits_eq(b));
                if !ok {
                    return Err(format!("core values {core:?}, expected {want:?}"));
                }
            }
            Ok(())
        }
        "functype" => {
            let params: Vec<Type> = arr(&case["params"]).iter().map(|t| types.get(t)).collect();
            let result = arr(&case["results"]).first().map(|t| types.get(t));
            let ft = FuncType::new(params, result).map_err(|e| e.to_string())?;
            let counts = (
                ft.flat_params().len() as u64,
                ft.flat_results().len() as u64,
            );
            let want = (
                case["flat_param_count"].as_u64().unwrap(),
                case["flat_result_count"].as_u64().unwrap(),
            );
            if counts != want {
                return Err(format!("flat counts {counts:?}, expected {want:?}"));
            }
            for (cx, key) in [(AbiContext::Lift, "lift"), (AbiContext::Lower, "lower")] {
                let sig = ft.core_signature(cx);
                let p: Vec<FlatType> = arr(&case[key]["params"]).iter().map(flat_type).collect();
                let r: Vec<FlatType> = arr(&case[key]["results"]).iter().map(flat_type).collect();
                if sig.params != p || sig.results != r {
                    return Err(format!("{key} signature {sig:?}, expected {p:?} -> {r:?}"));
                }
            }
            Ok(())
        }
        other => Err(format!("unknown kind `{other}`")),
    }
}

#[test]
fn reference_vectors() {
    let dir = vectors_dir();
    let mut failures = String::new();
    let mut failed = 0usize;
    let mut total = 0usize;
    for kind in KINDS {
        let path = dir.join(format!("{kind}.json"));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let file: Json = serde_json::from_str(&text).expect("vector file is JSON");
        let mut types = Types::new(&file["types"]);
        let cases = arr(&file["cases"]);
        let mut passed = 0;
        for case in cases {
            assert_eq!(str_of(&case["kind"]), kind, "case in the wrong file");
            match check(kind, case, &mut types) {
                Ok(()) => passed += 1,
                Err(why) => {
                    failed += 1;
                    if failed <= 40 {
                        let _ = writeln!(failures, "{}: {why}", str_of(&case["id"]));
                    }
                }
            }
        }
        total += cases.len();
        println!("{kind}: {passed}/{} cases passed", cases.len());
    }
    assert!(total > 0, "no vector cases found in {}", dir.display());
    assert!(failed == 0, "{failed} of {total} cases failed:\n{failures}");
}
