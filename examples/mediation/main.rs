//! Mediation of a family intervention's effect on adolescent substance-use disorder through
//! deviant peer affiliation and substance-use experimentation: total, natural direct and
//! natural indirect effects per mediator, and their interaction, with intervals, on data
//! simulated here with known effects.
//!
//! ```text
//! cargo run --release --example mediation -- --n 410 --seed 1 --json mediation.json
//! ```

mod analysis;
#[path = "../common/cli.rs"]
mod cli;
mod model;

use analysis::{Args, analyze};

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        n: 410,
        seed: 1,
        num_warmup: 1_000,
        num_draws: 1_000,
        json: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        let number = |v: String| v.parse::<usize>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--n" => args.n = number(value()?)?,
            "--seed" => args.seed = number(value()?)? as u64,
            "--warmup" => args.num_warmup = number(value()?)?,
            "--draws" => args.num_draws = number(value()?)?,
            "--json" => args.json = Some(value()?),
            other => {
                return Err(format!(
                    "unknown argument `{other}`; use --n N, --seed K, --warmup W, --draws D, \
                     --json PATH"
                ));
            }
        }
    }
    Ok(args)
}

fn main() -> std::process::ExitCode {
    cli::exit(parse_args().and_then(|args| {
        let report = analyze(&args)?;
        cli::report(&report.describe(), &report.json(), args.json.as_deref())
    }))
}
