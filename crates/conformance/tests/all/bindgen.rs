//! One host, written once, behind `wasmbed::bindgen!` and behind
//! `wasmtime::component::bindgen!`, over the same guest: every export result
//! and every import argument the host receives must be identical.
//!
//! The host (`shared_types!`) is one `macro_rules!` body expanded inside each
//! generated module, so both runtimes run the very same host code over their
//! own generated types. Values are recorded in a generator-independent text
//! form ([`Show`]): generated `Debug` impls differ between the two generators.

use wasmbed::{Guest, Limits, Wasmi};
use wasmbed_conformance::repo_path;

use crate::wasmtime_side::component;

/// A value as text that does not depend on which generator made its type.
pub(crate) trait Show {
    fn show(&self) -> String;
}

macro_rules! show_debug {
    ($($t:ty),*) => {
        $(impl Show for $t {
            fn show(&self) -> String {
                format!("{self:?}")
            }
        })*
    };
}

show_debug!(
    bool,
    u8,
    i8,
    u16,
    i16,
    u32,
    i32,
    u64,
    i64,
    usize,
    char,
    String,
    ()
);

/// Floats by bits, so `-0.0` is not `0.0`, except that every NaN is the one
/// NaN of component-level floats: the bits of a NaN are not a value the
/// component model carries. (wasmbed's lift canonicalizes NaNs; wasmtime
/// passes the guest's NaN bits through, sign included: both allowed.)
impl Show for f32 {
    fn show(&self) -> String {
        if self.is_nan() {
            return "NaN".into();
        }
        format!("{self:?}/{:#010x}", self.to_bits())
    }
}

impl Show for f64 {
    fn show(&self) -> String {
        if self.is_nan() {
            return "NaN".into();
        }
        format!("{self:?}/{:#018x}", self.to_bits())
    }
}

impl<T: Show> Show for Vec<T> {
    fn show(&self) -> String {
        let items: Vec<String> = self.iter().map(Show::show).collect();
        format!("[{}]", items.join(", "))
    }
}

impl<T: Show> Show for Option<T> {
    fn show(&self) -> String {
        match self {
            Some(v) => format!("some({})", v.show()),
            None => "none".into(),
        }
    }
}

impl<T: Show, E: Show> Show for Result<T, E> {
    fn show(&self) -> String {
        match self {
            Ok(v) => format!("ok({})", v.show()),
            Err(e) => format!("err({})", e.show()),
        }
    }
}

impl<A: Show, B: Show, C: Show> Show for (A, B, C) {
    fn show(&self) -> String {
        format!("({}, {}, {})", self.0.show(), self.1.show(), self.2.show())
    }
}

/// An export call that failed; the error's text is runtime-specific, so it is only printed.
#[derive(Debug)]
pub(crate) struct Trapped;

impl Show for Trapped {
    fn show(&self) -> String {
        "trapped".into()
    }
}

fn trapped(e: impl std::fmt::Display) -> Trapped {
    eprintln!("export call failed: {e}");
    Trapped
}

/// The host of the `types` world and the export calls that drive it, expanded
/// inside each generated module: the same code over each generator's types.
macro_rules! shared_types {
    () => {
        use self::wasmbed::types::defs::{Color, Perms, Person, Point, Shape, Wide};
        use crate::bindgen::{Show, Trapped};

        impl Show for Point {
            fn show(&self) -> String {
                format!("point{{x: {}, y: {}}}", self.x.show(), self.y.show())
            }
        }

        impl Show for Person {
            fn show(&self) -> String {
                format!(
                    "person{{name: {}, age: {}, tags: {}, home: {}}}",
                    self.name.show(),
                    self.age.show(),
                    self.tags.show(),
                    self.home.show()
                )
            }
        }

        impl Show for Shape {
            fn show(&self) -> String {
                match self {
                    Shape::Circle(r) => format!("circle({})", r.show()),
                    Shape::Rect(p) => format!("rect({})", p.show()),
                    Shape::None => "none-case".into(),
                    Shape::Named(n) => format!("named({})", n.show()),
                    Shape::Big(n) => format!("big({})", n.show()),
                }
            }
        }

        impl Show for Color {
            fn show(&self) -> String {
                match self {
                    Color::Red => "red",
                    Color::Green => "green",
                    Color::Blue => "blue",
                }
                .into()
            }
        }

        const PERMS: [(Perms, &str); 3] = [
            (Perms::READ, "read"),
            (Perms::WRITE, "write"),
            (Perms::EXEC, "exec"),
        ];

        const WIDE: [Wide; 10] = [
            Wide::B0,
            Wide::B1,
            Wide::B2,
            Wide::B3,
            Wide::B4,
            Wide::B5,
            Wide::B6,
            Wide::B7,
            Wide::B8,
            Wide::B9,
        ];

        impl Show for Perms {
            fn show(&self) -> String {
                let set: Vec<&str> = PERMS
                    .iter()
                    .filter(|(f, _)| self.contains(*f))
                    .map(|(_, n)| *n)
                    .collect();
                format!("perms{{{}}}", set.join("|"))
            }
        }

        impl Show for Wide {
            fn show(&self) -> String {
                let set: Vec<String> = (0..WIDE.len())
                    .filter(|i| self.contains(WIDE[*i]))
                    .map(|i| format!("b{i}"))
                    .collect();
                format!("wide{{{}}}", set.join("|"))
            }
        }

        /// A flags value from the indices of its set flags.
        fn wide_of(set: impl IntoIterator<Item = usize>) -> Wide {
            set.into_iter().fold(Wide::empty(), |w, i| w | WIDE[i])
        }

        fn perms_of(set: impl IntoIterator<Item = usize>) -> Perms {
            set.into_iter().fold(Perms::empty(), |p, i| p | PERMS[i].0)
        }

        /// The host's data: every import call with its arguments, in order.
        #[derive(Default)]
        pub(crate) struct HostState {
            pub(crate) log: Vec<String>,
        }

        impl HostState {
            fn seen(&mut self, func: &str, args: &[&dyn Show]) {
                let args: Vec<String> = args.iter().map(|a| a.show()).collect();
                self.log.push(format!("{func}({})", args.join(", ")));
            }
        }

        impl self::wasmbed::types::host::Host for HostState {
            fn echo_bool(&mut self, a: bool) -> bool {
                self.seen("echo-bool", &[&a]);
                !a
            }
            fn echo_s8(&mut self, a: i8) -> i8 {
                self.seen("echo-s8", &[&a]);
                a.wrapping_mul(3).wrapping_add(1)
            }
            fn echo_u8(&mut self, a: u8) -> u8 {
                self.seen("echo-u8", &[&a]);
                a.wrapping_mul(3).wrapping_add(1)
            }
            fn echo_s16(&mut self, a: i16) -> i16 {
                self.seen("echo-s16", &[&a]);
                a.wrapping_mul(3).wrapping_add(1)
            }
            fn echo_u16(&mut self, a: u16) -> u16 {
                self.seen("echo-u16", &[&a]);
                a.wrapping_mul(3).wrapping_add(1)
            }
            fn echo_s32(&mut self, a: i32) -> i32 {
                self.seen("echo-s32", &[&a]);
                a.wrapping_mul(3).wrapping_add(1)
            }
            fn echo_u32(&mut self, a: u32) -> u32 {
                self.seen("echo-u32", &[&a]);
                a.wrapping_mul(3).wrapping_add(1)
            }
            fn echo_s64(&mut self, a: i64) -> i64 {
                self.seen("echo-s64", &[&a]);
                a.wrapping_mul(3).wrapping_add(1)
            }
            fn echo_u64(&mut self, a: u64) -> u64 {
                self.seen("echo-u64", &[&a]);
                a.wrapping_mul(3).wrapping_add(1)
            }
            fn echo_f32(&mut self, a: f32) -> f32 {
                self.seen("echo-f32", &[&a]);
                a * -1.5
            }
            fn echo_f64(&mut self, a: f64) -> f64 {
                self.seen("echo-f64", &[&a]);
                a * -1.5
            }
            fn echo_char(&mut self, a: char) -> char {
                self.seen("echo-char", &[&a]);
                char::from_u32(a as u32 + 1).unwrap_or(a)
            }
            fn echo_string(&mut self, a: String) -> String {
                self.seen("echo-string", &[&a]);
                if a.is_empty() {
                    a
                } else {
                    a.chars().rev().collect::<String>() + "é"
                }
            }
            fn echo_bytes(&mut self, a: Vec<u8>) -> Vec<u8> {
                self.seen("echo-bytes", &[&a]);
                a.iter().map(|b| b.wrapping_add(1)).collect()
            }
            fn echo_list(&mut self, a: Vec<u32>) -> Vec<u32> {
                self.seen("echo-list", &[&a]);
                a.iter().map(|n| n.wrapping_mul(2)).collect()
            }
            fn echo_strings(&mut self, a: Vec<String>) -> Vec<String> {
                self.seen("echo-strings", &[&a]);
                a.iter().rev().map(|s| s.chars().rev().collect()).collect()
            }
            fn echo_point(&mut self, a: Point) -> Point {
                self.seen("echo-point", &[&a]);
                Point {
                    x: a.y,
                    y: a.x.wrapping_add(1),
                }
            }
            fn echo_person(&mut self, a: Person) -> Person {
                self.seen("echo-person", &[&a]);
                let mut tags = a.tags;
                tags.push(a.name.clone());
                let home = match a.home {
                    None => Some(Point {
                        x: i32::from(a.age),
                        y: tags.len() as i32,
                    }),
                    Some(_) => None,
                };
                Person {
                    name: a.name.to_uppercase(),
                    age: a.age.wrapping_add(1),
                    tags,
                    home,
                }
            }
            fn echo_tuple(&mut self, a: (u8, String, f64)) -> (u8, String, f64) {
                self.seen("echo-tuple", &[&a]);
                (a.0.wrapping_add(1), format!("{}!", a.1), a.2 * 2.0)
            }
            fn echo_shape(&mut self, a: Shape) -> Shape {
                self.seen("echo-shape", &[&a]);
                match a {
                    Shape::Circle(r) => Shape::Circle(r * 2.0),
                    Shape::Rect(p) => Shape::Rect(Point { x: p.y, y: p.x }),
                    Shape::None => Shape::Named("none".into()),
                    Shape::Named(n) => Shape::Big(n.len() as u64),
                    Shape::Big(_) => Shape::None,
                }
            }
            fn echo_color(&mut self, a: Color) -> Color {
                self.seen("echo-color", &[&a]);
                match a {
                    Color::Red => Color::Green,
                    Color::Green => Color::Blue,
                    Color::Blue => Color::Red,
                }
            }
            fn echo_perms(&mut self, a: Perms) -> Perms {
                self.seen("echo-perms", &[&a]);
                !a
            }
            fn echo_wide(&mut self, a: Wide) -> Wide {
                self.seen("echo-wide", &[&a]);
                // Rotated left by one flag.
                wide_of((0..WIDE.len()).filter(|i| a.contains(WIDE[(i + 9) % 10])))
            }
            fn echo_option(&mut self, a: Option<String>) -> Option<String> {
                self.seen("echo-option", &[&a]);
                match a {
                    Some(s) if s.is_empty() => None,
                    Some(s) => Some(s.repeat(2)),
                    None => Some("none".into()),
                }
            }
            fn echo_result(&mut self, a: Result<u32, String>) -> Result<u32, String> {
                self.seen("echo-result", &[&a]);
                match a {
                    Ok(n) => Err(n.to_string()),
                    Err(s) => Ok(s.len() as u32),
                }
            }
            fn echo_unit_result(&mut self, a: Result<(), Color>) -> Result<(), Color> {
                self.seen("echo-unit-result", &[&a]);
                match a {
                    Ok(()) => Err(Color::Blue),
                    Err(_) => Ok(()),
                }
            }
            #[allow(clippy::too_many_arguments)]
            fn spill(
                &mut self,
                a: u8,
                b: i8,
                c: u16,
                d: i16,
                e: u32,
                f: i32,
                g: u64,
                h: i64,
                i: f32,
                j: f64,
                k: char,
                l: bool,
                m: String,
                n: Vec<u8>,
                o: Point,
            ) -> (u64, f64, String) {
                self.seen(
                    "spill",
                    &[&a, &b, &c, &d, &e, &f, &g, &h, &i, &j, &k, &l, &m, &n, &o],
                );
                let ints = [
                    u64::from(a),
                    b as u64,
                    u64::from(c),
                    d as u64,
                    u64::from(e),
                    f as u64,
                    g,
                    h as u64,
                ];
                let sum = ints
                    .iter()
                    .fold(0u64, |s, n| s.wrapping_mul(31).wrapping_add(*n));
                let text = format!("{m}:{}:{k}:{l}:{}", n.len(), o.show());
                (sum, f64::from(i) + j, text)
            }
        }

        impl self::wasmbed::types::defs::Host for HostState {}

        impl TypesImports for HostState {
            fn tick(&mut self, n: u32) -> u32 {
                self.seen("tick", &[&n]);
                n.wrapping_mul(7)
            }
        }

        fn out<T: Show>(calls: &mut Vec<String>, call: String, r: Result<T, Trapped>) {
            calls.push(format!("{call} -> {}", r.show()));
        }

        /// Every export call of the run, each with its result, in order.
        pub(crate) fn drive(side: &mut Side) -> Vec<String> {
            let mut c = Vec::new();
            let c = &mut c;
            for x in [false, true] {
                out(c, format!("echo-bool({x})"), side.echo_bool(x));
            }
            for x in [0, 1, -1, i8::MIN, i8::MAX] {
                out(c, format!("echo-s8({x})"), side.echo_s8(x));
            }
            for x in [0, 1, 0x80, u8::MAX] {
                out(c, format!("echo-u8({x})"), side.echo_u8(x));
            }
            for x in [0, -1, i16::MIN, i16::MAX, 0x1234] {
                out(c, format!("echo-s16({x})"), side.echo_s16(x));
            }
            for x in [0, 1, 0x8000, u16::MAX] {
                out(c, format!("echo-u16({x})"), side.echo_u16(x));
            }
            for x in [0, -1, i32::MIN, i32::MAX, 0x1234_5678] {
                out(c, format!("echo-s32({x})"), side.echo_s32(x));
            }
            for x in [0, 1, 0x8000_0000, u32::MAX] {
                out(c, format!("echo-u32({x})"), side.echo_u32(x));
            }
            for x in [0, -1, i64::MIN, i64::MAX, 0x1234_5678_9abc_def0] {
                out(c, format!("echo-s64({x})"), side.echo_s64(x));
            }
            for x in [0, 1, 1 << 63, u64::MAX] {
                out(c, format!("echo-u64({x})"), side.echo_u64(x));
            }
            for x in [
                0.0,
                -0.0,
                1.5,
                f32::MIN_POSITIVE / 2.0,
                f32::MAX,
                f32::INFINITY,
                f32::NEG_INFINITY,
                f32::NAN,
                -f32::NAN,
            ] {
                out(c, format!("echo-f32({})", x.show()), side.echo_f32(x));
            }
            for x in [
                0.0,
                -0.0,
                -2.25,
                f64::MIN_POSITIVE / 2.0,
                f64::MAX,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NAN,
                -f64::NAN,
            ] {
                out(c, format!("echo-f64({})", x.show()), side.echo_f64(x));
            }
            for x in ['a', 'Z', '\0', 'é', '\u{d7ff}', '\u{e000}', '🦀', char::MAX] {
                out(c, format!("echo-char({x:?})"), side.echo_char(x));
            }
            let long: String = "abcé🦀".repeat(2000);
            for x in ["", "a", "héllo wörld", "🦀🦀", "nul\0inside", long.as_str()] {
                let call = format!("echo-string({} chars)", x.chars().count());
                out(c, call, side.echo_string(x));
            }
            let bytes_1000: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
            for x in [vec![], vec![0], vec![0, 1, 255], bytes_1000] {
                out(c, format!("echo-bytes({})", x.len()), side.echo_bytes(&x));
            }
            let words_1000: Vec<u32> = (0..1000u32).map(|i| i.wrapping_mul(0x9e37_79b9)).collect();
            for x in [vec![], vec![1], vec![u32::MAX; 3], words_1000] {
                out(c, format!("echo-list({})", x.len()), side.echo_list(&x));
            }
            let strings_100: Vec<String> = (0..100).map(|i| format!("s{i}é")).collect();
            for x in [
                vec![],
                vec![String::new()],
                vec!["a".to_string(), "ü".into(), "🦀".into()],
                strings_100,
            ] {
                out(
                    c,
                    format!("echo-strings({})", x.len()),
                    side.echo_strings(&x),
                );
            }
            for (x, y) in [(0, 0), (1, -2), (i32::MIN, i32::MAX)] {
                let p = Point { x, y };
                out(c, format!("echo-point({})", p.show()), side.echo_point(p));
            }
            let people = [
                Person {
                    name: "Zoë".into(),
                    age: 41,
                    tags: vec!["a".into()],
                    home: Some(Point { x: 3, y: -4 }),
                },
                Person {
                    name: String::new(),
                    age: 255,
                    tags: vec![],
                    home: None,
                },
                Person {
                    name: "long".repeat(300),
                    age: 0,
                    tags: (0..50).map(|i| format!("tag{i}")).collect(),
                    home: Some(Point {
                        x: i32::MIN,
                        y: i32::MAX,
                    }),
                },
            ];
            for p in people {
                out(c, format!("echo-person({})", p.show()), side.echo_person(p));
            }
            for t in [
                (0, String::new(), 0.0),
                (255, "tüple".to_string(), -0.0),
                (7, "x".into(), f64::NAN),
                (128, "🦀".repeat(100), f64::NEG_INFINITY),
            ] {
                out(c, format!("echo-tuple({})", t.show()), side.echo_tuple(t));
            }
            for s in [
                Shape::Circle(2.0),
                Shape::Circle(-0.0),
                Shape::Circle(f32::NAN),
                Shape::Rect(Point { x: 5, y: -6 }),
                Shape::None,
                Shape::Named(String::new()),
                Shape::Named("four".into()),
                Shape::Named("ünïcödé".into()),
                Shape::Big(0),
                Shape::Big(u64::MAX),
            ] {
                out(c, format!("echo-shape({})", s.show()), side.echo_shape(s));
            }
            for x in [Color::Red, Color::Green, Color::Blue] {
                out(c, format!("echo-color({})", x.show()), side.echo_color(x));
            }
            for bits in 0..8usize {
                let p = perms_of((0..3).filter(|i| bits & (1 << i) != 0));
                out(c, format!("echo-perms({})", p.show()), side.echo_perms(p));
            }
            let mut wides: Vec<Wide> = vec![Wide::empty(), Wide::all()];
            wides.extend(WIDE);
            wides.push(wide_of([0, 9]));
            wides.push(wide_of([1, 3, 5, 7]));
            wides.push(wide_of([8, 9]));
            for w in wides {
                out(c, format!("echo-wide({})", w.show()), side.echo_wide(w));
            }
            for x in [
                None,
                Some(String::new()),
                Some("x".to_string()),
                Some("🦀".repeat(500)),
            ] {
                out(c, format!("echo-option({})", x.show()), side.echo_option(x));
            }
            for x in [
                Ok(0),
                Ok(12),
                Ok(u32::MAX),
                Err(String::new()),
                Err("abc".to_string()),
                Err("é".repeat(1000)),
            ] {
                out(c, format!("echo-result({})", x.show()), side.echo_result(x));
            }
            for x in [Ok(()), Err(Color::Red), Err(Color::Green), Err(Color::Blue)] {
                let call = format!("echo-unit-result({})", x.show());
                out(c, call, side.echo_unit_result(x));
            }
            let spills = [
                Spill(
                    1,
                    -1,
                    2,
                    -2,
                    3,
                    -3,
                    10,
                    -10,
                    0.5,
                    0.25,
                    'k',
                    true,
                    "m".into(),
                    vec![1, 2, 3],
                    Point { x: 7, y: 8 },
                ),
                Spill(
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0.0,
                    -0.0,
                    '\0',
                    false,
                    String::new(),
                    vec![],
                    Point { x: 0, y: 0 },
                ),
                Spill(
                    u8::MAX,
                    i8::MIN,
                    u16::MAX,
                    i16::MIN,
                    u32::MAX,
                    i32::MIN,
                    u64::MAX,
                    i64::MIN,
                    f32::NAN,
                    f64::INFINITY,
                    '🦀',
                    true,
                    "spïll".repeat(100),
                    (0..=255).collect(),
                    Point {
                        x: i32::MIN,
                        y: i32::MAX,
                    },
                ),
            ];
            for (n, s) in spills.into_iter().enumerate() {
                out(c, format!("spill(#{n})"), side.spill(s));
            }
            for x in [0, 4, u32::MAX] {
                out(c, format!("tock({x})"), side.tock(x));
            }
            std::mem::take(c)
        }

        /// `spill`'s 15 arguments.
        pub(crate) struct Spill(
            pub(crate) u8,
            pub(crate) i8,
            pub(crate) u16,
            pub(crate) i16,
            pub(crate) u32,
            pub(crate) i32,
            pub(crate) u64,
            pub(crate) i64,
            pub(crate) f32,
            pub(crate) f64,
            pub(crate) char,
            pub(crate) bool,
            pub(crate) String,
            pub(crate) Vec<u8>,
            pub(crate) Point,
        );
    };
}

/// Each export of the `types` world with owned arguments, as `drive` calls
/// it; `$pass` lends them as the generated signature wants (the same on both
/// generators). `self.cx` is the wasmbed instance or the wasmtime store.
macro_rules! types_by_value {
    ($($f:ident($t:ty) -> $r:ty = $call:ident, |$a:ident| $pass:expr;)*) => {
        impl Side {
            $(pub(crate) fn $f(&mut self, $a: $t) -> R<$r> {
                self.b.wasmbed_types_api().$call(&mut self.cx, $pass).map_err(crate::bindgen::trapped)
            })*
        }
    };
}

/// The export calls of the `types` world, the same code over either generator's bindings.
macro_rules! types_side {
    () => {
        types_by_value! {
            echo_bool(bool) -> bool = call_echo_bool, |a| a;
            echo_s8(i8) -> i8 = call_echo_s8, |a| a;
            echo_u8(u8) -> u8 = call_echo_u8, |a| a;
            echo_s16(i16) -> i16 = call_echo_s16, |a| a;
            echo_u16(u16) -> u16 = call_echo_u16, |a| a;
            echo_s32(i32) -> i32 = call_echo_s32, |a| a;
            echo_u32(u32) -> u32 = call_echo_u32, |a| a;
            echo_s64(i64) -> i64 = call_echo_s64, |a| a;
            echo_u64(u64) -> u64 = call_echo_u64, |a| a;
            echo_f32(f32) -> f32 = call_echo_f32, |a| a;
            echo_f64(f64) -> f64 = call_echo_f64, |a| a;
            echo_char(char) -> char = call_echo_char, |a| a;
            echo_string(&str) -> String = call_echo_string, |a| a;
            echo_bytes(&[u8]) -> Vec<u8> = call_echo_bytes, |a| a;
            echo_list(&[u32]) -> Vec<u32> = call_echo_list, |a| a;
            echo_strings(&[String]) -> Vec<String> = call_echo_strings, |a| a;
            echo_point(Point) -> Point = call_echo_point, |a| a;
            echo_person(Person) -> Person = call_echo_person, |a| &a;
            echo_tuple((u8, String, f64)) -> (u8, String, f64) = call_echo_tuple, |a| (a.0, a.1.as_str(), a.2);
            echo_shape(Shape) -> Shape = call_echo_shape, |a| &a;
            echo_color(Color) -> Color = call_echo_color, |a| a;
            echo_perms(Perms) -> Perms = call_echo_perms, |a| a;
            echo_wide(Wide) -> Wide = call_echo_wide, |a| a;
            echo_option(Option<String>) -> Option<String> = call_echo_option, |a| a.as_deref();
            echo_result(Result<u32, String>) -> Result<u32, String> = call_echo_result, |a| a.as_ref().copied().map_err(String::as_str);
            echo_unit_result(Result<(), Color>) -> Result<(), Color> = call_echo_unit_result, |a| a;
        }

        impl Side {
            pub(crate) fn spill(&mut self, s: Spill) -> R<(u64, f64, String)> {
                let Spill(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o) = s;
                self.b
                    .wasmbed_types_api()
                    .call_spill(
                        &mut self.cx,
                        a,
                        b,
                        c,
                        d,
                        e,
                        f,
                        g,
                        h,
                        i,
                        j,
                        k,
                        l,
                        &m,
                        &n,
                        o,
                    )
                    .map_err(crate::bindgen::trapped)
            }

            pub(crate) fn tock(&mut self, n: u32) -> R<u32> {
                self.b
                    .call_tock(&mut self.cx, n)
                    .map_err(crate::bindgen::trapped)
            }
        }
    };
}

/// The `types` world through `wasmbed::bindgen!`.
mod on_wasmbed {
    ::wasmbed::bindgen!({ world: "types", path: "../../guests/types/types.wit" });

    shared_types!();

    type R<T> = Result<T, Trapped>;

    pub(crate) struct Side {
        pub(crate) b: Types,
        pub(crate) cx: ::wasmbed::Instance<::wasmbed::Wasmi, HostState>,
    }

    types_side!();
}

/// The `types` world through `wasmtime::component::bindgen!`.
mod on_wasmtime {
    wasmtime::component::bindgen!({ world: "types", path: "../../guests/types/types.wit" });

    shared_types!();

    type R<T> = Result<T, Trapped>;

    pub(crate) struct Side {
        pub(crate) b: Types,
        pub(crate) cx: wasmtime::Store<HostState>,
    }

    types_side!();
}

fn read(rel: &str) -> Vec<u8> {
    let path = repo_path(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every export call and its result, then every import call the host saw, on wasmbed.
fn types_on_wasmbed(wasm: &[u8]) -> (Vec<String>, Vec<String>) {
    use on_wasmbed::{HostState, Side, Types};
    let world = wasmbed_wit::world_from_module(wasm).unwrap().unwrap();
    let guest = Guest::new(&Wasmi::new(), wasm, world).expect("guest loads");
    let mut linker = wasmbed::Linker::new();
    Types::add_to_linker(&mut linker, |h: &mut HostState| h).unwrap();
    let (b, inst) = Types::instantiate(&linker, &guest, HostState::default(), Limits::default())
        .expect("guest instantiates");
    let mut side = Side { b, cx: inst };
    let calls = on_wasmbed::drive(&mut side);
    (calls, std::mem::take(&mut side.cx.data_mut().log))
}

/// The same on wasmtime, over the component wit-component makes of the same module.
fn types_on_wasmtime(wasm: &[u8]) -> (Vec<String>, Vec<String>) {
    use on_wasmtime::{HostState, Side, Types};
    let (engine, component) = component(wasm).expect("component encodes");
    let mut linker = wasmtime::component::Linker::new(&engine);
    Types::add_to_linker::<_, wasmtime::component::HasSelf<_>>(&mut linker, |s| s).unwrap();
    let mut store = wasmtime::Store::new(&engine, HostState::default());
    let b = Types::instantiate(&mut store, &component, &linker).expect("guest instantiates");
    let mut side = Side { b, cx: store };
    let calls = on_wasmtime::drive(&mut side);
    (calls, std::mem::take(&mut side.cx.data_mut().log))
}

/// Panics at the first line where the two runs differ.
fn assert_same_lines(what: &str, wasmbed: &[String], wasmtime: &[String]) {
    for (i, (a, b)) in wasmbed.iter().zip(wasmtime).enumerate() {
        assert_eq!(
            a, b,
            "{what}: line {i} differs (left wasmbed, right wasmtime)"
        );
    }
    assert_eq!(wasmbed.len(), wasmtime.len(), "{what}: lengths differ");
}

#[test]
fn types_through_both_generators_give_the_same_results_and_import_arguments() {
    let wasm = read("guests/types/types.wasm");
    let (calls_b, imports_b) = types_on_wasmbed(&wasm);
    let (calls_w, imports_w) = types_on_wasmtime(&wasm);
    assert_same_lines("types export results", &calls_b, &calls_w);
    assert_same_lines("types import arguments", &imports_b, &imports_w);
    // Every call ran: none trapped, and each export reached the host once.
    assert!(calls_b.iter().all(|c| !c.ends_with("-> trapped")));
    assert_eq!(imports_b.len(), calls_b.len());
    // Spot checks worked out by hand from guests/types/types.c and the host above.
    assert_eq!(calls_b[0], "echo-bool(false) -> ok(true)");
    assert_eq!(imports_b[0], "echo-bool(true)");
    assert!(calls_b.contains(&"tock(4) -> ok(70)".to_string()));
    assert!(imports_b.contains(&"tick(5)".to_string()));
    println!(
        "bindgen types: {} export calls and {} import calls identical on wasmbed and wasmtime",
        calls_b.len(),
        imports_b.len()
    );
}

/// The host of the `resources` world (host blobs kept in the host data, named
/// by index, so both runtimes see the same reps) and the calls that drive the
/// guest's counters, expanded inside each generated module. Guest counters
/// are named by order of arrival (`counter#k`): their handles are the
/// runtime's own.
macro_rules! shared_resources {
    () => {
        use self::wasmbed::resources::store::{Blob, HostBlob};
        use crate::bindgen::Show;

        impl Show for Resource<Blob> {
            fn show(&self) -> String {
                let how = if self.owned() { "own" } else { "borrow" };
                format!("blob{}/{how}", self.rep())
            }
        }

        /// The host's blobs by rep, and every import call with its arguments, in order.
        #[derive(Default)]
        pub(crate) struct HostState {
            blobs: Vec<Option<Vec<u8>>>,
            pub(crate) log: Vec<String>,
        }

        impl HostState {
            fn seen(&mut self, func: &str, args: &[&dyn Show]) {
                let args: Vec<String> = args.iter().map(|a| a.show()).collect();
                self.log.push(format!("{func}({})", args.join(", ")));
            }

            fn blob(&mut self, r: &Resource<Blob>) -> R<&mut Vec<u8>> {
                let rep = r.rep();
                self.blobs
                    .get_mut(rep as usize)
                    .and_then(Option::as_mut)
                    .ok_or_else(|| fail(format!("no blob {rep}")))
            }

            /// A new blob, owned by whoever receives the handle.
            pub(crate) fn add(&mut self, data: Vec<u8>) -> Resource<Blob> {
                self.blobs.push(Some(data));
                Resource::new_own(self.blobs.len() as u32 - 1)
            }

            /// The host drops a blob it owns.
            pub(crate) fn host_drop(&mut self, rep: u32) -> bool {
                self.blobs
                    .get_mut(rep as usize)
                    .and_then(Option::take)
                    .is_some()
            }

            /// Blobs still alive.
            pub(crate) fn live(&self) -> usize {
                self.blobs.iter().filter(|b| b.is_some()).count()
            }
        }

        impl HostBlob for HostState {
            fn new(&mut self, init: Vec<u8>) -> R<Resource<Blob>> {
                self.seen("[constructor]blob", &[&init]);
                Ok(self.add(init))
            }
            fn append(&mut self, self_: Resource<Blob>, more: Vec<u8>) -> R<u32> {
                self.seen("[method]blob.append", &[&self_, &more]);
                let b = self.blob(&self_)?;
                b.extend_from_slice(&more);
                Ok(b.len() as u32)
            }
            fn size(&mut self, self_: Resource<Blob>) -> R<u32> {
                self.seen("[method]blob.size", &[&self_]);
                Ok(self.blob(&self_)?.len() as u32)
            }
            fn concat(&mut self, a: Resource<Blob>, b: Resource<Blob>) -> R<Resource<Blob>> {
                self.seen("[static]blob.concat", &[&a, &b]);
                let mut all = std::mem::take(self.blob(&a)?);
                self.blobs[a.rep() as usize] = None;
                all.extend_from_slice(self.blob(&b)?);
                Ok(self.add(all))
            }
            fn drop(&mut self, rep: Resource<Blob>) -> R<()> {
                self.seen("[resource-drop]blob", &[&rep]);
                self.blob(&rep)?;
                self.blobs[rep.rep() as usize] = None;
                Ok(())
            }
        }

        impl self::wasmbed::resources::store::Host for HostState {
            fn consume(&mut self, b: Resource<Blob>) -> R<u32> {
                self.seen("consume", &[&b]);
                let n = self.blob(&b)?.len() as u32;
                self.blobs[b.rep() as usize] = None;
                Ok(n)
            }
            fn peek(&mut self, b: Resource<Blob>) -> R<u32> {
                self.seen("peek", &[&b]);
                Ok(self.blob(&b)?.len() as u32)
            }
            fn dropped(&mut self, id: u32) -> R<()> {
                self.seen("dropped", &[&id]);
                Ok(())
            }
        }

        fn out<T: Show>(
            calls: &mut Vec<String>,
            call: &str,
            r: Result<T, crate::bindgen::Trapped>,
        ) {
            calls.push(format!("{call} -> {}", r.show()));
        }

        /// Every export call of the run, each with its result, in order.
        pub(crate) fn drive(side: &mut Side) -> Vec<String> {
            let mut c = Vec::new();
            let c = &mut c;
            for data in [vec![1, 2, 3], vec![], vec![7; 1000]] {
                let call = format!("exercise({})", data.len());
                out(c, &call, side.exercise(&data));
            }
            // A blob the guest makes and gives the host, lent back, then given back.
            let blob = side.make_blob(b"ab");
            let rep = blob.as_ref().map_or(u32::MAX, |b| b.rep());
            out(c, "make-blob(ab)", blob);
            out(c, "measure(made)", side.measure(rep));
            out(c, "eat(made)", side.eat(rep));
            // One the host drops itself.
            let blob = side.make_blob(b"");
            let rep = blob.as_ref().map_or(u32::MAX, |b| b.rep());
            out(c, "make-blob()", blob);
            out(c, "measure(made, empty)", side.measure(rep));
            out(
                c,
                "host drops it",
                Ok::<_, crate::bindgen::Trapped>(side.state().host_drop(rep)),
            );
            // One the host makes.
            let rep = side.state().add(vec![5; 300]).rep();
            out(c, "measure(host's)", side.measure(rep));
            out(c, "measure(host's) again", side.measure(rep));
            out(c, "eat(host's)", side.eat(rep));
            // The guest's counters.
            out(c, "counter(5)", side.counter_new(5));
            out(c, "counter#0.add(3)", side.counter_add(0, 3));
            out(c, "counter#0.get()", side.counter_get(0));
            out(c, "counter#0.id()", side.counter_id(0));
            out(c, "counter(10)", side.counter_new(10));
            out(c, "counter#1.id()", side.counter_id(1));
            out(c, "merge(counter#0, counter#1)", side.counter_merge(0, 1));
            out(c, "counter#2.get()", side.counter_get(2));
            out(c, "counter#2.id()", side.counter_id(2));
            out(c, "drop counter#0", side.counter_drop(0));
            out(c, "counter#2.add(max)", side.counter_add(2, u32::MAX));
            out(c, "counter#2.get()", side.counter_get(2));
            out(c, "drop counter#2", side.counter_drop(2));
            for start in [0, u32::MAX] {
                out(c, &format!("counter({start})"), side.counter_new(start));
            }
            out(c, "counter#3.add(1)", side.counter_add(3, 1));
            out(c, "counter#4.add(1)", side.counter_add(4, 1));
            out(c, "merge(counter#4, counter#3)", side.counter_merge(4, 3));
            out(c, "counter#5.get()", side.counter_get(5));
            for k in [4, 5] {
                out(c, &format!("drop counter#{k}"), side.counter_drop(k));
            }
            out(
                c,
                "live host blobs",
                Ok::<_, crate::bindgen::Trapped>(side.state().live()),
            );
            std::mem::take(c)
        }
    };
}

/// The export calls of the `resources` world, the same code over either
/// generator's bindings: `cx` is the wasmbed instance or the wasmtime store,
/// and a guest resource handle is passed as is to an `own` or a `borrow`.
macro_rules! resources_side {
    () => {
        impl Side {
            pub(crate) fn state(&mut self) -> &mut HostState {
                self.cx.data_mut()
            }

            fn counter(&self, k: usize) -> Result<ResourceAny, Trapped> {
                self.counters.get(k).copied().ok_or(Trapped)
            }

            fn arrived(&mut self, c: ResourceAny) -> String {
                self.counters.push(c);
                format!("counter#{}", self.counters.len() - 1)
            }

            pub(crate) fn exercise(&mut self, data: &[u8]) -> Result<Vec<u32>, Trapped> {
                let api = self.b.wasmbed_resources_api();
                api.call_exercise(&mut self.cx, data)
                    .map_err(super::trapped)
            }

            pub(crate) fn make_blob(&mut self, data: &[u8]) -> Result<Resource<Blob>, Trapped> {
                let api = self.b.wasmbed_resources_api();
                api.call_make_blob(&mut self.cx, data)
                    .map_err(super::trapped)
            }

            pub(crate) fn measure(&mut self, rep: u32) -> Result<u32, Trapped> {
                let api = self.b.wasmbed_resources_api();
                api.call_measure(&mut self.cx, Resource::new_borrow(rep))
                    .map_err(super::trapped)
            }

            pub(crate) fn eat(&mut self, rep: u32) -> Result<u32, Trapped> {
                let api = self.b.wasmbed_resources_api();
                api.call_eat(&mut self.cx, Resource::new_own(rep))
                    .map_err(super::trapped)
            }

            pub(crate) fn counter_new(&mut self, start: u32) -> Result<String, Trapped> {
                let api = self.b.wasmbed_resources_api();
                let c = api
                    .counter()
                    .call_constructor(&mut self.cx, start)
                    .map_err(super::trapped)?;
                Ok(self.arrived(c))
            }

            pub(crate) fn counter_add(&mut self, k: usize, n: u32) -> Result<u32, Trapped> {
                let c = self.counter(k)?;
                let api = self.b.wasmbed_resources_api();
                api.counter()
                    .call_add(&mut self.cx, c, n)
                    .map_err(super::trapped)
            }

            pub(crate) fn counter_get(&mut self, k: usize) -> Result<u32, Trapped> {
                let c = self.counter(k)?;
                let api = self.b.wasmbed_resources_api();
                api.counter()
                    .call_get(&mut self.cx, c)
                    .map_err(super::trapped)
            }

            pub(crate) fn counter_id(&mut self, k: usize) -> Result<u32, Trapped> {
                let c = self.counter(k)?;
                let api = self.b.wasmbed_resources_api();
                api.counter()
                    .call_id(&mut self.cx, c)
                    .map_err(super::trapped)
            }

            pub(crate) fn counter_merge(&mut self, a: usize, b: usize) -> Result<String, Trapped> {
                let (a, b) = (self.counter(a)?, self.counter(b)?);
                let api = self.b.wasmbed_resources_api();
                let m = api
                    .counter()
                    .call_merge(&mut self.cx, a, b)
                    .map_err(super::trapped)?;
                Ok(self.arrived(m))
            }

            pub(crate) fn counter_drop(&mut self, k: usize) -> Result<(), Trapped> {
                let c = self.counter(k)?;
                c.resource_drop(&mut self.cx).map_err(super::trapped)
            }
        }
    };
}

/// The `resources` world through `wasmbed::bindgen!`.
mod resources_on_wasmbed {
    ::wasmbed::bindgen!({ world: "resources", path: "../../guests/resources/resources.wit", imports: { default: trappable } });

    use super::Trapped;
    use ::wasmbed::{Resource, ResourceAny};

    type R<T> = Result<T, ::wasmbed::Error>;

    fn fail(m: String) -> ::wasmbed::Error {
        ::wasmbed::Error::host(m)
    }

    shared_resources!();

    pub(crate) struct Side {
        pub(crate) b: Resources,
        pub(crate) cx: ::wasmbed::Instance<::wasmbed::Wasmi, HostState>,
        /// The guest's counters, in order of arrival.
        pub(crate) counters: Vec<ResourceAny>,
    }

    resources_side!();
}

/// The `resources` world through `wasmtime::component::bindgen!`.
mod resources_on_wasmtime {
    wasmtime::component::bindgen!({ world: "resources", path: "../../guests/resources/resources.wit", imports: { default: trappable } });

    use super::Trapped;
    use wasmtime::component::{Resource, ResourceAny};

    type R<T> = wasmtime::Result<T>;

    fn fail(m: String) -> wasmtime::Error {
        wasmtime::format_err!("{m}")
    }

    shared_resources!();

    pub(crate) struct Side {
        pub(crate) b: Resources,
        pub(crate) cx: wasmtime::Store<HostState>,
        /// The guest's counters, in order of arrival.
        pub(crate) counters: Vec<ResourceAny>,
    }

    resources_side!();
}

/// Every export call and its result, then every import call the host saw, on wasmbed.
fn resources_on_wasmbed(wasm: &[u8]) -> (Vec<String>, Vec<String>) {
    use resources_on_wasmbed::{HostState, Resources, Side};
    let world = wasmbed_wit::world_from_module(wasm).unwrap().unwrap();
    let guest = Guest::new(&Wasmi::new(), wasm, world).expect("guest loads");
    let mut linker = wasmbed::Linker::new();
    Resources::add_to_linker(&mut linker, |h: &mut HostState| h).unwrap();
    let (b, inst) =
        Resources::instantiate(&linker, &guest, HostState::default(), Limits::default())
            .expect("guest instantiates");
    let mut side = Side {
        b,
        cx: inst,
        counters: Vec::new(),
    };
    let calls = resources_on_wasmbed::drive(&mut side);
    (calls, std::mem::take(&mut side.state().log))
}

/// The same on wasmtime, over the component wit-component makes of the same module.
fn resources_on_wasmtime(wasm: &[u8]) -> (Vec<String>, Vec<String>) {
    use resources_on_wasmtime::{HostState, Resources, Side};
    let (engine, component) = component(wasm).expect("component encodes");
    let mut linker = wasmtime::component::Linker::new(&engine);
    Resources::add_to_linker::<_, wasmtime::component::HasSelf<_>>(&mut linker, |s| s).unwrap();
    let mut store = wasmtime::Store::new(&engine, HostState::default());
    let b = Resources::instantiate(&mut store, &component, &linker).expect("guest instantiates");
    let mut side = Side {
        b,
        cx: store,
        counters: Vec::new(),
    };
    let calls = resources_on_wasmtime::drive(&mut side);
    (calls, std::mem::take(&mut side.state().log))
}

#[test]
fn resources_through_both_generators_give_the_same_results_and_import_arguments() {
    let wasm = read("guests/resources/resources.wasm");
    let (calls_b, imports_b) = resources_on_wasmbed(&wasm);
    let (calls_w, imports_w) = resources_on_wasmtime(&wasm);
    assert_same_lines("resources export results", &calls_b, &calls_w);
    assert_same_lines("resources import arguments", &imports_b, &imports_w);
    assert!(calls_b.iter().all(|c| !c.ends_with("-> trapped")));
    // Every blob went: dropped by the guest, consumed, eaten or dropped by the host.
    assert_eq!(calls_b.last().unwrap(), "live host blobs -> ok(0)");
    let dtors = imports_b
        .iter()
        .filter(|i| i.starts_with("dropped("))
        .count();
    let drops = imports_b
        .iter()
        .filter(|i| i.starts_with("[resource-drop]blob("))
        .count();
    // Counters 0, 1 (merged), 2, 3 (merged), 4 and 5: six destructor runs.
    assert_eq!(dtors, 6);
    assert!(drops > 0);
    println!(
        "bindgen resources: {} export calls and {} import calls ({drops} blob drops, {dtors} destructor runs) identical on wasmbed and wasmtime",
        calls_b.len(),
        imports_b.len()
    );
}
