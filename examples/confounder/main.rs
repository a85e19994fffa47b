//! The confounder network fitted by SVI (AutoNormal, Adam(0.01)), then the outcome predicted
//! under do(z = Z) (Z the simulated latent) and do(z = 0), and their difference.
//!
//! ```text
//! cargo run --release --example confounder -- --n 100 --steps 5000 --seed 0 --json out.json
//! cargo run --release --example confounder -- --plots out/   # the ELBO trace, out/elbo.png
//! cargo run --release --example confounder -- --n 10000 --batch 500 --steps 20000
//! ```
//!
//! `--batch B` runs every SVI step on a random batch of B units (the plate is declared
//! `plate!(n, subsample = batch)`), each unit's terms weighted by n / B.
//!
//! ```text//! ```
//!
//! Data (synthetic, made here): c ~ Exponential(1), x ~ Poisson(1),
//! z = exp(N(0, 1) − 1 + 0.5c − 1.5x), y ~ Bernoulli(sigmoid(−2 + 5c + 0.1z)).

mod analysis;
#[path = "../common/elbo_plot.rs"]
mod elbo_plot;
mod model;

use analysis::{Args, Error, analyze};

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        n: 100,
        steps: 5_000,
        seed: 0,
        batch: None,
        json: None,
        plots: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--n" => args.n = value()?.parse().map_err(|e| format!("--n: {e}"))?,
            "--steps" => args.steps = value()?.parse().map_err(|e| format!("--steps: {e}"))?,
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--batch" => args.batch = Some(value()?.parse().map_err(|e| format!("--batch: {e}"))?),
            "--json" => args.json = Some(value()?),
            "--plots" => args.plots = Some(value()?),
            other => {
                return Err(format!(
                    "unknown argument `{other}`; use --n N, --steps S, --seed K, --batch B, --json PATH, --plots DIR"
                ));
            }
        }
    }
    Ok(args)
}

fn main() -> std::process::ExitCode {
    let result = parse_args().map_err(Error::from).and_then(|args| {
        let report = analyze(&args)?;
        println!("{}", report.text);
        if let Some(path) = &args.json {
            std::fs::write(path, serde_json::to_string_pretty(&report.json)?)?;
            println!("wrote {path}");
        }
        elbo_plot::write(args.plots.as_deref(), &report.elbo)?;
        Ok(())
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", doppl::inference::ErrorChain(&*e));
            std::process::ExitCode::FAILURE
        }
    }
}
