//! Audit of existing C headers across targets, and WIT proposals for C structs (to be filled in).
