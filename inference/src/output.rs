//! Writing draws and summaries: CSV with Stan-style columns (ArviZ's `from_cmdstan`,
//! `check_posterior.py`) and JSON.

use crate::draws::Draws;
use crate::posterior::Posterior;
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

/// Writes chain number `chain` in CmdStan's CSV layout, which ArviZ's `from_cmdstan` reads (one
/// file per chain): sampler columns `lp__, accept_stat__, stepsize__, treedepth__,
/// n_leapfrog__, divergent__, energy__`, then one column per scalar component named
/// `beta.1` (1-based), so that ArviZ groups `beta.*` into one vector variable.
pub fn write_cmdstan_chain_csv<M: Model, W: Write>(
    posterior: &Posterior<'_, M>,
    chain: usize,
    keep: impl Fn(&str) -> bool,
    mut out: W,
) -> io::Result<()> {
    let columns = component_draws::<M>(&posterior.draws, keep);
    let position = posterior.chain_ids.iter().position(|&id| id == chain);
    let stats = position
        .and_then(|k| posterior.output.successful().nth(k))
        .map(|c| c.stats.as_slice())
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("chain {chain} has no draws"),
            )
        })?;
    let chain = position.unwrap_or_default();
    let names: Vec<String> = columns
        .iter()
        .map(|(n, _)| n.replace('[', ".").replace(']', ""))
        .collect();
    writeln!(out, "# written by doppl (NUTS, {} draws)", stats.len())?;
    writeln!(
        out,
        "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,{}",
        names.join(",")
    )?;
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
        for (_, draws) in &columns {
            write!(out, ",{:?}", draws[chain][d])?;
        }
        writeln!(out)?;
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
