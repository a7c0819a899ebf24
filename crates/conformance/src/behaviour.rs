//! The host's answers to the guests' imports: pure functions of the arguments, so both runtimes give the same.

use wasmbed::Val;

fn boxed(v: Val) -> Option<Box<Val>> {
    Some(Box::new(v))
}

fn rev(s: &str) -> String {
    s.chars().rev().collect()
}

fn point(x: i32, y: i32) -> Val {
    Val::Record(vec![Val::S32(x), Val::S32(y)])
}

/// The last segment of `iface#name`.
fn short(func: &str) -> &str {
    func.rsplit_once('#').map_or(func, |(_, f)| f)
}

/// `wasmbed:types/host` and the world's `tick` (guests/types/types.wit).
pub fn types_host(func: &str, args: &[Val]) -> Option<Val> {
    Some(match (short(func), args) {
        ("echo-bool", [Val::Bool(a)]) => Val::Bool(!a),
        ("echo-s8", [Val::S8(a)]) => Val::S8(a.wrapping_mul(3).wrapping_add(1)),
        ("echo-u8", [Val::U8(a)]) => Val::U8(a.wrapping_mul(3).wrapping_add(1)),
        ("echo-s16", [Val::S16(a)]) => Val::S16(a.wrapping_mul(3).wrapping_add(1)),
        ("echo-u16", [Val::U16(a)]) => Val::U16(a.wrapping_mul(3).wrapping_add(1)),
        ("echo-s32", [Val::S32(a)]) => Val::S32(a.wrapping_mul(3).wrapping_add(1)),
        ("echo-u32", [Val::U32(a)]) => Val::U32(a.wrapping_mul(3).wrapping_add(1)),
        ("echo-s64", [Val::S64(a)]) => Val::S64(a.wrapping_mul(3).wrapping_add(1)),
        ("echo-u64", [Val::U64(a)]) => Val::U64(a.wrapping_mul(3).wrapping_add(1)),
        ("echo-f32", [Val::F32(a)]) => Val::F32(a * -1.5),
        ("echo-f64", [Val::F64(a)]) => Val::F64(a * -1.5),
        ("echo-char", [Val::Char(c)]) => Val::Char(char::from_u32(*c as u32 + 1).unwrap_or(*c)),
        ("echo-string", [Val::String(s)]) if s.is_empty() => Val::String(String::new()),
        ("echo-string", [Val::String(s)]) => Val::String(rev(s) + "é"),
        ("echo-bytes", [Val::List(l)]) => Val::List(
            l.iter()
                .map(|b| match b {
                    Val::U8(b) => Val::U8(b.wrapping_add(1)),
                    other => other.clone(),
                })
                .collect(),
        ),
        ("echo-list", [Val::List(l)]) => Val::List(
            l.iter()
                .map(|b| match b {
                    Val::U32(b) => Val::U32(b.wrapping_mul(2)),
                    other => other.clone(),
                })
                .collect(),
        ),
        ("echo-strings", [Val::List(l)]) => Val::List(
            l.iter()
                .rev()
                .map(|s| match s {
                    Val::String(s) => Val::String(rev(s)),
                    other => other.clone(),
                })
                .collect(),
        ),
        ("echo-point", [Val::Record(f)]) => match f.as_slice() {
            [Val::S32(x), Val::S32(y)] => point(*y, x.wrapping_add(1)),
            _ => return None,
        },
        ("echo-person", [Val::Record(f)]) => match f.as_slice() {
            [Val::String(name), Val::U8(age), Val::List(tags), Val::Option(home)] => {
                let mut tags = tags.clone();
                tags.push(Val::String(name.clone()));
                let home = match home {
                    None => boxed(point(i32::from(*age), tags.len() as i32)),
                    Some(_) => None,
                };
                Val::Record(vec![
                    Val::String(name.to_uppercase()),
                    Val::U8(age.wrapping_add(1)),
                    Val::List(tags),
                    Val::Option(home),
                ])
            }
            _ => return None,
        },
        ("echo-tuple", [Val::Tuple(f)]) => match f.as_slice() {
            [Val::U8(a), Val::String(s), Val::F64(x)] => Val::Tuple(vec![
                Val::U8(a.wrapping_add(1)),
                Val::String(format!("{s}!")),
                Val::F64(x * 2.0),
            ]),
            _ => return None,
        },
        ("echo-shape", [Val::Variant(case, payload)]) => match (case, payload.as_deref()) {
            (0, Some(Val::F32(r))) => Val::Variant(0, boxed(Val::F32(r * 2.0))),
            (1, Some(Val::Record(f))) => {
                Val::Variant(1, boxed(Val::Record(f.iter().rev().cloned().collect())))
            }
            (2, None) => Val::Variant(3, boxed(Val::String("none".into()))),
            (3, Some(Val::String(s))) => Val::Variant(4, boxed(Val::U64(s.len() as u64))),
            (4, Some(_)) => Val::Variant(2, None),
            _ => return None,
        },
        ("echo-color", [Val::Enum(c)]) => Val::Enum((c + 1) % 3),
        ("echo-perms", [Val::Flags(b)]) => Val::Flags(!b & 0b111),
        ("echo-wide", [Val::Flags(b)]) => Val::Flags(((b << 1) | (b >> 9)) & 0x3ff),
        ("echo-option", [Val::Option(o)]) => Val::Option(match o.as_deref() {
            Some(Val::String(s)) if s.is_empty() => None,
            Some(Val::String(s)) => boxed(Val::String(s.repeat(2))),
            _ => boxed(Val::String("none".into())),
        }),
        ("echo-result", [Val::Result(r)]) => Val::Result(match r {
            Ok(Some(v)) => match **v {
                Val::U32(n) => Err(boxed(Val::String(n.to_string()))),
                _ => return None,
            },
            Err(Some(v)) => match &**v {
                Val::String(s) => Ok(boxed(Val::U32(s.len() as u32))),
                _ => return None,
            },
            _ => return None,
        }),
        ("echo-unit-result", [Val::Result(r)]) => Val::Result(match r {
            Ok(None) => Err(boxed(Val::Enum(2))),
            Err(_) => Ok(None),
            Ok(Some(_)) => return None,
        }),
        ("spill", args) if args.len() == 15 => spill(args)?,
        ("tick", [Val::U32(n)]) => Val::U32(n.wrapping_mul(7)),
        _ => return None,
    })
}

/// `spill`'s 15 arguments summed up: every one shows in the result.
fn spill(args: &[Val]) -> Option<Val> {
    let mut sum = 0u64;
    for a in &args[..8] {
        let n = match a {
            Val::U8(n) => u64::from(*n),
            Val::S8(n) => *n as u64,
            Val::U16(n) => u64::from(*n),
            Val::S16(n) => *n as u64,
            Val::U32(n) => u64::from(*n),
            Val::S32(n) => *n as u64,
            Val::U64(n) => *n,
            Val::S64(n) => *n as u64,
            _ => return None,
        };
        sum = sum.wrapping_mul(31).wrapping_add(n);
    }
    let [Val::F32(i), Val::F64(j), Val::Char(k), Val::Bool(l), Val::String(m), Val::List(n), Val::Record(o)] =
        &args[8..]
    else {
        return None;
    };
    let text = format!("{m}:{}:{k}:{l}:{o:?}", n.len());
    Some(Val::Tuple(vec![
        Val::U64(sum),
        Val::F64(f64::from(*i) + j),
        Val::String(text),
    ]))
}

/// `wasmbed:cm32/host` (guests/cm32/calc.wit).
pub fn calc_host(func: &str, args: &[Val]) -> Option<Val> {
    match (short(func), args) {
        ("concat", [Val::String(a), Val::String(b)]) => Some(Val::String(format!("{a}{b}"))),
        ("sum17", args) if args.len() == 17 => {
            let mut sum = 0u64;
            for (i, a) in args.iter().enumerate() {
                let n = match a {
                    Val::U32(n) => u64::from(*n),
                    Val::S64(n) => *n as u64,
                    _ => return None,
                };
                sum = sum.wrapping_add(n.wrapping_mul(i as u64 + 1));
            }
            Some(Val::U64(sum))
        }
        _ => None,
    }
}
