//! Evaluating a query on every posterior draw: in parallel over draws, in draw order, each
//! draw with its own random streams so that the result does not depend on the threads.

use super::EffectError;
use crate::draws::Draws;
use doppl_runtime::Model;
use nalgebra::{DMatrix, DVector};

/// One posterior draw with where it came from.
pub(crate) struct DrawRef<'a, V> {
    /// The chain's number (its streams are keyed by it).
    pub chain: usize,
    /// The draw's index within its chain.
    pub index: usize,
    /// The site values.
    pub values: &'a V,
}

/// `f` on every posterior draw (all chains, in order), spread over the machine's threads.
/// Each call depends only on its draw, so the result is the same for any thread count.
pub(crate) fn for_each_draw<'m, M: Model, T: Send>(
    posterior: &impl Draws<'m, M>,
    f: impl Fn(usize, usize, &M::Values) -> Result<T, EffectError> + Sync,
) -> Result<Vec<T>, EffectError> {
    let ids = posterior.chain_ids();
    let draws: Vec<DrawRef<'_, M::Values>> = posterior
        .draws()
        .iter()
        .enumerate()
        .flat_map(|(c, chain)| {
            chain
                .iter()
                .enumerate()
                .map(move |(index, values)| DrawRef {
                    chain: ids[c],
                    index,
                    values,
                })
        })
        .collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(draws.len().div_ceil(64).max(1));
    let chunk = draws.len().div_ceil(threads).max(1);
    let run = |part: &[DrawRef<'_, M::Values>]| -> Result<Vec<T>, EffectError> {
        part.iter().map(|d| f(d.chain, d.index, d.values)).collect()
    };
    if threads == 1 {
        return run(&draws);
    }
    let parts: Vec<Result<Vec<T>, EffectError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = draws
            .chunks(chunk)
            .map(|part| scope.spawn(move || run(part)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let mut out = Vec::with_capacity(draws.len());
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
}

/// Rows of equal length as a matrix (a typed error names the first draw that differs).
pub(crate) fn rows_to_matrix(rows: &[DVector<f64>]) -> Result<DMatrix<f64>, EffectError> {
    let units = rows.first().map_or(0, |r| r.len());
    if let Some((draw, r)) = rows.iter().enumerate().find(|(_, r)| r.len() != units) {
        return Err(EffectError::RaggedDraws {
            draw,
            found: r.len(),
            expected: units,
        });
    }
    Ok(DMatrix::from_fn(rows.len(), units, |d, i| rows[d][i]))
}
