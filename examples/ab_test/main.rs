//! A Bayesian A/B test on conversions: the relative lift with uninformative rates and with
//! a prior on the lift itself, its 94% HDI against a ROPE of ±1% (Kruschke's rule),
//! P(lift > 0) and the expected loss of each choice; then CUPED, the pre-period outcome as a
//! covariate, against the plain difference: how much narrower the effect's posterior gets.
//! Data are simulated here with a known lift and effect.
//!
//! ```text
//! cargo run --release --example ab_test -- --n 20000 --seed 1 --json ab.json
//! ```

mod analysis;
#[path = "../common/cli.rs"]
mod cli;
mod model;

use analysis::{Args, analyze};

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        n: 20_000,
        seed: 1,
        json: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--n" => args.n = value()?.parse().map_err(|e| format!("--n: {e}"))?,
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--json" => args.json = Some(value()?),
            other => {
                return Err(format!(
                    "unknown argument `{other}`; use --n N, --seed K, --json PATH"
                ));
            }
        }
    }
    Ok(args)
}

fn main() -> std::process::ExitCode {
    cli::exit(parse_args().and_then(|args| {
        let report = analyze(&args)?;
        cli::report(
            &report.describe(args.n),
            &report.json(),
            args.json.as_deref(),
        )
    }))
}
