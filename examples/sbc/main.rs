//! Simulation-based calibration (Talts et al. 2018; Modrák et al. 2023) of the Lalonde
//! outcome model and of an intervened dose-response model, with four negative controls that
//! SBC must flag: the Lalonde model fitted to data drawn from priors twice as wide as its
//! own, a scale fitted without the log-Jacobian of its transform (examples/sbc/scale.rs),
//! the Lalonde model's data with Student-t(3) noise fitted with its Normal likelihood, and
//! trial data (simulated under do(dose)) fitted as if the doses were observational.
//! Every fit is a replicate of a `doppl::batch::Study`, seeded from (study seed, key) only,
//! so the rows are the same on any number of workers or machines.
//!
//! Each replicate draws the parameters, simulates a data set, fits it by NUTS and ranks
//! every parameter's drawn value among L thinned posterior draws; per model the ranks are
//! tested for uniformity by a χ² test of their histogram and by the ECDF of the fractional
//! ranks against the simultaneous band of Säilynoja, Bürkner & Vehtari (2022), each
//! parameter at α = 0.05 / P so that a calibrated model passes with probability ≥ 95%.
//!
//! ```text
//! cargo run --release --features distributed --example sbc                 # 200 sims per model
//! cargo run --release --features distributed --example sbc -- --quick      # 40, shorter chains
//! cargo run --release --features distributed --example sbc -- --threads 2 --plots docs/
//! ```
//!
//! Flags: `--sims K` simulations per model, `--quick` (40 per model, 2 × (150 + 100)
//! iterations, L = 49), `--seed S`, `--out DIR` (the per-replicate CSVs
//! `sbc_<model>.csv`, default `.`), `--json PATH` (the summaries), `--plots DIR` (the
//! ECDF-difference plots), and the layout's `--threads W`, `--processes N`, `--process P`,
//! `--hostfile FILE` (as in `power_analysis`). The exit code is non-zero when a calibrated
//! model is flagged or a negative control is not.

#[path = "../common/cli.rs"]
mod cli;
mod dose;
mod lalonde;
mod report;
mod scale;
mod study;
#[path = "../common/study_args.rs"]
mod study_args;

use doppl::batch::Row;
use std::path::Path;
use std::time::Instant;
use study::{Chains, Model, SbcFit, Sim};
use study_args::StudyArgs;

/// The flags' defaults: 200 simulations per model, 40 with `--quick`.
const DEFAULTS: study_args::Defaults = study_args::Defaults {
    sims: 200,
    quick_sims: 40,
    seed: 2018,
    output_flag: "--out",
    output: ".",
};

/// Per model: CSV, summary text and JSON, plots; and whether every verdict was the expected.
fn report_all(
    args: &StudyArgs,
    rows: &[Row<Sim, SbcFit>],
    chains: &Chains,
) -> Result<(String, serde_json::Value, bool), String> {
    let (mut text, mut summaries, mut expected) = (String::new(), Vec::new(), true);
    for model in Model::ALL {
        let mine = report::rows_of(rows, model);
        let summary = report::summarize(&mine, chains.max_rank)?;
        text += &report::describe(model, &summary, &mine);
        text += &format!(
            "  rows: {}\n",
            report::write_rows(Path::new(&args.output), model, &mine)?
        );
        if let Some(dir) = &args.plots {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            text += &format!(
                "  plots: {}\n",
                report::plot(dir, model, &summary)?.join(", ")
            );
        }
        expected &= report::flagged(&summary) == model.is_control();
        summaries.push(report::json(model, &summary));
    }
    Ok((
        text,
        serde_json::json!({"seed": args.seed, "models": summaries}),
        expected,
    ))
}

fn run(args: StudyArgs) -> Result<(), String> {
    let chains = Chains::new(args.quick);
    let start = Instant::now();
    let study = args.journaled(study::sbc_study(&Model::ALL, args.sims, args.seed, chains));
    let Some(rows) = study.run(&args.layout).map_err(|e| e.to_string())? else {
        println!(
            "process {} done; process 0 has the results",
            args.layout.process()
        );
        return Ok(());
    };
    let seconds = start.elapsed().as_secs_f64();
    std::fs::create_dir_all(&args.output).map_err(|e| format!("{}: {e}", args.output))?;
    let (mut text, json, expected) = report_all(&args, &rows, &chains)?;
    text += &format!(
        "{} fits in {seconds:.1} s on {} worker(s): {:.1} fits/s",
        rows.len(),
        args.layout.peers(),
        rows.len() as f64 / seconds
    );
    cli::report(&text, &json, args.json.as_deref())?;
    if expected {
        Ok(())
    } else {
        Err("a calibrated model was flagged or a negative control was not".to_string())
    }
}

fn main() -> std::process::ExitCode {
    cli::exit(study_args::parse(&DEFAULTS).and_then(run))
}
