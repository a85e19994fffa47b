//! Causal mediation: how much of a treatment's effect runs through each mediator.
//!
//! With `Y(t, m₁, …, m_K)` the outcome when the treatment is set to `t` and mediator `k` to
//! `m_k`, and `M_k(t)` mediator `k` under treatment `t` (same posterior draw, same noise:
//! common random numbers), the effect of `treated` (`t`) against `control` (`t′`) splits as
//!
//! - total: `TE = Y(t, M(t)) − Y(t′, M(t′))`;
//! - natural direct: `NDE = Y(t, M(t′)) − Y(t′, M(t′))`, the treatment changed, every
//!   mediator held at the value it would take under control;
//! - natural indirect through mediator `k`: `NIE_k = Y(t′, M_k(t), M₋ₖ(t′)) − Y(t′, M(t′))`,
//!   the treatment held at control, only mediator `k` moved to its value under treatment;
//! - interaction: `INT = TE − NDE − Σₖ NIE_k`, what the parts miss because the treatment
//!   and the mediators (or the mediators among themselves) interact; zero in a model that
//!   is additive in them.
//!
//! so that `TE = NDE + Σₖ NIE_k + INT` holds per draw and unit. The nested counterfactual
//! `M_k(t′)` inside `Y(t, ·)` is computed by running the model under `do(T = t′)`, reading
//! the mediators, and running it again under `do(T = t, M = those values)`: each world is
//! an ordinary single-world scenario and the noise streams are what they share. Sites not
//! downstream of the treatment keep their conditioned values (observed covariates stay as
//! observed); the mediators and the outcome are simulated.

use crate::draws::Draws;
use crate::effect::{EffectError, Effects, for_each_draw, rows_to_matrix};
use crate::predictive::replay_draw;
use doppl_runtime::graph::Graph;
use doppl_runtime::{Intervention, Model, Scenario, Site};
use nalgebra::{DMatrix, DVector};

/// A site that can serve as a mediator: any site handle of the model (`Model::SITE.m`).
pub trait Mediator<M: Model>: Sync {
    /// The site's name.
    fn name(&self) -> &'static str;
    /// Adds `do(site = its value in values)` to `interventions`.
    fn hold(&self, values: &M::Values, interventions: &mut M::Interventions);
}

impl<T: Site + Sync> Mediator<T::Model> for T {
    fn name(&self) -> &'static str {
        T::NAME
    }
    fn hold(
        &self,
        values: &<T::Model as Model>::Values,
        into: &mut <T::Model as Model>::Interventions,
    ) {
        if let Some(v) = T::get(values) {
            T::set_intervention(into, Intervention::Value(v.clone()));
        }
    }
}

/// The decomposition of a treatment's effect, per posterior draw and unit (see the module
/// docs for the definitions); summarize each part with [`Effects::ate`].
#[derive(Clone, Debug, PartialEq)]
pub struct Mediation {
    /// Total effect.
    pub total: Effects,
    /// Natural direct effect.
    pub direct: Effects,
    /// Natural indirect effect through each mediator, in the order given, with its name.
    pub indirect: Vec<(&'static str, Effects)>,
    /// Interaction: total − direct − Σ indirect.
    pub interaction: Effects,
}

/// One draw's outcomes in the worlds the decomposition needs.
struct Worlds {
    treated: DVector<f64>,
    control: DVector<f64>,
    direct: DVector<f64>,
    indirect: Vec<DVector<f64>>,
}

/// The mediation decomposition of `do(treatment = treated)` against
/// `do(treatment = control)` on `outcome`, through `mediators`, on every posterior draw
/// of `posterior` (its fitted scenario supplies the units and the observed covariates).
pub fn mediation<'m, M: Model + 'm, T: Site<Model = M>, V: Into<DVector<f64>>>(
    posterior: &impl Draws<'m, M>,
    treatment: T,
    mediators: &[&dyn Mediator<M>],
    outcome: impl Fn(&M::Trace<f64>) -> V + Sync,
    treated: T::Value,
    control: T::Value,
    seed: u64,
) -> Result<Mediation, EffectError> {
    let _ = treatment;
    let base = simulated_downstream_of::<M, T>(posterior.scenario());
    // do(treatment = value), and every mediator held at its value in `held` if given.
    let arm = |value: &T::Value, held: Option<&M::Values>| {
        let mut interventions = M::Interventions::default();
        T::set_intervention(&mut interventions, Intervention::Value(value.clone()));
        if let Some(values) = held {
            mediators
                .iter()
                .for_each(|m| m.hold(values, &mut interventions));
        }
        base.with_interventions(interventions)
    };
    let worlds = for_each_draw(posterior, |chain, index, draw| {
        let run = |scenario: &Scenario<'_, M>| replay_draw(scenario, draw, seed, chain, index);
        let (on, off) = (run(&arm(&treated, None))?, run(&arm(&control, None))?);
        let (on_values, off_values) = (M::values_of(&on), M::values_of(&off));
        let direct = run(&arm(&treated, Some(&off_values)))?;
        let indirect = (0..mediators.len())
            .map(|k| {
                let mut scenario = arm(&control, Some(&off_values));
                mediators[k].hold(&on_values, &mut scenario.interventions);
                Ok(outcome(&run(&scenario)?).into())
            })
            .collect::<Result<Vec<DVector<f64>>, EffectError>>()?;
        Ok(Worlds {
            treated: outcome(&on).into(),
            control: outcome(&off).into(),
            direct: outcome(&direct).into(),
            indirect,
        })
    })?;
    decompose(&worlds, mediators)
}

/// The fitted scenario with the conditions on the treatment's descendants dropped: those
/// sites are simulated in every world.
fn simulated_downstream_of<'s, M: Model, T: Site<Model = M>>(
    fitted: &Scenario<'s, M>,
) -> Scenario<'s, M> {
    let mut marks = vec![false; M::SITES.len()];
    marks[T::INDEX] = true;
    let downstream = Graph::new(M::SITES).downstream(&marks);
    let mut base = fitted.clone();
    M::clear_sites(&mut base.conditions, &downstream);
    base
}

/// The per-draw worlds as the decomposition's matrices.
fn decompose<M: Model>(
    worlds: &[Worlds],
    mediators: &[&dyn Mediator<M>],
) -> Result<Mediation, EffectError> {
    let matrix = |f: &dyn Fn(&Worlds) -> DVector<f64>| -> Result<DMatrix<f64>, EffectError> {
        rows_to_matrix(&worlds.iter().map(f).collect::<Vec<_>>())
    };
    let control = matrix(&|w| w.control.clone())?;
    let total = matrix(&|w| w.treated.clone())? - &control;
    let direct = matrix(&|w| w.direct.clone())? - &control;
    let mut interaction = &total - &direct;
    let mut indirect = Vec::with_capacity(mediators.len());
    for (k, m) in mediators.iter().enumerate() {
        let through = matrix(&|w| w.indirect[k].clone())? - &control;
        interaction -= &through;
        indirect.push((m.name(), Effects::new(through)));
    }
    if total.shape() != control.shape() || direct.shape() != control.shape() {
        return Err(EffectError::OutcomeLength {
            treated: total.ncols(),
            control: control.ncols(),
            draw: 0,
        });
    }
    Ok(Mediation {
        total: Effects::new(total),
        direct: Effects::new(direct),
        indirect,
        interaction: Effects::new(interaction),
    })
}
