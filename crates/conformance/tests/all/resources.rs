//! The `resources` guest: a host resource used every way, a guest resource with its destructor, both runtimes.

use std::collections::BTreeMap;

use wasmbed::{Val, Wamr, Wasmi};
use wasmbed_conformance::{record, repo_path, Event, Log};

use crate::{assert_same, export_calls, resources_wasmbed, resources_wasmtime};

pub(crate) const STORE: &str = "wasmbed:resources/store@0.1.0";
pub(crate) const API: &str = "wasmbed:resources/api@0.1.0";

/// What the host keeps behind a `blob`: only its serial; dropping it is logged.
pub(crate) struct Token {
    pub(crate) serial: u32,
    log: Log,
}

impl Drop for Token {
    fn drop(&mut self) {
        record(&self.log, Event::HostDrop(self.serial));
    }
}

/// The host's blobs by serial, shared by both runtimes' host functions.
///
/// Values are normalized: a blob is `Own(serial)`/`Borrow(serial)`, whatever rep a runtime gives it.
pub(crate) struct Blobs {
    data: BTreeMap<u32, Vec<u8>>,
    /// Blobs the guest gave the host: dropped after the export call (wasmbed's `HostCx` cannot drop one during the call).
    pub(crate) consumed: Vec<u32>,
    log: Log,
}

fn bytes(v: &Val) -> Vec<u8> {
    match v {
        Val::List(l) => l
            .iter()
            .filter_map(|b| match b {
                Val::U8(b) => Some(*b),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

impl Blobs {
    pub(crate) fn new(log: Log) -> Blobs {
        Blobs {
            data: BTreeMap::new(),
            consumed: Vec::new(),
            log,
        }
    }

    /// A new blob's token, its serial counting from 1.
    pub(crate) fn token(&self, serial: u32) -> Token {
        Token {
            serial,
            log: self.log.clone(),
        }
    }

    fn new_blob(&mut self, data: Vec<u8>) -> Val {
        let serial = self.data.len() as u32 + 1;
        self.data.insert(serial, data);
        Val::Own(serial)
    }

    fn len(&self, serial: &u32) -> Val {
        Val::U32(self.data.get(serial).map_or(0, |d| d.len() as u32))
    }

    /// Logs the import call and answers it; a new blob comes back as `Own(serial)`.
    pub(crate) fn answer(&mut self, func: &str, args: &[Val]) -> Result<Option<Val>, String> {
        let call = format!("{STORE}#{func}");
        record(
            &self.log,
            Event::Import {
                func: call.clone(),
                args: args.to_vec(),
            },
        );
        Ok(match (func, args) {
            ("[constructor]blob", [init]) => Some(self.new_blob(bytes(init))),
            ("[method]blob.append", [Val::Borrow(s), more]) => {
                self.data.entry(*s).or_default().extend(bytes(more));
                Some(self.len(s))
            }
            ("[method]blob.size", [Val::Borrow(s)]) | ("peek", [Val::Borrow(s)]) => {
                Some(self.len(s))
            }
            ("[static]blob.concat", [Val::Own(a), Val::Borrow(b)]) => {
                let mut data = self.data.get(a).cloned().unwrap_or_default();
                data.extend(self.data.get(b).cloned().unwrap_or_default());
                self.consumed.push(*a);
                Some(self.new_blob(data))
            }
            ("consume", [Val::Own(s)]) => {
                self.consumed.push(*s);
                Some(self.len(s))
            }
            ("dropped", [Val::U32(_)]) => None,
            _ => return Err(format!("no answer for `{call}` {args:?}")),
        })
    }
}

/// One runtime running the guest, with values in normalized form: host blobs by serial,
/// guest counters by the order in which the host received them.
pub(crate) trait Driver {
    /// Calls an export, logs its result, then drops the blobs the guest gave the host.
    fn call(&mut self, func: &str, args: &[Val]);
    /// The host drops a handle it owns: `Own(serial)` of a blob, or `Own(k)` of a counter (its destructor runs).
    fn drop_own(&mut self, resource: &str, handle: u32);
    /// Host objects still alive.
    fn live_host_objects(&mut self) -> usize;
}

fn bytes_val(data: &[u8]) -> Val {
    Val::List(data.iter().map(|b| Val::U8(*b)).collect())
}

/// The same sequence on either runtime.
fn scenario(d: &mut dyn Driver) {
    let f = |n: &str| format!("{API}#{n}");
    d.call(&f("exercise"), &[bytes_val(&[1, 2, 3])]);
    d.call(&f("exercise"), &[bytes_val(&[])]);
    d.call(&f("exercise"), &[bytes_val(&[7; 1000])]);
    // Host blobs: 3 exercises made 4 each (serials 1..=12).
    d.call(&f("make-blob"), &[bytes_val(b"ab")]);
    d.call(&f("measure"), &[Val::Borrow(13)]);
    d.call(&f("eat"), &[Val::Own(13)]);
    d.call(&f("make-blob"), &[bytes_val(b"")]);
    d.call(&f("measure"), &[Val::Borrow(14)]);
    d.drop_own("blob", 14);
    // Guest counters, numbered by arrival: 0, 1, then 2 from `merge`.
    d.call(&f("[constructor]counter"), &[Val::U32(5)]);
    d.call(&f("[method]counter.add"), &[Val::Borrow(0), Val::U32(3)]);
    d.call(&f("[method]counter.get"), &[Val::Borrow(0)]);
    d.call(&f("[method]counter.id"), &[Val::Borrow(0)]);
    d.call(&f("[constructor]counter"), &[Val::U32(10)]);
    d.call(&f("[method]counter.id"), &[Val::Borrow(1)]);
    d.call(&f("[static]counter.merge"), &[Val::Borrow(0), Val::Own(1)]);
    d.call(&f("[method]counter.get"), &[Val::Borrow(2)]);
    d.call(&f("[method]counter.id"), &[Val::Borrow(2)]);
    d.drop_own("counter", 0);
    d.call(
        &f("[method]counter.add"),
        &[Val::Borrow(2), Val::U32(u32::MAX)],
    );
    d.drop_own("counter", 2);
}

#[test]
fn resources_behave_as_on_wasmtime() {
    let wasm = std::fs::read(repo_path("guests/resources/resources.wasm"))
        .expect("guests/resources/resources.wasm");
    let (ours, our_live) = resources_wasmbed::run(&Wasmi::new(), &wasm, scenario);
    let (wamr, wamr_live) = resources_wasmbed::run(&Wamr::new(), &wasm, scenario);
    let (theirs, their_live) =
        resources_wasmtime::run(&wasm, scenario).expect("wasmtime runs the guest");
    assert_same("guests/resources", &ours, &theirs);
    assert_same("guests/resources (WAMR)", &wamr, &theirs);
    assert_eq!(our_live, their_live, "live host objects");
    assert_eq!(wamr_live, their_live, "live host objects (WAMR)");
    assert_eq!(our_live, 0);
    assert!(ours
        .iter()
        .all(|e| !matches!(e, Event::Export { result: None, .. })));
    let drops = ours
        .iter()
        .filter(|e| matches!(e, Event::HostDrop(_)))
        .count();
    let dtors = ours
        .iter()
        .filter(|e| matches!(e, Event::Import { func, .. } if func.ends_with("#dropped")))
        .count();
    assert_eq!((drops, dtors), (14, 3));
    println!(
        "guests/resources: {} export calls, {drops} host drops, {dtors} destructor calls identical on wasmbed and wasmtime",
        export_calls(&ours)
    );
}

/// The host misuses a guest resource it dropped: a second drop, then a method call.
fn after_drop(d: &mut dyn Driver) {
    let f = |n: &str| format!("{API}#{n}");
    d.call(&f("[constructor]counter"), &[Val::U32(5)]);
    d.drop_own("counter", 0);
    d.drop_own("counter", 0);
    d.call(&f("[method]counter.get"), &[Val::Borrow(0)]);
}

#[test]
fn dropped_guest_resources_are_refused_as_on_wasmtime() {
    let wasm = std::fs::read(repo_path("guests/resources/resources.wasm"))
        .expect("guests/resources/resources.wasm");
    let (ours, _) = resources_wasmbed::run(&Wasmi::new(), &wasm, after_drop);
    let (wamr, _) = resources_wasmbed::run(&Wamr::new(), &wasm, after_drop);
    let (theirs, _) = resources_wasmtime::run(&wasm, after_drop).expect("wasmtime runs the guest");
    // Both: one destructor call, then the second drop and the method call fail. (This
    // test found wasmbed naming guest resources by rep, which ran the destructor
    // twice and then the method on freed memory.)
    assert_same("guests/resources (after drop)", &ours, &theirs);
    assert_same("guests/resources (after drop, WAMR)", &wamr, &theirs);
}

/// `guests/resources` as a component (resources imported and exported,
/// destructors, own and borrow both ways), lowered by `wasmbed-lower`:
/// every call, drop and destructor as on wasmtime running the component.
#[test]
fn the_guest_as_a_component_lowered_behaves_as_on_wasmtime() {
    let wasm = std::fs::read(repo_path("guests/resources/resources.wasm"))
        .expect("guests/resources/resources.wasm");
    let component = crate::wasmtime_side::component_bytes(&wasm).unwrap();
    let (theirs, their_live) =
        resources_wasmtime::run(&wasm, scenario).expect("wasmtime runs the guest");
    for scheme in [wasmbed_lower::Scheme::Cm32p2, wasmbed_lower::Scheme::Legacy] {
        let lowered = wasmbed_lower::lower(&component, scheme).expect("the component lowers");
        let (ours, our_live) = resources_wasmbed::run(&Wasmi::new(), &lowered, scenario);
        assert_same(
            &format!("guests/resources lowered ({scheme:?})"),
            &ours,
            &theirs,
        );
        assert_eq!(our_live, their_live);
        let (ours, _) = resources_wasmbed::run(&Wasmi::new(), &lowered, after_drop);
        let (theirs, _) = resources_wasmtime::run(&wasm, after_drop).unwrap();
        assert_same("guests/resources lowered (after drop)", &ours, &theirs);
    }
    let lowered = wasmbed_lower::lower(&component, wasmbed_lower::Scheme::Cm32p2).unwrap();
    let (wamr, _) = resources_wasmbed::run(&Wamr::new(), &lowered, scenario);
    assert_same("guests/resources lowered, on WAMR", &wamr, &theirs);
}
