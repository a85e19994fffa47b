//! Inputs that a test needs from outside the repository (`../shared/`, Python with ArviZ).
#![allow(dead_code)]

/// A test whose input is missing skips itself on a developer's machine, but fails under CI
/// (`CI` set), where `.ci/run` provides every input.
pub fn skip_unless_ci(what: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("{what} is missing under CI, where .ci/run provides it");
    }
    eprintln!("skipping: {what} is missing (CI provides it)");
}

/// The Python interpreter for the checks in Python: `DOPPL_PYTHON` (the virtual environment
/// `.ci/run` creates, with a pinned ArviZ) or `python3`.
pub fn python() -> String {
    std::env::var("DOPPL_PYTHON").unwrap_or_else(|_| "python3".to_string())
}
