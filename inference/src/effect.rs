//! Treatment effects: individual, average and conditional, from two intervention scenarios
//! evaluated on the same posterior draws with common random numbers.
//!
//! Identification is a property of the model, not of this estimator: the effects are what
//! the fitted model implies under `do(·)`. If the model omits a confounder, the numbers are
//! the model's answer, not the world's.

use crate::diagnostics::quantile;
use crate::draws::Draws;
use crate::predictive::replay_draw;
use crate::summary::INTERVAL_PROB;
use doppl_runtime::{Model, ModelError, Scenario};
use nalgebra::{DMatrix, DVector};

/// What can go wrong when computing or summarizing effects.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EffectError {
    /// Running a scenario failed.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The two scenarios' outcomes have different lengths.
    #[error(
        "the outcome has {treated} values under the treated scenario but {control} under the \
         control one (posterior draw {draw}); the outcome must be the same units in both"
    )]
    OutcomeLength {
        /// Length under the treated scenario.
        treated: usize,
        /// Length under the control scenario.
        control: usize,
        /// The draw (over all chains).
        draw: usize,
    },
    /// A subgroup mask of the wrong length.
    #[error("the mask has {found} entries but the effects cover {units} units")]
    MaskLength {
        /// Units in the effects.
        units: usize,
        /// Entries in the mask.
        found: usize,
    },
    /// A subgroup mask that selects nobody.
    #[error("the mask selects no unit: a conditional effect needs at least one")]
    EmptyMask,
    /// A unit index past the end.
    #[error("unit {index} is out of range: the effects cover {units} units")]
    UnitOutOfRange {
        /// The index asked for.
        index: usize,
        /// Units in the effects.
        units: usize,
    },
}

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
    /// The mean and 89% interval of draws (NaN for no draws).
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
    pub fn cate(&self, mask: &[bool]) -> Result<Estimate, EffectError> {
        let n = self.individual.ncols();
        if mask.len() != n {
            return Err(EffectError::MaskLength {
                units: n,
                found: mask.len(),
            });
        }
        let units: Vec<usize> = (0..n).filter(|&i| mask[i]).collect();
        if units.is_empty() {
            return Err(EffectError::EmptyMask);
        }
        let per_draw: Vec<f64> = self
            .individual
            .row_iter()
            .map(|r| units.iter().map(|&i| r[i]).sum::<f64>() / units.len() as f64)
            .collect();
        Ok(Estimate::of(&per_draw))
    }

    /// The effect for one unit.
    pub fn unit(&self, index: usize) -> Result<Estimate, EffectError> {
        let units = self.individual.ncols();
        if index >= units {
            return Err(EffectError::UnitOutOfRange { index, units });
        }
        let draws: Vec<f64> = self.individual.column(index).iter().copied().collect();
        Ok(Estimate::of(&draws))
    }
}

/// Individual effects of `treated` versus `control` on `outcome` (a plate-shaped site or
/// any vector computed from the trace), on the same posterior draws with common random
/// numbers: for an additive-noise outcome the individual effect is exactly the difference
/// of the means.
pub fn treatment_effects<'m, M: Model, V: Into<DVector<f64>>>(
    posterior: &impl Draws<'m, M>,
    treated: &Scenario<'_, M>,
    control: &Scenario<'_, M>,
    outcome: impl Fn(&M::Trace<f64>) -> V,
    seed: u64,
) -> Result<Effects, EffectError> {
    let rows: Vec<DVector<f64>> = posterior
        .draws()
        .iter()
        .enumerate()
        .flat_map(|(c, chain)| {
            let id = posterior.chain_ids()[c];
            chain.iter().enumerate().map(move |(d, draw)| (id, d, draw))
        })
        .enumerate()
        .map(|(k, (c, d, draw))| {
            let a: DVector<f64> = outcome(&replay_draw(treated, draw, seed, c, d)?).into();
            let b: DVector<f64> = outcome(&replay_draw(control, draw, seed, c, d)?).into();
            if a.len() != b.len() {
                return Err(EffectError::OutcomeLength {
                    treated: a.len(),
                    control: b.len(),
                    draw: k,
                });
            }
            Ok(a - b)
        })
        .collect::<Result<_, EffectError>>()?;
    let units = rows.first().map_or(0, |r| r.len());
    if let Some((k, r)) = rows.iter().enumerate().find(|(_, r)| r.len() != units) {
        return Err(EffectError::OutcomeLength {
            treated: r.len(),
            control: units,
            draw: k,
        });
    }
    let individual = DMatrix::from_fn(rows.len(), units, |d, i| rows[d][i]);
    Ok(Effects { individual })
}
