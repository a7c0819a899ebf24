//! The world a module carries in its `component-type` custom section (wit-bindgen embeds it).

use std::path::Path;

use wit_component::StringEncoding;
use wit_parser::WorldItem;

use crate::convert::world_from_resolve;
use crate::world::World;
use crate::{load_path, WitError};

/// The world embedded in `wasm`, or `None` when it has no `component-type` section.
///
/// A module whose metadata asks for a string encoding other than UTF-8 is
/// refused: wasmbed implements UTF-8 only.
pub fn world_from_module(wasm: &[u8]) -> Result<Option<World>, WitError> {
    let has_section = wasmparser::Parser::new(0).parse_all(wasm).any(|p| {
        matches!(p, Ok(wasmparser::Payload::CustomSection(s)) if s.name().starts_with("component-type"))
    });
    if !has_section {
        return Ok(None);
    }
    let (_, bindgen) = wit_component::metadata::decode(wasm)
        .map_err(|e| WitError::Parse(format!("`component-type` section: {e:#}")))?;
    let resolve = &bindgen.resolve;
    let world = &resolve.worlds[bindgen.world];
    let sides = [
        (&bindgen.metadata.import_encodings, &world.imports),
        (&bindgen.metadata.export_encodings, &world.exports),
    ];
    for (encodings, items) in sides {
        for (key, item) in items {
            let funcs: Vec<&str> = match item {
                WorldItem::Function(f) => vec![f.name.as_str()],
                WorldItem::Interface { id, .. } => resolve.interfaces[*id]
                    .functions
                    .keys()
                    .map(String::as_str)
                    .collect(),
                WorldItem::Type { .. } => Vec::new(),
            };
            for f in funcs {
                match encodings.get(resolve, key, f) {
                    None | Some(StringEncoding::UTF8) => {}
                    Some(other) => {
                        return Err(WitError::Unsupported {
                            ty: format!("{}#{f}", resolve.name_world_key(key)),
                            what: match other {
                                StringEncoding::UTF16 => "the `utf16` string encoding",
                                _ => "the `latin1+utf16` string encoding",
                            },
                        })
                    }
                }
            }
        }
    }
    world_from_resolve(resolve, bindgen.world).map(Some)
}

/// The world named `world` (or the only one) of the WIT at `path`.
pub fn world_from_path(path: &Path, world: Option<&str>) -> Result<World, WitError> {
    let loaded = load_path(path)?;
    let id = loaded
        .resolve
        .select_world(&[loaded.package], world)
        .map_err(|e| WitError::Parse(format!("{}: {e:#}", path.display())))?;
    world_from_resolve(&loaded.resolve, id)
}
