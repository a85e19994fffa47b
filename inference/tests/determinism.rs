//! Same seed, same draws, whatever the threads; a chain alone equals the chain in a run.

mod support;

use doppl_inference::{
    FisherWindows, MetricAdaptation, NutsOptions, WarmupWindows, run_chain, sample,
};
use support::Gaussian;

fn options(seed: u64, threads: usize) -> NutsOptions {
    NutsOptions {
        num_warmup: 200,
        num_draws: 200,
        num_chains: 4,
        num_threads: Some(threads),
        seed,
        ..NutsOptions::default()
    }
}

#[test]
fn same_seed_gives_identical_output_on_1_2_4_threads() {
    let density = Gaussian::correlated_2d([0.0, 1.0], [1.0, 2.0], 0.5);
    let stan = MetricAdaptation::Stan {
        dense: false,
        windows: WarmupWindows::default(),
    };
    let fisher = MetricAdaptation::Fisher(FisherWindows::default());
    for metric in [MetricAdaptation::default(), fisher, stan] {
        let with = |threads| NutsOptions {
            metric: metric.clone(),
            ..options(3, threads)
        };
        let one = sample(&density, &with(1)).unwrap();
        for threads in [2, 4] {
            let other = sample(&density, &with(threads)).unwrap();
            assert_eq!(one, other, "{metric:?}: {threads} threads differ from 1");
        }
    }
}

#[test]
fn a_chain_alone_equals_the_same_chain_in_a_run() {
    let density = Gaussian::diagonal(vec![0.0, 2.0, -1.0], &[1.0, 0.1, 5.0]);
    let run = sample(&density, &options(9, 2)).unwrap();
    for chain in 0..4 {
        let alone = run_chain(&mut density.clone(), &options(9, 1), chain).unwrap();
        assert_eq!(run.chains[chain].as_ref().unwrap(), &alone);
    }
}

#[test]
fn different_seeds_or_chains_give_different_draws() {
    let density = Gaussian::diagonal(vec![0.0], &[1.0]);
    let a = sample(&density, &options(1, 2)).unwrap();
    let b = sample(&density, &options(2, 2)).unwrap();
    let draws = |output: &doppl_inference::SampleOutput<std::convert::Infallible>, chain: usize| {
        output.chains[chain].as_ref().unwrap().draws.clone()
    };
    assert_ne!(draws(&a, 0), draws(&b, 0));
    assert_ne!(draws(&a, 0), draws(&a, 1));
}
