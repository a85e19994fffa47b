//! Simulation-based calibration (Talts et al. 2018; Modrák et al. 2023) from a study's rows:
//! each replicate draws parameters from the prior, simulates data, fits, and ranks each
//! prior draw among L thinned posterior draws ([`rank_of`]). With a correct model, sampler
//! and simulator the ranks are uniform on 0..=L; [`sbc_summary`] tests that per parameter
//! with the rank histogram's χ² and with the ECDF of the fractional ranks against the
//! simultaneous band of [`EcdfBand`] (Säilynoja, Bürkner & Vehtari 2022).
//!
//! Bins and ECDF points divide the L + 1 rank values evenly: then every bin is equally
//! likely and the ECDF count at each point is exactly binomial, as the band assumes.

use crate::band::EcdfBand;
use crate::study::{Outcome, Row};
use statrs::distribution::{ChiSquared, ContinuousCDF};
use std::fmt::Debug;

/// Why ranks could not be computed or summarised.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SbcError {
    /// No ranks to summarise (every replicate failed, or none ran).
    #[error("no ranks to summarise: every replicate failed or the study was empty")]
    NoRanks,
    /// Fewer posterior draws than the L asked for.
    #[error("{draws} posterior draws cannot be thinned to {needed}")]
    TooFewDraws {
        /// Draws given.
        draws: usize,
        /// Draws asked for (L).
        needed: usize,
    },
    /// A prior draw or posterior draw that is NaN (its rank would mean nothing).
    #[error("the {what} is NaN")]
    NotANumber {
        /// Which value.
        what: &'static str,
    },
    /// A rank above the largest possible, L.
    #[error("rank {rank} of `{parameter}` is above the largest rank {max_rank}")]
    RankOutOfRange {
        /// The parameter.
        parameter: String,
        /// The rank.
        rank: usize,
        /// L.
        max_rank: usize,
    },
    /// A replicate with a different number of ranks than parameter names.
    #[error("a replicate has {found} ranks for {expected} parameters")]
    RankCount {
        /// Ranks in the row.
        found: usize,
        /// Parameter names given.
        expected: usize,
    },
    /// Bins or ECDF intervals that do not split the L + 1 rank values evenly.
    #[error("{parts} {what} do not split the {values} rank values (0..={}) evenly", values - 1)]
    Uneven {
        /// "bins" or "ECDF intervals".
        what: &'static str,
        /// How many were asked for (or the best found).
        parts: usize,
        /// L + 1.
        values: usize,
    },
    /// An ECDF band needs at least one interior point.
    #[error("an ECDF band needs at least 2 intervals, not {intervals}")]
    TooFewPoints {
        /// Intervals asked for.
        intervals: usize,
    },
    /// α outside (0, 1).
    #[error("α = {alpha} is not a probability strictly between 0 and 1")]
    Alpha {
        /// The value given.
        alpha: f64,
    },
}

/// The rank of `truth` among `max_rank` (L) posterior draws thinned evenly from `draws`:
/// how many of them lie below it, 0..=L. Thinning to L draws spaced `draws.len() / L` apart
/// lowers the autocorrelation that would otherwise make the ranks of a correct sampler
/// look non-uniform; L should be below the fit's effective sample size.
///
/// ```
/// use doppl_batch::rank_of;
/// let draws: Vec<f64> = (0..100).map(|i| i as f64).collect();
/// // Thinned to 10 draws 0, 10, ..., 90: four lie below 35.
/// assert_eq!(rank_of(35.0, &draws, 10).unwrap(), 4);
/// assert_eq!(rank_of(-1.0, &draws, 10).unwrap(), 0);
/// assert_eq!(rank_of(1e9, &draws, 10).unwrap(), 10);
/// assert!(rank_of(0.0, &draws[..5], 10).is_err());
/// ```
pub fn rank_of(truth: f64, draws: &[f64], max_rank: usize) -> Result<usize, SbcError> {
    if draws.len() < max_rank || max_rank == 0 {
        return Err(SbcError::TooFewDraws {
            draws: draws.len(),
            needed: max_rank,
        });
    }
    if truth.is_nan() {
        return Err(SbcError::NotANumber { what: "prior draw" });
    }
    let mut below = 0;
    for i in 0..max_rank {
        let draw = draws[i * draws.len() / max_rank];
        if draw.is_nan() {
            return Err(SbcError::NotANumber {
                what: "posterior draw",
            });
        }
        below += usize::from(draw < truth);
    }
    Ok(below)
}

/// How ranks are summarised.
#[derive(Clone, Debug, PartialEq)]
pub struct SbcOptions {
    /// Level of each parameter's ECDF band: a calibrated parameter leaves it with
    /// probability α. With P parameters, α/P keeps the chance of any false alarm below α.
    pub alpha: f64,
    /// Histogram bins for the χ² test; by default the largest divisor of L + 1 that is at
    /// most 20 and leaves at least 5 expected ranks a bin.
    pub bins: Option<usize>,
    /// K, the ECDF is evaluated at i/K; by default the largest divisor of L + 1 not above
    /// the number of ranks (finer points add little once there are fewer ranks than points).
    pub intervals: Option<usize>,
}

impl Default for SbcOptions {
    /// α = 0.05, default bins and intervals.
    fn default() -> Self {
        SbcOptions {
            alpha: 0.05,
            bins: None,
            intervals: None,
        }
    }
}

/// Pearson's χ² test of a histogram against equal expected counts.
#[derive(Clone, Debug, PartialEq)]
pub struct ChiSquare {
    /// Σ (observed − expected)² / expected.
    pub statistic: f64,
    /// Bins − 1.
    pub df: usize,
    /// P(χ²(df) ≥ statistic): small when the ranks are not uniform.
    pub p_value: f64,
}

/// The χ² test of `counts` against equal expected counts (uniform ranks).
///
/// ```
/// use doppl_batch::chi_square;
/// // 40 ranks in 4 bins, 10 expected each: χ² = (4 + 1 + 1 + 4) / 10 = 1 on 3 df.
/// let test = chi_square(&[12, 9, 11, 8]).unwrap();
/// assert!((test.statistic - 1.0).abs() < 1e-12);
/// assert_eq!(test.df, 3);
/// // P(χ²₃ ≥ 1) = 0.8013 (tables).
/// assert!((test.p_value - 0.8013).abs() < 1e-4);
/// ```
pub fn chi_square(counts: &[usize]) -> Result<ChiSquare, SbcError> {
    let total: usize = counts.iter().sum();
    if total == 0 {
        return Err(SbcError::NoRanks);
    }
    if counts.len() < 2 {
        return Err(SbcError::Uneven {
            what: "bins",
            parts: counts.len(),
            values: total,
        });
    }
    let expected = total as f64 / counts.len() as f64;
    let statistic = counts
        .iter()
        .map(|&k| (k as f64 - expected).powi(2) / expected)
        .sum();
    let df = counts.len() - 1;
    // df ≥ 1, so the distribution exists.
    let p_value = ChiSquared::new(df as f64).map_or(f64::NAN, |d| d.sf(statistic));
    Ok(ChiSquare {
        statistic,
        df,
        p_value,
    })
}

/// One parameter's calibration: histogram, χ², and its ECDF against the band.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    /// The parameter's name.
    pub name: String,
    /// Ranks per bin (bin b holds ranks b·(L+1)/B ..< (b+1)·(L+1)/B).
    pub histogram: Vec<usize>,
    /// The histogram's χ² test.
    pub chi_square: ChiSquare,
    /// ECDF counts at the band's points: how many fractional ranks (r + 1)/(L + 1) are ≤ i/K.
    pub ecdf: Vec<usize>,
    /// ECDF minus the uniform CDF at the band's points (what the ECDF plot draws).
    pub ecdf_difference: Vec<f64>,
    /// The points where the ECDF leaves the band (indices into the band's points).
    pub outside: Vec<usize>,
}

impl Calibration {
    /// Whether the ECDF leaves the simultaneous band somewhere: the graphical test's "not
    /// uniform" at level α.
    pub fn leaves_band(&self) -> bool {
        !self.outside.is_empty()
    }
}

/// Histogram, χ² and ECDF of one parameter's `ranks` (each 0..=`max_rank`) against `band`.
///
/// ```
/// use doppl_batch::{EcdfBand, calibrate};
/// // Ranks 0..=9 (L = 9), each twice: perfectly uniform.
/// let ranks: Vec<usize> = (0..20).map(|i| i % 10).collect();
/// let band = EcdfBand::new(20, 10, 0.05).unwrap();
/// let c = calibrate("mu", &ranks, 9, 5, &band).unwrap();
/// assert_eq!(c.histogram, [4, 4, 4, 4, 4]);
/// assert_eq!(c.chi_square.statistic, 0.0);
/// assert_eq!(c.ecdf[0], 2);                    // ranks 0: fractional rank 0.1 ≤ 1/10
/// assert!(!c.leaves_band());
/// // Every rank 0: the ECDF jumps to 1 at once and leaves the band.
/// let low = calibrate("mu", &[0; 20], 9, 5, &band).unwrap();
/// assert!(low.leaves_band() && low.chi_square.p_value < 1e-10);
/// ```
pub fn calibrate(
    name: &str,
    ranks: &[usize],
    max_rank: usize,
    bins: usize,
    band: &EcdfBand,
) -> Result<Calibration, SbcError> {
    let values = max_rank + 1;
    let intervals = band.points.len() + 1;
    check_divides("bins", bins, values)?;
    check_divides("ECDF intervals", intervals, values)?;
    if ranks.len() != band.samples {
        return Err(SbcError::RankCount {
            found: ranks.len(),
            expected: band.samples,
        });
    }
    let mut per_value = vec![0usize; values];
    for &rank in ranks {
        let slot = per_value
            .get_mut(rank)
            .ok_or_else(|| SbcError::RankOutOfRange {
                parameter: name.to_string(),
                rank,
                max_rank,
            })?;
        *slot += 1;
    }
    let histogram: Vec<usize> = per_value
        .chunks(values / bins)
        .map(|c| c.iter().sum())
        .collect();
    // Count at i/K: ranks r with (r + 1)/(L + 1) ≤ i/K, i.e. r < i·(L + 1)/K.
    let ecdf: Vec<usize> = (1..intervals)
        .map(|i| per_value[..i * values / intervals].iter().sum())
        .collect();
    let n = ranks.len() as f64;
    let ecdf_difference = ecdf
        .iter()
        .zip(&band.points)
        .map(|(c, z)| *c as f64 / n - z)
        .collect();
    Ok(Calibration {
        name: name.to_string(),
        chi_square: chi_square(&histogram)?,
        histogram,
        outside: band.outside(&ecdf),
        ecdf,
        ecdf_difference,
    })
}

fn check_divides(what: &'static str, parts: usize, values: usize) -> Result<(), SbcError> {
    if parts < 2 || !values.is_multiple_of(parts) {
        return Err(SbcError::Uneven {
            what,
            parts,
            values,
        });
    }
    Ok(())
}

/// The largest divisor of `values` in 2..=`most`, if any.
fn largest_divisor(values: usize, most: usize) -> Option<usize> {
    (2..=most.min(values))
        .rev()
        .find(|d| values.is_multiple_of(*d))
}

/// A study's calibration: the band shared by all parameters and one [`Calibration`] each.
#[derive(Clone, Debug, PartialEq)]
pub struct SbcSummary {
    /// Replicates with ranks.
    pub completed: usize,
    /// Failed replicates, as (key, message): counted, never dropped.
    pub failures: Vec<(String, String)>,
    /// L: ranks run over 0..=L.
    pub max_rank: usize,
    /// The simultaneous band for `completed` ranks.
    pub band: EcdfBand,
    /// Per parameter, in the order of the names given.
    pub parameters: Vec<Calibration>,
}

impl SbcSummary {
    /// The parameters whose ECDF leaves the band.
    pub fn flagged(&self) -> Vec<&str> {
        self.parameters
            .iter()
            .filter(|c| c.leaves_band())
            .map(|c| c.name.as_str())
            .collect()
    }
}

/// The calibration of a study whose results hold one rank per parameter (`ranks(result)[p]`
/// for `names[p]`, each 0..=`max_rank`). Failed rows are listed, not ranked.
///
/// ```
/// use doppl_batch::{Outcome, Row, SbcOptions, sbc_summary};
/// // 100 replicates of two parameters, L = 9: `a` uniform, `b` always 9 (over-dispersed prior).
/// let rows: Vec<Row<u64, Vec<usize>>> = (0..100u64)
///     .map(|k| Row { key: k, seed: 0, outcome: Outcome::Ok(vec![(k % 10) as usize, 9]) })
///     .chain([Row { key: 100, seed: 0, outcome: Outcome::Failed("diverged".into()) }])
///     .collect();
/// let summary = sbc_summary(&rows, &["a", "b"], |r| r.as_slice(), 9, &SbcOptions::default()).unwrap();
/// assert_eq!((summary.completed, summary.failures.len()), (100, 1));
/// assert_eq!(summary.parameters[0].histogram, [10; 10]);
/// assert_eq!(summary.flagged(), ["b"]);
/// ```
pub fn sbc_summary<K: Debug, R>(
    rows: &[Row<K, R>],
    names: &[&str],
    ranks: impl Fn(&R) -> &[usize],
    max_rank: usize,
    options: &SbcOptions,
) -> Result<SbcSummary, SbcError> {
    let mut per_parameter: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
    let mut failures = Vec::new();
    for row in rows {
        match &row.outcome {
            Outcome::Ok(result) => {
                let r = ranks(result);
                if r.len() != names.len() {
                    return Err(SbcError::RankCount {
                        found: r.len(),
                        expected: names.len(),
                    });
                }
                per_parameter
                    .iter_mut()
                    .zip(r)
                    .for_each(|(p, r)| p.push(*r));
            }
            Outcome::Failed(message) => failures.push((format!("{:?}", row.key), message.clone())),
        }
    }
    let completed = per_parameter.first().map_or(0, Vec::len);
    let values = max_rank + 1;
    let bins = options.bins.unwrap_or_else(|| {
        largest_divisor(values, (completed / 5).min(20)).unwrap_or(values.min(2))
    });
    let intervals = options
        .intervals
        .unwrap_or_else(|| largest_divisor(values, completed).unwrap_or(values.min(2)));
    check_divides("ECDF intervals", intervals, values)?;
    let band = EcdfBand::new(completed, intervals, options.alpha)?;
    let parameters = names
        .iter()
        .zip(&per_parameter)
        .map(|(name, r)| calibrate(name, r, max_rank, bins, &band))
        .collect::<Result<_, _>>()?;
    Ok(SbcSummary {
        completed,
        failures,
        max_rank,
        band,
        parameters,
    })
}
