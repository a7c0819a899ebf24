use wasmbed_abi::{Layout, ResourceId, Type, TypeKind};
use wit_parser::Resolve;

use crate::{TypeMap, WitError};

fn resolve(src: &str) -> Resolve {
    let mut r = Resolve::default();
    r.push_str("test.wit", src).unwrap();
    r
}

fn named(r: &Resolve, iface: &str, name: &str) -> wit_parser::TypeId {
    let (_, i) = r
        .interfaces
        .iter()
        .find(|(_, i)| i.name.as_deref() == Some(iface))
        .unwrap();
    i.types[name]
}

#[test]
fn records_variants_and_aliases_convert_with_their_layout() {
    let r = resolve(
        "package a:b;
         interface t {
           record pair { a: u8, b: string }
           variant v { x(u32), y, z(pair) }
           type alias = v;
           flags f { one, two }
           enum e { p, q, r }
           type l = list<option<result<u16, string>>>;
         }",
    );
    let mut map = TypeMap::new(&r);
    let pair = map.convert_id(named(&r, "t", "pair")).unwrap();
    assert_eq!(pair.layout(), Layout { size: 12, align: 4 });
    let v = map.convert_id(named(&r, "t", "v")).unwrap();
    let alias = map.convert_id(named(&r, "t", "alias")).unwrap();
    assert_eq!(v, alias);
    assert_eq!(v.layout(), Layout { size: 16, align: 4 });
    assert_eq!(
        map.convert_id(named(&r, "t", "f")).unwrap().kind(),
        TypeKind::Flags
    );
    assert_eq!(
        map.convert_id(named(&r, "t", "e")).unwrap().layout().size,
        1
    );
    let l = map.convert_id(named(&r, "t", "l")).unwrap();
    let Type::List(l) = l else {
        panic!("not a list")
    };
    assert_eq!(l.elem().kind(), TypeKind::Option);
}

#[test]
fn each_original_resource_gets_its_own_id() {
    let r = resolve(
        "package a:b;
         interface t {
           resource r1;
           resource r2;
           type r3 = r1;
           f: func(a: borrow<r1>, b: own<r2>, c: r3);
         }",
    );
    let mut map = TypeMap::new(&r);
    let r1 = map.resource_id(named(&r, "t", "r1"));
    let r2 = map.resource_id(named(&r, "t", "r2"));
    let r3 = map.resource_id(named(&r, "t", "r3"));
    assert_eq!((r1, r2, r3), (ResourceId(0), ResourceId(1), ResourceId(0)));
    assert_eq!(map.resources().len(), 2);
}

#[test]
fn unsupported_types_are_named() {
    let r = resolve("package a:b; interface t { type s = stream<u8>; }");
    let err = TypeMap::new(&r)
        .convert_id(named(&r, "t", "s"))
        .unwrap_err();
    assert!(matches!(err, WitError::Unsupported { .. }));
    assert_eq!(
        err.to_string(),
        "type `t.s` uses `stream`, which wasmbed does not support"
    );
}

/// The example world of BuildTargets.md: every core name it lists, under `cm32p2`.
const SPEC_WORLD: &str = "package ns:pkg@0.2.1;
interface i {
  resource r {
    constructor(s: string);
    m: func() -> string;
  }
  frob: func(in: r) -> r;
}
world w {
  import f: func() -> string;
  import i;
  import j: interface {
    resource r {
      constructor(s: string);
      m: func() -> string;
    }
    frob: func(in: r) -> r;
  }
  export g: func() -> string;
  export i;
  export j: interface {
    resource r {
      constructor(s: string);
      m: func() -> string;
    }
    frob: func(in: r) -> r;
  }
}";

fn spec_world() -> crate::World {
    let mut r = Resolve::default();
    let pkg = r.push_str("w.wit", SPEC_WORLD).unwrap();
    let w = r.select_world(&[pkg], Some("w")).unwrap();
    crate::world_from_resolve(&r, w).unwrap()
}

#[test]
fn spec_example_world_has_every_cm32p2_name() {
    use crate::world::{Direction, ExportTarget, ImportTarget};
    use wasmbed_abi::names::{ResourceIntrinsic, Scheme};
    use wasmbed_abi::{AbiContext, FlatType::I32};

    let world = spec_world();
    assert_eq!(world.name, "ns:pkg@0.2.1/w");
    // Four distinct resource types: imported i.r, imported j.r, exported i.r, exported j.r.
    assert_eq!(world.resources.len(), 4);
    let dirs: Vec<Direction> = world.resources.iter().map(|r| r.direction).collect();
    assert_eq!(
        dirs.iter().filter(|d| **d == Direction::Exported).count(),
        2
    );

    let names = world.core_names(Scheme::Cm32p2).unwrap();
    let sig = |t: ImportTarget| match t {
        ImportTarget::Func { item, func } => world
            .import_func(item, func)
            .unwrap()
            .ty
            .core_signature(AbiContext::Lower),
        _ => panic!("not a function"),
    };
    let f = names.import("cm32p2", "f").unwrap();
    assert_eq!((sig(f).params, sig(f).results), (vec![I32], vec![]));
    for module in ["cm32p2|ns:pkg/i@0.2", "cm32p2|j"] {
        let ctor = names.import(module, "[constructor]r").unwrap();
        assert_eq!(
            (sig(ctor).params, sig(ctor).results),
            (vec![I32, I32], vec![I32])
        );
        let m = names.import(module, "[method]r.m").unwrap();
        assert_eq!((sig(m).params, sig(m).results), (vec![I32, I32], vec![]));
        let frob = names.import(module, "frob").unwrap();
        assert_eq!(
            (sig(frob).params, sig(frob).results),
            (vec![I32], vec![I32])
        );
        assert!(matches!(
            names.import(module, "r_drop"),
            Some(ImportTarget::ResourceDrop(_))
        ));
    }
    for module in ["cm32p2|_ex_ns:pkg/i@0.2", "cm32p2|_ex_j"] {
        for (n, w) in [
            ("r_new", ResourceIntrinsic::New),
            ("r_rep", ResourceIntrinsic::Rep),
            ("r_drop", ResourceIntrinsic::Drop),
        ] {
            assert!(
                matches!(names.import(module, n), Some(ImportTarget::Intrinsic(_, x)) if x == w),
                "{module} {n}"
            );
        }
    }
    // A non-canonical module name is unknown.
    assert_eq!(names.import("cm32p2|ns:pkg/i@0.2.1", "frob"), None);

    let esig = |name: &str| match names.export(name) {
        Some(ExportTarget::Func { item, func }) => {
            let t = world
                .export_func(item, func)
                .unwrap()
                .ty
                .core_signature(AbiContext::Lift);
            (t.params, t.results)
        }
        other => panic!("{name}: {other:?}"),
    };
    assert_eq!(esig("cm32p2||g"), (vec![], vec![I32]));
    assert!(matches!(
        names.export("cm32p2||g_post"),
        Some(ExportTarget::PostReturn { .. })
    ));
    assert_eq!(
        esig("cm32p2|ns:pkg/i@0.2|[constructor]r"),
        (vec![I32, I32], vec![I32])
    );
    assert_eq!(
        esig("cm32p2|ns:pkg/i@0.2|[method]r.m"),
        (vec![I32], vec![I32])
    );
    assert_eq!(esig("cm32p2|j|frob"), (vec![I32], vec![I32]));
    assert!(matches!(
        names.export("cm32p2|j|r_dtor"),
        Some(ExportTarget::Dtor(_))
    ));
    assert!(matches!(
        names.export("cm32p2|ns:pkg/i@0.2|r_dtor"),
        Some(ExportTarget::Dtor(_))
    ));
    assert_eq!(names.export("cm32p2_memory"), Some(ExportTarget::Memory));
    assert_eq!(names.export("cm32p2_realloc"), Some(ExportTarget::Realloc));
    assert_eq!(
        names.export("cm32p2_initialize"),
        Some(ExportTarget::Initialize)
    );
}

#[test]
fn legacy_names_match_semver_compatible_versions() {
    use crate::world::ImportTarget;
    use wasmbed_abi::names::Scheme;

    let world = spec_world();
    let names = world.core_names(Scheme::Legacy).unwrap();
    assert!(matches!(
        names.import("ns:pkg/i@0.2.1", "frob"),
        Some(ImportTarget::Func { .. })
    ));
    assert!(matches!(
        names.import("ns:pkg/i@0.2.7", "frob"),
        Some(ImportTarget::Func { .. })
    ));
    assert_eq!(names.import("ns:pkg/i@0.3.0", "frob"), None);
    assert!(matches!(
        names.import("$root", "f"),
        Some(ImportTarget::Func { .. })
    ));
    assert!(matches!(
        names.import("ns:pkg/i@0.2.1", "[resource-drop]r"),
        Some(ImportTarget::ResourceDrop(_))
    ));
    assert!(matches!(
        names.import("[export]ns:pkg/i@0.2.1", "[resource-new]r"),
        Some(ImportTarget::Intrinsic(..))
    ));
    assert!(names.export("ns:pkg/i@0.2.1#frob").is_some());
    assert!(names.export("cabi_post_g").is_some());
    assert!(names.export("j#[dtor]r").is_some());
}
