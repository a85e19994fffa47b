//! What every example's `main` does once its flags are parsed: print the report, write the
//! `--json` file if asked for, and turn an error into a message and a failing exit code.

/// Prints `text` and writes `json` (pretty) to `path` when given.
pub fn report(text: &str, json: &serde_json::Value, path: Option<&str>) -> Result<(), String> {
    println!("{text}");
    if let Some(path) = path {
        let pretty = serde_json::to_string_pretty(json).map_err(|e| e.to_string())?;
        std::fs::write(path, pretty).map_err(|e| format!("cannot write {path}: {e}"))?;
        println!("wrote {path}");
    }
    Ok(())
}

/// Success, or the error on stderr and a failing exit code.
pub fn exit(result: Result<(), String>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
