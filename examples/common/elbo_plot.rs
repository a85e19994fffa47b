//! `--plots DIR` of the SVI examples: the ELBO trace as `DIR/elbo.png`.

/// Writes the plot when a directory was given.
#[cfg(feature = "plot")]
pub fn write(dir: Option<&str>, elbo: &[f64]) -> Result<(), String> {
    let Some(dir) = dir else {
        return Ok(());
    };
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {dir}: {e}"))?;
    let path = std::path::Path::new(dir).join("elbo.png");
    doppl::plot::elbo_plot(elbo, &path, (900, 500)).map_err(|e| e.to_string())?;
    println!("wrote {}", path.display());
    Ok(())
}

/// Without the `plot` feature `--plots` cannot be honoured: say so rather than ignore it.
#[cfg(not(feature = "plot"))]
pub fn write(dir: Option<&str>, _: &[f64]) -> Result<(), String> {
    match dir {
        Some(_) => Err("--plots needs doppl's `plot` feature (on by default)".to_string()),
        None => Ok(()),
    }
}
