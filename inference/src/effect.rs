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
    /// A per-draw value whose length changes from draw to draw.
    #[error(
        "the value has {found} entries in posterior draw {draw} but {expected} in the first; \
         it must cover the same units in every draw"
    )]
    RaggedDraws {
        /// The draw (over all chains).
        draw: usize,
        /// Its length.
        found: usize,
        /// The first draw's length.
        expected: usize,
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
    /// A treatment assignment whose shape does not match the effects.
    #[error(
        "the treatment assignment is {found_draws} × {found_units} (draws × units) but the \
         effects are {draws} × {units}; pass one value per unit, or one row per draw"
    )]
    AssignmentShape {
        /// Draws in the effects.
        draws: usize,
        /// Units in the effects.
        units: usize,
        /// Rows of the assignment (1 for one value per unit).
        found_draws: usize,
        /// Columns of the assignment.
        found_units: usize,
    },
    /// A treatment value that is not a probability of treatment.
    #[error(
        "the treatment of unit {unit} in draw {draw} is {value}: the effect on the treated \
         weighs units by their treatment, which must lie in [0, 1]"
    )]
    InvalidAssignment {
        /// The draw.
        draw: usize,
        /// The unit.
        unit: usize,
        /// The value found.
        value: f64,
    },
    /// A draw in which no unit is in the arm averaged over.
    #[error("no unit is {arm} in draw {draw}: the effect on the {arm} is undefined there")]
    EmptyArm {
        /// `"treated"` or `"untreated"`.
        arm: &'static str,
        /// The draw.
        draw: usize,
    },
    /// A unit index past the end.
    #[error("unit {index} is out of range: the effects cover {units} units")]
    UnitOutOfRange {
        /// The index asked for.
        index: usize,
        /// Units in the effects.
        units: usize,
    },
}

/// A posterior mean with its sd, 89% equal-tailed interval and probability of being positive.
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
        let tail = (1.0 - INTERVAL_PROB) / 2.0;
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
    /// One row per posterior draw, as [`Effects::individual`] (a treatment drawn per draw;
    /// see [`treatment_assignment`]).
    PerDraw(&'a DMatrix<f64>),
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
    outcome: impl Fn(&M::Trace<f64>) -> V + Sync,
    seed: u64,
) -> Result<Effects, EffectError> {
    let a = per_draw(posterior, treated, &outcome, seed)?;
    let b = per_draw(posterior, control, &outcome, seed)?;
    let rows: Vec<DVector<f64>> = a
        .into_iter()
        .zip(b)
        .enumerate()
        .map(|(k, (a, b))| match a.len() == b.len() {
            true => Ok(a - b),
            false => Err(EffectError::OutcomeLength {
                treated: a.len(),
                control: b.len(),
                draw: k,
            }),
        })
        .collect::<Result<_, _>>()?;
    Ok(Effects {
        individual: rows_to_matrix(&rows)?,
    })
}

/// The treatment of every unit per posterior draw in `scenario` (usually the observed one):
/// rows as [`Effects::individual`] for the same posterior and seed. An observed treatment
/// repeats its data in every row; a simulated one is drawn with the draw's parameters.
pub fn treatment_assignment<'m, M: Model, V: Into<DVector<f64>>>(
    posterior: &impl Draws<'m, M>,
    scenario: &Scenario<'_, M>,
    treatment: impl Fn(&M::Trace<f64>) -> V + Sync,
    seed: u64,
) -> Result<DMatrix<f64>, EffectError> {
    rows_to_matrix(&per_draw(posterior, scenario, &treatment, seed)?)
}

/// `value` of `scenario` replayed on every posterior draw (all chains, in order), with the
/// draw's common random numbers.
fn per_draw<'m, M: Model, V: Into<DVector<f64>>>(
    posterior: &impl Draws<'m, M>,
    scenario: &Scenario<'_, M>,
    value: &(impl Fn(&M::Trace<f64>) -> V + Sync),
    seed: u64,
) -> Result<Vec<DVector<f64>>, EffectError> {
    for_each_draw(posterior, |c, d, draw| {
        Ok(value(&replay_draw(scenario, draw, seed, c, d)?).into())
    })
}

/// `f(chain id, index in chain, draw)` for every posterior draw, all chains in order.
pub(crate) fn for_each_draw<'m, M: Model, T>(
    posterior: &impl Draws<'m, M>,
    f: impl Fn(usize, usize, &M::Values) -> Result<T, EffectError> + Sync,
) -> Result<Vec<T>, EffectError> {
    let ids = posterior.chain_ids();
    let draws = posterior.draws().iter().enumerate().flat_map(|(c, chain)| {
        let id = ids[c];
        chain.iter().enumerate().map(move |(d, draw)| (id, d, draw))
    });
    draws.map(|(c, d, draw)| f(c, d, draw)).collect()
}

/// Rows of equal length as a matrix.
pub(crate) fn rows_to_matrix(rows: &[DVector<f64>]) -> Result<DMatrix<f64>, EffectError> {
    let units = rows.first().map_or(0, |r| r.len());
    if let Some((draw, r)) = rows.iter().enumerate().find(|(_, r)| r.len() != units) {
        return Err(EffectError::RaggedDraws {
            draw,
            found: r.len(),
            expected: units,
        });
    }
    Ok(DMatrix::from_fn(rows.len(), units, |d, i| rows[d][i]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two draws, three units; unit i's effect is i + 1 in draw 0 and 2(i + 1) in draw 1.
    fn effects() -> Effects {
        Effects {
            individual: DMatrix::from_fn(2, 3, |d, i| (i + 1) as f64 * (d + 1) as f64),
        }
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
