//! The Lalonde job-training study, end to end: a NUTS fit of a linear outcome model with a
//! treatment × nodegree interaction, the ATE and the two CATEs from do(treat = 1) minus
//! do(treat = 0) on `mu_earnings`, and a posterior predictive check per arm.
//!
//! ```text
//! cargo run --release --example lalonde                      # synthetic data with known effects
//! cargo run --release --example lalonde -- --data ../shared/data/lalonde.csv --json out.json
//! cargo run --release --example lalonde -- --plots docs/   # trace, rank, density, energy, forest, ppc
//! ```

mod analysis;
mod data;
mod model;
mod report;

use analysis::Args;

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        data: None,
        json: None,
        draws: None,
        plots: None,
        num_warmup: 1000,
        num_draws: 1000,
        seed: 2026,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--data" => args.data = Some(value()?),
            "--json" => args.json = Some(value()?),
            "--draws" => args.draws = Some(value()?),
            "--plots" => args.plots = Some(value()?),
            "--warmup" => {
                args.num_warmup = value()?.parse().map_err(|e| format!("--warmup: {e}"))?
            }
            "--samples" => {
                args.num_draws = value()?.parse().map_err(|e| format!("--samples: {e}"))?
            }
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            other => {
                return Err(format!(
                    "unknown argument `{other}`; use --data PATH, --json PATH, --draws PATH, --plots DIR, --warmup N, --samples N, --seed N"
                ));
            }
        }
    }
    Ok(args)
}

fn main() {
    let result = parse_args().and_then(|args| analysis::analyze(&args));
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
