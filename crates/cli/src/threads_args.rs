//! `wasmbed run`'s thread grants: the `[threads]` table of `wasmbed.toml`.
//! Without it a guest that imports `wasmbed:threads` does not link; with it,
//! the guest may run `max` threads besides the main one, at the priorities
//! and with the stacks it names, and nothing else (docs/threads.md).

use anyhow::{bail, Result};
use serde::Deserialize;
use wasmbed::{Engine, Guest};
use wasmbed_threads::Grants;

/// The `[threads]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ThreadsSection {
    max: u32,
    #[serde(default)]
    priorities: Option<[u8; 2]>,
    #[serde(default)]
    stack: Option<[u32; 2]>,
    default_stack: Option<u32>,
    objects: Option<u32>,
    channel_bytes: Option<u32>,
}

impl ThreadsSection {
    /// The grants, checked: `at` says where the table is, for errors.
    pub(crate) fn grants(&self, at: &str) -> Result<Grants> {
        let d = Grants::default();
        let mut g = Grants {
            max_threads: self.max,
            ..Grants::default()
        };
        if let Some([lo, hi]) = self.priorities {
            if lo > hi || hi > 99 {
                bail!(
                    "{at}: `threads.priorities` [{lo}, {hi}]: expected [LOW, HIGH] within 0 to 99"
                );
            }
            g.priorities = lo..=hi;
        }
        if let Some([lo, hi]) = self.stack {
            if lo > hi || lo < 16 * 1024 {
                bail!("{at}: `threads.stack` [{lo}, {hi}]: expected [LOW, HIGH] bytes, LOW at least 16384");
            }
            g.stack = lo..=hi;
        }
        g.default_stack = self.default_stack.unwrap_or(d.default_stack);
        if !g.stack.contains(&g.default_stack) {
            bail!(
                "{at}: `threads.default-stack` {} is outside `threads.stack` {}..={}",
                g.default_stack,
                g.stack.start(),
                g.stack.end()
            );
        }
        g.max_objects = self.objects.unwrap_or(d.max_objects);
        g.channel_bytes = self.channel_bytes.unwrap_or(d.channel_bytes);
        Ok(g)
    }
}

/// Whether `guest` imports `wasmbed:threads` (either interface).
pub(crate) fn imports_threads<E: Engine>(guest: &Guest<E>) -> bool {
    guest.imports().iter().any(|i| {
        let m = i.module.strip_prefix("cm32p2|").unwrap_or(&i.module);
        m.starts_with("wasmbed:threads/")
    })
}
