//! Posterior summaries: mean, sd, 89% equal-tailed and highest-density intervals, bulk/tail
//! ESS and R-hat per scalar component.

use crate::diagnostics::{ess_bulk, ess_tail, quantile, rhat};
use crate::warnings::Warning;
use doppl_runtime::Model;
use std::fmt;

/// The equal-tailed interval probability used throughout (McElreath's 89%: a reminder that
/// the level is a convention, not 95%).
pub const INTERVAL_PROB: f64 = 0.89;

/// One scalar component's summary row.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    /// Stan-style name: `sigma`, `beta[1]` (1-based).
    pub name: String,
    /// Posterior mean.
    pub mean: f64,
    /// Posterior standard deviation.
    pub sd: f64,
    /// Lower end of the 89% equal-tailed interval.
    pub lo: f64,
    /// Upper end of the 89% equal-tailed interval.
    pub hi: f64,
    /// Lower end of the 89% highest-density interval (NaN if the draws are not finite).
    pub hdi_lo: f64,
    /// Upper end of the 89% highest-density interval.
    pub hdi_hi: f64,
    /// Bulk effective sample size.
    pub ess_bulk: f64,
    /// Tail effective sample size.
    pub ess_tail: f64,
    /// Rank-normalized split R-hat.
    pub rhat: f64,
}

/// A table of [`SummaryRow`]s and the fit's [`Warning`]s; prints as an aligned text table
/// followed by one `warning:` line per warning.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Summary {
    /// The rows in site order.
    pub rows: Vec<SummaryRow>,
    /// Why the draws should not be trusted yet; empty when nothing was found.
    pub warnings: Vec<Warning>,
}

impl Summary {
    /// The largest R-hat (NaN rows ignored).
    pub fn max_rhat(&self) -> f64 {
        self.rows
            .iter()
            .map(|r| r.rhat)
            .filter(|r| r.is_finite())
            .fold(f64::NAN, f64::max)
    }
    /// The smallest bulk ESS (NaN rows ignored).
    pub fn min_ess_bulk(&self) -> f64 {
        self.rows
            .iter()
            .map(|r| r.ess_bulk)
            .filter(|r| r.is_finite())
            .fold(f64::NAN, f64::min)
    }
    /// The row of a component.
    pub fn row(&self, name: &str) -> Option<&SummaryRow> {
        self.rows.iter().find(|r| r.name == name)
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .rows
            .iter()
            .map(|r| r.name.len())
            .max()
            .unwrap_or(4)
            .max(4);
        writeln!(
            f,
            "{:width$} {:>10} {:>9} {:>10} {:>10} {:>10} {:>10} {:>8} {:>8} {:>6}",
            "", "mean", "sd", "5.5%", "94.5%", "hdi_lo", "hdi_hi", "ess_bulk", "ess_tail", "r_hat"
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "{:width$} {:>10.4} {:>9.4} {:>10.4} {:>10.4} {:>10.4} {:>10.4} {:>8.0} {:>8.0} {:>6.3}",
                r.name,
                r.mean,
                r.sd,
                r.lo,
                r.hi,
                r.hdi_lo,
                r.hdi_hi,
                r.ess_bulk,
                r.ess_tail,
                r.rhat
            )?;
        }
        for warning in &self.warnings {
            writeln!(f, "warning: {warning}")?;
        }
        Ok(())
    }
}

/// The Stan-style name of component `index` (0-based) of a site with `len` components.
pub fn component_name(site: &str, index: usize, len: usize) -> String {
    if len == 1 {
        site.to_string()
    } else {
        format!("{site}[{}]", index + 1)
    }
}

/// Per component: its name and its draws `[chain][draw]`, for the sites `keep` accepts.
pub fn component_draws<M: Model>(
    draws: &[Vec<M::Values>],
    keep: impl Fn(&str) -> bool,
) -> Vec<(String, Vec<Vec<f64>>)> {
    let Some(first) = draws.first().and_then(|c| c.first()) else {
        return Vec::new();
    };
    let mut columns: Vec<(String, Vec<Vec<f64>>)> = Vec::new();
    for (site, flat) in M::components(first).into_iter().filter(|(s, _)| keep(s)) {
        for i in 0..flat.len() {
            columns.push((
                component_name(site, i, flat.len()),
                vec![Vec::new(); draws.len()],
            ));
        }
    }
    for (c, chain) in draws.iter().enumerate() {
        for draw in chain {
            let flat = M::components(draw)
                .into_iter()
                .filter(|(s, _)| keep(s))
                .flat_map(|(_, v)| v);
            for (column, value) in columns.iter_mut().zip(flat) {
                column.1[c].push(value);
            }
        }
    }
    columns
}

/// The summary of the components of the sites `keep` accepts.
pub fn summarize_sites<M: Model>(draws: &[Vec<M::Values>], keep: impl Fn(&str) -> bool) -> Summary {
    let rows = component_draws::<M>(draws, keep)
        .into_iter()
        .map(|(name, chains)| summary_row(name, &chains))
        .collect();
    Summary {
        rows,
        warnings: Vec::new(),
    }
}

/// The summary row of one component's draws.
pub fn summary_row(name: String, chains: &[Vec<f64>]) -> SummaryRow {
    let all: Vec<f64> = chains.iter().flatten().copied().collect();
    let n = all.len() as f64;
    let mean = all.iter().sum::<f64>() / n;
    let sd = (all.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let tail = (1.0 - INTERVAL_PROB) / 2.0;
    let (hdi_lo, hdi_hi) =
        crate::decision::hdi(&all, INTERVAL_PROB).unwrap_or((f64::NAN, f64::NAN));
    SummaryRow {
        name,
        mean,
        sd,
        lo: quantile(&all, tail),
        hi: quantile(&all, 1.0 - tail),
        hdi_lo,
        hdi_hi,
        ess_bulk: ess_bulk(chains),
        ess_tail: ess_tail(chains),
        rhat: rhat(chains),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Squares of an even grid are skewed: the 89% HDI sits lower and is shorter than the
    /// equal-tailed interval.
    #[test]
    fn rows_carry_the_highest_density_interval_beside_the_equal_tailed_one() {
        let draws: Vec<f64> = (0..1000).map(|i| (i as f64 / 100.0).powi(2)).collect();
        let row = summary_row("x".into(), std::slice::from_ref(&draws));
        assert_eq!(
            (row.hdi_lo, row.hdi_hi),
            crate::decision::hdi(&draws, INTERVAL_PROB).unwrap()
        );
        assert_eq!(row.hdi_lo, 0.0);
        assert!(row.hdi_hi - row.hdi_lo < row.hi - row.lo);
        let text = Summary {
            rows: vec![row],
            warnings: Vec::new(),
        }
        .to_string();
        assert!(text.lines().next().unwrap().contains("hdi_lo"), "{text}");
    }
}
