//! Lining up each struct's layouts across targets and finding where they differ.

use super::ast::Header;
use super::probe::{Position, TargetLayout};
use super::target::Target;

/// One way a field's place differs between targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Diff {
    /// It starts at different offsets.
    Offset,
    /// It has different sizes (or bitfield widths).
    Size,
    /// It is a bitfield, and its bits are allocated from opposite ends (byte order).
    BitOrder,
    /// It exists on some targets only (conditional compilation).
    Missing,
}

impl Diff {
    /// The word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Diff::Offset => "offset",
            Diff::Size => "size",
            Diff::BitOrder => "bit order",
            Diff::Missing => "missing",
        }
    }
}

/// A struct's size and alignment on one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    /// `sizeof`, in bytes.
    pub size: u64,
    /// `_Alignof`, in bytes.
    pub align: u64,
}

/// One field across all targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRow {
    /// The C name (a member of an anonymous struct or union is named as C code names it).
    pub name: String,
    /// Its place on each target, in the report's target order (`None`: absent there).
    pub cells: Vec<Option<Position>>,
    /// How it differs between targets; empty when it is the same everywhere.
    pub diffs: Vec<Diff>,
}

/// One struct across all targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructReport {
    /// `struct foo`, `union bar`, or the typedef name of an unnamed struct.
    pub name: String,
    /// Size and alignment on each target.
    pub totals: Vec<Total>,
    /// Every named field.
    pub fields: Vec<FieldRow>,
}

impl StructReport {
    /// Whether `sizeof` differs (alignment alone changes no byte of the struct itself;
    /// it shows as an offset in the structs that embed this one).
    pub fn size_differs(&self) -> bool {
        self.totals.windows(2).any(|w| w[0].size != w[1].size)
    }

    /// Whether anything differs.
    pub fn differs(&self) -> bool {
        self.size_differs() || self.fields.iter().any(|f| !f.diffs.is_empty())
    }

    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&FieldRow> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The fields that differ, each with how: what a test or a script compares.
    pub fn divergences(&self) -> Vec<(&str, &[Diff])> {
        self.fields
            .iter()
            .filter(|f| !f.diffs.is_empty())
            .map(|f| (f.name.as_str(), f.diffs.as_slice()))
            .collect()
    }

    /// `struct foo: 2 fields differ (b: offset, c: offset/size); size differs`.
    pub fn summary(&self) -> String {
        let diverging = self.divergences();
        let mut s = format!("{}: ", self.name);
        match diverging.len() {
            0 => s.push_str("no field differs"),
            1 => s.push_str("1 field differs"),
            n => s.push_str(&format!("{n} fields differ")),
        }
        if !diverging.is_empty() {
            let list: Vec<String> = diverging
                .iter()
                .map(|(name, diffs)| {
                    let how: Vec<&str> = diffs.iter().map(|d| d.as_str()).collect();
                    format!("{name}: {}", how.join("/"))
                })
                .collect();
            s.push_str(&format!(" ({})", list.join(", ")));
        }
        if self.size_differs() {
            s.push_str("; size differs");
        }
        s
    }
}

/// The audit of one header: every struct it defines, on every target asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The targets, in column order; the first is the one others are compared with.
    pub targets: Vec<Target>,
    /// Whether each target is big-endian, as its compiler says.
    pub big_endian: Vec<bool>,
    /// The structs and unions, in the order the header defines them.
    pub structs: Vec<StructReport>,
}

impl Report {
    /// Whether any struct differs between targets: the command's exit status.
    pub fn differs(&self) -> bool {
        self.structs.iter().any(StructReport::differs)
    }

    /// The struct named `name` (`struct foo`, `foo` or a typedef name).
    pub fn get(&self, name: &str) -> Option<&StructReport> {
        let tagged = [format!("struct {name}"), format!("union {name}")];
        self.structs
            .iter()
            .find(|s| s.name == name || tagged.contains(&s.name))
    }

    /// The targets on which a field's place is not the first target's:
    /// which machines disagree, for tests and for reading a wide table.
    pub fn targets_differing(&self, row: &FieldRow) -> Vec<&'static str> {
        let first = row.cells.first().copied().flatten();
        self.targets
            .iter()
            .zip(&row.cells)
            .filter(|(_, c)| !same(first, **c))
            .map(|(t, _)| t.name)
            .collect()
    }
}

/// Builds the report from each target's layouts (in `targets` order).
pub(crate) fn compare(header: &Header, targets: &[Target], layouts: &[TargetLayout]) -> Report {
    let structs = header
        .records
        .iter()
        .enumerate()
        .map(|(i, record)| {
            let per_target: Vec<_> = layouts.iter().filter_map(|l| l.records.get(i)).collect();
            let mut names: Vec<&str> = Vec::new();
            for l in &per_target {
                for (name, _) in &l.fields {
                    if !names.contains(&name.as_str()) {
                        names.push(name);
                    }
                }
            }
            let fields = names
                .into_iter()
                .map(|name| {
                    let cells: Vec<Option<Position>> = per_target
                        .iter()
                        .map(|l| l.fields.iter().find(|(n, _)| n == name).map(|(_, p)| *p))
                        .collect();
                    FieldRow {
                        name: name.to_owned(),
                        diffs: diffs(&cells),
                        cells,
                    }
                })
                .collect();
            StructReport {
                name: record.name.clone(),
                totals: per_target
                    .iter()
                    .map(|l| Total {
                        size: l.size,
                        align: l.align,
                    })
                    .collect(),
                fields,
            }
        })
        .collect();
    Report {
        targets: targets.to_vec(),
        big_endian: layouts.iter().map(|l| l.big_endian).collect(),
        structs,
    }
}

/// Whether two cells put the field in the same bits.
pub(crate) fn same(a: Option<Position>, b: Option<Position>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            a.offset_bits == b.offset_bits
                && a.size_bits == b.size_bits
                && (!a.bitfield || !b.bitfield || a.msb_first == b.msb_first)
        }
        (None, None) => true,
        _ => false,
    }
}

fn diffs(cells: &[Option<Position>]) -> Vec<Diff> {
    let present: Vec<Position> = cells.iter().flatten().copied().collect();
    let mut out = Vec::new();
    let varies = |f: &dyn Fn(&Position) -> u64| present.windows(2).any(|w| f(&w[0]) != f(&w[1]));
    if varies(&|p| p.offset_bits) {
        out.push(Diff::Offset);
    }
    let sizes_vary = present.windows(2).any(|w| w[0].size_bits != w[1].size_bits);
    if sizes_vary || varies(&|p| u64::from(p.bitfield)) {
        out.push(Diff::Size);
    }
    let bits: Vec<bool> = present
        .iter()
        .filter(|p| p.bitfield)
        .map(|p| p.msb_first)
        .collect();
    if bits.windows(2).any(|w| w[0] != w[1]) {
        out.push(Diff::BitOrder);
    }
    if present.len() != cells.len() {
        out.push(Diff::Missing);
    }
    out
}
