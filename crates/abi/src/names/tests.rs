use super::*;
use alloc::string::ToString;

fn canon(name: &str) -> String {
    canonicalize_interface_name(name).unwrap().into_owned()
}

#[test]
fn canonicalization_table_of_the_build_target() {
    // The table in BuildTargets.md, "Interface Name Canonicalization".
    assert_eq!(canon("a:b/c"), "a:b/c");
    assert_eq!(canon("a:b/c@1.2.3+alpha"), "a:b/c@1");
    assert_eq!(canon("a:b/c@0.1.2+alpha"), "a:b/c@0.1");
    assert_eq!(canon("a:b/c@0.0.1+alpha"), "a:b/c@0.0.1");
    assert_eq!(canon("a:b/c@1.2.3-nightly+alpha"), "a:b/c@1.2.3-nightly");
    // The examples of CM32P2.md.
    assert_eq!(canon("a:b/c@1.2.3"), "a:b/c@1");
    assert_eq!(canon("a:b/c@0.1.2"), "a:b/c@0.1");
    assert_eq!(canon("a:b/c@0.0.1"), "a:b/c@0.0.1");
    assert_eq!(canon("a:b/c@1.2.3-rc+x"), "a:b/c@1.2.3-rc");
    assert_eq!(canon("wasi:cli/stdout@0.2.6"), "wasi:cli/stdout@0.2");
    assert_eq!(canon("ns:pkg/i@10.0.0"), "ns:pkg/i@10");
}

#[test]
fn canonicalization_refuses_what_is_not_semver() {
    for bad in [
        "a:b/c@1",
        "a:b/c@1.2",
        "a:b/c@1.2.3.4",
        "a:b/c@01.2.3",
        "a:b/c@1.x.3",
        "a:b/c@1.2.3-",
        "a:b/c@",
    ] {
        assert_eq!(canonicalize_interface_name(bad), Err(BadVersion), "{bad}");
    }
}

#[test]
fn semver_compatible_legacy_versions_share_a_canonical_form() {
    assert_eq!(canon("a:b/c@1.2.3"), canon("a:b/c@1.2.4"));
    assert_eq!(canon("a:b/c@0.2.0"), canon("a:b/c@0.2.9"));
    assert_ne!(canon("a:b/c@0.2.0"), canon("a:b/c@0.3.0"));
    assert_ne!(canon("a:b/c@0.0.1"), canon("a:b/c@0.0.2"));
}

/// Every name of the example world in BuildTargets.md (with the corrected `r_dtor`).
#[test]
fn cm32p2_names_of_the_specification_example() {
    let s = Scheme::Cm32p2;
    let i = Owner::Interface("ns:pkg/i@0.2.1");
    let j = Owner::Inline("j");
    let imp = |o, f: &str| s.import_func(o, f).unwrap();
    let pair = |m: &str, n: &str| (m.to_string(), n.to_string());

    assert_eq!(imp(Owner::World, "f"), pair("cm32p2", "f"));
    assert_eq!(
        imp(i, "[constructor]r"),
        pair("cm32p2|ns:pkg/i@0.2", "[constructor]r")
    );
    assert_eq!(
        imp(i, "[method]r.m"),
        pair("cm32p2|ns:pkg/i@0.2", "[method]r.m")
    );
    assert_eq!(imp(i, "frob"), pair("cm32p2|ns:pkg/i@0.2", "frob"));
    assert_eq!(
        s.import_resource_drop(i, "r").unwrap(),
        pair("cm32p2|ns:pkg/i@0.2", "r_drop")
    );
    assert_eq!(imp(j, "frob"), pair("cm32p2|j", "frob"));
    assert_eq!(
        s.import_resource_drop(j, "r").unwrap(),
        pair("cm32p2|j", "r_drop")
    );

    let ex = |o, w| s.exported_resource_intrinsic(o, "r", w).unwrap();
    assert_eq!(
        ex(i, ResourceIntrinsic::Drop),
        pair("cm32p2|_ex_ns:pkg/i@0.2", "r_drop")
    );
    assert_eq!(
        ex(i, ResourceIntrinsic::New),
        pair("cm32p2|_ex_ns:pkg/i@0.2", "r_new")
    );
    assert_eq!(
        ex(i, ResourceIntrinsic::Rep),
        pair("cm32p2|_ex_ns:pkg/i@0.2", "r_rep")
    );
    assert_eq!(ex(j, ResourceIntrinsic::New), pair("cm32p2|_ex_j", "r_new"));

    assert_eq!(s.export_func(Owner::World, "g").unwrap(), "cm32p2||g");
    assert_eq!(
        s.export_post_return(Owner::World, "g").unwrap(),
        "cm32p2||g_post"
    );
    assert_eq!(
        s.export_func(i, "[constructor]r").unwrap(),
        "cm32p2|ns:pkg/i@0.2|[constructor]r"
    );
    assert_eq!(
        s.export_func(i, "[method]r.m").unwrap(),
        "cm32p2|ns:pkg/i@0.2|[method]r.m"
    );
    assert_eq!(s.export_dtor(i, "r").unwrap(), "cm32p2|ns:pkg/i@0.2|r_dtor");
    assert_eq!(s.export_func(j, "frob").unwrap(), "cm32p2|j|frob");
    assert_eq!(s.export_dtor(j, "r").unwrap(), "cm32p2|j|r_dtor");
    assert_eq!(s.memory(), "cm32p2_memory");
    assert_eq!(s.realloc(), "cm32p2_realloc");
    assert_eq!(s.initialize(), "cm32p2_initialize");
}

#[test]
fn legacy_names_as_wit_bindgen_emits_them() {
    let s = Scheme::Legacy;
    let i = Owner::Interface("ns:pkg/i@0.2.1");
    let pair = |m: &str, n: &str| (m.to_string(), n.to_string());
    assert_eq!(
        s.import_func(Owner::World, "f").unwrap(),
        pair("$root", "f")
    );
    assert_eq!(
        s.import_func(i, "frob").unwrap(),
        pair("ns:pkg/i@0.2.1", "frob")
    );
    assert_eq!(
        s.import_resource_drop(i, "r").unwrap(),
        pair("ns:pkg/i@0.2.1", "[resource-drop]r")
    );
    assert_eq!(
        s.exported_resource_intrinsic(i, "r", ResourceIntrinsic::New)
            .unwrap(),
        pair("[export]ns:pkg/i@0.2.1", "[resource-new]r")
    );
    assert_eq!(
        s.exported_resource_intrinsic(Owner::World, "r", ResourceIntrinsic::Rep)
            .unwrap(),
        pair("[export]$root", "[resource-rep]r")
    );
    assert_eq!(s.export_func(Owner::World, "g").unwrap(), "g");
    assert_eq!(s.export_func(i, "frob").unwrap(), "ns:pkg/i@0.2.1#frob");
    assert_eq!(
        s.export_post_return(i, "frob").unwrap(),
        "cabi_post_ns:pkg/i@0.2.1#frob"
    );
    assert_eq!(
        s.export_post_return(Owner::World, "g").unwrap(),
        "cabi_post_g"
    );
    assert_eq!(s.export_dtor(i, "r").unwrap(), "ns:pkg/i@0.2.1#[dtor]r");
    assert_eq!(s.memory(), "memory");
    assert_eq!(s.realloc(), "cabi_realloc");
    assert_eq!(s.initialize(), "_initialize");
}

#[test]
fn scheme_detection_and_prefix() {
    assert!(is_cm32p2("cm32p2"));
    assert!(is_cm32p2("cm32p2|j"));
    assert!(is_cm32p2("cm32p2_memory"));
    assert!(!is_cm32p2("cm32p2x"));
    assert!(!is_cm32p2("memory"));
    assert_eq!(Scheme::detect(["$root"], ["memory", "g"]), Scheme::Legacy);
    assert_eq!(Scheme::detect(["env"], ["cm32p2||g"]), Scheme::Cm32p2);
    // A non-canonical module name stays as written: the host will not find it.
    assert_eq!(
        Scheme::Cm32p2
            .import_module(Owner::Interface("a:b/c@1.2.3"))
            .unwrap(),
        "cm32p2|a:b/c@1"
    );
    assert!(Scheme::Cm32p2
        .import_module(Owner::Interface("a:b/c@1.2"))
        .is_err());
}
