//! [`Draws`]: posterior draws of a model's sites, whatever produced them (NUTS chains, a
//! fitted variational guide), so that summaries, predictive simulation and effects work the
//! same on every fit.

use crate::summary::{Summary, summarize_sites};
use crate::warnings::{Warning, row_warnings};
use doppl_runtime::graph::UnknownSite;
use doppl_runtime::handler::Layout;
use doppl_runtime::{Model, Scenario};

/// Draws of a fitted scenario: per chain (a variational fit has one), per draw, the values
/// of the latent and deterministic sites (observed and intervened sites are left out).
pub trait Draws<'m, M: Model> {
    /// The scenario that was fitted.
    fn scenario(&self) -> &Scenario<'m, M>;
    /// `draws()[k][draw]`: the site values of the k-th chain.
    fn draws(&self) -> &[Vec<M::Values>];
    /// The chain number of each entry of [`Draws::draws`] (the random streams of predictive
    /// simulation are keyed by it, so that failed chains do not shift the others').
    fn chain_ids(&self) -> &[usize];
    /// The unconstrained parameter layout (which sites are latent).
    fn layout(&self) -> &Layout;

    /// The draws of one site, typed: `fit.site(|d| &d.sigma)` gives one `f64` per draw,
    /// `fit.site(|d| &d.beta)` one vector per draw; `[chain][draw]`. A site that is
    /// observed or intervened has no draws: the result is then empty.
    fn site<T: Clone>(&self, field: impl Fn(&M::Values) -> &Option<T>) -> Vec<Vec<T>> {
        self.draws()
            .iter()
            .map(|chain| chain.iter().filter_map(|d| field(d).clone()).collect())
            .collect()
    }

    /// All draws of all chains in one list.
    fn all_draws(&self) -> std::iter::Flatten<std::slice::Iter<'_, Vec<M::Values>>> {
        self.draws().iter().flatten()
    }

    /// What the fitting method itself found wrong (divergences, failed chains, skipped
    /// steps); the summaries add the R-hat and ESS warnings of their rows.
    fn fit_warnings(&self) -> Vec<Warning> {
        Vec::new()
    }

    /// The summary of the latent `sample!` sites: mean, sd, 89% interval, bulk and tail
    /// ESS, R-hat, and the fit's warnings ([`Warning`]).
    fn summary(&self) -> Summary {
        let latent: Vec<&str> = self.layout().blocks.iter().map(|b| b.site).collect();
        with_warnings(
            self,
            summarize_sites::<M>(self.draws(), |s| latent.contains(&s)),
        )
    }

    /// The summary of every site with draws, deterministic ones included, and the warnings.
    fn summary_all(&self) -> Summary {
        with_warnings(self, summarize_sites::<M>(self.draws(), |_| true))
    }

    /// The summary of the named sites only (every component of a vector site), like
    /// ArviZ's `var_names`: the globals of a model with a latent per unit, without ranking
    /// and diagnosing ten thousand per-unit components. Rows come in the model's site order;
    /// a site without draws (observed or intervened) has no rows, as in [`Draws::summary`]. A
    /// name that is not a site of the model is an error listing the model's sites.
    fn summary_of(&self, sites: &[&str]) -> Result<Summary, UnknownSite> {
        let known: Vec<&'static str> = M::SITES.iter().map(|s| s.name).collect();
        if let Some(unknown) = sites.iter().find(|s| !known.contains(s)) {
            let site = unknown.to_string();
            return Err(UnknownSite { site, known });
        }
        let summary = summarize_sites::<M>(self.draws(), |s| sites.contains(&s));
        Ok(with_warnings(self, summary))
    }

    /// Whether the draws are independent by construction (draws of a fitted guide), so that
    /// R-hat describes Monte Carlo noise, not convergence: the summaries then raise no R-hat
    /// warning (among 10,000 components of independent draws some R-hat passes 1.01 by
    /// chance). Too few draws for reliable interval ends is still said. NUTS draws are not.
    fn independent_draws(&self) -> bool {
        false
    }
}

/// `summary` with the R-hat / ESS warnings of its rows and the fit's own.
/// The R-hat / ESS warnings also go to the `log` facade (target `doppl::summary`); the
/// fit's own went there when it finished.
fn with_warnings<'m, M: Model, D: Draws<'m, M> + ?Sized>(fit: &D, mut summary: Summary) -> Summary {
    summary.warnings = row_warnings(&summary.rows, fit.draws().len());
    if fit.independent_draws() {
        summary
            .warnings
            .retain(|w| !matches!(w, Warning::HighRhat { .. }));
    }
    for warning in &summary.warnings {
        log::warn!(target: "doppl::summary", "{warning}");
    }
    summary.warnings.extend(fit.fit_warnings());
    summary
}

/// Which sites have no draws in `scenario`: the observed and the intervened ones.
pub(crate) fn not_random<M: Model>(scenario: &Scenario<'_, M>) -> Vec<bool> {
    M::values_mask(&scenario.conditions)
        .iter()
        .zip(M::interventions_mask(&scenario.interventions))
        .map(|(observed, intervened)| *observed || intervened)
        .collect()
}
