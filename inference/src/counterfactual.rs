//! Counterfactuals for observed units: abduction of each unit's noise, then the same noise
//! replayed under an intervention.
//!
//! An interventional effect ([`crate::EffectQuery`]) asks what the model predicts for
//! a unit like this one under `do(·)`: its noise is drawn afresh (shared between the two
//! arms). A counterfactual asks what *this* unit's value would have been: the noise is the
//! one its observed value implies. Per posterior draw, the factual world is run with the
//! draw's latent values and the data, and every site downstream of the intervention records
//! the noise behind its value (ε = (y − μ)/σ for a Normal; on ln y for a LogNormal); the
//! intervened world then rebuilds those sites from that noise (see
//! [`doppl_runtime::handler::Abduct`]). Sites upstream of the intervention keep their
//! values. This is the twin-world query on top of the single-world semantics of the handler
//! stack: each world alone is an ordinary scenario; the noise is what they share.
//!
//! A site downstream of the intervention whose family does not determine its noise
//! (Bernoulli, Poisson) makes the query fail with [`ModelError::NoAbduction`]: no single
//! counterfactual exists there, and answering with the interventional one silently would
//! be wrong.

use crate::draws::Draws;
use crate::effect::{EffectError, Effects, for_each_draw, rows_to_matrix};
use crate::predictive::draw_seed;
use doppl_runtime::graph::Graph;
use doppl_runtime::handler::{Abduct, Abducted, Replay, SiteStreams};
use doppl_runtime::{Model, Scenario};
use nalgebra::{DMatrix, DVector};

#[cfg(doc)]
use doppl_runtime::ModelError;

/// Factual and counterfactual outcomes of the observed units, per posterior draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Counterfactuals {
    /// The outcome in the factual world (the observed value for an observed outcome); rows:
    /// posterior draws (all chains), columns: units.
    pub factual: DMatrix<f64>,
    /// The outcome each unit would have had under the intervention.
    pub counterfactual: DMatrix<f64>,
}

impl Counterfactuals {
    /// Counterfactual minus factual, per draw and unit: the effect of the intervention on
    /// each observed unit.
    pub fn effects(&self) -> Effects {
        Effects::new(&self.counterfactual - &self.factual)
    }
}

/// The counterfactual `outcome` of the units of `factual` (a scenario conditioned on what
/// was observed of them, usually the fitted one) under the interventions of `intervened`
/// (its conditions are not used), on every posterior draw.
///
/// The crate docs of `doppl` ("Causal queries") show one computed by hand.
pub fn counterfactual<'m, M: Model, V: Into<DVector<f64>>>(
    posterior: &impl Draws<'m, M>,
    factual: &Scenario<'_, M>,
    intervened: &Scenario<'_, M>,
    outcome: impl Fn(&M::Trace<f64>) -> V + Sync,
    seed: u64,
) -> Result<Counterfactuals, EffectError> {
    let affected =
        Graph::new(M::SITES).downstream(&M::interventions_mask(&intervened.interventions));
    let mut world = factual.with_interventions(intervened.interventions.clone());
    M::clear_sites(&mut world.conditions, &affected);
    let pairs = for_each_draw(posterior, |chain, index, draw| {
        let streams = || SiteStreams::new(draw_seed(seed, chain, index));
        let abduct = Abduct::new(affected.clone(), streams());
        let (seen, abduct) = factual.run_with::<f64, _>(Replay::new(draw, abduct))?;
        let noise = abduct.inner.into_noise();
        let mut kept = draw.clone();
        M::clear_sites(&mut kept, &affected);
        let replay = Replay::new(&kept, Abducted::new(&noise, streams()));
        let (imagined, _) = world.run_with::<f64, _>(replay)?;
        Ok((outcome(&seen).into(), outcome(&imagined).into()))
    })?;
    let (seen, imagined): (Vec<DVector<f64>>, Vec<DVector<f64>>) = pairs.into_iter().unzip();
    let (factual, counterfactual) = (rows_to_matrix(&seen)?, rows_to_matrix(&imagined)?);
    if factual.shape() != counterfactual.shape() {
        return Err(EffectError::OutcomeLength {
            treated: counterfactual.ncols(),
            control: factual.ncols(),
            draw: 0,
        });
    }
    Ok(Counterfactuals {
        factual,
        counterfactual,
    })
}
