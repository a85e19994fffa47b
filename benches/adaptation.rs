//! The adaptation study behind `NutsOptions`' defaults: for the five posteriordb references
//! and the Lalonde model, min bulk ESS per 1,000 gradients (warm-up included) and per second
//! of the whole fit, for Stan's windowed adaptation and nutpie's gradient-based diagonal and
//! low-rank metrics at several warm-up lengths. Not a criterion benchmark: one fit is the
//! unit of work. Run with `cargo bench --bench adaptation` (`-- --seeds N` for more seeds).

#[allow(dead_code)]
#[path = "../examples/lalonde/analysis.rs"]
mod analysis;
#[allow(dead_code)]
#[path = "../examples/lalonde/data.rs"]
mod data;
#[path = "../examples/lalonde/model.rs"]
mod model;
#[path = "../tests/common/posteriordb_models.rs"]
mod posteriordb;
#[allow(dead_code)]
#[path = "../examples/lalonde/report.rs"]
mod report;

use analysis::Earnings;
use doppl::inference::diagnostics::{ess_bulk, ess_tail, rhat};
use doppl::inference::{FisherWindows, LowRankOptions, WarmupWindows};
use doppl::prelude::*;
use posteriordb::{POSTERIORS, WithScenario, with_posterior};
use std::time::Instant;

/// The adaptations compared, with their warm-up lengths.
fn settings() -> Vec<(&'static str, MetricAdaptation, usize)> {
    let stan = MetricAdaptation::Stan {
        dense: false,
        windows: WarmupWindows::default(),
    };
    let fisher = MetricAdaptation::Fisher(FisherWindows::default());
    let low_rank = MetricAdaptation::LowRank(LowRankOptions::default());
    vec![
        ("stan", stan, 1000),
        ("fisher", fisher.clone(), 1000),
        ("fisher", fisher, 400),
        ("low-rank", low_rank.clone(), 800),
        ("low-rank", low_rank, 500),
    ]
}

/// The load-independent figures of one fit, over the free (unconstrained) parameters: bulk
/// and tail ESS and R-hat are rank-based, so the same as on the constrained scale.
struct Row {
    min_bulk: f64,
    min_tail: f64,
    max_rhat: f64,
    gradients: f64,
}

impl Row {
    fn of<E: doppl::inference::DensityError>(output: &doppl::inference::SampleOutput<E>) -> Row {
        let dim = output.successful().next().map_or(0, |c| c.draws.ncols());
        let chains: Vec<Vec<Vec<f64>>> = (0..dim).map(|i| output.parameter(i)).collect();
        let each = |f: fn(&[Vec<f64>]) -> f64| chains.iter().map(move |c| f(c));
        Row {
            min_bulk: each(ess_bulk).fold(f64::INFINITY, f64::min),
            min_tail: each(ess_tail).fold(f64::INFINITY, f64::min),
            max_rhat: each(rhat).fold(0.0, f64::max),
            gradients: output
                .successful()
                .map(|c| (c.gradient_evals.warmup + c.gradient_evals.sampling) as f64)
                .sum(),
        }
    }
}

/// Fits one scenario with every setting and seed and prints a row each.
struct Study {
    seeds: u64,
}

impl WithScenario for Study {
    fn run<M: Model>(&mut self, name: &str, scenario: Scenario<'_, M>, target_accept: f64) {
        for (label, metric, num_warmup) in settings() {
            for seed in 0..self.seeds {
                let options = NutsOptions {
                    metric: metric.clone(),
                    num_warmup,
                    target_accept,
                    seed: 1000 + seed,
                    progress: false,
                    ..Default::default()
                };
                let started = Instant::now();
                let posterior = nuts(scenario.clone(), &options).expect("fit");
                let seconds = started.elapsed().as_secs_f64();
                let row = Row::of(&posterior.output);
                println!(
                    "| {name} | doppl {label} | {num_warmup} | {seed} | {:.1} | {:.1} | {:.0} | {:.0} | {:.3} | {} |",
                    1000.0 * row.min_bulk / row.gradients,
                    1000.0 * row.min_tail / row.gradients,
                    row.gradients / seconds,
                    row.min_bulk / seconds,
                    row.max_rhat,
                    posterior.num_divergent()
                );
            }
        }
    }
}

fn main() {
    let seeds = std::env::args()
        .skip_while(|a| a != "--seeds")
        .nth(1)
        .map_or(2, |s| s.parse().expect("--seeds N"));
    println!(
        "| posterior | sampler | warm-up | seed | bulk ESS / 1,000 grad | tail ESS / 1,000 grad | gradients / s | ESS / s | max R-hat | divergent |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut study = Study { seeds };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/posteriordb");
    for name in POSTERIORS {
        let dir = root.join(name);
        if dir.is_dir() {
            with_posterior(name, &dir, &mut study);
        } else {
            eprintln!("{} missing: skipped", dir.display());
        }
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/lalonde.csv");
    let study_data = data::read_csv(path).unwrap_or_else(|_| data::simulate(614, 7));
    let model = Earnings::new(&study_data.x, &study_data.nodegree);
    let scenario = model
        .condition()
        .treat(study_data.treat.clone())
        .y(study_data.re78.clone())
        .build();
    study.run("lalonde", scenario, 0.8);
}
