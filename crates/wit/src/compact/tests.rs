//! Unit tests of the compact form: each error, the limits, and the byte layout.

use alloc::vec::Vec;

use wasmbed_abi::{FuncType, Type, TypeError, TypeKind};

use super::{
    checksum, decode, encode, tag, DecodeError, DecodeErrorKind as Kind, MAGIC, PRIMITIVES, VERSION,
};
use crate::world::{Function, Item, World};

/// A file around `body`: header, then `body`, then its checksum.
fn seal(body: &[u8]) -> Vec<u8> {
    let mut bytes = MAGIC.to_vec();
    bytes.push(VERSION);
    bytes.extend_from_slice(body);
    let crc = checksum(&bytes);
    bytes.extend_from_slice(&crc.to_le_bytes());
    bytes
}

/// A world named "w" with no resources, the type table `types` (count
/// first) and the items `items` (import count, …, export count, …).
fn world_body(types: &[u8], items: &[u8]) -> Vec<u8> {
    let mut body = vec![1, b'w', 0];
    body.extend_from_slice(types);
    body.extend_from_slice(items);
    body
}

/// Imports one world function `f` taking one parameter of type reference `r`.
const IMPORT_F_OF: fn(u8) -> [u8; 8] = |r| [1, tag::FUNCTION, 1, b'f', 1, r, 0, 0];

fn kind(bytes: &[u8]) -> Kind {
    decode(bytes).unwrap_err().kind()
}

#[test]
fn the_checksum_is_crc32() {
    assert_eq!(checksum(b"123456789"), 0xcbf4_3926);
}

#[test]
fn the_empty_world_is_fifteen_bytes() {
    let bytes = encode(&World::empty("w"));
    assert_eq!(bytes, seal(&world_body(&[0], &[0, 0])));
    assert_eq!(bytes.len(), 15);
    assert_eq!(decode(&bytes), Ok(World::empty("w")));
}

#[test]
fn primitives_are_references_below_thirteen() {
    for (i, p) in PRIMITIVES.iter().enumerate() {
        let mut w = World::empty("w");
        let ty = FuncType::new(vec![p.clone()], None).unwrap();
        let name = "f".into();
        w.imports.push(Item::Function(Function { name, ty }));
        let bytes = encode(&w);
        assert_eq!(bytes, seal(&world_body(&[0], &IMPORT_F_OF(i as u8))));
        assert_eq!(decode(&bytes), Ok(w));
    }
}

#[test]
fn headers_are_checked_before_anything_else() {
    assert_eq!(kind(b""), Kind::UnexpectedEnd("header"));
    assert_eq!(kind(b"\0wb"), Kind::UnexpectedEnd("header"));
    assert_eq!(kind(b"\0asm\x01\0\0\0"), Kind::BadMagic);
    assert_eq!(kind(b"\0wbw\x07"), Kind::UnsupportedVersion(7));
    assert_eq!(kind(b"\0wbw\x01\0\0"), Kind::UnexpectedEnd("checksum"));
    let mut bytes = encode(&World::empty("w"));
    bytes[6] = b'v';
    let e = decode(&bytes).unwrap_err();
    assert_eq!((e.kind(), e.offset()), (Kind::BadChecksum, 11));
}

#[test]
fn forged_lengths_are_bounded_by_the_bytes_left() {
    let e = decode(&seal(&[0xff, 0xff, 0xff, 0xff, 0x0f])).unwrap_err();
    assert_eq!((e.kind(), e.offset()), (Kind::TooLong("world name"), 5));
    assert_eq!(
        e.to_string(),
        "world name is longer than the bytes left (at offset 0x5)"
    );
    assert_eq!(
        kind(&seal(&[1, b'w', 0x80, 0x80, 0x04])),
        Kind::TooLong("resources")
    );
    let huge_table = world_body(&[0xff, 0xff, 0x03], &[0, 0]);
    assert_eq!(kind(&seal(&huge_table)), Kind::TooLong("type table"));
    let huge_record = world_body(&[1, tag::RECORD, 0xff, 0x7f], &[0, 0]);
    assert_eq!(kind(&seal(&huge_record)), Kind::TooLong("fields or cases"));
}

#[test]
fn integers_are_at_most_five_bytes_and_32_bits() {
    assert_eq!(
        kind(&seal(&[0xff, 0xff, 0xff, 0xff, 0x1f])),
        Kind::BadInteger("world name")
    );
    assert_eq!(
        kind(&seal(&[0x80, 0x80, 0x80, 0x80, 0x80, 0])),
        Kind::BadInteger("world name")
    );
    // Not the shortest form, but a valid one.
    assert_eq!(
        decode(&seal(&world_body(&[0x80, 0], &[0, 0]))),
        Ok(World::empty("w"))
    );
}

#[test]
fn names_are_utf8() {
    let e = decode(&seal(&[1, 0xff])).unwrap_err();
    assert_eq!((e.kind(), e.offset()), (Kind::BadUtf8("world name"), 5));
}

#[test]
fn references_name_earlier_types_and_resources_only() {
    // Entry 0 is `list` of entry 0: a cycle is a forward reference.
    let cycle = world_body(&[1, tag::LIST, 13], &[0, 0]);
    assert_eq!(kind(&seal(&cycle)), Kind::UnknownType(13));
    let forward = world_body(&[0], &IMPORT_F_OF(13));
    assert_eq!(kind(&seal(&forward)), Kind::UnknownType(13));
    let no_resource = world_body(&[1, tag::OWN, 0], &[0, 0]);
    assert_eq!(kind(&seal(&no_resource)), Kind::UnknownResource(0));
    let interface = world_body(&[0], &[1, tag::INLINE, 1, b'i', 0, 1, 0, 0]);
    assert_eq!(kind(&seal(&interface)), Kind::UnknownResource(0));
}

#[test]
fn unknown_tags_are_named() {
    let ty = world_body(&[1, 10], &[0, 0]);
    assert_eq!(kind(&seal(&ty)), Kind::BadTag("type", 10));
    let item = world_body(&[0], &[1, 3]);
    assert_eq!(kind(&seal(&item)), Kind::BadTag("import", 3));
    let direction = [1, b'w', 1, 1, b'r', 2];
    assert_eq!(
        kind(&seal(&direction)),
        Kind::BadTag("resource direction", 2)
    );
    let owner = [1, b'w', 1, 1, b'r', 0, 3];
    assert_eq!(kind(&seal(&owner)), Kind::BadTag("resource interface", 3));
}

#[test]
fn types_are_checked_by_their_constructors() {
    let empty = world_body(&[1, tag::RECORD, 0], &[0, 0]);
    assert_eq!(
        kind(&seal(&empty)),
        Kind::Type(TypeError::Empty(TypeKind::Record))
    );
    let dup = world_body(&[1, tag::ENUM, 2, 1, b'a', 1, b'a'], &[0, 0]);
    assert_eq!(
        kind(&seal(&dup)),
        Kind::Type(TypeError::DuplicateName(TypeKind::Enum))
    );
    let mut flags = vec![1, tag::FLAGS, 33];
    for i in 0..33u8 {
        flags.extend_from_slice(&[1, b'0' + i]);
    }
    let flags = world_body(&flags, &[0, 0]);
    assert_eq!(kind(&seal(&flags)), Kind::Type(TypeError::TooManyFlags(33)));
}

/// `n` table entries, each a `list` of the one before (the first of `bool`).
fn nested_lists(n: u32) -> Vec<u8> {
    let mut types = vec![];
    let leb = |mut v: u32, out: &mut Vec<u8>| loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            break;
        }
        out.push(b | 0x80);
    };
    leb(n, &mut types);
    for i in 0..n {
        types.push(tag::LIST);
        leb(if i == 0 { 0 } else { 13 + i - 1 }, &mut types);
    }
    seal(&world_body(&types, &[0, 0]))
}

#[test]
fn nesting_is_bounded_by_the_abi() {
    assert!(decode(&nested_lists(wasmbed_abi::MAX_TYPE_DEPTH)).is_ok());
    let deep = nested_lists(wasmbed_abi::MAX_TYPE_DEPTH + 1);
    assert_eq!(kind(&deep), Kind::Type(TypeError::TooDeep));
}

#[test]
fn types_that_double_at_every_level_are_refused() {
    // Entry i is `tuple<entry i-1, entry i-1>`: 2^i nodes from 3 bytes each.
    let mut types = vec![40, tag::TUPLE, 2, 0, 0];
    for i in 1..40u8 {
        types.extend_from_slice(&[tag::TUPLE, 2, 12 + i, 12 + i]);
    }
    let bomb = seal(&world_body(&types, &[0, 0]));
    assert_eq!(kind(&bomb), Kind::TooLarge);
    // An enum of 128 names, written once and named 1000 times.
    let mut types = vec![1, tag::ENUM, 0x80, 0x01];
    for c in 0..128u8 {
        types.extend_from_slice(&[1, c]);
    }
    let mut items = vec![1, tag::FUNCTION, 1, b'f', 0xe8, 0x07];
    items.extend_from_slice(&[13; 1000]);
    items.extend_from_slice(&[0, 0]);
    let many = seal(&world_body(&types, &items));
    assert_eq!(kind(&many), Kind::TooLarge);
    // The same named 100 times is fine.
    let mut items = vec![1, tag::FUNCTION, 1, b'f', 100];
    items.extend_from_slice(&[13; 100]);
    items.extend_from_slice(&[0, 0]);
    assert!(decode(&seal(&world_body(&types, &items))).is_ok());
}

#[test]
fn names_are_unique_on_each_side() {
    let twice = world_body(
        &[0],
        &[
            2,
            tag::FUNCTION,
            1,
            b'f',
            0,
            0,
            tag::FUNCTION,
            1,
            b'f',
            0,
            0,
            0,
        ],
    );
    let e = decode(&seal(&twice)).unwrap_err();
    assert_eq!((e.kind(), e.offset()), (Kind::DuplicateName("import"), 15));
    let in_iface = world_body(
        &[0],
        &[
            0,
            1,
            tag::INLINE,
            1,
            b'i',
            2,
            1,
            b'f',
            0,
            0,
            1,
            b'f',
            0,
            0,
            0,
        ],
    );
    assert_eq!(kind(&seal(&in_iface)), Kind::DuplicateName("function"));
}

#[test]
fn nothing_may_follow_the_exports() {
    let e = decode(&seal(&world_body(&[0], &[0, 0, 0]))).unwrap_err();
    assert_eq!((e.kind(), e.offset()), (Kind::TrailingBytes, 11));
}

#[test]
fn the_error_is_small_and_copy() {
    fn copy<T: Copy>() {}
    copy::<DecodeError>();
    assert!(core::mem::size_of::<DecodeError>() <= 32);
}

#[test]
fn equal_function_types_near_each_other_are_decoded_once() {
    let f = |name: &str, params: Vec<Type>| Function {
        name: name.into(),
        ty: FuncType::new(params, Some(Type::U32)).unwrap(),
    };
    // `a` and `b` read alike; ten other types come between `a` and `z`,
    // more than the decoder looks back over.
    let mut functions = vec![f("a", vec![Type::U8]), f("b", vec![Type::U8])];
    let fillers = [Type::S8, Type::U16, Type::S16, Type::S32, Type::U64];
    for (i, t) in fillers.iter().enumerate() {
        functions.push(f(&alloc::format!("x{i}"), vec![t.clone()]));
        functions.push(f(&alloc::format!("y{i}"), vec![t.clone(), t.clone()]));
    }
    functions.push(f("z", vec![Type::U8]));
    let world = World {
        name: "w".into(),
        imports: functions.into_iter().map(Item::Function).collect(),
        exports: Vec::new(),
        resources: Vec::new(),
    };
    let back = decode(&encode(&world)).unwrap();
    assert_eq!(back, world);
    let ty = |i: usize| match &back.imports[i] {
        Item::Function(f) => f.ty.clone(),
        Item::Interface(_) => unreachable!(),
    };
    assert!(ty(0).is_shared_with(&ty(1)));
    assert!(!ty(0).is_shared_with(&ty(2)));
    assert_eq!(ty(0), ty(12));
    assert!(!ty(0).is_shared_with(&ty(12)), "past the window");
}
