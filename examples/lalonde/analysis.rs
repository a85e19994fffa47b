//! The analysis behind `examples/lalonde`: fit, effects, predictive check (also run by the
//! test suite on the real data).

pub use crate::model::Earnings;
use crate::{data, report};
use doppl::inference::output::write_draws_csv;
use doppl::inference::{Effects, ErrorChain};
use doppl::prelude::*;
use std::time::Instant;

#[cfg(feature = "plot")]
#[path = "plots.rs"]
mod plots;

/// What to analyse and where to write.
pub struct Args {
    pub data: Option<String>,
    pub json: Option<String>,
    pub draws: Option<String>,
    /// Directory for the figures (`--plots`).
    pub plots: Option<String>,
    pub num_warmup: usize,
    pub num_draws: usize,
    pub seed: u64,
}

/// Runs the analysis, prints it, writes the requested files and returns the report.
pub fn analyze(args: &Args) -> Result<report::Report, String> {
    let study = match &args.data {
        Some(path) => data::read_csv(path)?,
        None => data::simulate(614, 7),
    };
    let source = args
        .data
        .as_deref()
        .unwrap_or("synthetic Lalonde-like data (seed 7)");
    println!(
        "Lalonde job-training study: {} units from {source}\n",
        study.x.nrows()
    );

    let started = Instant::now();
    let model = Earnings::new(&study.x, &study.nodegree);
    let observed = model
        .condition()
        .treat(study.treat.clone())
        .y(study.re78.clone());
    let options = NutsOptions {
        num_warmup: args.num_warmup,
        num_draws: args.num_draws,
        seed: args.seed,
        ..Default::default()
    };
    let identification = observed
        .identify(Earnings::SITE.treat, Earnings::SITE.y)
        .to_string();
    let posterior = nuts(observed, &options).map_err(|e| ErrorChain(&e).to_string())?;
    let summary = posterior.summary();
    println!("{summary}");
    println!("{}", posterior.sampler_report());

    // The effect computation: two scenarios on every draw, and the predictive check.
    let effect_started = Instant::now();
    let effects = effects_of_training(&posterior, &model, args.seed)?;
    let arms = report::predictive_check(&posterior, &model, &study, args.seed)?;
    let effect_seconds = effect_started.elapsed().as_secs_f64();
    let no_degree: Vec<bool> = study.nodegree.iter().map(|&v| v == 1.0).collect();
    let with_degree: Vec<bool> = no_degree.iter().map(|v| !v).collect();
    let report = report::Report {
        naive: report::naive_difference(&study.treat, &study.re78),
        ate: effects.ate(),
        att: effects
            .att(Assignment::Observed(study.treat.as_slice()))
            .map_err(|e| ErrorChain(&e).to_string())?,
        atu: effects
            .atu(Assignment::Observed(study.treat.as_slice()))
            .map_err(|e| ErrorChain(&e).to_string())?,
        cate_nodegree_1: effects
            .cate(&no_degree)
            .map_err(|e| ErrorChain(&e).to_string())?,
        cate_nodegree_0: effects
            .cate(&with_degree)
            .map_err(|e| ErrorChain(&e).to_string())?,
        truth: study.truth,
        max_rhat: summary.max_rhat(),
        min_ess_bulk: summary.min_ess_bulk(),
        divergences: posterior.num_divergent(),
        seconds: posterior.seconds(),
        total_seconds: started.elapsed().as_secs_f64(),
        arms,
        effect_seconds,
        identification,
    };
    report.print();
    write_outputs(args, &report, &posterior)?;
    write_plots(args, &report, &posterior, &study)?;
    Ok(report)
}

/// do(treat = 1) minus do(treat = 0) on `mu_earnings`, unit by unit, on every draw.
fn effects_of_training(
    posterior: &Posterior<'_, Earnings>,
    model: &Earnings,
    seed: u64,
) -> Result<Effects, String> {
    let n = model.x.nrows();
    let treated = model
        .intervene()
        .treat(DVector::from_element(n, 1.0))
        .build();
    let control = model
        .intervene()
        .treat(DVector::from_element(n, 0.0))
        .build();
    EffectQuery::new(posterior, Earnings::SITE.mu_earnings)
        .treated(&treated)
        .control(&control)
        .seed(seed)
        .run()
        .map_err(|e| ErrorChain(&e).to_string())
}

/// The `--plots` figures, when asked for.
#[cfg(feature = "plot")]
fn write_plots(
    args: &Args,
    report: &report::Report,
    posterior: &Posterior<'_, Earnings>,
    study: &data::Study,
) -> Result<(), String> {
    match &args.plots {
        Some(dir) => plots::write(dir, posterior, study, report, args.seed),
        None => Ok(()),
    }
}

/// Without the `plot` feature `--plots` cannot be honoured: say so rather than ignore it.
#[cfg(not(feature = "plot"))]
fn write_plots(
    args: &Args,
    _: &report::Report,
    _: &Posterior<'_, Earnings>,
    _: &data::Study,
) -> Result<(), String> {
    match &args.plots {
        Some(_) => Err("--plots needs doppl's `plot` feature (on by default)".to_string()),
        None => Ok(()),
    }
}

/// The `--json` report and the `--draws` CSV, when asked for.
fn write_outputs(
    args: &Args,
    report: &report::Report,
    posterior: &Posterior<'_, Earnings>,
) -> Result<(), String> {
    if let Some(path) = &args.json {
        std::fs::write(path, report.json().to_string())
            .map_err(|e| format!("cannot write {path}: {e}"))?;
    }
    if let Some(path) = &args.draws {
        let file = std::fs::File::create(path).map_err(|e| format!("cannot create {path}: {e}"))?;
        write_draws_csv(
            posterior,
            |s| s != "mu_earnings",
            std::io::BufWriter::new(file),
        )
        .map_err(|e| format!("cannot write {path}: {e}"))?;
    }
    Ok(())
}
