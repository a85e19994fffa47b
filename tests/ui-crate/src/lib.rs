//! Holder crate for the trybuild UI tests of `#[model]` (see `tests/`).
