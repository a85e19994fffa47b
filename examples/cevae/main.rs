//! CEVAE-style analysis of engagement and purchases in an online game (issue: SVI with an
//! amortized encoder guide): a per-unit latent confounder z, a small network for
//! engagement, won items as the front door, SVI with a custom guide whose encoder network
//! reads (guild, engagement, purchases); the effect of engagement on purchases under
//! do(engagement = 1) versus do(engagement = 0), each guide draw's z reused on both sides.
//!
//! ```text
//! cargo run --release --example cevae -- --n 2000 --steps 3000 --seed 0 --json out.json
//! cargo run --release --example cevae -- --data ../shared/data/online_game_ate.csv
//! cargo run --release --example cevae -- --plots out/   # the ELBO trace, out/elbo.png
//! cargo run --release --example cevae -- --data ../shared/data/online_game_ate.csv --batch 1000
//! ```
//!
//! By default the data are synthetic with a known effect (180); `--data` reads the
//! online-game file, which has no ground truth: there the estimate is reported beside the
//! naive difference and the front-door estimate. `--batch B` fits on random batches of B
//! units per step (model and guide subsample the units plate alike).

mod analysis;
mod model;

use analysis::{Args, analyze};

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        n: 2_000,
        steps: 3_000,
        batch: None,
        seed: 0,
        data: None,
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
            "--data" => args.data = Some(value()?),
            "--json" => args.json = Some(value()?),
            "--plots" => args.plots = Some(value()?),
            other => {
                return Err(format!(
                    "unknown argument `{other}`; use --n N, --steps S, --batch B, --seed K, --data CSV, --json PATH, --plots DIR"
                ));
            }
        }
    }
    Ok(args)
}

#[path = "../common/cli.rs"]
mod cli;
#[path = "../common/elbo_plot.rs"]
mod elbo_plot;

fn main() -> std::process::ExitCode {
    cli::exit(parse_args().and_then(|args| {
        let report = analyze(&args).map_err(|e| doppl::inference::ErrorChain(&*e).to_string())?;
        cli::report(&report.text, &report.json, args.json.as_deref())?;
        elbo_plot::write(args.plots.as_deref(), &report.elbo)
    }))
}
