use wasmbed_abi::{Layout, ResourceId, Type, TypeKind};
use wit_parser::Resolve;

use crate::{TypeMap, WitError};

fn resolve(src: &str) -> Resolve {
    let mut r = Resolve::default();
    r.push_str("test.wit", src).unwrap();
    r
}

fn named<'a>(r: &'a Resolve, iface: &str, name: &str) -> wit_parser::TypeId {
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
