//! Errors of reading WIT.

/// Why WIT could not be read or turned into wasmbed types.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WitError {
    /// The WIT did not parse or resolve; the message is wit-parser's, with its location.
    #[error("{0}")]
    Parse(String),
    /// A WIT type wasmbed does not support yet.
    #[error("type `{ty}` uses {what}, which wasmbed does not support")]
    Unsupported {
        /// The WIT type's name (or its kind, when anonymous).
        ty: String,
        /// The unsupported construct.
        what: &'static str,
    },
    /// The WIT type is valid but the Canonical ABI refuses it (for example, too large).
    #[error("type `{ty}`: {source}")]
    Type {
        /// The WIT type's name.
        ty: String,
        /// What the ABI refused.
        source: wasmbed_abi::TypeError,
    },
}
