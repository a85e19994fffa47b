//! The SBC study's replicates: the key (which model, which simulation), what a fit returns
//! (a rank per parameter and the fit's diagnostics), and the step shared by every model from
//! a fit's draws to its row.

use crate::lalonde::Variant;
use crate::{dose, lalonde, scale};
use doppl::batch::serde::{Deserialize, Serialize};
use doppl::batch::{Columns, Study, format_f64, rank_of};
use doppl::inference::diagnostics::{ess_bulk, rhat};
use doppl::prelude::*;
use std::marker::PhantomData;

/// What is simulated and fitted. The two controls are wrong on purpose: SBC must flag them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(crate = "doppl::batch::serde")]
pub enum Model {
    /// The Lalonde outcome model, data simulated from its own prior.
    Lalonde,
    /// Negative control: the Lalonde model fitted to data whose coefficients and noise
    /// were drawn from priors twice as wide as the fitted model's.
    WiderPrior,
    /// Negative control: a scale fitted without the log-Jacobian of its log transform
    /// (examples/sbc/scale.rs).
    NoJacobian,
    /// Negative control: the Lalonde model's data with Student-t(3) noise, fitted with its
    /// Normal likelihood.
    StudentNoise,
    /// The dose-response model under do(dose = the trial's doses).
    Dose,
    /// Negative control: data simulated under do(dose), fitted as if the doses had been
    /// observed under their natural, severity-driven mechanism.
    DoseAsObserved,
}

impl Model {
    /// All of them, in the order they are reported.
    pub const ALL: [Model; 6] = [
        Model::Lalonde,
        Model::WiderPrior,
        Model::NoJacobian,
        Model::StudentNoise,
        Model::Dose,
        Model::DoseAsObserved,
    ];

    /// The name used in file names and the summary.
    pub fn name(self) -> &'static str {
        match self {
            Model::Lalonde => "lalonde",
            Model::WiderPrior => "lalonde_wider_prior",
            Model::NoJacobian => "scale_no_jacobian",
            Model::StudentNoise => "lalonde_student_noise",
            Model::Dose => "dose_intervened",
            Model::DoseAsObserved => "dose_as_observed",
        }
    }

    /// The ranked parameters.
    pub fn parameters(self) -> &'static [&'static str] {
        match self {
            Model::Lalonde | Model::WiderPrior | Model::StudentNoise => lalonde::PARAMETERS,
            Model::NoJacobian => scale::PARAMETERS,
            Model::Dose | Model::DoseAsObserved => dose::PARAMETERS,
        }
    }

    /// Whether SBC should flag it (a negative control).
    pub fn is_control(self) -> bool {
        !matches!(self, Model::Lalonde | Model::Dose)
    }
}

/// A replicate: the model and the simulation index.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(crate = "doppl::batch::serde")]
pub struct Sim {
    pub model: Model,
    pub sim: u64,
}

impl Columns for Sim {
    fn columns() -> Vec<&'static str> {
        vec!["model", "sim"]
    }

    fn values(&self) -> Vec<String> {
        vec![self.model.name().to_string(), self.sim.to_string()]
    }
}

/// How long the chains are and how many draws the ranks use.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Chains {
    pub chains: usize,
    pub warmup: usize,
    pub draws: usize,
    /// L: each prior draw is ranked among this many thinned posterior draws (0..=L).
    pub max_rank: usize,
}

impl Chains {
    /// 2 chains × (300 warm-up + 200 draws), ranks among 99 draws (100 rank values, so that
    /// 20 bins and 100 ECDF points divide them evenly); `quick`: 150 + 100, 49 draws.
    pub fn new(quick: bool) -> Self {
        if quick {
            Chains {
                chains: 2,
                warmup: 150,
                draws: 100,
                max_rank: 49,
            }
        } else {
            Chains {
                chains: 2,
                warmup: 300,
                draws: 200,
                max_rank: 99,
            }
        }
    }

    /// NUTS options: one thread per fit (the workers are the parallelism), no progress.
    pub fn options(&self, seed: u64) -> NutsOptions {
        NutsOptions {
            seed,
            num_chains: self.chains,
            num_warmup: self.warmup,
            num_draws: self.draws,
            num_threads: Some(1),
            progress: false,
            ..Default::default()
        }
    }
}

/// One fit's row: the rank of each parameter's prior draw, and whether the fit is to be
/// trusted (a bad fit also makes ranks non-uniform; the diagnostics tell the two apart).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "doppl::batch::serde")]
pub struct SbcFit {
    pub ranks: Vec<usize>,
    pub divergences: usize,
    pub max_rhat: f64,
    pub min_ess: f64,
}

/// What a model's replicate hands back before ranking: per parameter the value drawn for
/// the simulation and its posterior draws per chain.
pub struct Fitted {
    pub truths: Vec<f64>,
    /// `draws[parameter][chain][draw]`.
    pub draws: Vec<Vec<Vec<f64>>>,
    pub divergences: usize,
}

impl Fitted {
    /// Ranks among `max_rank` draws thinned from all chains, max R-hat and min bulk ESS.
    pub fn into_row(self, max_rank: usize) -> Result<SbcFit, String> {
        let mut ranks = Vec::with_capacity(self.truths.len());
        let (mut max_rhat, mut min_ess) = (f64::NEG_INFINITY, f64::INFINITY);
        for (truth, chains) in self.truths.iter().zip(&self.draws) {
            let pooled: Vec<f64> = chains.concat();
            ranks.push(rank_of(*truth, &pooled, max_rank).map_err(|e| e.to_string())?);
            max_rhat = max_rhat.max(rhat(chains));
            min_ess = min_ess.min(ess_bulk(chains));
        }
        Ok(SbcFit {
            ranks,
            divergences: self.divergences,
            max_rhat,
            min_ess,
        })
    }
}

/// The study: `models` × `sims` simulations in one run (so that the workers stay busy
/// across models), each replicate seeded from (`seed`, key) only.
pub fn sbc_study(models: &[Model], sims: u64, seed: u64, chains: Chains) -> Study<Sim, SbcFit> {
    let keys = models
        .iter()
        .flat_map(|&model| (0..sims).map(move |sim| Sim { model, sim }))
        .collect();
    Study::new(keys, seed, move |key: &Sim, seed| {
        replicate(key, seed, &chains)
    })
}

/// Runs one replicate of `key` from `seed`.
pub fn replicate(key: &Sim, seed: u64, chains: &Chains) -> Result<SbcFit, String> {
    let fitted = match key.model {
        Model::Lalonde => lalonde::replicate(seed, chains, Variant::Calibrated),
        Model::WiderPrior => lalonde::replicate(seed, chains, Variant::WiderPrior(2.0)),
        Model::NoJacobian => scale::replicate(seed, chains),
        Model::StudentNoise => lalonde::replicate(seed, chains, Variant::StudentNoise(3.0)),
        Model::Dose => dose::replicate(seed, chains, false),
        Model::DoseAsObserved => dose::replicate(seed, chains, true),
    }?;
    fitted.into_row(chains.max_rank)
}

/// The draws of element `j` of a vector site, per chain.
pub fn element(chains: &[Vec<DVector<f64>>], j: usize) -> Vec<Vec<f64>> {
    chains
        .iter()
        .map(|chain| chain.iter().map(|v| v[j]).collect())
        .collect()
}

/// A fit's rows with named rank columns, for the CSV: `P` says which model's parameters.
pub struct Named<P>(pub SbcFit, PhantomData<P>);

impl<P> Named<P> {
    pub fn new(fit: SbcFit) -> Self {
        Named(fit, PhantomData)
    }
}

/// The parameter names of a family of models, as CSV columns.
pub trait Parameters {
    const COLUMNS: &'static [&'static str];
}

impl<P: Parameters> Columns for Named<P> {
    fn columns() -> Vec<&'static str> {
        let mut names = P::COLUMNS.to_vec();
        names.extend(["divergences", "max_rhat", "min_ess_bulk"]);
        names
    }

    fn values(&self) -> Vec<String> {
        let mut values: Vec<String> = self.0.ranks.iter().map(usize::to_string).collect();
        values.extend([
            self.0.divergences.to_string(),
            format_f64(self.0.max_rhat),
            format_f64(self.0.min_ess),
        ]);
        values
    }
}
