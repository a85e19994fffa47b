//! Decisions from draws: the highest-density interval, a region of practical equivalence
//! (ROPE), and the HDI + ROPE rule (Kruschke 2018, "Rejecting or accepting parameter values
//! in Bayesian estimation", AMPPS 1(2)) with the expected loss of each choice.

use std::fmt;

/// What can go wrong when summarizing draws for a decision.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DecisionError {
    /// An interval mass outside (0, 1).
    #[error("the interval mass is {mass}; it must lie strictly between 0 and 1 (e.g. 0.94)")]
    Mass {
        /// The mass given.
        mass: f64,
    },
    /// No draws, or a draw that is not a number.
    #[error("{what}: a decision needs at least two finite draws")]
    Draws {
        /// What was wrong.
        what: String,
    },
    /// A ROPE whose ends are not ordered.
    #[error("the ROPE [{lo}, {hi}] is empty: give its lower end first")]
    Rope {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
}

fn sorted_draws(draws: &[f64]) -> Result<Vec<f64>, DecisionError> {
    if draws.len() < 2 {
        return Err(DecisionError::Draws {
            what: format!("{} draws", draws.len()),
        });
    }
    if let Some(i) = draws.iter().position(|d| !d.is_finite()) {
        return Err(DecisionError::Draws {
            what: format!("draw {i} is {}", draws[i]),
        });
    }
    let mut sorted = draws.to_vec();
    sorted.sort_by(f64::total_cmp);
    Ok(sorted)
}

/// The highest-density interval holding `mass` of the draws: the shortest interval between
/// two draws that contains ⌊mass · n⌋ + 1 of them (as ArviZ's `hdi` for unimodal draws).
///
/// ```
/// use doppl_inference::decision::hdi;
/// let draws: Vec<f64> = (0..=100).map(|i| (i as f64 / 10.0).powi(2)).collect();
/// let (lo, hi) = hdi(&draws, 0.5).unwrap();
/// // Squares crowd near zero: the shortest half starts at the bottom.
/// assert_eq!((lo, hi), (0.0, 25.0));
/// ```
pub fn hdi(draws: &[f64], mass: f64) -> Result<(f64, f64), DecisionError> {
    if !(mass > 0.0 && mass < 1.0) {
        return Err(DecisionError::Mass { mass });
    }
    let sorted = sorted_draws(draws)?;
    let n = sorted.len();
    let inside = ((mass * n as f64).floor() as usize).min(n - 1);
    let (start, _) = (0..n - inside)
        .map(|i| (i, sorted[i + inside] - sorted[i]))
        .fold(
            (0, f64::INFINITY),
            |best, (i, w)| if w < best.1 { (i, w) } else { best },
        );
    Ok((sorted[start], sorted[start + inside]))
}

/// The share of draws inside `[lo, hi]`.
pub fn rope_probability(draws: &[f64], lo: f64, hi: f64) -> Result<f64, DecisionError> {
    if lo > hi || lo.is_nan() || hi.is_nan() {
        return Err(DecisionError::Rope { lo, hi });
    }
    let sorted = sorted_draws(draws)?;
    let inside = sorted.iter().filter(|d| (lo..=hi).contains(*d)).count();
    Ok(inside as f64 / sorted.len() as f64)
}

/// The HDI + ROPE rule's verdict on an effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The HDI lies entirely above the ROPE: the effect is positive and matters.
    Positive,
    /// The HDI lies entirely below the ROPE.
    Negative,
    /// The HDI lies inside the ROPE: the effect is practically zero.
    Equivalent,
    /// The HDI overlaps the ROPE's edge: collect more data.
    Undecided,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Positive => "positive (HDI above the ROPE)",
            Verdict::Negative => "negative (HDI below the ROPE)",
            Verdict::Equivalent => "practically zero (HDI inside the ROPE)",
            Verdict::Undecided => "undecided (HDI overlaps the ROPE)",
        })
    }
}

/// Everything a practitioner reads off an effect's draws for a decision.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// The HDI.
    pub hdi: (f64, f64),
    /// Its mass.
    pub mass: f64,
    /// The ROPE.
    pub rope: (f64, f64),
    /// P(effect inside the ROPE).
    pub p_rope: f64,
    /// P(effect > 0).
    pub p_positive: f64,
    /// Expected loss of acting as if the effect were positive: E[max(−effect, 0)].
    pub loss_if_adopted: f64,
    /// Expected loss of keeping the control: E[max(effect, 0)].
    pub loss_if_rejected: f64,
    /// The HDI + ROPE verdict.
    pub verdict: Verdict,
}

/// The HDI + ROPE rule on the draws of an effect: the `mass` HDI against the ROPE
/// `[rope.0, rope.1]`, with the probabilities and expected losses beside it.
///
/// ```
/// use doppl_inference::decision::{Verdict, decide};
/// let draws: Vec<f64> = (0..1000).map(|i| 0.05 + i as f64 * 1e-5).collect();
/// let d = decide(&draws, (-0.01, 0.01), 0.94).unwrap();
/// assert_eq!(d.verdict, Verdict::Positive);
/// assert_eq!((d.p_positive, d.loss_if_adopted), (1.0, 0.0));
/// ```
pub fn decide(draws: &[f64], rope: (f64, f64), mass: f64) -> Result<Decision, DecisionError> {
    let hdi = hdi(draws, mass)?;
    let p_rope = rope_probability(draws, rope.0, rope.1)?;
    let n = draws.len() as f64;
    let verdict = if hdi.0 > rope.1 {
        Verdict::Positive
    } else if hdi.1 < rope.0 {
        Verdict::Negative
    } else if hdi.0 >= rope.0 && hdi.1 <= rope.1 {
        Verdict::Equivalent
    } else {
        Verdict::Undecided
    };
    Ok(Decision {
        hdi,
        mass,
        rope,
        p_rope,
        p_positive: draws.iter().filter(|d| **d > 0.0).count() as f64 / n,
        loss_if_adopted: draws.iter().map(|d| (-d).max(0.0)).sum::<f64>() / n,
        loss_if_rejected: draws.iter().map(|d| d.max(0.0)).sum::<f64>() / n,
        verdict,
    })
}
