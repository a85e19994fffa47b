//! Bayesian power analysis of an A/B test: for each sample size, simulate conversions with
//! a true relative lift of 5% (control rate 10%), fit the lift model (`ab_test`'s
//! `LiftPrior`) by NUTS, and decide by the 94% HDI against a ROPE of ±1%; the power is the
//! share of "positive" decisions, with its Monte Carlo standard error. Every fit is a
//! replicate of a `doppl::batch::Study`, run on timely workers.
//!
//! ```text
//! cargo run --release --features distributed --example power_analysis              # 200 sims per N
//! cargo run --release --features distributed --example power_analysis -- --quick    # 5 per N
//! cargo run --release --features distributed --example power_analysis -- --threads 2
//! ```
//!
//! Two processes on one machine (the same binary, the same flags but `--process`; process 0
//! prints the curve and writes the CSV):
//!
//! ```text
//! cargo build --release --features distributed --example power_analysis
//! printf '127.0.0.1:2101\n127.0.0.1:2102\n' > hosts.txt
//! target/release/examples/power_analysis --quick --processes 2 --process 1 --hostfile hosts.txt &
//! target/release/examples/power_analysis --quick --processes 2 --process 0 --hostfile hosts.txt
//! ```
//!
//! Flags: `--sims K` simulations per N, `--quick` (5 per N, shorter chains), `--seed S`,
//! `--csv PATH` (default `power_analysis.csv`), `--json PATH` (the curve), `--plots DIR` (the
//! power curve with ±2 MCSE bars as `power_curve.png` and `.svg`), `--journal DIR` (journal
//! every finished replicate there; rerun with the same flag to resume a stopped study), and
//! the layout's `--threads W`,
//! `--processes N`, `--process P`, `--hostfile FILE`.

#[path = "../common/cli.rs"]
mod cli;
#[path = "../ab_test/model.rs"]
#[allow(dead_code)]
mod model;
mod study;
#[path = "../common/study_args.rs"]
mod study_args;

use doppl::batch::{Layout, Row, Study, failures_by, power_by, write_csv};
use doppl::plot::{PowerPoint, power_curve_plot};
use std::time::Instant;
use study::{HDI_MASS, ROPE, Sim, TRUE_LIFT};

/// The sample sizes per arm.
const SIZES: [u64; 4] = [500, 1_000, 2_000, 5_000];

/// The flags' defaults: 200 simulations per N, 5 with `--quick`.
const DEFAULTS: study_args::Defaults = study_args::Defaults {
    sims: 200,
    quick_sims: 5,
    seed: 1,
    output_flag: "--csv",
    output: "power_analysis.csv",
};

/// The power curve as JSON: one entry per sample size.
fn curve_json(rows: &[Row<Sim, study::LiftFit>]) -> serde_json::Value {
    let power = power_by(rows, |k| k.n, study::LiftFit::positive);
    let curve: Vec<_> = power
        .iter()
        .map(|(n, p)| {
            serde_json::json!({"n_per_arm": n, "completed": p.completed, "failures": p.failures,
                               "power": p.power, "mcse": p.mcse})
        })
        .collect();
    serde_json::json!({"true_lift": TRUE_LIFT, "rope": [ROPE.0, ROPE.1], "hdi_mass": HDI_MASS,
                       "power": curve})
}

/// The power curve drawn to `dir/power_curve.png` and `.svg`; returns the paths.
fn plot_curve(
    rows: &[Row<Sim, study::LiftFit>],
    dir: &std::path::Path,
) -> Result<Vec<String>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let points: Vec<PowerPoint> = power_by(rows, |k| k.n, study::LiftFit::positive)
        .iter()
        .map(|(n, p)| PowerPoint {
            size: *n as f64,
            power: p.power,
            mcse: p.mcse,
        })
        .collect();
    ["png", "svg"]
        .iter()
        .map(|extension| {
            let path = dir.join(format!("power_curve.{extension}"));
            power_curve_plot(&points, "visitors per arm", &path, (800, 500))
                .map_err(|e| e.to_string())?;
            Ok(path.display().to_string())
        })
        .collect()
}

/// The power curve, failures and throughput as text.
fn describe(rows: &[Row<Sim, study::LiftFit>], seconds: f64, layout: &Layout) -> String {
    let power = power_by(rows, |k| k.n, study::LiftFit::positive);
    let failures = failures_by(rows, |k| k.n);
    let mut text = format!(
        "power of the {:.0}% HDI + ROPE [{}, {}] rule for a true relative lift of {TRUE_LIFT:+}\n\
         {:>8}  {:>9}  {:>8}  {:>7}  {:>8}\n",
        HDI_MASS * 100.0,
        ROPE.0,
        ROPE.1,
        "N/arm",
        "completed",
        "failures",
        "power",
        "MCSE"
    );
    for (n, p) in &power {
        text += &format!(
            "{n:>8}  {:>9}  {:>8}  {:>7.3}  {:>8.3}\n",
            p.completed, p.failures, p.power, p.mcse
        );
    }
    for (n, messages) in &failures {
        text += &format!("N = {n}: first failure: {}\n", messages[0]);
    }
    text += &format!(
        "{} fits in {seconds:.1} s on {} worker(s): {:.2} fits/s\n",
        rows.len(),
        layout.peers(),
        rows.len() as f64 / seconds
    );
    text
}

fn run(args: study_args::StudyArgs) -> Result<(), String> {
    let keys: Vec<Sim> = SIZES
        .iter()
        .flat_map(|&n| (0..args.sims).map(move |sim| Sim { n, sim }))
        .collect();
    let quick = args.quick;
    let study = args.journaled(Study::new(keys, args.seed, move |key: &Sim, seed| {
        study::replicate(key, seed, quick)
    }));
    let start = Instant::now();
    let Some(rows) = study.run(&args.layout).map_err(|e| e.to_string())? else {
        println!(
            "process {} done; process 0 has the results",
            args.layout.process()
        );
        return Ok(());
    };
    let seconds = start.elapsed().as_secs_f64();
    write_csv(args.output.as_ref(), &rows).map_err(|e| e.to_string())?;
    let mut text = format!(
        "{}wrote {} (one row per replicate)",
        describe(&rows, seconds, &args.layout),
        args.output
    );
    if let Some(dir) = &args.plots {
        text += &format!("\nwrote {}", plot_curve(&rows, dir)?.join(", "));
    }
    cli::report(&text, &curve_json(&rows), args.json.as_deref())
}

fn main() -> std::process::ExitCode {
    cli::exit(study_args::parse(&DEFAULTS).and_then(run))
}
