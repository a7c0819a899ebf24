//! A round trip on real bytes, through the types generated from `guests/layout/layout.wit`.
//!
//! The C guest `guests/layout/writer.c` fills a `reading` through the
//! generated header's setters in its own memory; the host runs it on wasmi
//! and reads the struct in place with the generated Rust type (no copy),
//! and `wasmbed-abi`'s own `load` lifts the same bytes to the same values.
//! Then the same header, compiled for big-endian MIPS and run under
//! `qemu-mips`, reads those bytes through its accessors to the same values.

use std::path::{Path, PathBuf};
use std::process::Command;

use wasmbed_abi::{load, read_struct, RawHandles, Type, Val};
use wasmbed_wit::TypeMap;
use wasmi::{Engine, Linker, Module, Store};

#[allow(dead_code, unreachable_pub)]
mod layout {
    include!("../../../guests/layout/layout.rs");
}
use layout::{Reading, Sample};

const GUEST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../guests/layout");

/// What `writer.c` stores, one `name=value` a line, as `be_reader.c` prints it.
const EXPECTED: &str = "id=165
delta=-2
seq=16909060
stamp=1234605616436508552
offset=-5000000000
level=-7
ok=1
unit=1
status=259
code=-123456
letter=8364
scale=1.5
precise=-2.25
accel=0.5,-1,9.75
last=pos(-3,300)
limit=some(4000000000)
outcome=ok(0xcafebabedeadbeef)
";

/// Runs the guest and hands its memory and the struct's address to `f`.
fn with_guest<R>(f: impl FnOnce(&[u8], u32) -> R) -> R {
    let wasm = std::fs::read(Path::new(GUEST).join("writer.wasm"))
        .expect("guests/layout/writer.wasm (rebuild it with guests/build.sh)");
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm[..]).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::<()>::new(&engine)
        .instantiate_and_start(&mut store, &module)
        .unwrap();
    let write = instance
        .get_typed_func::<(), i32>(&store, "write_reading")
        .unwrap();
    let ptr = write.call(&mut store, ()).unwrap() as u32;
    let memory = instance.get_memory(&store, "memory").unwrap();
    f(memory.data(&store), ptr)
}

/// Each field read through the generated Rust type, in `EXPECTED`'s format.
fn describe(r: &Reading) -> String {
    let pos = r.last.as_pos().map(|p| (p.f0.get(), p.f1.get()));
    let last = match (r.last.tag(), pos) {
        (Sample::POS, Some((x, y))) => format!("pos({x},{y})"),
        (tag, _) => format!("tag {tag}"),
    };
    let limit = match r.limit.as_some() {
        Some(v) => format!("some({})", v.get()),
        None => String::from("none"),
    };
    let outcome = match (r.outcome.as_ok(), r.outcome.as_err()) {
        (Some(v), _) => format!("ok({:#x})", v.get()),
        (_, Some(e)) => format!("err({e})"),
        (None, None) => String::from("invalid"),
    };
    let a = &r.accel;
    format!(
        "id={}\ndelta={}\nseq={}\nstamp={}\noffset={}\nlevel={}\nok={}\nunit={}\nstatus={}\n\
         code={}\nletter={}\nscale={}\nprecise={}\naccel={},{},{}\nlast={last}\nlimit={limit}\n\
         outcome={outcome}\n",
        r.id,
        r.delta.get(),
        r.seq.get(),
        r.stamp.get(),
        r.offset.get(),
        r.level,
        r.ok,
        r.unit.0,
        r.status.bits(),
        r.code.get(),
        r.letter.get(),
        r.scale.get(),
        r.precise.get(),
        a.x.get(),
        a.y.get(),
        a.z.get(),
    )
}

/// The ABI type of `reading`, from the same WIT.
fn reading_type() -> Type {
    let loaded = wasmbed_wit::load_path(&Path::new(GUEST).join("layout.wit")).unwrap();
    let iface = loaded.resolve.packages[loaded.package].interfaces["readings"];
    let id = loaded.resolve.interfaces[iface].types["reading"];
    TypeMap::new(&loaded.resolve).convert_id(id).unwrap()
}

#[test]
fn host_reads_the_guest_struct_in_place() {
    with_guest(|mem, ptr| {
        let r: &Reading = read_struct(mem, ptr, Reading::ALIGN).unwrap();
        // A view into the guest's memory, not a copy.
        assert!(std::ptr::eq(
            r as *const Reading as *const u8,
            mem[ptr as usize..].as_ptr()
        ));
        assert_eq!(describe(r), EXPECTED);
        assert_eq!(r.unit, layout::Unit::KELVIN);
        assert!(r.status.contains(layout::Status::SATURATED));
        assert_eq!(char::from_u32(r.letter.get()), Some('€'));

        // The Canonical ABI's own reading of the same bytes agrees.
        let b = |v: Val| Some(Box::new(v));
        let want = Val::Record(vec![
            Val::U8(0xa5),
            Val::S16(-2),
            Val::U32(0x0102_0304),
            Val::U64(0x1122_3344_5566_7788),
            Val::S64(-5_000_000_000),
            Val::S8(-7),
            Val::Bool(true),
            Val::Enum(1),
            Val::Flags(0x103),
            Val::S32(-123_456),
            Val::Char('€'),
            Val::F32(1.5),
            Val::F64(-2.25),
            Val::Record(vec![Val::F32(0.5), Val::F32(-1.0), Val::F32(9.75)]),
            Val::Variant(3, b(Val::Tuple(vec![Val::S16(-3), Val::S16(300)]))),
            Val::Option(b(Val::U32(4_000_000_000))),
            Val::Result(Ok(b(Val::U64(0xcafe_babe_dead_beef)))),
        ]);
        let ty = reading_type();
        assert_eq!(ty.layout().size as usize, std::mem::size_of::<Reading>());
        assert_eq!(load(&ty, mem, ptr, &mut RawHandles).unwrap(), want);
    });
}

#[test]
fn a_misaligned_or_out_of_bounds_struct_traps() {
    with_guest(|mem, ptr| {
        let misaligned = read_struct::<Reading>(mem, ptr + 4, Reading::ALIGN);
        assert!(matches!(
            misaligned,
            Err(wasmbed_abi::Trap::Misaligned { align: 8, .. })
        ));
        let end = (mem.len() as u32) - 8;
        let past = read_struct::<Reading>(mem, end, Reading::ALIGN);
        assert!(matches!(past, Err(wasmbed_abi::Trap::OutOfBounds { .. })));
    });
}

/// Runs `cmd`, panicking with its output if it fails; returns its standard output.
fn run(cmd: &mut Command) -> String {
    let out = match cmd.output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "`{}` is missing: run `.ci/install-packages.sh`",
            cmd.get_program().to_string_lossy()
        ),
        Err(e) => panic!("cannot run {cmd:?}: {e}"),
    };
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn big_endian_mips_reads_the_same_bytes_through_the_header() {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("layout-roundtrip");
    std::fs::create_dir_all(&tmp).unwrap();
    let bytes = tmp.join("reading.bin");
    with_guest(|mem, ptr| {
        let size = std::mem::size_of::<Reading>();
        let start = ptr as usize;
        std::fs::write(&bytes, &mem[start..start + size]).unwrap();
    });

    let exe = tmp.join("be_reader");
    let guest = Path::new(GUEST);
    run(Command::new("mips-linux-gnu-gcc")
        .args(["-static", "-O2", "-std=c11", "-Wall", "-Wextra", "-Werror"])
        .arg("-I")
        .arg(guest)
        .arg(guest.join("be_reader.c"))
        .arg("-o")
        .arg(&exe));
    // ELF header: 32-bit (EI_CLASS 1), big-endian (EI_DATA 2), MIPS (e_machine 8).
    let elf = std::fs::read(&exe).unwrap();
    assert_eq!(
        (elf[4], elf[5], elf[18], elf[19]),
        (1, 2, 0, 8),
        "not big-endian MIPS"
    );

    let printed = run(Command::new("qemu-mips").arg(&exe).arg(&bytes));
    assert_eq!(printed, EXPECTED);
}
