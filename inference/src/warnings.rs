//! [`Warning`]: why a fit's draws should not be trusted yet, as a typed list.
//!
//! Every summary ends with them ([`crate::Summary`]'s `Display`), so that nobody has to ask.
//! Thresholds: R-hat ≥ 1.01 and bulk or tail ESS below 100 per chain (Vehtari, Gelman,
//! Simpson, Carpenter & Bürkner 2021, "Rank-normalization, folding, and localization: an
//! improved R-hat", Bayesian Analysis 16(2), §4); E-BFMI below 0.3 and any divergence or
//! saturated tree depth (Stan's `diagnose`, Betancourt 2016). R-hat is not judged for draws
//! that are independent by construction ([`crate::Draws::independent_draws`]).

use crate::summary::SummaryRow;
use std::fmt;

/// R-hat at or above this says the chains disagree (Vehtari et al. 2021).
pub const MAX_RHAT: f64 = 1.01;
/// Fewer effective draws than this per chain make the interval's ends unreliable (Vehtari et
/// al. 2021 recommend 100 per chain for bulk and tail ESS).
pub const MIN_ESS_PER_CHAIN: f64 = 100.0;

/// Which effective sample size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EssKind {
    /// Of the rank-normalized draws (the centre of the distribution).
    Bulk,
    /// Of the 5% and 95% quantile indicators (the interval's ends).
    Tail,
}

/// A reason to distrust a fit.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Warning {
    /// A component's chains disagree.
    HighRhat {
        /// The component (`beta[2]`).
        component: String,
        /// Its R-hat.
        rhat: f64,
    },
    /// A component has too few effective draws.
    LowEss {
        /// The component.
        component: String,
        /// Bulk or tail.
        kind: EssKind,
        /// Its effective sample size.
        ess: f64,
        /// The minimum (100 per chain).
        needed: f64,
    },
    /// Post-warm-up transitions diverged.
    Divergences {
        /// How many.
        count: usize,
        /// Out of how many transitions.
        of: usize,
    },
    /// Transitions stopped at the maximum tree depth.
    MaxDepth {
        /// How many.
        count: usize,
        /// Out of how many transitions.
        of: usize,
        /// The depth.
        depth: usize,
    },
    /// A chain's energy was explored poorly.
    LowEbfmi {
        /// The chain.
        chain: usize,
        /// Its E-BFMI.
        e_bfmi: f64,
    },
    /// A chain failed and is missing from the draws.
    FailedChain {
        /// What failed, with its causes.
        message: String,
    },
    /// Variational steps were skipped (non-finite ELBO or gradient).
    SkippedSteps {
        /// How many.
        count: usize,
        /// Out of how many steps.
        of: usize,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::HighRhat { component, rhat } => write!(
                f,
                "R-hat of {component} is {rhat:.3} (≥ {MAX_RHAT}): the chains disagree; run \
                 longer or reparameterize before using the draws"
            ),
            Warning::LowEss {
                component,
                kind,
                ess,
                needed,
            } => write!(
                f,
                "{} ESS of {component} is {ess:.0} (< {needed:.0}): too few effective draws for \
                 reliable {}; run longer",
                match kind {
                    EssKind::Bulk => "bulk",
                    EssKind::Tail => "tail",
                },
                match kind {
                    EssKind::Bulk => "means",
                    EssKind::Tail => "interval ends",
                }
            ),
            Warning::Divergences { count, of } => write!(
                f,
                "{count} of {of} transitions diverged: the draws may be biased \
                 (sampler_report() says more)"
            ),
            Warning::MaxDepth { count, of, depth } => write!(
                f,
                "{count} of {of} transitions hit the maximum tree depth {depth}: exploration \
                 was cut short"
            ),
            Warning::LowEbfmi { chain, e_bfmi } => write!(
                f,
                "chain {chain}: E-BFMI {e_bfmi:.3} (< 0.3): the energy distribution was \
                 explored poorly"
            ),
            Warning::FailedChain { message } => write!(f, "a chain is missing: {message}"),
            Warning::SkippedSteps { count, of } => write!(
                f,
                "{count} of {of} optimization steps were skipped (non-finite ELBO or gradient)"
            ),
        }
    }
}

/// The R-hat and ESS warnings of summary rows over `chains` chains (the worst component of
/// each kind, so that a vector site does not print a hundred lines).
pub fn row_warnings(rows: &[SummaryRow], chains: usize) -> Vec<Warning> {
    let needed = MIN_ESS_PER_CHAIN * chains as f64;
    let finite = |x: f64| x.is_finite();
    let worst = |key: fn(&SummaryRow) -> f64, high: bool| {
        rows.iter().filter(|r| finite(key(r))).max_by(|a, b| {
            let (x, y) = (key(a), key(b));
            if high {
                x.total_cmp(&y)
            } else {
                y.total_cmp(&x)
            }
        })
    };
    let mut out = Vec::new();
    if let Some(r) = worst(|r| r.rhat, true).filter(|r| r.rhat >= MAX_RHAT) {
        out.push(Warning::HighRhat {
            component: r.name.clone(),
            rhat: r.rhat,
        });
    }
    for (kind, key) in [
        (
            EssKind::Bulk,
            (|r: &SummaryRow| r.ess_bulk) as fn(&SummaryRow) -> f64,
        ),
        (EssKind::Tail, |r: &SummaryRow| r.ess_tail),
    ] {
        if let Some(r) = worst(key, false).filter(|r| key(r) < needed) {
            out.push(Warning::LowEss {
                component: r.name.clone(),
                kind,
                ess: key(r),
                needed,
            });
        }
    }
    out
}
