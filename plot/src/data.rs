//! What the draw-based plots read: named parameters with their draws per chain, taken from
//! any fit, and the checks that turn bad draws into a [`PlotError`] before drawing.

use crate::PlotError;
use doppl_inference::{Draws, Posterior};
use doppl_runtime::Model;

/// One scalar parameter (a component of a site: `sigma`, `beta_cov[2]`) and its draws,
/// `chains[chain][draw]`.
///
/// Plain data, so that draws read from a CmdStan CSV or built by hand plot like a fit's.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Stan-style name, as the summary prints it.
    pub name: String,
    /// Draws per chain, in iteration order.
    pub chains: Vec<Vec<f64>>,
}

impl Parameter {
    /// A parameter from its name and draws per chain.
    pub fn new(name: impl Into<String>, chains: Vec<Vec<f64>>) -> Self {
        Parameter {
            name: name.into(),
            chains,
        }
    }

    /// All draws of all chains in one list.
    pub fn pooled(&self) -> Vec<f64> {
        self.chains.iter().flatten().copied().collect()
    }
}

/// The latent parameters of a fit (NUTS or variational), one entry per scalar component,
/// named and ordered as in `fit.summary()`.
pub fn parameters<'m, M: Model, D: Draws<'m, M> + ?Sized>(fit: &D) -> Vec<Parameter> {
    let latent: Vec<&str> = fit.layout().blocks.iter().map(|b| b.site).collect();
    doppl_inference::summary::component_draws::<M>(fit.draws(), |site| latent.contains(&site))
        .into_iter()
        .map(|(name, chains)| Parameter { name, chains })
        .collect()
}

/// The Hamiltonian energy of every post-warm-up transition, per finished chain: the input of
/// [`crate::energy_plot`].
pub fn energies<M: Model>(posterior: &Posterior<'_, M>) -> Vec<Vec<f64>> {
    posterior
        .output
        .successful()
        .map(|chain| chain.stats.iter().map(|s| s.energy).collect())
        .collect()
}

/// The parameters named in `names` (all of them when `names` is empty), in the order asked,
/// each checked: at least one chain, no empty chain, every draw finite.
pub(crate) fn select<'p>(
    parameters: &'p [Parameter],
    names: &[&str],
) -> Result<Vec<&'p Parameter>, PlotError> {
    let chosen: Vec<&Parameter> = if names.is_empty() {
        parameters.iter().collect()
    } else {
        names
            .iter()
            .map(|name| {
                parameters.iter().find(|p| p.name == *name).ok_or_else(|| {
                    PlotError::UnknownParameter {
                        name: name.to_string(),
                        known: parameters.iter().map(|p| p.name.clone()).collect(),
                    }
                })
            })
            .collect::<Result<_, _>>()?
    };
    if chosen.is_empty() {
        return Err(PlotError::NoDraws {
            what: "no parameters".to_string(),
        });
    }
    for parameter in &chosen {
        check_chains(&parameter.name, &parameter.chains)?;
    }
    Ok(chosen)
}

/// Checks draws per chain: at least one chain, no empty chain, every value finite.
pub(crate) fn check_chains(name: &str, chains: &[Vec<f64>]) -> Result<(), PlotError> {
    if chains.is_empty() {
        return Err(PlotError::NoDraws {
            what: format!("`{name}` has no chains"),
        });
    }
    for (c, chain) in chains.iter().enumerate() {
        if chain.is_empty() {
            return Err(PlotError::EmptyChain {
                parameter: name.to_string(),
                chain: c,
            });
        }
        check_finite(name, Some(c), chain)?;
    }
    Ok(())
}

/// Checks that every value of a series is finite.
pub(crate) fn check_finite(
    name: &str,
    chain: Option<usize>,
    values: &[f64],
) -> Result<(), PlotError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(draw) => Err(PlotError::NonFinite {
            parameter: name.to_string(),
            chain,
            draw,
            value: values[draw],
        }),
        None => Ok(()),
    }
}
