//! Power per group (per sample size) from a study's rows, with its Monte Carlo error.

use crate::study::{Outcome, Row};
use std::collections::BTreeMap;

/// The share of replicates in a group whose decision succeeded, over the replicates that
/// did not fail, with failures counted beside it rather than hidden in the denominator.
#[derive(Clone, Debug, PartialEq)]
pub struct Power {
    /// Replicates that returned a result.
    pub completed: usize,
    /// Of those, the ones whose decision counted as a success.
    pub successes: usize,
    /// Replicates that failed (an `Err` or a panic).
    pub failures: usize,
    /// successes / completed; NaN when nothing completed.
    pub power: f64,
    /// The Monte Carlo standard error of `power`, √(p(1 − p)/n): the binomial sd of a share
    /// estimated from n independent simulations, so that ±2 MCSE says how much more
    /// simulation a curve needs.
    pub mcse: f64,
}

impl Power {
    fn from_counts(completed: usize, successes: usize, failures: usize) -> Self {
        let n = completed as f64;
        let p = successes as f64 / n;
        Power {
            completed,
            successes,
            failures,
            power: p,
            mcse: (p * (1.0 - p) / n).sqrt(),
        }
    }
}

/// Power per group: `group` maps a key to its group (a sample size), `success` a result to
/// whether the decision it holds is the one whose rate is the power.
///
/// ```
/// use doppl_batch::{Outcome, Row, power_by};
/// // Keys (n, simulation); results: whether the decision was "positive".
/// let row = |n: u64, sim: u64, outcome| Row { key: (n, sim), seed: 0, outcome };
/// let rows = vec![
///     row(100, 0, Outcome::Ok(true)),
///     row(100, 1, Outcome::Ok(false)),
///     row(100, 2, Outcome::Ok(true)),
///     row(100, 3, Outcome::Ok(true)),
///     row(100, 4, Outcome::Failed("diverged".into())),
///     row(200, 0, Outcome::Ok(true)),
/// ];
/// let power = power_by(&rows, |k| k.0, |decided: &bool| *decided);
/// let p100 = &power[&100];
/// assert_eq!((p100.completed, p100.successes, p100.failures), (4, 3, 1));
/// assert_eq!(p100.power, 0.75);
/// assert!((p100.mcse - (0.75f64 * 0.25 / 4.0).sqrt()).abs() < 1e-15);
/// assert_eq!(power[&200].mcse, 0.0);
/// ```
pub fn power_by<K, R, G: Ord>(
    rows: &[Row<K, R>],
    group: impl Fn(&K) -> G,
    success: impl Fn(&R) -> bool,
) -> BTreeMap<G, Power> {
    let mut counts: BTreeMap<G, (usize, usize, usize)> = BTreeMap::new();
    for row in rows {
        let entry = counts.entry(group(&row.key)).or_default();
        match &row.outcome {
            Outcome::Ok(result) => {
                entry.0 += 1;
                entry.1 += usize::from(success(result));
            }
            Outcome::Failed(_) => entry.2 += 1,
        }
    }
    counts
        .into_iter()
        .map(|(g, (completed, successes, failures))| {
            (g, Power::from_counts(completed, successes, failures))
        })
        .collect()
}

/// Failed replicates per group with one message each, for a summary that says what went
/// wrong and where.
pub fn failures_by<K, R, G: Ord>(
    rows: &[Row<K, R>],
    group: impl Fn(&K) -> G,
) -> BTreeMap<G, Vec<String>> {
    let mut failures: BTreeMap<G, Vec<String>> = BTreeMap::new();
    for row in rows {
        if let Outcome::Failed(message) = &row.outcome {
            failures
                .entry(group(&row.key))
                .or_default()
                .push(message.clone());
        }
    }
    failures
}
