//! The text report: one table per struct, one summary line per struct.

use std::fmt::Write as _;

use super::compare::{same, Report, StructReport};
use super::probe::Position;

/// What a cell in the table shows for a field.
fn cell(p: Option<Position>) -> String {
    match p {
        None => "-".to_owned(),
        Some(p) if p.bitfield => {
            let byte = p.offset_bits / 8;
            let first = p.offset_bits % 8;
            let last = first + p.size_bits.unwrap_or(1).saturating_sub(1);
            format!("{byte}:{first}-{last}")
        }
        Some(p) => match p.size_bits {
            Some(bits) => format!("{}/{}", p.offset_bits / 8, bits / 8),
            None => format!("{}/?", p.offset_bits / 8),
        },
    }
}

impl Report {
    /// The whole report, as `wasmbed layout check` prints it.
    pub fn render(&self, header: &str) -> String {
        let mut s = String::new();
        let names: Vec<&str> = self.targets.iter().map(|t| t.name).collect();
        let first = names.first().copied().unwrap_or_default();
        let _ = writeln!(
            s,
            "{header}: {} struct(s) on {}",
            self.structs.len(),
            names.join(", ")
        );
        let _ = writeln!(
            s,
            "cells: offset/size in bytes; bitfields byte:first-last bit; (total) size/align"
        );
        let _ = writeln!(
            s,
            "`*` before a row: offset or size differs between targets; after a cell: differs from {first}"
        );
        let big: Vec<&str> = names
            .iter()
            .zip(&self.big_endian)
            .filter(|(_, b)| **b)
            .map(|(n, _)| *n)
            .collect();
        if !big.is_empty() {
            let _ = writeln!(
                s,
                "big-endian: {} (bitfield bits counted from the most significant bit)",
                big.join(", ")
            );
        }
        for st in &self.structs {
            s.push('\n');
            self.table(st, &mut s);
            let _ = writeln!(s, "{}", st.summary());
        }
        let differing = self.structs.iter().filter(|st| st.differs()).count();
        let _ = writeln!(
            s,
            "\n{differing} of {} struct(s) differ between targets",
            self.structs.len()
        );
        s
    }

    fn table(&self, st: &StructReport, s: &mut String) {
        let mut rows: Vec<(bool, String, Vec<String>)> = Vec::new();
        for f in &st.fields {
            let first = f.cells.first().copied().flatten();
            let cells = f
                .cells
                .iter()
                .map(|c| {
                    let mark = if same(first, *c) { "" } else { "*" };
                    format!("{}{mark}", cell(*c))
                })
                .collect();
            rows.push((!f.diffs.is_empty(), f.name.clone(), cells));
        }
        let first_size = st.totals.first().map(|t| t.size);
        let totals = st
            .totals
            .iter()
            .map(|t| {
                let mark = if Some(t.size) == first_size { "" } else { "*" };
                format!("{}/{}{mark}", t.size, t.align)
            })
            .collect();
        rows.push((st.size_differs(), "(total)".to_owned(), totals));

        let name_w = rows.iter().map(|r| r.1.len()).max().unwrap_or(0).max(5);
        let mut widths: Vec<usize> = self.targets.iter().map(|t| t.name.len()).collect();
        for (_, _, cells) in &rows {
            for (w, c) in widths.iter_mut().zip(cells) {
                *w = (*w).max(c.chars().count());
            }
        }
        let _ = writeln!(s, "{}", st.name);
        let mut line = format!("    {:name_w$}", "field");
        for (t, w) in self.targets.iter().zip(&widths) {
            let _ = write!(line, "  {:w$}", t.name);
        }
        let _ = writeln!(s, "{}", line.trim_end());
        for (marked, name, cells) in rows {
            let mut line = format!("  {} {name:name_w$}", if marked { '*' } else { ' ' });
            for (c, w) in cells.iter().zip(&widths) {
                let _ = write!(line, "  {c:w$}");
            }
            let _ = writeln!(s, "{}", line.trim_end());
        }
    }
}
