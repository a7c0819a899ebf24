//! Lowers a component into one core module that a core-only engine runs
//! through wasmbed: the component's core modules fused in instantiation
//! order, each `canon lower` a cm32p2 (or wit-bindgen) import, each
//! `canon lift` an export with its post-return, the start functions one
//! initialization export, and the component's WIT in a `component-type`
//! section.
//!
//! Nested components are instantiated in place; a function one of them
//! lifts and another lowers becomes a fused adapter copying between their
//! memories, and the handles of resources the host never sees live in
//! per-instance handle tables. What it cannot express yet is refused with
//! one line naming it (async, streams, string encodings other than UTF-8, a
//! module instantiated twice, a host resource's handles passed between
//! components, several memories facing the host).

mod adapter;
mod fuse;
mod handles;
mod model;

pub use wasmbed_abi::names::Scheme;

/// Why a component could not be lowered.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The bytes are a core module (or not Wasm at all), not a component.
    #[error("not a component")]
    NotAComponent,
    /// The component is malformed: truncated, out of order, an index out of range.
    #[error("malformed component: {0}")]
    Malformed(String),
    /// The component uses something the lowering does not implement.
    #[error("not supported yet: {0}")]
    Unsupported(String),
}

/// Whether `bytes` start like a component (magic, version 0x0d, layer 1).
pub fn is_component(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\0asm\x0d\0\x01\0")
}

/// Lowers `component` into one core module named by `scheme`.
pub fn lower(component: &[u8], scheme: Scheme) -> Result<Vec<u8>, Error> {
    // The features a lowered module may keep are those core engines and
    // the output's validation accept: the standard set, not every proposal
    // (the fuzzer found a legacy-exceptions `try` passing `all()` here and
    // failing validation once lowered).
    let mut validator = wasmparser::Validator::new();
    validator
        .validate_all(component)
        .map_err(|e| Error::Malformed(e.to_string()))?;
    let model = model::Model::read(component)?;
    let mut module = fuse::fuse(&model, scheme)?;
    let (resolve, world) = match wit_component::decode(component)
        .map_err(|e| Error::Malformed(format!("its WIT: {e:#}")))?
    {
        wit_component::DecodedWasm::Component(resolve, world) => (resolve, world),
        wit_component::DecodedWasm::WitPackage(..) => return Err(Error::NotAComponent),
    };
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
        scheme == Scheme::Cm32p2,
    )
    .map_err(|e| Error::Malformed(format!("its WIT: {e:#}")))?;
    // What the output may use: what wasmi and WAMR run (Wasm 2.0, with
    // extended constants, tail calls, several memories, custom page sizes),
    // not every proposal the component validated under.
    use wasmparser::WasmFeatures as F;
    let engines =
        F::WASM2 | F::EXTENDED_CONST | F::TAIL_CALL | F::MULTI_MEMORY | F::CUSTOM_PAGE_SIZES;
    wasmparser::Validator::new_with_features(engines)
        .validate_all(&module)
        .map_err(|e| Error::Unsupported(format!("the lowered module needs {}", e.message())))?;
    Ok(module)
}
