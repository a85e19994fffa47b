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
fn python() -> String {
    std::env::var("DOPPL_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

/// Runs [`python`] with `args` and collects its output, one Python process at a time per
/// test binary: ArviZ 0.23 writes a once-a-day stamp file on import by renaming a fixed
/// temporary name, and two imports at once on the first run of a day race on that rename
/// (one fails with `FileNotFoundError`; seen in CI).
pub fn python_output<I, A>(args: I) -> std::io::Result<std::process::Output>
where
    I: IntoIterator<Item = A>,
    A: AsRef<std::ffi::OsStr>,
{
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    std::process::Command::new(python()).args(args).output()
}
