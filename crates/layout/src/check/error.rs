//! The one error type of `check` and `from_c`.

use std::path::PathBuf;

/// Why a header could not be audited or turned into WIT.
///
/// Each message is one lowercase line naming what failed and where, so the
/// command line can print it after `error: ` as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// The header does not exist or is not a file.
    #[error("{}: no such file", .0.display())]
    NoSuchHeader(PathBuf),
    /// A target name that is not in [`TARGETS`](super::TARGETS).
    #[error("unknown target `{name}` (known: {known})")]
    UnknownTarget {
        /// The name as given.
        name: String,
        /// The known names, comma-separated.
        known: String,
    },
    /// The target list was empty.
    #[error("no target given")]
    NoTargets,
    /// A compiler is not installed.
    #[error("compiler `{0}` not found: run .ci/install-packages.sh")]
    CompilerMissing(String),
    /// A compiler could not be started or waited for.
    #[error("compiler `{compiler}` could not run: {message}")]
    CompilerIo {
        /// The compiler's program name.
        compiler: String,
        /// The operating system's message.
        message: String,
    },
    /// A compiler rejected the header (or a probe built from it).
    #[error("`{compiler}` failed for target `{target}`: {diagnostic}")]
    Compile {
        /// The compiler's program name.
        compiler: String,
        /// The target's name.
        target: String,
        /// The first error, as `file:line: error: message`.
        diagnostic: String,
    },
    /// A compiler's output did not have the expected form.
    #[error("unexpected output from `{compiler}` for target `{target}`: {what}")]
    Output {
        /// The compiler's program name.
        compiler: String,
        /// The target's name.
        target: String,
        /// What was missing or malformed.
        what: String,
    },
    /// `from_c` was asked for a struct that the header does not define.
    #[error("no struct `{name}` in {} (known: {known})", .header.display())]
    UnknownStruct {
        /// The name as given.
        name: String,
        /// The header searched.
        header: PathBuf,
        /// The structs it does define, comma-separated.
        known: String,
    },
    /// A struct (or one of its fields) has no faithful WIT counterpart.
    #[error("cannot propose WIT for `{record}`: {reason}")]
    Unportable {
        /// The C struct.
        record: String,
        /// Why, naming the field (`field `p` is a pointer …`).
        reason: String,
    },
}
