//! CmdStan CSV files, one per chain, optionally carrying the pointwise log-likelihood and
//! replicated data as generated quantities, for ArviZ's `log_likelihood` and
//! `posterior_predictive` groups.

use crate::effect::{EffectError, Outcome, predict};
use crate::loo::{LooError, pointwise_log_likelihood};
use crate::posterior::Posterior;
use crate::summary::component_draws;
use doppl_runtime::{Model, Site, SiteKind};
use nalgebra::DMatrix;
use std::io::{self, Write};

/// The variable the pointwise log-likelihood columns are named after (`log_lik.1`, …), the
/// name ArviZ's `from_cmdstan` puts in `log_likelihood` even when not told.
pub const LOG_LIK: &str = "log_lik";

/// The sampler columns CmdStan writes first.
const SAMPLER_COLUMNS: [&str; 7] = [
    "lp__",
    "accept_stat__",
    "stepsize__",
    "treedepth__",
    "n_leapfrog__",
    "divergent__",
    "energy__",
];

/// What can go wrong writing CmdStan CSV files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CmdStanError {
    /// The site is not observed in the fitted scenario.
    #[error(
        "site `{site}` is not an observed `sample!` site of the fitted scenario: its {what} \
         needs observed data (condition the model on `{site}`)"
    )]
    NotObserved {
        /// The site.
        site: &'static str,
        /// What was asked of it ("pointwise log-likelihood", "replicated data").
        what: &'static str,
    },
    /// The same site was added twice to the same group.
    #[error("site `{site}` is already in the {group} columns")]
    Repeated {
        /// The site.
        site: &'static str,
        /// The ArviZ group.
        group: &'static str,
    },
    /// The generated column name is the name of a model site.
    #[error(
        "the {group} columns of site `{site}` would be named `{column}.*`, but the model has \
         a site `{column}`: ArviZ could not tell them apart"
    )]
    NameTaken {
        /// The site whose columns were asked for.
        site: &'static str,
        /// The ArviZ group.
        group: &'static str,
        /// The clashing variable name.
        column: String,
    },
    /// Computing the pointwise log-likelihood failed.
    #[error("the pointwise log-likelihood of site `{site}` failed")]
    LogLikelihood {
        /// The site.
        site: &'static str,
        /// Why.
        #[source]
        source: LooError,
    },
    /// Simulating the replicated data failed.
    #[error("the posterior predictive of site `{site}` failed")]
    Predictive {
        /// The site.
        site: &'static str,
        /// Why.
        #[source]
        source: EffectError,
    },
    /// No chain with that number finished.
    #[error("chain {chain} has no draws")]
    NoChain {
        /// The chain number asked for.
        chain: usize,
    },
    /// Writing failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// One column: its CmdStan name and its values `[chain][draw]`.
type Column = (String, Vec<Vec<f64>>);

/// A fit as CmdStan CSV files, one per chain, which ArviZ's `from_cmdstan` reads: sampler
/// columns (`lp__`, …, `energy__`), one column per scalar component of the kept sites
/// (`beta.1`, 1-based), then the generated quantities asked for:
///
/// - [`CmdStanCsv::with_log_likelihood`]: `log_lik.1 … log_lik.N`, ln p(yᵢ | θ) of every
///   observed element of the site per draw, the values of
///   [`crate::loo::pointwise_log_likelihood`] (several sites continue the numbering, in the
///   order they are added);
/// - [`CmdStanCsv::with_predictive`]: `y_rep.1 … y_rep.N` for site `y`, replicated data
///   drawn on every posterior draw from the fitted scenario with `y` no longer observed,
///   with the per-draw streams of `seed` (the same numbers as [`predict`] on that scenario
///   and seed, whatever the number of threads).
///
/// In Python, `az.from_cmdstan(files, log_likelihood="log_lik", posterior_predictive="y_rep")`
/// then puts them in the `log_likelihood` and `posterior_predictive` groups with dimensions
/// (chain, draw, N), ready for `az.loo` and `az.plot_ppc`.
///
/// ```text
/// let csv = CmdStanCsv::new(&posterior)
///     .with_log_likelihood(Small::SITE.y)?
///     .with_predictive(Small::SITE.y, seed)?;
/// for &chain in &posterior.chain_ids {
///     csv.write_chain(chain, File::create(format!("chain_{chain}.csv"))?)?;
/// }
/// ```
///
/// (`doppl::prelude::CmdStanCsv` has the same example with a model, checked.)
pub struct CmdStanCsv<'p, 'm, M: Model> {
    posterior: &'p Posterior<'m, M>,
    keep: Box<dyn Fn(&str) -> bool + 'p>,
    sites: Vec<(&'static str, &'static str)>,
    generated: Vec<Column>,
}

impl<'p, 'm, M: Model + 'm> CmdStanCsv<'p, 'm, M> {
    /// The writer of `posterior`'s draws, every latent and deterministic site kept.
    pub fn new(posterior: &'p Posterior<'m, M>) -> Self {
        CmdStanCsv {
            posterior,
            keep: Box::new(|_| true),
            sites: Vec::new(),
            generated: Vec::new(),
        }
    }

    /// Writes only the sites `keep` accepts as posterior columns.
    pub fn keep(mut self, keep: impl Fn(&str) -> bool + 'p) -> Self {
        self.keep = Box::new(keep);
        self
    }

    /// Adds the pointwise log-likelihood of the observed site `site` as `log_lik.*`
    /// columns. Fails, naming the site, if the fit does not observe it, if it was added
    /// already, or if the model has a site named `log_lik`.
    pub fn with_log_likelihood<O: Site<Model = M>>(self, site: O) -> Result<Self, CmdStanError> {
        let _ = site;
        let group = "log_likelihood";
        self.check::<O>(group, LOG_LIK, "pointwise log-likelihood")?;
        let error = |source| CmdStanError::LogLikelihood {
            site: O::NAME,
            source,
        };
        let all = pointwise_log_likelihood(self.posterior).map_err(error)?;
        let ll = all.site(O::NAME).ok_or(CmdStanError::NotObserved {
            site: O::NAME,
            what: "pointwise log-likelihood",
        })?;
        let first = 1 + self.generated_count(LOG_LIK);
        Ok(self.push(O::NAME, group, LOG_LIK, first, &ll.values))
    }

    /// Adds replicated data of the observed site `site` (named `y`) as `y_rep.*` columns:
    /// on every posterior draw, `y` simulated from the fitted scenario without its
    /// observation, with the draw's random streams for `seed`. Fails, naming the site, if
    /// the fit does not observe it, if it was added already, or if the model has a site
    /// named `y_rep`.
    pub fn with_predictive<O: Site<Model = M>>(
        self,
        site: O,
        seed: u64,
    ) -> Result<Self, CmdStanError>
    where
        O::Value: Outcome,
    {
        let (group, name) = ("posterior_predictive", format!("{}_rep", O::NAME));
        self.check::<O>(group, &name, "replicated data")?;
        let mut scenario = self.posterior.scenario.clone();
        let mut observed = vec![false; M::SITES.len()];
        observed[O::INDEX] = true;
        M::clear_sites(&mut scenario.conditions, &observed);
        let replicated = predict(self.posterior, &scenario, site, seed).map_err(|source| {
            CmdStanError::Predictive {
                site: O::NAME,
                source,
            }
        })?;
        Ok(self.push(O::NAME, group, &name, 1, &replicated.values))
    }

    /// The CSV header: the sampler columns, the kept sites' components, the generated
    /// quantities in the order they were added.
    pub fn columns(&self) -> Vec<String> {
        let first: Vec<Vec<M::Values>> = self
            .posterior
            .draws
            .first()
            .and_then(|c| c.first())
            .map(|d| vec![vec![d.clone()]])
            .unwrap_or_default();
        let posterior = component_draws::<M>(&first, &self.keep);
        SAMPLER_COLUMNS
            .iter()
            .map(|s| s.to_string())
            .chain(posterior.into_iter().map(|(n, _)| cmdstan_name(&n)))
            .chain(self.generated.iter().map(|(n, _)| n.clone()))
            .collect()
    }

    /// Writes chain number `chain` (an entry of `posterior.chain_ids`) as one CmdStan CSV
    /// file.
    pub fn write_chain<W: Write>(&self, chain: usize, mut out: W) -> Result<(), CmdStanError> {
        let posterior = self.posterior;
        let position = posterior.chain_ids.iter().position(|&id| id == chain);
        let stats = position
            .and_then(|k| posterior.output.successful().nth(k))
            .map(|c| c.stats.as_slice())
            .ok_or(CmdStanError::NoChain { chain })?;
        let k = position.unwrap_or_default();
        let mut columns = component_draws::<M>(&posterior.draws, &self.keep);
        for column in &mut columns {
            column.0 = cmdstan_name(&column.0);
        }
        let values: Vec<&[f64]> = columns
            .iter()
            .chain(&self.generated)
            .map(|(_, chains)| chains[k].as_slice())
            .collect();
        writeln!(out, "# written by doppl (NUTS, {} draws)", stats.len())?;
        writeln!(out, "{}", self.columns().join(","))?;
        for (d, s) in stats.iter().enumerate() {
            write!(
                out,
                "{:?},{:?},{:?},{},{},{},{:?}",
                s.logp,
                s.accept_stat,
                s.step_size,
                s.tree_depth,
                s.n_leapfrog,
                u8::from(s.divergent()),
                s.energy
            )?;
            for column in &values {
                // `{:?}` prints the shortest representation that reads back exactly.
                write!(out, ",{:?}", column[d])?;
            }
            writeln!(out)?;
        }
        Ok(())
    }

    /// Checks that site `O` is observed, new to `group`, and that `name` is no site's.
    fn check<O: Site<Model = M>>(
        &self,
        group: &'static str,
        name: &str,
        what: &'static str,
    ) -> Result<(), CmdStanError> {
        let observed = M::values_mask(&self.posterior.scenario.conditions)[O::INDEX];
        if !observed || O::info().kind != SiteKind::Sample {
            return Err(CmdStanError::NotObserved {
                site: O::NAME,
                what,
            });
        }
        if self.sites.contains(&(O::NAME, group)) {
            return Err(CmdStanError::Repeated {
                site: O::NAME,
                group,
            });
        }
        if M::SITES.iter().any(|s| s.name == name) {
            return Err(CmdStanError::NameTaken {
                site: O::NAME,
                group,
                column: name.to_string(),
            });
        }
        Ok(())
    }

    /// How many generated columns are named `name.*`.
    fn generated_count(&self, name: &str) -> usize {
        let prefix = format!("{name}.");
        self.generated
            .iter()
            .filter(|(n, _)| n.starts_with(&prefix))
            .count()
    }

    /// Adds `values` (draws of all chains in order × elements) as columns `name.first`, ….
    fn push(
        mut self,
        site: &'static str,
        group: &'static str,
        name: &str,
        first: usize,
        values: &DMatrix<f64>,
    ) -> Self {
        let lengths: Vec<usize> = self.posterior.draws.iter().map(Vec::len).collect();
        for (i, column) in values.column_iter().enumerate() {
            let mut start = 0;
            let chains = lengths
                .iter()
                .map(|&len| {
                    let chain = column.rows(start, len).iter().copied().collect();
                    start += len;
                    chain
                })
                .collect();
            self.generated
                .push((format!("{name}.{}", first + i), chains));
        }
        self.sites.push((site, group));
        self
    }
}

/// `beta[1]` as CmdStan writes it, `beta.1`, so that ArviZ groups `beta.*` into one vector.
fn cmdstan_name(component: &str) -> String {
    component.replace('[', ".").replace(']', "")
}

/// Writes chain number `chain` in CmdStan's CSV layout, which ArviZ's `from_cmdstan` reads (one
/// file per chain): sampler columns `lp__, accept_stat__, stepsize__, treedepth__,
/// n_leapfrog__, divergent__, energy__`, then one column per scalar component named
/// `beta.1` (1-based), so that ArviZ groups `beta.*` into one vector variable. To add the
/// pointwise log-likelihood or replicated data, use [`CmdStanCsv`].
pub fn write_cmdstan_chain_csv<M: Model, W: Write>(
    posterior: &Posterior<'_, M>,
    chain: usize,
    keep: impl Fn(&str) -> bool,
    out: W,
) -> io::Result<()> {
    match CmdStanCsv::new(posterior)
        .keep(keep)
        .write_chain(chain, out)
    {
        Ok(()) => Ok(()),
        Err(CmdStanError::Io(e)) => Err(e),
        Err(e) => Err(io::Error::new(io::ErrorKind::InvalidInput, e.to_string())),
    }
}
