//! Prior and posterior predictive simulation under any scenario, with common random numbers.

use crate::draws::Draws;
use doppl_runtime::handler::{Replay, SiteStreams, mix};
use doppl_runtime::{Model, ModelError, Scenario};

/// The seed of draw `draw` of chain `chain`: every (seed, chain, draw) gets its own streams.
pub(crate) fn draw_seed(seed: u64, chain: usize, draw: usize) -> u64 {
    mix(mix(seed ^ mix(chain as u64)) ^ draw as u64)
}

/// Posterior predictive traces `[chain][draw]` under `scenario`: every posterior draw is
/// replayed (its latent values substituted, unless `scenario` intervenes on them), sites not
/// in the draw are simulated, deterministic sites are recomputed.
///
/// Each site draws from its own stream derived from `(seed, chain, draw, site)`, so two
/// scenarios evaluated with the same seed share their noise wherever they do not intervene
/// (common random numbers).
pub fn posterior_predictive<'m, M: Model>(
    posterior: &impl Draws<'m, M>,
    scenario: &Scenario<'_, M>,
    seed: u64,
) -> Result<Vec<Vec<M::Trace<f64>>>, ModelError> {
    posterior_predictive_map(posterior, scenario, seed, |trace| trace)
}

/// [`posterior_predictive`] keeping only `f(trace)` per draw, so that large traces are not
/// all held at once.
pub fn posterior_predictive_map<'m, M: Model, T>(
    posterior: &impl Draws<'m, M>,
    scenario: &Scenario<'_, M>,
    seed: u64,
    f: impl Fn(M::Trace<f64>) -> T,
) -> Result<Vec<Vec<T>>, ModelError> {
    posterior
        .draws()
        .iter()
        .enumerate()
        .map(|(c, chain)| {
            chain
                .iter()
                .enumerate()
                .map(|(d, draw)| {
                    let id = posterior.chain_ids()[c];
                    Ok(f(replay_draw(scenario, draw, seed, id, d)?))
                })
                .collect()
        })
        .collect()
}

/// One draw replayed under `scenario` with the per-site streams of `(seed, chain, draw)`.
pub fn replay_draw<M: Model>(
    scenario: &Scenario<'_, M>,
    draw: &M::Values,
    seed: u64,
    chain: usize,
    index: usize,
) -> Result<M::Trace<f64>, ModelError> {
    let base = Replay::new(draw, SiteStreams::new(draw_seed(seed, chain, index)));
    Ok(scenario.run_with::<f64, _>(base)?.0)
}

/// `num_draws` prior predictive traces under `scenario` (per-site streams, as above).
pub fn prior_predictive<M: Model>(
    scenario: &Scenario<'_, M>,
    num_draws: usize,
    seed: u64,
) -> Result<Vec<M::Trace<f64>>, ModelError> {
    (0..num_draws)
        .map(|d| {
            Ok(scenario
                .run_with::<f64, _>(SiteStreams::new(draw_seed(seed, 0, d)))?
                .0)
        })
        .collect()
}
