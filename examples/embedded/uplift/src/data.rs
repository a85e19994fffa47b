//! The inputs: one unit's [`Covariates`], the [`Observations`] a fit learns from, and
//! [`simulate`] to make observations with a known effect.

use crate::Error;
use doppl::prelude::{DMatrix, DVector, SeedableRng, StdRng};
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

/// One unit's covariates, the first being the effect modifier x₁.
#[derive(Clone, Debug, PartialEq)]
pub struct Covariates(pub Vec<f64>);

impl From<Vec<f64>> for Covariates {
    fn from(values: Vec<f64>) -> Self {
        Covariates(values)
    }
}

impl<const K: usize> From<[f64; K]> for Covariates {
    fn from(values: [f64; K]) -> Self {
        Covariates(values.to_vec())
    }
}

/// What was observed for each unit: covariates, whether it was treated, and its outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct Observations {
    /// One entry per unit, all of one length.
    pub covariates: Vec<Covariates>,
    /// Whether each unit was treated.
    pub treated: Vec<bool>,
    /// Each unit's outcome.
    pub outcome: Vec<f64>,
}

impl Observations {
    /// Checks the columns against each other and returns the model's arrays: the
    /// covariate matrix, its first column, the treatment as 0/1 and the outcome.
    pub(crate) fn arrays(&self) -> Result<Arrays, Error> {
        let expected = self.covariates.first().map_or(0, |c| c.0.len());
        let (x, x1) = design(&self.covariates, "covariates", expected)?;
        for (field, found) in [
            ("treated", self.treated.len()),
            ("outcome", self.outcome.len()),
        ] {
            if found != x.nrows() {
                return Err(Error::LengthMismatch {
                    field,
                    expected: x.nrows(),
                    found,
                });
            }
        }
        if let Some((unit, &value)) = self
            .outcome
            .iter()
            .enumerate()
            .find(|(_, y)| !y.is_finite())
        {
            return Err(Error::NonFiniteOutcome { unit, value });
        }
        let treat = DVector::from_iterator(x.nrows(), self.treated.iter().map(|&t| f64::from(t)));
        let y = DVector::from_column_slice(&self.outcome);
        Ok(Arrays { x, x1, treat, y })
    }
}

/// The observations as the model's arguments and observed sites.
pub(crate) struct Arrays {
    pub x: DMatrix<f64>,
    pub x1: DVector<f64>,
    pub treat: DVector<f64>,
    pub y: DVector<f64>,
}

/// The covariate matrix of `units` (one row each, `expected` columns) and its first column;
/// `field` names the input in the error for an empty list.
pub(crate) fn design(
    units: &[Covariates],
    field: &'static str,
    expected: usize,
) -> Result<(DMatrix<f64>, DVector<f64>), Error> {
    if units.is_empty() {
        return Err(Error::NoUnits { field });
    }
    if expected == 0 {
        return Err(Error::NoCovariates);
    }
    for (unit, Covariates(values)) in units.iter().enumerate() {
        if values.len() != expected {
            return Err(Error::CovariateCount {
                unit,
                expected,
                found: values.len(),
            });
        }
        if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::NonFiniteCovariate { unit, index, value });
        }
    }
    let x = DMatrix::from_fn(units.len(), expected, |i, j| units[i].0[j]);
    let x1 = x.column(0).into_owned();
    Ok((x, x1))
}

/// The truth behind [`simulate`]'s data: the effect of treatment on a unit is
/// `tau0 + tau1 · x₁`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Truth {
    /// The effect at x₁ = 0.
    pub tau0: f64,
    /// How much the effect grows per unit of x₁.
    pub tau1: f64,
}

impl Truth {
    /// The true effect of treatment on a unit with these covariates.
    pub fn effect(&self, unit: &Covariates) -> f64 {
        self.tau0 + self.tau1 * unit.0.first().copied().unwrap_or(0.0)
    }
}

/// Three standard-normal covariates per unit; treatment more likely where x₂ is high (the
/// naive difference of means is confounded by x₂, which the model adjusts for); outcome
/// `1 + 0.5 x₁ − 0.3 x₂ + 0.8 x₃ + treat · (1.5 + 0.8 x₁) + N(0, 1)`. Same seed, same data.
///
/// ```
/// let (data, truth) = uplift_model::simulate(4, 1);
/// assert_eq!(data.covariates.len(), 4);
/// assert_eq!(data.covariates[0].0.len(), 3);
/// assert_eq!(truth.effect(&[1.0, 0.0, 0.0].into()), 2.3);
/// assert_eq!(data, uplift_model::simulate(4, 1).0);
/// ```
pub fn simulate(units: usize, seed: u64) -> (Observations, Truth) {
    let truth = Truth {
        tau0: 1.5,
        tau1: 0.8,
    };
    let beta = [0.5, -0.3, 0.8];
    let mut rng = StdRng::seed_from_u64(seed);
    let mut normal = || -> f64 { StandardNormal.sample(&mut rng) };
    let covariates: Vec<Covariates> = (0..units)
        .map(|_| Covariates(beta.iter().map(|_| normal()).collect()))
        .collect();
    let noise: Vec<f64> = (0..units).map(|_| normal()).collect();
    let treated: Vec<bool> = covariates
        .iter()
        .map(|c| rng.random::<f64>() < 1.0 / (1.0 + (-1.2 * c.0[1]).exp()))
        .collect();
    let outcome = covariates
        .iter()
        .zip(&treated)
        .zip(&noise)
        .map(|((c, &t), e)| {
            let base: f64 = 1.0 + c.0.iter().zip(beta).map(|(x, b)| x * b).sum::<f64>();
            base + f64::from(t) * truth.effect(c) + e
        })
        .collect();
    let observations = Observations {
        covariates,
        treated,
        outcome,
    };
    (observations, truth)
}
