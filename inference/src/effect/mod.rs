//! Treatment effects: individual, average and conditional, from two sides (intervention
//! scenarios evaluated here, stochastic policies, or predictions made earlier) on the same
//! posterior draws, with common random numbers unless independent arms are asked for.
//!
//! Identification is a property of the model, not of this estimator: the effects are what
//! the fitted model implies under `do(·)`. If the model omits a confounder, the numbers are
//! the model's answer, not the world's ([`doppl_runtime::Scenario::identify`] says what the
//! answer rests on).

mod error;
mod per_draw;
mod query;

pub use error::EffectError;
pub(crate) use per_draw::{for_each_draw, rows_to_matrix};
pub use query::{EffectQuery, Group, Outcome, Pairing, Predicted, Side, predict};

use crate::diagnostics::quantile;
use crate::summary::INTERVAL_PROB;
use nalgebra::DMatrix;
use std::collections::BTreeMap;

/// A posterior mean with its sd, equal-tailed interval (89% unless asked otherwise) and
/// probability of being positive.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Posterior mean.
    pub mean: f64,
    /// Posterior standard deviation.
    pub sd: f64,
    /// Posterior probability that the quantity is positive.
    pub prob_positive: f64,
    /// Lower end of the interval.
    pub lo: f64,
    /// Upper end of the interval.
    pub hi: f64,
}

impl Estimate {
    /// The mean and 89% interval of draws (NaN for no draws).
    pub fn of(draws: &[f64]) -> Self {
        Self::at_level(draws, INTERVAL_PROB)
    }

    /// The mean and the central interval holding `level` of the draws.
    ///
    /// ```
    /// use doppl_inference::Estimate;
    /// let draws: Vec<f64> = (0..=100).map(f64::from).collect();
    /// let e = Estimate::at_level(&draws, 0.5);
    /// assert_eq!((e.mean, e.lo, e.hi), (50.0, 25.0, 75.0));
    /// ```
    pub fn at_level(draws: &[f64], level: f64) -> Self {
        let tail = (1.0 - level) / 2.0;
        let n = draws.len() as f64;
        let mean = draws.iter().sum::<f64>() / n;
        let var = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1.0);
        Estimate {
            mean,
            sd: var.sqrt(),
            prob_positive: draws.iter().filter(|d| **d > 0.0).count() as f64 / n,
            lo: quantile(draws, tail),
            hi: quantile(draws, 1.0 - tail),
        }
    }
}

/// Which units are treated, for [`Effects::att`] and [`Effects::atu`].
#[derive(Clone, Copy, Debug)]
pub enum Assignment<'a> {
    /// One treatment value per unit, the same in every draw (an observed treatment).
    Observed(&'a [f64]),
    /// One row per posterior draw, as [`Effects::individual`] (a treatment simulated per
    /// draw: [`predict`] the treatment site).
    PerDraw(&'a DMatrix<f64>),
}

/// Individual effects per posterior draw and unit, and the interval level their summaries
/// use.
#[derive(Clone, Debug, PartialEq)]
pub struct Effects {
    /// Rows: posterior draws (all chains); columns: units.
    pub individual: DMatrix<f64>,
    level: f64,
}

impl Effects {
    /// Effects from a (draw × unit) matrix, summarized with 89% intervals.
    pub fn new(individual: DMatrix<f64>) -> Self {
        Effects {
            individual,
            level: INTERVAL_PROB,
        }
    }

    /// The same effects summarized with intervals holding `level` of the draws.
    pub fn with_level(self, level: f64) -> Result<Self, EffectError> {
        match level > 0.0 && level < 1.0 {
            true => Ok(Effects { level, ..self }),
            false => Err(EffectError::IntervalLevel { level }),
        }
    }

    /// The interval level of the summaries.
    pub fn level(&self) -> f64 {
        self.level
    }

    fn estimate(&self, draws: &[f64]) -> Estimate {
        Estimate::at_level(draws, self.level)
    }

    /// The conditional average effect of every group of a grouping column (one entry per
    /// unit, e.g. a region code): one call, one estimate per group, in the groups' order.
    pub fn cate_by<K: Ord + Clone>(
        &self,
        column: &[K],
    ) -> Result<BTreeMap<K, Estimate>, EffectError> {
        let units = self.individual.ncols();
        if column.len() != units {
            return Err(EffectError::GroupingLength {
                units,
                found: column.len(),
            });
        }
        let mut groups: BTreeMap<K, Vec<usize>> = BTreeMap::new();
        for (i, key) in column.iter().enumerate() {
            groups.entry(key.clone()).or_default().push(i);
        }
        let summary = |members: &Vec<usize>| {
            let per_draw: Vec<f64> = self
                .individual
                .row_iter()
                .map(|r| members.iter().map(|&i| r[i]).sum::<f64>() / members.len() as f64)
                .collect();
            self.estimate(&per_draw)
        };
        Ok(groups
            .iter()
            .map(|(k, m)| (k.clone(), summary(m)))
            .collect())
    }
    /// The average treatment effect: the mean over units, per draw, summarized.
    pub fn ate(&self) -> Estimate {
        let per_draw: Vec<f64> = self.individual.row_iter().map(|r| r.mean()).collect();
        self.estimate(&per_draw)
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
        Ok(self.estimate(&per_draw))
    }

    /// The average effect on the treated: per draw, the mean of the individual effects
    /// weighted by each unit's treatment (Σᵢ tᵢ τᵢ / Σᵢ tᵢ), summarized over draws. With a
    /// treatment that varies by draw ([`Assignment::PerDraw`]) this differs from a CATE over
    /// a fixed mask.
    pub fn att(&self, assignment: Assignment<'_>) -> Result<Estimate, EffectError> {
        self.weighted(assignment, "treated", |t| t)
    }

    /// The average effect on the untreated: weights 1 − tᵢ (see [`Effects::att`]).
    pub fn atu(&self, assignment: Assignment<'_>) -> Result<Estimate, EffectError> {
        self.weighted(assignment, "untreated", |t| 1.0 - t)
    }

    fn weighted(
        &self,
        assignment: Assignment<'_>,
        arm: &'static str,
        weight: impl Fn(f64) -> f64,
    ) -> Result<Estimate, EffectError> {
        let (draws, units) = self.individual.shape();
        let treatment = |d: usize, i: usize| match assignment {
            Assignment::Observed(t) => t[i],
            Assignment::PerDraw(t) => t[(d, i)],
        };
        let found = match assignment {
            Assignment::Observed(t) => (draws, t.len()),
            Assignment::PerDraw(t) => t.shape(),
        };
        if found != (draws, units) {
            return Err(EffectError::AssignmentShape {
                draws,
                units,
                found_draws: found.0,
                found_units: found.1,
            });
        }
        let per_draw = (0..draws)
            .map(|d| {
                let (mut total, mut weights) = (0.0, 0.0);
                for i in 0..units {
                    let value = treatment(d, i);
                    if !(0.0..=1.0).contains(&value) {
                        return Err(EffectError::InvalidAssignment {
                            draw: d,
                            unit: i,
                            value,
                        });
                    }
                    total += weight(value) * self.individual[(d, i)];
                    weights += weight(value);
                }
                match weights > 0.0 {
                    true => Ok(total / weights),
                    false => Err(EffectError::EmptyArm { arm, draw: d }),
                }
            })
            .collect::<Result<Vec<f64>, _>>()?;
        Ok(self.estimate(&per_draw))
    }

    /// The effect for one unit.
    pub fn unit(&self, index: usize) -> Result<Estimate, EffectError> {
        let units = self.individual.ncols();
        if index >= units {
            return Err(EffectError::UnitOutOfRange { index, units });
        }
        let draws: Vec<f64> = self.individual.column(index).iter().copied().collect();
        Ok(self.estimate(&draws))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two draws, three units; unit i's effect is i + 1 in draw 0 and 2(i + 1) in draw 1.
    fn effects() -> Effects {
        Effects::new(DMatrix::from_fn(2, 3, |d, i| {
            (i + 1) as f64 * (d + 1) as f64
        }))
    }

    #[test]
    fn effects_on_the_treated_and_untreated_weigh_units_by_their_treatment() {
        let e = effects();
        // Units 1 and 2 treated: ATT per draw (2 + 3)/2 = 2.5 and 5; ATU = unit 0: 1 and 2.
        let observed = [0.0, 1.0, 1.0];
        let att = e.att(Assignment::Observed(&observed)).unwrap();
        assert_eq!(att.mean, 3.75);
        assert_eq!(e.atu(Assignment::Observed(&observed)).unwrap().mean, 1.5);
        // Treatment varying by draw: draw 0 treats unit 0 only, draw 1 units 0 and 2 with
        // weight 0.5 each for unit 2 (a probability of treatment): ATT (1) and (2 + 0.5·6)/1.5.
        let per_draw = DMatrix::from_row_slice(2, 3, &[1.0, 0.0, 0.0, 1.0, 0.0, 0.5]);
        let att = e.att(Assignment::PerDraw(&per_draw)).unwrap();
        assert!((att.mean - (1.0 + 5.0 / 1.5) / 2.0).abs() < 1e-12);
        assert_eq!(att.prob_positive, 1.0);
        assert!((att.sd - (5.0 / 1.5 - 1.0) / 2f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn bad_assignments_are_typed_errors() {
        let e = effects();
        let short = [1.0, 0.0];
        assert_eq!(
            e.att(Assignment::Observed(&short)),
            Err(EffectError::AssignmentShape {
                draws: 2,
                units: 3,
                found_draws: 2,
                found_units: 2
            })
        );
        let invalid = [1.0, 2.0, 0.0];
        assert_eq!(
            e.att(Assignment::Observed(&invalid)),
            Err(EffectError::InvalidAssignment {
                draw: 0,
                unit: 1,
                value: 2.0
            })
        );
        let nobody = [0.0, 0.0, 0.0];
        assert_eq!(
            e.att(Assignment::Observed(&nobody)),
            Err(EffectError::EmptyArm {
                arm: "treated",
                draw: 0
            })
        );
        let everybody = [1.0, 1.0, 1.0];
        let atu = e.atu(Assignment::Observed(&everybody)).unwrap_err();
        assert!(
            atu.to_string().contains("no unit is untreated in draw 0"),
            "{atu}"
        );
    }
}
