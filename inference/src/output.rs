//! Writing draws and summaries: CSV with Stan-style columns (ArviZ's `from_cmdstan`,
//! `check_posterior.py`) and JSON.

mod cmdstan;

pub use cmdstan::{CmdStanCsv, CmdStanError, LOG_LIK, write_cmdstan_chain_csv};

use crate::draws::Draws;
use crate::summary::{Summary, component_draws};
use doppl_runtime::Model;
use std::io::{self, Write};

/// Writes every draw as a CSV row: `chain`, `draw`, then one column per scalar component of
/// the sites `keep` accepts (`beta[1]`, 1-based).
pub fn write_draws_csv<'m, M: Model, W: Write>(
    fit: &impl Draws<'m, M>,
    keep: impl Fn(&str) -> bool,
    mut out: W,
) -> io::Result<()> {
    let columns = component_draws::<M>(fit.draws(), keep);
    let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
    writeln!(out, "chain,draw,{}", names.join(","))?;
    for (c, chain) in fit.draws().iter().enumerate() {
        let id = fit.chain_ids()[c];
        for d in 0..chain.len() {
            write!(out, "{id},{d}")?;
            for (_, draws) in &columns {
                // `{:?}` prints the shortest representation that reads back exactly.
                write!(out, ",{:?}", draws[c][d])?;
            }
            writeln!(out)?;
        }
    }
    Ok(())
}

/// The summary as JSON: `{"name": {"mean", "sd", "lo", "hi", "ess_bulk", "ess_tail", "rhat"}}`.
pub fn summary_json(summary: &Summary) -> serde_json::Value {
    let rows = summary
        .rows
        .iter()
        .map(|r| {
            let row = serde_json::json!({
                "mean": r.mean, "sd": r.sd, "lo": r.lo, "hi": r.hi,
                "hdi_lo": r.hdi_lo, "hdi_hi": r.hdi_hi,
                "ess_bulk": r.ess_bulk, "ess_tail": r.ess_tail, "rhat": r.rhat,
            });
            (r.name.clone(), row)
        })
        .collect::<serde_json::Map<_, _>>();
    serde_json::Value::Object(rows)
}
