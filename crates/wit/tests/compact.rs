//! The compact form of worlds: every world of the repository's WIT files and
//! committed guests survives it, any generated type does, and truncated or
//! corrupted files are errors, never panics.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use wasmbed_abi::{FuncType, ResourceId, Type};
use wasmbed_wit::compact::{checksum, decode, encode, DecodeErrorKind};
use wasmbed_wit::world::{Direction, Function, Interface, InterfaceName, Item, Resource, World};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Directories under `dir` holding `.wit` files, except dependencies
/// (they are read, and their worlds kept, with the package that uses them).
fn wit_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut has_wit = false;
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() && p.file_name().is_some_and(|n| n != "deps") {
            wit_dirs(&p, out);
        }
        has_wit |= p.extension().is_some_and(|x| x == "wit");
    }
    if has_wit {
        out.push(dir.to_path_buf());
    }
}

/// Every world the repository's WIT (wit/, guests/*/, examples/*/, with
/// their deps) and committed guests (`component-type` sections) define.
fn repo_worlds() -> Vec<(String, World)> {
    let mut worlds = Vec::new();
    let mut dirs = Vec::new();
    for top in ["wit", "guests", "examples"] {
        wit_dirs(&repo().join(top), &mut dirs);
    }
    for dir in dirs {
        let loaded = wasmbed_wit::load_path(&dir).unwrap();
        for (id, w) in loaded.resolve.worlds.iter() {
            let world = wasmbed_wit::world_from_resolve(&loaded.resolve, id)
                .unwrap_or_else(|e| panic!("{}: world {}: {e}", dir.display(), w.name));
            worlds.push((format!("{} ({})", world.name, dir.display()), world));
        }
    }
    for top in ["guests", "examples"] {
        for d in std::fs::read_dir(repo().join(top)).unwrap().flatten() {
            for f in std::fs::read_dir(d.path()).into_iter().flatten().flatten() {
                let p = f.path();
                if p.extension().is_some_and(|x| x == "wasm") {
                    let wasm = std::fs::read(&p).unwrap();
                    if let Some(world) = wasmbed_wit::world_from_module(&wasm).unwrap() {
                        worlds.push((format!("{} ({})", world.name, p.display()), world));
                    }
                }
            }
        }
    }
    worlds
}

#[test]
fn every_world_of_the_repository_round_trips() {
    let worlds = repo_worlds();
    // wit/ alone has a dozen worlds; the guests carry about ten more.
    assert!(worlds.len() > 20, "{} worlds", worlds.len());
    let mut with_resources = 0;
    for (what, world) in &worlds {
        let bytes = encode(world);
        let back = decode(&bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(&back, world, "{what}");
        assert_eq!(encode(&back), bytes, "{what}: encoding is deterministic");
        with_resources += usize::from(!world.resources.is_empty());
    }
    assert!(with_resources > 3, "resources are covered");
}

/// Each distinct world of the repository once, compiled.
fn distinct_compiled() -> Vec<(String, Vec<u8>)> {
    let mut seen = std::collections::BTreeSet::new();
    repo_worlds()
        .into_iter()
        .map(|(what, w)| (what, encode(&w)))
        .filter(|(_, bytes)| seen.insert(bytes.clone()))
        .collect()
}

/// Byte positions to cut or corrupt `len` bytes at: every one of a world
/// up to 800 bytes (calc, sensor, the pub/sub participant, resources,
/// signals…), about 150 spread over larger ones (types, threads, WASI),
/// as a debug build decodes a world of 1 KB in about a millisecond.
fn positions(len: usize) -> impl Iterator<Item = usize> {
    let step = if len <= 800 { 1 } else { len / 150 };
    (0..len).step_by(step)
}

/// `bytes` with its checksum recomputed, so the decoder's own checks see a change.
fn reseal(mut bytes: Vec<u8>) -> Vec<u8> {
    let n = bytes.len() - 4;
    let crc = checksum(&bytes[..n]);
    bytes[n..].copy_from_slice(&crc.to_le_bytes());
    bytes
}

#[test]
fn every_truncation_is_an_error() {
    for (what, bytes) in distinct_compiled() {
        for n in positions(bytes.len()) {
            assert!(decode(&bytes[..n]).is_err(), "{what}: first {n} bytes");
            // Cut inside the body, with a valid checksum over what is left.
            if n >= 9 {
                let mut cut = bytes[..n - 4].to_vec();
                cut.extend_from_slice(&checksum(&cut).to_le_bytes());
                assert!(decode(&cut).is_err(), "{what}: body cut at {}", n - 4);
            }
        }
    }
}

#[test]
fn every_single_byte_corruption_is_caught() {
    for (what, bytes) in distinct_compiled() {
        for i in positions(bytes.len()) {
            for flip in [0x01, 0xff] {
                let mut bad = bytes.clone();
                bad[i] ^= flip;
                // The checksum catches every one-byte change.
                assert!(decode(&bad).is_err(), "{what}: byte {i} ^ {flip:#x}");
                // With the checksum fixed up, the decoder's own checks either
                // refuse it or give a world that is valid in turn.
                if i >= 5 && i < bytes.len() - 4 {
                    if let Ok(w) = decode(&reseal(bad)) {
                        assert_eq!(decode(&encode(&w)).as_ref(), Ok(&w), "{what}: byte {i}");
                    }
                }
            }
        }
    }
}

#[test]
fn the_sensor_world_is_smaller_than_its_wit() {
    let world = wasmbed_wit::world_from_path(&repo().join("examples/sensor"), None).unwrap();
    let bytes = encode(&world);
    let wit = std::fs::metadata(repo().join("examples/sensor/sensor.wit")).unwrap();
    assert!(
        (bytes.len() as u64) < wit.len() / 2,
        "{} bytes",
        bytes.len()
    );
}

#[test]
fn a_forged_version_is_named() {
    let mut bytes = encode(&World::empty("w"));
    bytes[4] = 2;
    let e = decode(&bytes).unwrap_err();
    assert_eq!(e.kind(), DecodeErrorKind::UnsupportedVersion(2));
    assert_eq!(
        e.to_string(),
        "compact world version 2 is not supported (this decoder reads version 1) (at offset 0x4)"
    );
}

const RESOURCES: u32 = 2;

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("n{i}")).collect()
}

/// Any type the ABI accepts, a few levels deep, with handles to `RESOURCES` resources.
fn any_type() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![
        (0usize..13).prop_map(|i| [
            Type::Bool,
            Type::S8,
            Type::U8,
            Type::S16,
            Type::U16,
            Type::S32,
            Type::U32,
            Type::S64,
            Type::U64,
            Type::F32,
            Type::F64,
            Type::Char,
            Type::String,
        ][i]
            .clone()),
        (0..RESOURCES).prop_map(|r| Type::Own(ResourceId(r))),
        (0..RESOURCES).prop_map(|r| Type::Borrow(ResourceId(r))),
        (1usize..40).prop_map(|n| Type::flags(names(n.min(32))).unwrap()),
        (1usize..300).prop_map(|n| Type::enumeration(names(n)).unwrap()),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        let opt = proptest::option::of(inner.clone());
        prop_oneof![
            inner.clone().prop_map(|t| Type::list(t).unwrap()),
            inner.clone().prop_map(|t| Type::option(t).unwrap()),
            (opt.clone(), opt.clone()).prop_map(|(o, e)| Type::result(o, e).unwrap()),
            proptest::collection::vec(inner.clone(), 1..6).prop_map(|ts| Type::tuple(ts).unwrap()),
            proptest::collection::vec(inner, 1..6)
                .prop_map(|ts| Type::record(names(ts.len()).into_iter().zip(ts)).unwrap()),
            proptest::collection::vec(opt, 1..6)
                .prop_map(|ts| Type::variant(names(ts.len()).into_iter().zip(ts)).unwrap()),
        ]
    })
}

fn any_function(name: String) -> impl Strategy<Value = Function> {
    (
        proptest::collection::vec(any_type(), 0..5),
        proptest::option::of(any_type()),
    )
        .prop_map(move |(params, result)| Function {
            name: name.clone(),
            ty: FuncType::new(params, result).unwrap(),
        })
}

/// A world with a function of its own on each side and an interface of
/// generated functions, some of them repeating the same types.
fn any_world() -> impl Strategy<Value = World> {
    (
        any_function("f".into()),
        proptest::collection::vec(any_type(), 1..4),
        any_function("g".into()),
    )
        .prop_map(|(f, shared, g)| {
            let reuse = |i: usize| Function {
                name: format!("[method]r.m{i}"),
                ty: FuncType::new(shared.clone(), shared.get(i).cloned()).unwrap(),
            };
            World {
                name: "a:b/w".into(),
                imports: vec![
                    Item::Function(f),
                    Item::Interface(Interface {
                        name: InterfaceName::Id("a:b/i@1.0.0".into()),
                        functions: (0..shared.len()).map(reuse).collect(),
                        resources: vec![ResourceId(0)],
                    }),
                ],
                exports: vec![Item::Interface(Interface {
                    name: InterfaceName::Inline("e".into()),
                    functions: vec![g],
                    resources: vec![ResourceId(1)],
                })],
                resources: vec![
                    Resource {
                        name: "r".into(),
                        interface: Some(InterfaceName::Id("a:b/i@1.0.0".into())),
                        direction: Direction::Imported,
                    },
                    Resource {
                        name: "s".into(),
                        interface: Some(InterfaceName::Inline("e".into())),
                        direction: Direction::Exported,
                    },
                ],
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_world_round_trips(world in any_world()) {
        let bytes = encode(&world);
        prop_assert_eq!(decode(&bytes), Ok(world));
    }

    #[test]
    fn any_truncation_or_resealed_corruption_is_no_panic(
        world in any_world(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let bytes = encode(&world);
        let i = at.index(bytes.len());
        prop_assert!(decode(&bytes[..i]).is_err());
        if (5..bytes.len() - 4).contains(&i) {
            let mut bad = bytes.clone();
            bad[i] = byte;
            let _ = decode(&reseal(bad));
        }
    }
}
