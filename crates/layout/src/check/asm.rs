//! Reading the constants of a GCC probe back from its assembly.
//!
//! ```text
//! wasmbed_probe:
//!         .word   0
//!         .word   8
//! wasmbed_b0_1:
//!         .byte   248
//!         .zero   3
//! ```

use std::collections::HashMap;

use super::ast::Header;
use super::probe::{named_fields, Position, RecordLayout, TargetLayout};

/// Turns the assembly of a probe built by `gcc_probe` into layouts.
pub(crate) fn read(out: &str, header: &Header) -> Result<TargetLayout, String> {
    let labels = data(out)?;
    let missing = |l: &str| format!("no data for `{l}`");
    let table = labels
        .get("wasmbed_probe")
        .ok_or_else(|| missing("wasmbed_probe"))?;
    let count = 1 + header
        .records
        .iter()
        .map(|r| {
            let fields = named_fields(&r.fields);
            2 + 2 * fields.iter().filter(|f| f.bit_width.is_none()).count()
        })
        .sum::<usize>();
    // The table's element is `unsigned long`: its width is the table's length over its count.
    let len: usize = table.iter().map(|(w, _)| w).sum();
    let width = len / count;
    if width == 0 || len % count != 0 || width > 8 {
        return Err(format!(
            "`wasmbed_probe` has {len} bytes for {count} values"
        ));
    }
    // The first value is the big-endian flag: any set byte means 1, whatever the byte order.
    let big_endian = bytes(table, false).iter().take(width).any(|b| *b != 0);
    let values: Vec<u64> = bytes(table, big_endian)
        .chunks(width)
        .map(|c| {
            let bytes = c.iter().map(|b| u64::from(*b));
            match big_endian {
                true => bytes.fold(0, |acc, b| acc << 8 | b),
                false => bytes.rev().fold(0, |acc, b| acc << 8 | b),
            }
        })
        .collect();
    let mut next = values.iter().copied().skip(1);
    let mut take = || {
        next.next()
            .ok_or_else(|| "`wasmbed_probe` is short".to_owned())
    };
    let mut records = Vec::with_capacity(header.records.len());
    for (i, record) in header.records.iter().enumerate() {
        let size = take()?;
        let align = take()?;
        let mut fields = Vec::new();
        for (j, f) in named_fields(&record.fields).into_iter().enumerate() {
            let name = f.name.clone().unwrap_or_default();
            let pos = if f.bit_width.is_some() {
                let label = format!("wasmbed_b{i}_{j}");
                let items = labels.get(label.as_str()).ok_or_else(|| missing(&label))?;
                bit_position(&bytes(items, big_endian), big_endian)
                    .ok_or_else(|| format!("`{label}` sets no bit"))?
            } else {
                Position {
                    offset_bits: take()? * 8,
                    size_bits: Some(take()? * 8),
                    bitfield: false,
                    msb_first: big_endian,
                }
            };
            fields.push((name, pos));
        }
        records.push(RecordLayout {
            size,
            align,
            fields,
        });
    }
    Ok(TargetLayout {
        big_endian,
        records,
    })
}

/// The bits an all-ones bitfield sets, numbered in the target's allocation order.
fn bit_position(bytes: &[u8], msb_first: bool) -> Option<Position> {
    let mut set = bytes.iter().enumerate().flat_map(|(i, b)| {
        (0..8u64).filter_map(move |bit| {
            let mask = if msb_first { 0x80 >> bit } else { 1 << bit };
            (b & mask != 0).then_some(i as u64 * 8 + bit)
        })
    });
    let first = set.next()?;
    let last = set.last().unwrap_or(first);
    Some(Position {
        offset_bits: first,
        size_bits: Some(last - first + 1),
        bitfield: true,
        msb_first,
    })
}

/// Data items as (width in bytes, value).
type Items = Vec<(usize, u64)>;

/// The items in memory order, multi-byte values in the target's byte order.
fn bytes(items: &[(usize, u64)], big_endian: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for &(width, value) in items {
        let le = value.to_le_bytes();
        let le = le.get(..width.min(8)).unwrap_or_default();
        match big_endian {
            true => out.extend(le.iter().rev()),
            false => out.extend(le),
        }
    }
    out
}

/// The data after each `wasmbed_*:` label, up to the next label or non-data directive.
fn data(out: &str) -> Result<HashMap<&str, Items>, String> {
    let mut map: HashMap<&str, Items> = HashMap::new();
    let mut current: Option<&str> = None;
    for line in out.lines().map(str::trim) {
        if let Some(label) = line.strip_suffix(':') {
            current = label.starts_with("wasmbed_").then_some(label);
            continue;
        }
        let Some(label) = current else { continue };
        let (directive, args) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let args = args.trim();
        let width = match directive {
            ".byte" => 1,
            ".short" | ".half" | ".2byte" | ".hword" => 2,
            ".word" | ".long" | ".int" | ".4byte" => 4,
            ".quad" | ".8byte" | ".dword" => 8,
            ".zero" | ".space" | ".skip" => {
                let n: usize = number(args).ok_or_else(|| format!("bad `{line}`"))? as usize;
                map.entry(label)
                    .or_default()
                    .extend(std::iter::repeat_n((1, 0), n));
                continue;
            }
            ".ascii" | ".string" | ".asciz" => {
                let mut bytes = unquote(args).ok_or_else(|| format!("bad `{line}`"))?;
                if directive != ".ascii" {
                    bytes.push(0);
                }
                map.entry(label)
                    .or_default()
                    .extend(bytes.into_iter().map(|b| (1, u64::from(b))));
                continue;
            }
            _ => {
                current = None;
                continue;
            }
        };
        for arg in args.split(',') {
            let v = number(arg.trim()).ok_or_else(|| format!("bad `{line}`"))?;
            // Two's complement, so `.byte -1` is 255.
            map.entry(label).or_default().push((width, v as u64));
        }
    }
    Ok(map)
}

fn number(s: &str) -> Option<i128> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => i128::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// The bytes of a quoted assembler string, with C-style escapes.
fn unquote(s: &str) -> Option<Vec<u8>> {
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = Vec::new();
    let mut bytes = inner.bytes().peekable();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let e = bytes.next()?;
        let v = match e {
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match bytes.peek() {
                        Some(d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            bytes.next();
                        }
                        _ => break,
                    }
                }
                u8::try_from(v).ok()?
            }
            b'n' => b'\n',
            b't' => b'\t',
            b'r' => b'\r',
            b'b' => 8,
            b'f' => 12,
            other => other,
        };
        out.push(v);
    }
    Some(out)
}
