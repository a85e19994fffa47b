//! Model comparison by approximate leave-one-out cross-validation: the pointwise
//! log-likelihood of a fit ([`pointwise_log_likelihood`]), PSIS-LOO ([`loo`]) and the
//! comparison of several models ([`compare`]), with the numbers ArviZ's `loo` / `compare`
//! report.

mod psis;

use crate::draws::Draws;
use crate::effect::{EffectError, for_each_draw};
use doppl_runtime::handler::{Pointwise, Replay};
use doppl_runtime::{Model, ModelError};
use nalgebra::DMatrix;
use std::fmt;

/// The Pareto k̂ above which an observation's importance-sampling estimate is unreliable
/// with `draws` draws: min(1 − 1/log₁₀ S, 0.7) (Vehtari et al. 2024, §3.2.4; 0.7 from
/// S ≈ 2,200 draws on).
pub fn khat_threshold(draws: usize) -> f64 {
    (1.0 - 1.0 / (draws as f64).log10()).min(0.7)
}

/// What can go wrong in LOO.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LooError {
    /// Running the model on a draw failed.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The fit observes nothing: there is no likelihood to cross-validate.
    #[error(
        "the fitted scenario observes no `sample!` site: LOO needs observed data (condition \
         the model on it)"
    )]
    NoObservations,
    /// Fewer draws than PSIS needs.
    #[error("LOO needs at least 10 posterior draws, the fit has {draws}")]
    TooFewDraws {
        /// Draws available.
        draws: usize,
    },
    /// Models compared on different data.
    #[error(
        "model `{name}` has {found} observations but `{first}` has {expected}: compare models \
         fitted to the same data"
    )]
    DifferentData {
        /// The first model.
        first: String,
        /// Its observation count.
        expected: usize,
        /// The model that differs.
        name: String,
        /// Its observation count.
        found: usize,
    },
    /// A relative efficiency outside (0, ∞).
    #[error("the relative efficiency r_eff is {reff}; it must be finite and > 0")]
    Reff {
        /// The value given.
        reff: f64,
    },
}

impl From<EffectError> for LooError {
    fn from(e: EffectError) -> Self {
        match e {
            EffectError::Model(m) => LooError::Model(m),
            _ => LooError::NoObservations,
        }
    }
}

/// ln p(yᵢ | θₛ) per posterior draw (rows, all chains in order) and observed element
/// (columns: the observed sites in model order, each element in plate order).
#[derive(Clone, Debug, PartialEq)]
pub struct PointwiseLogLik {
    /// The observed sites and how many columns each has.
    pub sites: Vec<(&'static str, usize)>,
    /// Draws × observations.
    pub values: DMatrix<f64>,
    /// Draws per chain (for the chain dimension of ArviZ's arrays).
    pub chain_lengths: Vec<usize>,
}

impl PointwiseLogLik {
    /// The columns of one observed site, for comparing models that observe more than the
    /// outcome (a measured covariate) on the outcome alone; `None` if the site is not
    /// observed.
    pub fn site(&self, name: &str) -> Option<PointwiseLogLik> {
        let mut start = 0;
        for &(site, len) in &self.sites {
            if site == name {
                return Some(PointwiseLogLik {
                    sites: vec![(site, len)],
                    values: self.values.columns(start, len).into_owned(),
                    chain_lengths: self.chain_lengths.clone(),
                });
            }
            start += len;
        }
        None
    }
}

/// The pointwise log-likelihood of a fit: every posterior draw replayed on the fitted
/// scenario, each observed element scored on its own.
pub fn pointwise_log_likelihood<'m, M: Model + 'm>(
    fit: &impl Draws<'m, M>,
) -> Result<PointwiseLogLik, LooError> {
    let scenario = fit.scenario();
    let rows = for_each_draw(fit, |_, _, draw| {
        let (_, recorded) = scenario.run_with::<f64, _>(Replay::new(draw, Pointwise::default()))?;
        Ok(recorded.inner.sites)
    })?;
    let first = rows.first().ok_or(LooError::TooFewDraws { draws: 0 })?;
    let sites: Vec<(&'static str, usize)> = first.iter().map(|(s, v)| (*s, v.len())).collect();
    let columns: usize = sites.iter().map(|(_, n)| n).sum();
    if columns == 0 {
        return Err(LooError::NoObservations);
    }
    let flat: Vec<f64> = rows
        .iter()
        .flat_map(|r| r.iter().flat_map(|(_, v)| v.iter().copied()))
        .collect();
    Ok(PointwiseLogLik {
        sites,
        values: DMatrix::from_row_slice(rows.len(), columns, &flat),
        chain_lengths: fit.draws().iter().map(Vec::len).collect(),
    })
}

/// The relative efficiency of a fit's draws for PSIS: the mean over its latent components
/// of ESS_mean / S (as ArviZ's `loo` computes `reff` when not given; 1 for independent
/// draws). It sets the length of the smoothed tail.
pub fn relative_efficiency<'m, M: Model + 'm>(fit: &impl Draws<'m, M>) -> f64 {
    let latent: Vec<&str> = fit.layout().blocks.iter().map(|b| b.site).collect();
    let columns = crate::summary::component_draws::<M>(fit.draws(), |s| latent.contains(&s));
    let total: usize = fit.draws().iter().map(Vec::len).sum();
    if columns.is_empty() || total == 0 || fit.draws().len() < 2 {
        return 1.0;
    }
    let ess: Vec<f64> = columns
        .iter()
        .map(|(_, chains)| crate::diagnostics::ess_mean(chains))
        .filter(|e| e.is_finite())
        .collect();
    match ess.is_empty() {
        true => 1.0,
        false => ess.iter().sum::<f64>() / ess.len() as f64 / total as f64,
    }
}

/// PSIS-LOO of one model.
#[derive(Clone, Debug, PartialEq)]
pub struct Loo {
    /// Expected log pointwise predictive density, Σᵢ elpdᵢ.
    pub elpd_loo: f64,
    /// Its standard error, √(n · var(elpdᵢ)).
    pub se: f64,
    /// Effective number of parameters: lppd − elpd_loo.
    pub p_loo: f64,
    /// elpdᵢ per observation.
    pub pointwise: Vec<f64>,
    /// Pareto k̂ per observation.
    pub khat: Vec<f64>,
    /// The k̂ above which an observation is flagged ([`khat_threshold`]).
    pub khat_threshold: f64,
}

impl Loo {
    /// The observations whose k̂ exceeds the threshold.
    pub fn unreliable(&self) -> Vec<usize> {
        (0..self.khat.len())
            .filter(|&i| self.khat[i] > self.khat_threshold)
            .collect()
    }

    /// The largest k̂.
    pub fn max_khat(&self) -> f64 {
        self.khat.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }
}

impl fmt::Display for Loo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "elpd_loo {:.2} (se {:.2}), p_loo {:.2}, max k̂ {:.2}",
            self.elpd_loo,
            self.se,
            self.p_loo,
            self.max_khat()
        )?;
        let bad = self.unreliable().len();
        if bad > 0 {
            let t = self.khat_threshold;
            write!(
                f,
                "; {bad} observations with k̂ > {t:.2}: LOO is unreliable there"
            )?;
        }
        Ok(())
    }
}

/// PSIS-LOO from a pointwise log-likelihood; `reff` is the relative efficiency of the
/// draws (ESS / draws; 1 for independent draws), which sets the tail length.
pub fn loo(ll: &PointwiseLogLik, reff: f64) -> Result<Loo, LooError> {
    if !(reff.is_finite() && reff > 0.0) {
        return Err(LooError::Reff { reff });
    }
    let (draws, n) = ll.values.shape();
    if draws < 10 {
        return Err(LooError::TooFewDraws { draws });
    }
    let ln_draws = (draws as f64).ln();
    let (mut pointwise, mut khat, mut lppd) = (Vec::new(), Vec::new(), 0.0);
    for i in 0..n {
        let column: Vec<f64> = ll.values.column(i).iter().copied().collect();
        let ratios: Vec<f64> = column.iter().map(|v| -v).collect();
        let smoothed = psis::smooth(&ratios, reff);
        let weighted: Vec<f64> = smoothed
            .log_weights
            .iter()
            .zip(&column)
            .map(|(w, l)| w + l)
            .collect();
        pointwise.push(psis::log_sum_exp(&weighted));
        khat.push(smoothed.khat);
        lppd += psis::log_sum_exp(&column) - ln_draws;
    }
    let elpd_loo: f64 = pointwise.iter().sum();
    Ok(Loo {
        elpd_loo,
        se: standard_error_of_sum(&pointwise),
        p_loo: lppd - elpd_loo,
        pointwise,
        khat,
        khat_threshold: khat_threshold(draws),
    })
}

/// √(n · var(x)), the standard error of Σ x, with the variance over n (as ArviZ and the
/// loo package compute it).
fn standard_error_of_sum(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    x.iter().map(|v| (v - mean).powi(2)).sum::<f64>().sqrt()
}

/// One row of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked {
    /// The model's name.
    pub name: String,
    /// Its rank (0 = best).
    pub rank: usize,
    /// Its LOO.
    pub loo: Loo,
    /// elpd_loo of the best model minus this one's (0 for the best).
    pub elpd_diff: f64,
    /// The standard error of that difference, √(n · var(elpdᵢ(best) − elpdᵢ(this))).
    pub dse: f64,
}

/// Ranks models fitted to the same data by elpd_loo, best first, with the differences to
/// the best and their standard errors (as ArviZ's `compare`).
pub fn compare(models: &[(&str, &Loo)]) -> Result<Vec<Ranked>, LooError> {
    let Some((first, first_loo)) = models.first() else {
        return Ok(Vec::new());
    };
    for (name, l) in models {
        if l.pointwise.len() != first_loo.pointwise.len() {
            return Err(LooError::DifferentData {
                first: first.to_string(),
                expected: first_loo.pointwise.len(),
                name: name.to_string(),
                found: l.pointwise.len(),
            });
        }
    }
    let mut order: Vec<usize> = (0..models.len()).collect();
    order.sort_by(|&a, &b| models[b].1.elpd_loo.total_cmp(&models[a].1.elpd_loo));
    let best = models[order[0]].1;
    Ok(order
        .iter()
        .enumerate()
        .map(|(rank, &m)| {
            let (name, l) = models[m];
            let diffs: Vec<f64> = best
                .pointwise
                .iter()
                .zip(&l.pointwise)
                .map(|(b, x)| b - x)
                .collect();
            Ranked {
                name: name.to_string(),
                rank,
                loo: l.clone(),
                elpd_diff: best.elpd_loo - l.elpd_loo,
                dse: if rank == 0 {
                    0.0
                } else {
                    standard_error_of_sum(&diffs)
                },
            }
        })
        .collect())
}
