//! Reading clang's `-fdump-record-layouts` text for a probe.
//!
//! ```text
//! *** Dumping AST Record Layout
//!          0 | struct wasmbed_r0
//!          0 |   struct foo v
//!      0:0-2 |     uint8_t a
//!          4 |     uint32_t b
//!            | [sizeof=8, align=4]
//! ```

use std::collections::HashMap;

use super::ast::Header;
use super::probe::{named_fields, Position, RecordLayout, TargetLayout};

/// Where a dump line puts its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Offset {
    Bytes(u64),
    /// `byte:first-last`, bits counted in allocation order from `byte`.
    Bits {
        byte: u64,
        first: u64,
        last: u64,
    },
    /// `byte:-`, a zero-width bitfield.
    Zero,
}

#[derive(Debug)]
struct Line<'a> {
    depth: usize,
    offset: Offset,
    /// `type name`; the name is empty for unnamed members.
    text: &'a str,
}

impl<'a> Line<'a> {
    fn name(&self) -> &'a str {
        self.text.rsplit(' ').next().unwrap_or_default()
    }
}

#[derive(Debug)]
struct Block<'a> {
    lines: Vec<Line<'a>>,
    size: u64,
    align: u64,
}

/// Turns the dump of a probe built by `clang_probe` into layouts.
pub(crate) fn read(out: &str, header: &Header) -> Result<TargetLayout, String> {
    let blocks = blocks(out)?;
    let block = |name: &str| {
        blocks
            .get(name)
            .ok_or_else(|| format!("no layout for `struct {name}`"))
    };
    let big_endian = block("wasmbed_endian")?.size == 2;
    let mut records = Vec::with_capacity(header.records.len());
    for (i, record) in header.records.iter().enumerate() {
        let b = block(&format!("wasmbed_r{i}"))?;
        let mut sizes = HashMap::new();
        for (j, f) in named_fields(&record.fields).into_iter().enumerate() {
            if let (Some(name), None) = (&f.name, f.bit_width) {
                let size = match f.is_flexible() {
                    true => 0,
                    false => block(&format!("wasmbed_r{i}_f{j}"))?.size,
                };
                sizes.insert(name.as_str(), size);
            }
        }
        // Lines 0 and 1 are the probe and its `T v`; the record's members follow.
        let mut found = Vec::new();
        fields_at(b.lines.get(2..).unwrap_or_default(), 2, &mut found);
        let mut fields = Vec::with_capacity(found.len());
        for (name, offset) in found {
            let pos = match offset {
                Offset::Bytes(byte) => Position {
                    offset_bits: byte * 8,
                    size_bits: sizes.get(name).map(|s| s * 8),
                    bitfield: false,
                    msb_first: big_endian,
                },
                Offset::Bits { byte, first, last } => Position {
                    offset_bits: byte * 8 + first,
                    size_bits: Some(last.saturating_sub(first) + 1),
                    bitfield: true,
                    msb_first: big_endian,
                },
                Offset::Zero => continue,
            };
            fields.push((name.to_owned(), pos));
        }
        records.push(RecordLayout {
            size: b.size,
            align: b.align,
            fields,
        });
    }
    Ok(TargetLayout {
        big_endian,
        records,
    })
}

/// The named fields at `depth`, descending into unnamed (anonymous) members.
fn fields_at<'a>(lines: &[Line<'a>], depth: usize, out: &mut Vec<(&'a str, Offset)>) {
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        let rest = lines.get(i + 1..).unwrap_or_default();
        let end = i + 1 + rest.iter().take_while(|l| l.depth > line.depth).count();
        if line.depth == depth {
            let name = line.name();
            if !name.is_empty() {
                out.push((name, line.offset));
            } else if end > i + 1 {
                fields_at(lines.get(i + 1..end).unwrap_or_default(), depth + 1, out);
            }
        }
        i = end;
    }
}

/// Splits the dump into blocks, keyed by the name after `struct `/`union `.
fn blocks(out: &str) -> Result<HashMap<&str, Block<'_>>, String> {
    let mut map = HashMap::new();
    for chunk in out.split("*** Dumping AST Record Layout").skip(1) {
        let mut lines = Vec::new();
        let mut total = None;
        for raw in chunk.lines().filter(|l| !l.trim().is_empty()) {
            let (left, right) = raw
                .split_once('|')
                .ok_or_else(|| format!("layout line without `|`: `{raw}`"))?;
            let right = right.strip_prefix(' ').unwrap_or(right);
            if let Some(t) = right.strip_prefix('[') {
                total = Some(totals(t).ok_or_else(|| format!("bad layout totals `{raw}`"))?);
                continue;
            }
            let text = right.trim_start_matches(' ');
            lines.push(Line {
                depth: (right.len() - text.len()) / 2,
                offset: offset(left.trim()).ok_or_else(|| format!("bad offset in `{raw}`"))?,
                text,
            });
        }
        let Some(first) = lines.first() else { continue };
        let name = first.text.rsplit(' ').next().unwrap_or_default();
        let (size, align) = total.ok_or_else(|| format!("no size for `{name}`"))?;
        map.insert(name, Block { lines, size, align });
    }
    Ok(map)
}

/// `sizeof=8, align=4]` (C++ dumps add more keys, which are ignored).
fn totals(t: &str) -> Option<(u64, u64)> {
    let mut size = None;
    let mut align = None;
    for kv in t.trim_end_matches(']').split(',') {
        match kv.trim().split_once('=') {
            Some(("sizeof", v)) => size = v.parse().ok(),
            Some(("align", v)) => align = v.parse().ok(),
            _ => {}
        }
    }
    Some((size?, align?))
}

fn offset(s: &str) -> Option<Offset> {
    let Some((byte, bits)) = s.split_once(':') else {
        return s.parse().ok().map(Offset::Bytes);
    };
    let byte = byte.parse().ok()?;
    if bits == "-" {
        return Some(Offset::Zero);
    }
    let (first, last) = bits.split_once('-')?;
    Some(Offset::Bits {
        byte,
        first: first.parse().ok()?,
        last: last.parse().ok()?,
    })
}
