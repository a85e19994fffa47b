//! [`EffectQuery`]: the effect of one side against another on a fitted posterior, each side
//! an intervention scenario evaluated here (lazy), a stochastic policy, or a prediction made
//! earlier with [`predict`] (eager), in any mix.

use super::{EffectError, Effects, for_each_draw, rows_to_matrix};
use crate::draws::Draws;
use crate::predictive::{draw_seed, replay_draw};
use crate::summary::INTERVAL_PROB;
use doppl_runtime::handler::mix;
use doppl_runtime::{Model, Scenario, Site};
use nalgebra::{DMatrix, DVector};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::borrow::Cow;
use std::fmt;

/// A site value that can be an outcome: one real per unit.
pub trait Outcome {
    /// The value as one real per unit (a scalar site is one unit).
    fn to_row(&self) -> DVector<f64>;
}

impl Outcome for f64 {
    fn to_row(&self) -> DVector<f64> {
        DVector::from_element(1, *self)
    }
}

impl Outcome for DVector<f64> {
    fn to_row(&self) -> DVector<f64> {
        self.clone()
    }
}

impl Outcome for DVector<u64> {
    fn to_row(&self) -> DVector<f64> {
        self.map(|v| v as f64)
    }
}

impl Outcome for DVector<usize> {
    fn to_row(&self) -> DVector<f64> {
        self.map(|v| v as f64)
    }
}

/// Which units a side describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// The units the posterior was fitted to (the fitted model value).
    InSample,
    /// The units of another model value (new arguments: out-of-sample units); two sides
    /// built on the same other model value are the same group.
    NewData {
        /// The model value's address, its identity while it is borrowed.
        model: usize,
    },
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Group::InSample => f.write_str("the fitted units (in-sample)"),
            Group::NewData { model } => {
                write!(f, "the units of another model value (at {model:#x})")
            }
        }
    }
}

fn group_of<M: Model>(fitted: &Scenario<'_, M>, scenario: &Scenario<'_, M>) -> Group {
    match std::ptr::eq(fitted.model, scenario.model) {
        true => Group::InSample,
        false => Group::NewData {
            model: scenario.model as *const M as usize,
        },
    }
}

/// An outcome predicted on every posterior draw: the eager side of an [`EffectQuery`].
#[derive(Clone, Debug, PartialEq)]
pub struct Predicted {
    /// The outcome site.
    pub site: &'static str,
    /// Rows: posterior draws (all chains, in order); columns: units.
    pub values: DMatrix<f64>,
    /// The units it describes.
    pub group: Group,
    /// The seed of its random streams.
    pub seed: u64,
}

/// `outcome` under `scenario` on every posterior draw, with the draw's common random numbers
/// for `seed`: what an [`EffectQuery`] side computes lazily, kept for later (an eager side,
/// an observed treatment per draw for [`super::Assignment::PerDraw`]).
pub fn predict<'m, M: Model + 'm, O: Site<Model = M>>(
    posterior: &impl Draws<'m, M>,
    scenario: &Scenario<'_, M>,
    outcome: O,
    seed: u64,
) -> Result<Predicted, EffectError>
where
    O::Value: Outcome,
{
    let _ = outcome;
    let (values, group) = outcome_rows::<M, O>(posterior, &|_, _| Cow::Borrowed(scenario), seed)?;
    Ok(Predicted {
        site: O::NAME,
        values,
        group,
        seed,
    })
}

/// Outcome `O` of the scenario `scenario_of(chain, index)` replayed on every posterior draw
/// with the draw's streams for `seed`, and the group the scenarios describe.
fn outcome_rows<'m, 'a, 's: 'a, M: Model + 'm, O: Site<Model = M>>(
    posterior: &impl Draws<'m, M>,
    scenario_of: &(dyn Fn(usize, usize) -> Cow<'a, Scenario<'s, M>> + Sync),
    seed: u64,
) -> Result<(DMatrix<f64>, Group), EffectError>
where
    O::Value: Outcome,
{
    let fitted = posterior.scenario();
    let rows = for_each_draw(posterior, |chain, index, draw| {
        let scenario = scenario_of(chain, index);
        let trace = replay_draw(&scenario, draw, seed, chain, index)?;
        Ok((O::of_trace(&trace).to_row(), group_of(fitted, &scenario)))
    })?;
    let group = rows.first().map_or(Group::InSample, |r| r.1);
    let rows: Vec<DVector<f64>> = rows.into_iter().map(|r| r.0).collect();
    Ok((rows_to_matrix(&rows)?, group))
}

/// A stochastic policy: given a random stream, the intervention scenario of one draw
/// (`do(treat ~ Bernoulli(p))` draws the treatment of every unit from it).
pub type Policy<'a, 's, M> = &'a (dyn Fn(&mut StdRng) -> Scenario<'s, M> + Sync);

/// One side of an effect query.
pub enum Side<'a, 's, M: Model> {
    /// An intervention scenario, evaluated on every draw by the query.
    Lazy(&'a Scenario<'s, M>),
    /// A stochastic intervention: a scenario drawn per posterior draw from the policy's own
    /// stream (the same for every evaluation with the query's seed).
    Policy(Policy<'a, 's, M>),
    /// An outcome predicted earlier with [`predict`].
    Eager(&'a Predicted),
}

impl<'a, 's, M: Model> From<&'a Scenario<'s, M>> for Side<'a, 's, M> {
    fn from(s: &'a Scenario<'s, M>) -> Self {
        Side::Lazy(s)
    }
}

impl<'a, M: Model> From<&'a Predicted> for Side<'a, '_, M> {
    fn from(p: &'a Predicted) -> Self {
        Side::Eager(p)
    }
}

/// How the two sides' random numbers relate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Pairing {
    /// The same noise streams on both sides, draw by draw (common random numbers): for an
    /// additive-noise outcome the individual effect carries no simulation noise at all.
    #[default]
    Common,
    /// Independent streams per side: each unit's effect then carries the variance of two
    /// independent simulations (twice the outcome noise variance), as when two arms are
    /// simulated separately.
    Independent,
}

/// The seed the control side uses for independent arms.
fn independent_seed(seed: u64) -> u64 {
    mix(seed ^ 0x1D_E9E7_DE47)
}

/// The stream a policy draws its scenario from for one posterior draw.
const POLICY_STREAM: u64 = 0x0090_11C7;

/// The effect of a treated side against a control side on `outcome`, per posterior draw and
/// unit.
///
/// ```text
/// let effects = EffectQuery::new(&posterior, Earnings::SITE.mu_earnings)
///     .treated(&everyone_treated)        // a scenario: evaluated here
///     .control(&predicted_control)       // a Predicted: computed earlier
///     .seed(7)
///     .run()?;
/// ```
pub struct EffectQuery<'q, 's, 'm, M: Model, D: Draws<'m, M>, O> {
    posterior: &'q D,
    outcome: O,
    treated: Option<Side<'q, 's, M>>,
    control: Option<Side<'q, 's, M>>,
    seed: u64,
    pairing: Pairing,
    level: f64,
    fitted: std::marker::PhantomData<&'m ()>,
}

/// A side once evaluated.
struct Evaluated<'a> {
    values: Cow<'a, DMatrix<f64>>,
    group: Group,
    seed: u64,
}

impl<'q, 's, 'm, M, D, O> EffectQuery<'q, 's, 'm, M, D, O>
where
    M: Model + 'm,
    D: Draws<'m, M> + Sync,
    O: Site<Model = M>,
    O::Value: Outcome,
{
    /// A query for the effect on `outcome` (a site handle, `Model::SITE.y`) over
    /// `posterior`'s draws: paired arms, seed 0, 89% intervals until told otherwise.
    pub fn new(posterior: &'q D, outcome: O) -> Self {
        EffectQuery {
            posterior,
            outcome,
            treated: None,
            control: None,
            seed: 0,
            pairing: Pairing::Common,
            level: INTERVAL_PROB,
            fitted: std::marker::PhantomData,
        }
    }

    /// The treated side: a scenario (`&Scenario`) or a prediction (`&Predicted`).
    pub fn treated(mut self, side: impl Into<Side<'q, 's, M>>) -> Self {
        self.treated = Some(side.into());
        self
    }

    /// The control side.
    pub fn control(mut self, side: impl Into<Side<'q, 's, M>>) -> Self {
        self.control = Some(side.into());
        self
    }

    /// The treated side as a stochastic policy.
    pub fn treated_policy(self, policy: Policy<'q, 's, M>) -> Self {
        self.treated(Side::Policy(policy))
    }

    /// The control side as a stochastic policy.
    pub fn control_policy(self, policy: Policy<'q, 's, M>) -> Self {
        self.control(Side::Policy(policy))
    }

    /// The seed of the sides' random streams.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Independent random streams for the two sides instead of common ones
    /// ([`Pairing::Independent`]).
    pub fn independent(mut self) -> Self {
        self.pairing = Pairing::Independent;
        self
    }

    /// The probability the summaries' intervals hold (0.89 by default).
    pub fn interval(mut self, level: f64) -> Self {
        self.level = level;
        self
    }

    /// Evaluates both sides and returns treated − control per draw and unit.
    pub fn run(&self) -> Result<Effects, EffectError> {
        let control_seed = match self.pairing {
            Pairing::Common => self.seed,
            Pairing::Independent => independent_seed(self.seed),
        };
        let treated = self.evaluate("treated", &self.treated, self.seed)?;
        let control = self.evaluate("control", &self.control, control_seed)?;
        if treated.group != control.group {
            return Err(EffectError::GroupMismatch {
                treated: treated.group,
                control: control.group,
            });
        }
        if treated.values.ncols() != control.values.ncols() {
            return Err(EffectError::UnitCount {
                treated: treated.values.ncols(),
                control: control.values.ncols(),
            });
        }
        self.check_pairing(treated.seed, control.seed)?;
        Effects::new(treated.values.as_ref() - control.values.as_ref()).with_level(self.level)
    }

    fn check_pairing(&self, treated: u64, control: u64) -> Result<(), EffectError> {
        let (pairing, hint) = match self.pairing {
            Pairing::Common if treated != control => (
                "paired",
                "predict both sides with the query's seed, or ask for `.independent()`",
            ),
            Pairing::Independent if treated == control => {
                ("independent", "predict the two sides with different seeds")
            }
            _ => return Ok(()),
        };
        Err(EffectError::Pairing {
            treated,
            control,
            pairing,
            hint,
        })
    }

    fn evaluate<'e>(
        &'e self,
        side_name: &'static str,
        side: &'e Option<Side<'q, 's, M>>,
        seed: u64,
    ) -> Result<Evaluated<'e>, EffectError> {
        let lazy = |scenario_of: &(dyn Fn(usize, usize) -> Cow<'e, Scenario<'s, M>> + Sync)| {
            let (values, group) = outcome_rows::<M, O>(self.posterior, scenario_of, seed)?;
            Ok(Evaluated {
                values: Cow::Owned(values),
                group,
                seed,
            })
        };
        match side {
            None => Err(EffectError::MissingSide { side: side_name }),
            Some(Side::Lazy(scenario)) => lazy(&|_, _| Cow::Borrowed(*scenario)),
            Some(Side::Policy(policy)) => lazy(&|chain, index| {
                let stream = mix(draw_seed(seed, chain, index) ^ POLICY_STREAM);
                Cow::Owned(policy(&mut StdRng::seed_from_u64(stream)))
            }),
            Some(Side::Eager(predicted)) => self.eager(side_name, predicted),
        }
    }

    fn eager<'e>(
        &self,
        side: &'static str,
        predicted: &'e Predicted,
    ) -> Result<Evaluated<'e>, EffectError> {
        let _ = &self.outcome;
        if predicted.site != O::NAME {
            return Err(EffectError::SiteMismatch {
                side,
                expected: O::NAME,
                found: predicted.site,
            });
        }
        let draws: usize = self.posterior.draws().iter().map(Vec::len).sum();
        if predicted.values.nrows() != draws {
            return Err(EffectError::DrawCount {
                side,
                expected: draws,
                found: predicted.values.nrows(),
            });
        }
        Ok(Evaluated {
            values: Cow::Borrowed(&predicted.values),
            group: predicted.group,
            seed: predicted.seed,
        })
    }
}
