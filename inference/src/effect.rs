//! Treatment effects: individual, average and conditional, from two intervention scenarios
//! evaluated on the same posterior draws with common random numbers.
//!
//! Identification is a property of the model, not of this estimator: the effects are what
//! the fitted model implies under `do(·)`. If the model omits a confounder, the numbers are
//! the model's answer, not the world's.

use crate::diagnostics::quantile;
use crate::posterior::Posterior;
use crate::predictive::replay_draw;
use crate::summary::INTERVAL_PROB;
use doppl_runtime::{Model, ModelError, Scenario};
use nalgebra::{DMatrix, DVector};

/// A posterior mean with its 89% equal-tailed interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Posterior mean.
    pub mean: f64,
    /// Lower end of the interval.
    pub lo: f64,
    /// Upper end of the interval.
    pub hi: f64,
}

impl Estimate {
    /// The mean and 89% interval of draws.
    pub fn of(draws: &[f64]) -> Self {
        let tail = (1.0 - INTERVAL_PROB) / 2.0;
        Estimate {
            mean: draws.iter().sum::<f64>() / draws.len() as f64,
            lo: quantile(draws, tail),
            hi: quantile(draws, 1.0 - tail),
        }
    }
}

/// Individual effects `outcome(treated) − outcome(control)` per posterior draw and unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Effects {
    /// Rows: posterior draws (all chains); columns: units.
    pub individual: DMatrix<f64>,
}

impl Effects {
    /// The average treatment effect: the mean over units, per draw, summarized.
    pub fn ate(&self) -> Estimate {
        let per_draw: Vec<f64> = self.individual.row_iter().map(|r| r.mean()).collect();
        Estimate::of(&per_draw)
    }

    /// The conditional average effect over the units where `mask` is true.
    pub fn cate(&self, mask: &[bool]) -> Estimate {
        let units: Vec<usize> = (0..mask.len()).filter(|&i| mask[i]).collect();
        let per_draw: Vec<f64> = self
            .individual
            .row_iter()
            .map(|r| units.iter().map(|&i| r[i]).sum::<f64>() / units.len() as f64)
            .collect();
        Estimate::of(&per_draw)
    }

    /// The effect for one unit.
    pub fn unit(&self, i: usize) -> Estimate {
        let draws: Vec<f64> = self.individual.column(i).iter().copied().collect();
        Estimate::of(&draws)
    }
}

/// Individual effects of `treated` versus `control` on `outcome` (a plate-shaped site or
/// any vector computed from the trace), on the same posterior draws with common random
/// numbers: for an additive-noise outcome the individual effect is exactly the difference
/// of the means.
pub fn treatment_effects<M: Model>(
    posterior: &Posterior<'_, M>,
    treated: &Scenario<'_, M>,
    control: &Scenario<'_, M>,
    outcome: impl Fn(&M::Trace<f64>) -> DVector<f64>,
    seed: u64,
) -> Result<Effects, ModelError> {
    let rows: Vec<DVector<f64>> = posterior
        .draws
        .iter()
        .enumerate()
        .flat_map(|(c, chain)| chain.iter().enumerate().map(move |(d, draw)| (c, d, draw)))
        .map(|(c, d, draw)| {
            let a = replay_draw(treated, draw, seed, c, d)?;
            let b = replay_draw(control, draw, seed, c, d)?;
            Ok(outcome(&a) - outcome(&b))
        })
        .collect::<Result<_, ModelError>>()?;
    let units = rows.first().map_or(0, |r| r.len());
    let individual = DMatrix::from_fn(rows.len(), units, |d, i| rows[d][i]);
    Ok(Effects { individual })
}
