//! NUTS on the Lalonde model (4 chains × 1000 warm-up + 1000 draws): gradient evaluations
//! per second inside the sampler, min bulk ESS per second of sampling, ESS per 1000 gradient
//! evaluations, and the wall time of warm-up and sampling. Not a criterion benchmark: one fit
//! is the unit of work. Run with `cargo bench --bench nuts_lalonde`.

#[allow(dead_code)]
#[path = "../examples/lalonde/analysis.rs"]
mod analysis;
#[allow(dead_code)]
#[path = "../examples/lalonde/data.rs"]
mod data;
#[path = "../examples/lalonde/model.rs"]
mod model;
#[allow(dead_code)]
#[path = "../examples/lalonde/report.rs"]
mod report;

use analysis::Earnings;
use doppl::prelude::*;
use std::time::Instant;

fn main() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/lalonde.csv");
    let (study, source) = match data::read_csv(path) {
        Ok(s) => (s, "../shared/data/lalonde.csv"),
        Err(_) => (data::simulate(614, 7), "synthetic (614 units)"),
    };
    let model = Earnings::new(&study.x, &study.nodegree);
    let scenario = model
        .condition()
        .treat(study.treat.clone())
        .y(study.re78.clone())
        .build();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    for run in 0..3 {
        let options = NutsOptions {
            seed: 100 + run,
            progress: false,
            ..Default::default()
        };
        let started = Instant::now();
        let posterior = nuts(scenario.clone(), &options).expect("fit");
        let total = started.elapsed().as_secs_f64();
        let chains: Vec<_> = posterior.output.successful().collect();
        // Chains share the cores: the fit's sampling time is the chains' sampling time
        // summed over the threads that ran them.
        let parallel = threads.min(chains.len()) as f64;
        let warmup: f64 = chains.iter().map(|c| c.timing.warmup_seconds).sum::<f64>() / parallel;
        let sampling: f64 = chains
            .iter()
            .map(|c| c.timing.sampling_seconds)
            .sum::<f64>()
            / parallel;
        let grads_sampling: u64 = chains.iter().map(|c| c.gradient_evals.sampling).sum();
        let grads_all: u64 = chains
            .iter()
            .map(|c| c.gradient_evals.warmup + c.gradient_evals.sampling)
            .sum();
        let min_ess = posterior.summary().min_ess_bulk();
        println!(
            "run {run} ({source}, {threads} threads): wall {total:.2}s (warm-up {warmup:.2}s, sampling {sampling:.2}s); \
             {:.0} gradients/s in the sampler; min bulk ESS {min_ess:.0}: {:.0} ESS per second of sampling, \
             {:.0} per second of the whole fit, {:.1} per 1000 sampling gradients; divergences {}",
            grads_all as f64 / (warmup + sampling),
            min_ess / sampling,
            min_ess / total,
            1000.0 * min_ess / grads_sampling as f64,
            posterior.num_divergent()
        );
    }
}
