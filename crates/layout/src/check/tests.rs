//! Unit tests of the readers and names, on fixed compiler output (no compiler runs).

use std::path::PathBuf;

use serde_json::json;

use super::ast::Header;
use super::compiler::{summarize, HeaderPath};
use super::wit_names::{enumerators, kebab, type_name};
use super::{asm, dump};

/// `struct s { uint8_t a; union { uint16_t u; }; unsigned b : 3; unsigned : 0; }`, as clang's JSON AST.
fn header() -> Header {
    let here = json!({"includedFrom": {"file": "<stdin>"}});
    let field =
        |name: &str, ty: &str| json!({"kind": "FieldDecl", "name": name, "type": {"qualType": ty}});
    let bits = |name: Option<&str>, width: u64| {
        json!({"kind": "FieldDecl", "name": name, "isBitfield": true, "type": {"qualType": "unsigned int"},
               "inner": [{"kind": "ConstantExpr", "value": width.to_string()}]})
    };
    let ast = json!({"inner": [{
        "kind": "RecordDecl", "id": "0x1", "name": "s", "tagUsed": "struct", "loc": here,
        "completeDefinition": true,
        "inner": [
            field("a", "uint8_t"),
            {"kind": "RecordDecl", "id": "0x2", "tagUsed": "union", "completeDefinition": true,
             "inner": [field("u", "uint16_t")]},
            {"kind": "FieldDecl", "isImplicit": true, "type": {"qualType": "union s::(anonymous)"}},
            bits(Some("b"), 3),
            bits(None, 0),
        ]
    }]});
    Header::from_json(&ast)
}

#[test]
fn ast_flattens_anonymous_members() {
    let h = header();
    assert_eq!(h.records.len(), 1);
    let names: Vec<_> = super::probe::named_fields(&h.records[0].fields)
        .iter()
        .map(|f| (f.name.clone().unwrap(), f.bit_width))
        .collect();
    assert_eq!(
        names,
        [
            ("a".into(), None),
            ("u".into(), None),
            ("b".into(), Some(3))
        ]
    );
}

#[test]
fn dump_reader_takes_members_and_bits() {
    let out = "
*** Dumping AST Record Layout
         0 | struct wasmbed_endian
         0 |   char[2] v
           | [sizeof=2, align=1]

*** Dumping AST Record Layout
         0 | struct wasmbed_r0
         0 |   struct s v
         0 |     uint8_t a
         2 |     union s::(anonymous at /x y/s.h:3:5) 
         2 |       uint16_t u
     4:0-2 |     unsigned int b
       8:- |     unsigned int 
           | [sizeof=8, align=4]

*** Dumping AST Record Layout
         0 | struct wasmbed_r0_f0
         0 |   typeof (((struct s *)0)->a) v
           | [sizeof=1, align=1]

*** Dumping AST Record Layout
         0 | struct wasmbed_r0_f1
         0 |   typeof (((struct s *)0)->u) v
           | [sizeof=2, align=2]
";
    let layout = dump::read(out, &header()).unwrap();
    assert!(layout.big_endian);
    let r = &layout.records[0];
    assert_eq!((r.size, r.align), (8, 4));
    let got: Vec<_> = r
        .fields
        .iter()
        .map(|(n, p)| (n.as_str(), p.offset_bits, p.size_bits, p.bitfield))
        .collect();
    assert_eq!(
        got,
        [
            ("a", 0, Some(8), false),
            ("u", 16, Some(16), false),
            ("b", 32, Some(3), true)
        ]
    );
    assert_eq!(
        dump::read("", &header()).unwrap_err(),
        "no layout for `struct wasmbed_endian`"
    );
}

#[test]
fn asm_reader_handles_byte_order_and_byte_tables() {
    // Big-endian, table as `.word`s; bitfield `b` in the top 3 bits of byte 4.
    let be = "wasmbed_probe:\n\t.word\t1\n\t.word\t8\n\t.word\t4\n\t.word\t0\n\t.word\t1\n\t.word\t2\n\t.word\t2\n\
              \t.globl\twasmbed_b0_2\nwasmbed_b0_2:\n\t.space\t4\n\t.byte\t-32\n\t.space\t3\n";
    let layout = asm::read(be, &header()).unwrap();
    assert!(layout.big_endian);
    let b = layout.records[0].fields[2].1;
    assert_eq!(
        (b.offset_bits, b.size_bits, b.msb_first),
        (32, Some(3), true)
    );
    assert_eq!(layout.records[0].fields[1].1.offset_bits, 16);

    // Little-endian, table as bytes (avr-gcc emits 32-bit constants that way).
    let mut le = String::from("wasmbed_probe:\n");
    for v in [0u8, 5, 1, 0, 1, 1, 2] {
        le.push_str(&format!("\t.byte\t{v}\n\t.zero\t3\n"));
    }
    le.push_str("wasmbed_b0_2:\n\t.ascii\t\"\\000\\000\\000\\034\\000\"\n");
    let layout = asm::read(&le, &header()).unwrap();
    assert!(!layout.big_endian);
    let b = layout.records[0].fields[2].1;
    assert_eq!((b.offset_bits, b.size_bits), (26, Some(3)));
    assert_eq!(layout.records[0].size, 5);
}

#[test]
fn diagnostics_name_the_header_and_line() {
    let path = HeaderPath {
        shown: PathBuf::from("inc/s.h"),
        absolute: PathBuf::from("/abs/inc/s.h"),
    };
    let stderr = "In file included from <stdin>:1:\n\
                  /abs/inc/s.h:4:5: error: unknown type name 'foo_t'\n    foo_t x;\n    ^\n1 error generated.\n";
    assert_eq!(
        summarize(stderr, &path).unwrap(),
        "inc/s.h:4: error: unknown type name 'foo_t'"
    );
    assert_eq!(summarize("warning: x\n", &path), None);
}

#[test]
fn c_names_become_wit_names() {
    assert_eq!(kebab("sensorValue"), "sensor-value");
    assert_eq!(kebab("SENSOR_VALUE"), "sensor-value");
    assert_eq!(kebab("ADCResult"), "adc-result");
    assert_eq!(kebab("x_1"), "x-1");
    assert_eq!(kebab("__reserved"), "reserved");
    assert_eq!(kebab("type"), "%type");
    assert_eq!(kebab("_"), "unnamed");
    assert_eq!(type_name("struct pose_t"), "pose");
    assert_eq!(
        enumerators(&["COLOR_RED", "COLOR_DARK_BLUE"]),
        ["red", "dark-blue"]
    );
    assert_eq!(enumerators(&["MODE_1", "MODE_2"]), ["mode-1", "mode-2"]);
}
