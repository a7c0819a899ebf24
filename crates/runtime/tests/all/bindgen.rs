//! `bindgen!` over the real guests: every WIT type kind through generated
//! bindings both ways, resources on both sides, spilled parameters, results
//! through memory; and one linker serving many instances, each with its own data.

use wasmbed::{Guest, Limits, Linker, Resource};

use super::{engine, E};

fn repo(rel: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn guest(rel: &str) -> Guest<E> {
    let wasm = repo(rel);
    let world = wasmbed_wit::world_from_module(&wasm).unwrap().unwrap();
    Guest::new(&engine(), &wasm, world).unwrap()
}

// Shared by every engine's suite, so `types_with` below can name it by one path.
use crate::types;

use types::wasmbed::types::defs::{Color, Perms, Person, Point, Shape, Wide};

/// The host's side of the `types` world: records what it was given.
#[derive(Default)]
struct Host {
    seen: Vec<String>,
    ticks: u32,
}

impl types::wasmbed::types::host::Host for Host {
    fn echo_bool(&mut self, a: bool) -> bool {
        !a
    }
    fn echo_s8(&mut self, a: i8) -> i8 {
        a.wrapping_add(1)
    }
    fn echo_u8(&mut self, a: u8) -> u8 {
        a.wrapping_add(1)
    }
    fn echo_s16(&mut self, a: i16) -> i16 {
        a.wrapping_add(1)
    }
    fn echo_u16(&mut self, a: u16) -> u16 {
        a.wrapping_add(1)
    }
    fn echo_s32(&mut self, a: i32) -> i32 {
        a.wrapping_add(1)
    }
    fn echo_u32(&mut self, a: u32) -> u32 {
        a.wrapping_add(1)
    }
    fn echo_s64(&mut self, a: i64) -> i64 {
        a.wrapping_add(1)
    }
    fn echo_u64(&mut self, a: u64) -> u64 {
        a.wrapping_add(1)
    }
    fn echo_f32(&mut self, a: f32) -> f32 {
        a * 2.0
    }
    fn echo_f64(&mut self, a: f64) -> f64 {
        a * 2.0
    }
    fn echo_char(&mut self, a: char) -> char {
        a.to_ascii_uppercase()
    }
    fn echo_string(&mut self, a: String) -> String {
        self.seen.push(a.clone());
        a.chars().rev().collect()
    }
    fn echo_bytes(&mut self, a: Vec<u8>) -> Vec<u8> {
        a.iter().map(|b| b ^ 0xff).collect()
    }
    fn echo_list(&mut self, a: Vec<u32>) -> Vec<u32> {
        a.iter().map(|x| x + 1).collect()
    }
    fn echo_strings(&mut self, a: Vec<String>) -> Vec<String> {
        a.into_iter().rev().collect()
    }
    fn echo_point(&mut self, a: Point) -> Point {
        Point { x: a.y, y: a.x }
    }
    fn echo_person(&mut self, mut a: Person) -> Person {
        a.age = a.age.wrapping_add(1);
        a.tags.push("seen".into());
        a.home = a.home.map(|p| Point {
            x: p.x * 2,
            y: p.y * 2,
        });
        a
    }
    fn echo_tuple(&mut self, a: (u8, String, f64)) -> (u8, String, f64) {
        (a.0 ^ 1, a.1.to_uppercase(), -a.2)
    }
    fn echo_shape(&mut self, a: Shape) -> Shape {
        match a {
            Shape::Circle(r) => Shape::Rect(Point { x: r as i32, y: 0 }),
            Shape::Rect(p) => Shape::Circle(p.x as f32),
            Shape::None => Shape::Named("none".into()),
            Shape::Named(n) => Shape::Big(n.len() as u64),
            Shape::Big(_) => Shape::None,
        }
    }
    fn echo_color(&mut self, a: Color) -> Color {
        match a {
            Color::Red => Color::Green,
            Color::Green => Color::Blue,
            Color::Blue => Color::Red,
        }
    }
    fn echo_perms(&mut self, a: Perms) -> Perms {
        !a
    }
    fn echo_wide(&mut self, a: Wide) -> Wide {
        a | Wide::B9
    }
    fn echo_option(&mut self, a: Option<String>) -> Option<String> {
        match a {
            Some(s) if s.is_empty() => None,
            Some(s) => Some(s + "!"),
            None => Some("was none".into()),
        }
    }
    fn echo_result(&mut self, a: Result<u32, String>) -> Result<u32, String> {
        match a {
            Ok(n) => Err(n.to_string()),
            Err(s) => Ok(s.len() as u32),
        }
    }
    fn echo_unit_result(&mut self, a: Result<(), Color>) -> Result<(), Color> {
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
        let small = i64::from(a) + i64::from(b) + i64::from(c) + i64::from(d) + i64::from(e);
        let sum = (small + i64::from(f) + g as i64 + h + n.len() as i64) as u64;
        let text = format!("{k}{l}{m}{}{}", o.x, o.y);
        (sum, f64::from(i) + j, text)
    }
}

impl types::wasmbed::types::defs::Host for Host {}

impl types::TypesImports for Host {
    fn tick(&mut self, n: u32) -> u32 {
        self.ticks += 1;
        n.wrapping_mul(10)
    }
}

fn types_linker() -> Linker<Host> {
    let mut linker = Linker::new();
    types::Types::add_to_linker(&mut linker, |h: &mut Host| h).unwrap();
    linker
}

#[test]
fn every_type_kind_crosses_through_generated_bindings() {
    let guest = guest("guests/types/types.wasm");
    let (b, mut inst) =
        types::Types::instantiate(&types_linker(), &guest, Host::default(), Limits::default())
            .unwrap();
    let api = b.wasmbed_types_api();
    // The guest (guests/types/types.c) changes each value on its way to the
    // host and back; the expected values below apply both sides' changes.
    assert!(!api.call_echo_bool(&mut inst, true).unwrap());
    assert_eq!(api.call_echo_s8(&mut inst, -128).unwrap(), -80);
    let u = ((u64::MAX ^ 0x1111_1111_1111_1111).wrapping_add(1)) ^ 0x22;
    assert_eq!(api.call_echo_u64(&mut inst, u64::MAX).unwrap(), u);
    assert_eq!(api.call_echo_f64(&mut inst, 1.5).unwrap(), 6.5);
    assert_eq!(api.call_echo_char(&mut inst, 'q').unwrap(), 'q');
    assert_eq!(api.call_echo_string(&mut inst, "héllo").unwrap(), "olléh");
    assert_eq!(
        api.call_echo_bytes(&mut inst, &[0, 1, 255]).unwrap(),
        vec![0, 254, 255]
    );
    let words: Vec<u32> = (0..1000).collect();
    assert_eq!(
        api.call_echo_list(&mut inst, &words).unwrap(),
        (0..1000).map(|i| 2 * i + 1).collect::<Vec<u32>>()
    );
    assert_eq!(
        api.call_echo_strings(&mut inst, &["a".into(), "ü".into()])
            .unwrap(),
        vec!["ü".to_string(), "a".to_string()]
    );
    assert_eq!(
        api.call_echo_point(&mut inst, Point { x: 1, y: -2 })
            .unwrap(),
        Point { x: -1, y: -2 }
    );
    let person = Person {
        name: "Zoë".into(),
        age: 41,
        tags: vec!["a".into()],
        home: Some(Point { x: 3, y: -4 }),
    };
    assert_eq!(
        api.call_echo_person(&mut inst, &person).unwrap(),
        Person {
            age: 41,
            tags: vec!["a".into(), "seen".into()],
            home: Some(Point { x: 6, y: -8 }),
            ..person
        }
    );
    assert_eq!(
        api.call_echo_tuple(&mut inst, (7, "tüple", 2.5)).unwrap(),
        (7, "TÜPLE".into(), -1.5)
    );
    for (given, back) in [
        (Shape::Circle(2.0), Shape::Rect(Point { x: 2, y: 0 })),
        (Shape::Rect(Point { x: 5, y: 6 }), Shape::Circle(5.0)),
        (Shape::None, Shape::Named("none".into())),
        (Shape::Named("four".into()), Shape::Big(4)),
        (Shape::Big(u64::MAX), Shape::None),
    ] {
        assert_eq!(api.call_echo_shape(&mut inst, &given).unwrap(), back);
    }
    assert_eq!(
        api.call_echo_color(&mut inst, Color::Blue).unwrap(),
        Color::Green
    );
    assert_eq!(
        api.call_echo_perms(&mut inst, Perms::READ | Perms::EXEC)
            .unwrap(),
        Perms::all()
    );
    assert_eq!(
        api.call_echo_wide(&mut inst, Wide::B0).unwrap(),
        Wide::B0 | Wide::B1 | Wide::B9
    );
    assert_eq!(
        api.call_echo_option(&mut inst, Some("x")).unwrap(),
        Some("x!".into())
    );
    assert_eq!(
        api.call_echo_option(&mut inst, None).unwrap(),
        Some("was none".into())
    );
    assert_eq!(
        api.call_echo_result(&mut inst, Ok(12)).unwrap(),
        Err("12".into())
    );
    assert_eq!(api.call_echo_result(&mut inst, Err("abc")).unwrap(), Ok(2));
    assert_eq!(
        api.call_echo_unit_result(&mut inst, Ok(())).unwrap(),
        Err(Color::Blue)
    );
    // 15 parameters, more than 16 core values: spilled both ways; the result goes through memory.
    let (sum, f, text) = api
        .call_spill(
            &mut inst,
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
            "m",
            &[1, 2, 3],
            Point { x: 7, y: 8 },
        )
        .unwrap();
    assert_eq!((sum, f, text.as_str()), (3 ^ 0xff, -0.75, "kfalsem78"));
    assert_eq!(b.call_tock(&mut inst, 4).unwrap(), 100);
    assert_eq!(inst.data().ticks, 1);
    assert!(inst.data().seen.contains(&"héllo".to_string()));
}

/// Each generated type's compile-time flattening, which picks its imports'
/// trampolines, is its WIT type's.
#[test]
fn generated_types_state_their_wit_types_flattening() {
    use wasmbed::__private::{ComponentType, Flat};
    use wasmbed_wit::world::Item;

    let guest = guest("guests/types/types.wasm");
    let host = guest
        .world()
        .imports
        .iter()
        .find_map(|item| match item {
            Item::Interface(i) if i.functions.iter().any(|f| f.name == "echo-point") => Some(i),
            _ => None,
        })
        .expect("the host interface");
    let flat_of_param = |name: &str| {
        let f = host.functions.iter().find(|f| f.name == name).unwrap();
        Flat::of_core(f.ty.params()[0].flat())
    };
    assert_eq!(Point::FLAT, Some(flat_of_param("echo-point")));
    assert_eq!(Person::FLAT, Some(flat_of_param("echo-person")));
    assert_eq!(Person::FLAT, Some(Flat::i32s(8)));
    assert_eq!(Color::FLAT, Some(flat_of_param("echo-color")));
    assert_eq!(Perms::FLAT, Some(flat_of_param("echo-perms")));
    assert_eq!(Wide::FLAT, Some(flat_of_param("echo-wide")));
    // `circle(f32)`, `rect(point)`, `big(u64)`: joined into an `i64`, then an `i32`.
    assert_eq!(Shape::FLAT, Some(flat_of_param("echo-shape")));
    assert_eq!(flat_of_param("echo-shape").count, 3);
}

#[test]
fn a_wrong_world_is_an_error_when_the_bindings_are_made() {
    // The resources guest does not export the types world's functions.
    let guest = guest("guests/resources/resources.wasm");
    let linker = resources_linker();
    let inst = linker
        .instantiate(&guest, Store::default(), Limits::default())
        .unwrap();
    let e = types::Types::new(&inst).err().unwrap();
    assert_eq!(e.to_string(), "no export `tock` in the world");
}

#[test]
fn one_linker_serves_a_thousand_instances_each_with_its_own_data() {
    let guest = guest("guests/types/types.wasm");
    let pre = types_linker().instantiate_pre(&guest).unwrap();
    let mut instances = Vec::new();
    for i in 0..1000u32 {
        let host = Host {
            seen: Vec::new(),
            ticks: i,
        };
        instances.push(pre.instantiate(host, Limits::default()).unwrap());
    }
    let b = types::Types::new(&instances[0]).unwrap();
    for (i, inst) in instances.iter_mut().enumerate() {
        let text = format!("guest {i}");
        b.wasmbed_types_api().call_echo_string(inst, &text).unwrap();
        b.call_tock(inst, 1).unwrap();
    }
    for (i, inst) in instances.iter().enumerate() {
        // Each saw its own string once and counted its own tick, nothing of the others.
        assert_eq!(inst.data().seen, vec![format!("guest {i}")]);
        assert_eq!(inst.data().ticks, i as u32 + 1);
    }
}

mod resources {
    ::wasmbed::bindgen!({ world: "resources", path: "../../guests/resources/resources.wit", trappable_imports: true });
}

use resources::wasmbed::resources::store::{Blob, HostBlob};

/// Host blobs in the host data, named by index: reps are indices here.
#[derive(Default)]
struct Store {
    /// `peek` fails, to show a trappable import unwinding the guest.
    fail_peek: bool,
    blobs: Vec<Option<Vec<u8>>>,
    dropped_counters: Vec<u32>,
    drops: u32,
}

impl Store {
    fn blob(&mut self, r: &Resource<Blob>) -> Result<&mut Vec<u8>, wasmbed::Error> {
        self.blobs
            .get_mut(r.rep() as usize)
            .and_then(Option::as_mut)
            .ok_or_else(|| wasmbed::Error::host(format!("no blob {}", r.rep())))
    }

    fn add(&mut self, data: Vec<u8>) -> Resource<Blob> {
        self.blobs.push(Some(data));
        Resource::new_own(self.blobs.len() as u32 - 1)
    }
}

type R<T> = Result<T, wasmbed::Error>;

impl HostBlob for Store {
    fn new(&mut self, init: Vec<u8>) -> R<Resource<Blob>> {
        Ok(self.add(init))
    }
    fn append(&mut self, self_: Resource<Blob>, more: Vec<u8>) -> R<u32> {
        let b = self.blob(&self_)?;
        b.extend_from_slice(&more);
        Ok(b.len() as u32)
    }
    fn size(&mut self, self_: Resource<Blob>) -> R<u32> {
        Ok(self.blob(&self_)?.len() as u32)
    }
    fn concat(&mut self, a: Resource<Blob>, b: Resource<Blob>) -> R<Resource<Blob>> {
        assert!(a.owned() && !b.owned());
        let mut all = self.blobs[a.rep() as usize].take().unwrap_or_default();
        all.extend_from_slice(self.blob(&b)?);
        Ok(self.add(all))
    }
    fn drop(&mut self, rep: Resource<Blob>) -> R<()> {
        self.drops += 1;
        self.blobs[rep.rep() as usize] = None;
        Ok(())
    }
}

impl resources::wasmbed::resources::store::Host for Store {
    fn consume(&mut self, b: Resource<Blob>) -> R<u32> {
        let n = self.blob(&b)?.len() as u32;
        self.blobs[b.rep() as usize] = None;
        Ok(n)
    }
    fn peek(&mut self, b: Resource<Blob>) -> R<u32> {
        if self.fail_peek {
            return Err(wasmbed::Error::host("peek refused"));
        }
        Ok(self.blob(&b)?.len() as u32)
    }
    fn dropped(&mut self, id: u32) -> R<()> {
        self.dropped_counters.push(id);
        Ok(())
    }
}

fn resources_linker() -> Linker<Store> {
    let mut linker = Linker::new();
    resources::Resources::add_to_linker(&mut linker, |s: &mut Store| s).unwrap();
    linker
}

#[test]
fn resources_on_both_sides_through_generated_bindings() {
    let guest = guest("guests/resources/resources.wasm");
    let (b, mut inst) = resources::Resources::instantiate(
        &resources_linker(),
        &guest,
        Store::default(),
        Limits::default(),
    )
    .unwrap();
    let api = b.wasmbed_resources_api();
    // The guest drives the host's blobs every way.
    let sizes = api.call_exercise(&mut inst, &[1, 2, 3]).unwrap();
    assert!(!sizes.is_empty());
    // A host blob made by the guest and given to the host.
    let blob = api.call_make_blob(&mut inst, &[9; 10]).unwrap();
    assert!(blob.owned());
    // The guest made it from the data, then appended the data again.
    assert_eq!(inst.data_mut().blob(&blob).unwrap().len(), 20);
    assert_eq!(api.call_measure(&mut inst, blob.borrowed()).unwrap(), 20);
    assert_eq!(api.call_eat(&mut inst, blob).unwrap(), 20);
    // The guest's own resource, through the host's handles.
    let counter = api.counter();
    let c = counter.call_constructor(&mut inst, 5).unwrap();
    assert_eq!(counter.call_add(&mut inst, c.borrowed(), 3).unwrap(), 8);
    assert_eq!(counter.call_get(&mut inst, c.borrowed()).unwrap(), 8);
    let d = counter.call_constructor(&mut inst, 100).unwrap();
    let merged = counter.call_merge(&mut inst, c.borrowed(), d).unwrap();
    assert_eq!(counter.call_get(&mut inst, merged.borrowed()).unwrap(), 108);
    // The host drops its own handles: the guest's destructor runs and reports through `dropped`.
    let before = inst.data().dropped_counters.len();
    merged.resource_drop(&mut inst).unwrap();
    assert_eq!(inst.data().dropped_counters.len(), before + 1);
    assert!(
        merged.resource_drop(&mut inst).is_err(),
        "a second drop is refused"
    );
    assert!(
        c.borrowed().resource_drop(&mut inst).is_err(),
        "a borrow is not dropped"
    );
    assert!(inst.data().drops > 0, "the guest dropped host blobs");
}

#[test]
fn a_trappable_import_that_fails_unwinds_the_guest_and_poisons_the_instance() {
    let guest = guest("guests/resources/resources.wasm");
    let store = Store {
        fail_peek: true,
        ..Store::default()
    };
    let (b, mut inst) =
        resources::Resources::instantiate(&resources_linker(), &guest, store, Limits::default())
            .unwrap();
    let api = b.wasmbed_resources_api();
    let blob = api.call_make_blob(&mut inst, &[1, 2]).unwrap();
    // `measure` calls the host's `peek`, which fails.
    let e = api.call_measure(&mut inst, blob.borrowed()).unwrap_err();
    assert!(e.to_string().contains("peek refused"), "{e}");
    assert!(inst.is_poisoned());
    assert!(api.call_make_blob(&mut inst, &[1]).is_err());
}

/// Bindings that reuse the `types` world's `defs` types through `with`.
mod types_with {
    ::wasmbed::bindgen!({
        world: "types",
        path: "../../guests/types/types.wit",
        with: { "wasmbed:types/defs": crate::types::wasmbed::types::defs },
    });
}

impl types_with::wasmbed::types::host::Host for Host {
    fn echo_bool(&mut self, a: bool) -> bool {
        a
    }
    fn echo_s8(&mut self, a: i8) -> i8 {
        a
    }
    fn echo_u8(&mut self, a: u8) -> u8 {
        a
    }
    fn echo_s16(&mut self, a: i16) -> i16 {
        a
    }
    fn echo_u16(&mut self, a: u16) -> u16 {
        a
    }
    fn echo_s32(&mut self, a: i32) -> i32 {
        a
    }
    fn echo_u32(&mut self, a: u32) -> u32 {
        a
    }
    fn echo_s64(&mut self, a: i64) -> i64 {
        a
    }
    fn echo_u64(&mut self, a: u64) -> u64 {
        a
    }
    fn echo_f32(&mut self, a: f32) -> f32 {
        a
    }
    fn echo_f64(&mut self, a: f64) -> f64 {
        a
    }
    fn echo_char(&mut self, a: char) -> char {
        a
    }
    fn echo_string(&mut self, a: String) -> String {
        a
    }
    fn echo_bytes(&mut self, a: Vec<u8>) -> Vec<u8> {
        a
    }
    fn echo_list(&mut self, a: Vec<u32>) -> Vec<u32> {
        a
    }
    fn echo_strings(&mut self, a: Vec<String>) -> Vec<String> {
        a
    }
    fn echo_point(&mut self, a: Point) -> Point {
        self.seen.push(format!("{a:?}"));
        a
    }
    fn echo_person(&mut self, a: Person) -> Person {
        a
    }
    fn echo_tuple(&mut self, a: (u8, String, f64)) -> (u8, String, f64) {
        a
    }
    fn echo_shape(&mut self, a: Shape) -> Shape {
        a
    }
    fn echo_color(&mut self, a: Color) -> Color {
        a
    }
    fn echo_perms(&mut self, a: Perms) -> Perms {
        a
    }
    fn echo_wide(&mut self, a: Wide) -> Wide {
        a
    }
    fn echo_option(&mut self, a: Option<String>) -> Option<String> {
        a
    }
    fn echo_result(&mut self, a: Result<u32, String>) -> Result<u32, String> {
        a
    }
    fn echo_unit_result(&mut self, a: Result<(), Color>) -> Result<(), Color> {
        a
    }
    #[allow(clippy::too_many_arguments)]
    fn spill(
        &mut self,
        _: u8,
        _: i8,
        _: u16,
        _: i16,
        _: u32,
        _: i32,
        g: u64,
        _: i64,
        _: f32,
        j: f64,
        _: char,
        _: bool,
        m: String,
        _: Vec<u8>,
        _: Point,
    ) -> (u64, f64, String) {
        (g, j, m)
    }
}

impl types_with::TypesImports for Host {
    fn tick(&mut self, n: u32) -> u32 {
        n
    }
}

#[test]
fn with_reuses_types_generated_elsewhere() {
    let guest = guest("guests/types/types.wasm");
    let mut linker: Linker<Host> = Linker::new();
    types_with::Types::add_to_linker(&mut linker, |h: &mut Host| h).unwrap();
    let (b, mut inst) =
        types_with::Types::instantiate(&linker, &guest, Host::default(), Limits::default())
            .unwrap();
    // `Point` here is the type of the first bindings: one type, two bindings.
    let p: types::wasmbed::types::defs::Point = b
        .wasmbed_types_api()
        .call_echo_point(&mut inst, Point { x: 3, y: 4 })
        .unwrap();
    assert_eq!(p, Point { x: -4, y: 3 });
    assert_eq!(inst.data().seen, vec!["Point { x: 4, y: 3 }".to_string()]);
}
