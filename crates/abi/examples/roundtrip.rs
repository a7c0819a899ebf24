//! Lowers a few component values into a guest-sized memory and lifts them back,
//! printing the core values and bytes in between, then shows a malformed value
//! being refused with a trap.

use wasmbed_abi::{lift_flat, load, lower_flat, store, BumpMemory, RawHandles, Type, Val};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let reading = Type::record([
        ("sensor", Type::U32),
        ("value", Type::F64),
        ("unit", Type::String),
        ("flags", Type::flags(["calibrated", "stale", "alarm"])?),
    ])?;
    let status = Type::result(Some(Type::list(Type::U16)?), Some(Type::String))?;

    let mut bytes = vec![0u8; 256];
    let mut mem = BumpMemory::new(&mut bytes, 64);
    let mut flat = Vec::new();

    let value = Val::Record(vec![
        Val::U32(7),
        Val::F64(21.5),
        Val::String("°C".into()),
        Val::Flags(0b101),
    ]);
    lower_flat(&reading, &value, &mut mem, &mut RawHandles, &mut flat)?;
    println!("lowered reading  -> {flat:?}");
    let back = lift_flat(&reading, &flat, mem.data(), &mut RawHandles)?;
    println!("lifted  reading  <- {back:?}");
    assert_eq!(back, value);

    let ok = Val::Result(Ok(Some(Box::new(Val::List(vec![
        Val::U16(1),
        Val::U16(500),
    ])))));
    store(&status, &ok, 0, &mut mem, &mut RawHandles)?;
    println!(
        "stored  status   -> {:02x?}",
        &mem.data()[..status.layout().size as usize]
    );
    let loaded = load(&status, mem.data(), 0, &mut RawHandles)?;
    println!("loaded  status   <- {loaded:?}");
    assert_eq!(loaded, ok);

    // A guest hands back a string pointing past the end of its memory.
    let bad = [
        wasmbed_abi::FlatVal::I32(250),
        wasmbed_abi::FlatVal::I32(16),
    ];
    match lift_flat(&Type::String, &bad, mem.data(), &mut RawHandles) {
        Err(trap) => println!("malformed string -> trap: {trap}"),
        Ok(v) => return Err(format!("accepted a malformed string: {v:?}").into()),
    }
    Ok(())
}
