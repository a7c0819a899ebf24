use std::collections::BTreeMap;
use std::path::PathBuf;

use wasmbed_wit::wit_parser::{
    Function, FunctionKind, Handle, InterfaceId, Resolve, Type, TypeDefKind, TypeId,
};

use super::*;

/// The vendored WIT (`wit/`), unstable features included, and `wasi:sockets`'s interfaces.
fn sockets() -> (Resolve, Vec<InterfaceId>) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../wit");
    let mut resolve = Resolve {
        all_features: true,
        ..Resolve::default()
    };
    resolve.push_dir(dir).unwrap();
    let (_, pkg) = resolve
        .packages
        .iter()
        .find(|(_, p)| p.name.namespace == "wasi" && p.name.name == "sockets")
        .expect("wit/deps/sockets is vendored");
    let ifaces = pkg.interfaces.values().copied().collect();
    (resolve, ifaces)
}

/// `t`'s definition, through the aliases `use` makes.
fn def(resolve: &Resolve, t: Type) -> Option<TypeId> {
    match t {
        Type::Id(id) => match resolve.types[id].kind {
            TypeDefKind::Type(t) => def(resolve, t),
            _ => Some(id),
        },
        _ => None,
    }
}

fn named(resolve: &Resolve, t: Option<Type>, name: &str) -> bool {
    let id = t.and_then(|t| def(resolve, t));
    id.is_some_and(|id| resolve.types[id].name.as_deref() == Some(name))
}

/// What `f` should answer, from its WIT type.
fn expected(resolve: &Resolve, f: &Function) -> Answer {
    let result = f.result.and_then(|t| def(resolve, t));
    let kind = result.map(|id| &resolve.types[id].kind);
    match kind {
        Some(TypeDefKind::Result(r)) if named(resolve, r.err, "error-code") => Answer::Denied,
        Some(TypeDefKind::Option(t)) if named(resolve, Some(*t), "error-code") => Answer::Nothing,
        Some(TypeDefKind::Handle(Handle::Own(r)))
            if named(resolve, Some(Type::Id(*r)), "network") =>
        {
            Answer::Network
        }
        _ if matches!(f.kind, FunctionKind::Method(_)) => Answer::NoSocket,
        _ => panic!("no answer fits `{}`", f.name),
    }
}

#[test]
fn every_function_answers_as_its_wit_type_allows() {
    let (resolve, ifaces) = sockets();
    let mut wit = BTreeMap::new();
    for id in ifaces {
        let i = &resolve.interfaces[id];
        let iface = i.name.clone().unwrap();
        for f in i.functions.values() {
            wit.insert((iface.clone(), f.name.clone()), expected(&resolve, f));
        }
    }
    let ours: BTreeMap<_, _> = funcs().map(|(i, f, a)| ((i.to_owned(), f), a)).collect();
    assert_eq!(ours.len(), funcs().count(), "a function is listed twice");
    let differ: Vec<_> = wit
        .iter()
        .filter(|(k, a)| ours.get(*k) != Some(*a))
        .map(|(k, a)| format!("{k:?}: the WIT says {a:?}, ours {:?}", ours.get(k)))
        .collect();
    assert!(differ.is_empty(), "{differ:#?}");
    assert_eq!(ours.len(), wit.len(), "a function not in the WIT");
    assert_eq!(
        wit.len(),
        53,
        "52 functions and the unstable `network-error-code`"
    );
}

#[test]
fn every_resource_has_a_drop() {
    let (resolve, ifaces) = sockets();
    let mut wit = Vec::new();
    for id in ifaces {
        let i = &resolve.interfaces[id];
        for &t in i.types.values() {
            let t = &resolve.types[t];
            if matches!(t.kind, TypeDefKind::Resource) {
                let iface = i.name.clone().unwrap();
                wit.push((iface, t.name.clone().unwrap()));
            }
        }
    }
    wit.sort();
    let mut ours: Vec<_> = resources()
        .map(|(i, r)| (i.to_owned(), r.to_owned()))
        .collect();
    ours.sort();
    assert_eq!(ours, wit);
}

#[test]
fn access_denied_is_the_case_the_wit_names() {
    let (resolve, ifaces) = sockets();
    let network = ifaces
        .iter()
        .map(|&id| &resolve.interfaces[id])
        .find(|i| i.name.as_deref() == Some("network"))
        .unwrap();
    let TypeDefKind::Enum(e) = &resolve.types[network.types["error-code"]].kind else {
        panic!("`error-code` is an enum")
    };
    let i = e.cases.iter().position(|c| c.name == "access-denied");
    assert_eq!(i, Some(ACCESS_DENIED as usize));
}

#[test]
fn a_denied_function_returns_access_denied() {
    let v = Answer::Denied.give("create-tcp-socket").unwrap();
    let denied = Val::Result(Err(Some(Box::new(Val::Enum(ACCESS_DENIED)))));
    assert_eq!(v, Some(denied));
}

#[test]
fn a_method_without_an_error_code_traps_naming_the_function() {
    let what = "wasi:sockets/tcp@0.2.12#[method]tcp-socket.subscribe";
    let e = Answer::NoSocket.give(what).unwrap_err();
    assert!(e.is_trap(), "{e}");
    assert_eq!(
        e.to_string(),
        format!(
            "guest trapped in `{what}`: `wasi:sockets` is denied, \
             so no handle of this resource was ever handed out"
        )
    );
}
