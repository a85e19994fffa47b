//! The Bernoulli distribution, from probabilities or logits.

use super::common::{check_finite, check_param, out_of_support, reject_batched, sample_each};
use super::{DistError, Distribution, IntoParam, Param, Support, check_batch};
use crate::gradient::{LocalTangents, PlateLoop, run_hoisted};
use crate::scalar::{Scalar, log_sigmoid_and_derivative_given};
use nalgebra::DVector;
use rand::Rng;
use rand_distr::{Distribution as _, Open01};

const FAMILY: &str = "Bernoulli";

/// Bernoulli(probs) or Bernoulli(logits = ln(p / (1 − p))) on {0, 1}.
///
/// Values are `f64` holding 0.0 or 1.0 (so that they can be used directly as data in a
/// linear predictor); anything else is outside the support. The logits form evaluates
/// ln σ(±logit) directly, which stays finite for large |logit|.
///
/// ```
/// use doppl_runtime::dist::{Bernoulli, Distribution};
/// let d = Bernoulli::<f64>::new(0.25).unwrap();
/// assert!((d.log_prob(&1.0).unwrap() - 0.25f64.ln()).abs() < 1e-15);
/// let l = Bernoulli::<f64>::logits(-800.0).unwrap();
/// assert!((l.log_prob(&1.0).unwrap() + 800.0).abs() < 1e-12);
/// assert!(d.log_prob(&2.0).is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Bernoulli<S: nalgebra::Scalar> {
    param: BernoulliParam<S>,
}

/// How the success probability was given.
#[derive(Clone, Debug, PartialEq)]
enum BernoulliParam<S: nalgebra::Scalar> {
    Probs(Param<S>),
    Logits(Param<S>),
}

impl<S: Scalar> Bernoulli<S> {
    /// Bernoulli with success probability `probs` in [0, 1].
    pub fn new(probs: impl IntoParam<S>) -> Result<Self, DistError> {
        let probs = probs.into_param()?;
        check_param(FAMILY, "probs", &probs, "in [0, 1]", |p| {
            (0.0..=1.0).contains(&p)
        })?;
        Ok(Bernoulli {
            param: BernoulliParam::Probs(probs),
        })
    }

    /// Bernoulli with success log-odds `logits` (finite).
    pub fn logits(logits: impl IntoParam<S>) -> Result<Self, DistError> {
        let logits = logits.into_param()?;
        check_finite(FAMILY, "logits", &logits)?;
        Ok(Bernoulli {
            param: BernoulliParam::Logits(logits),
        })
    }

    fn raw(&self) -> &Param<S> {
        match &self.param {
            BernoulliParam::Probs(p) | BernoulliParam::Logits(p) => p,
        }
    }

    /// (ln p, ln(1 − p)) of element `i`.
    fn log_probs(&self, i: usize) -> (S, S) {
        match &self.param {
            BernoulliParam::Probs(p) => {
                let p = p.at(i);
                (p.ln(), (-p).ln_1p())
            }
            BernoulliParam::Logits(l) => {
                let l = l.at(i);
                (l.log_sigmoid(), (-l).log_sigmoid())
            }
        }
    }

    /// The success probability of element `i` as `f64`.
    fn prob_re(&self, i: usize) -> f64 {
        match &self.param {
            BernoulliParam::Probs(p) => p.re_at(i),
            BernoulliParam::Logits(l) => crate::scalar::sigmoid_f64(l.re_at(i)),
        }
    }
}

/// `true` for 1.0, `false` for 0.0, `OutOfSupport` for anything else.
fn as_bool(x: f64) -> Result<bool, DistError> {
    if x == 1.0 {
        Ok(true)
    } else if x == 0.0 {
        Ok(false)
    } else {
        Err(out_of_support(FAMILY, x, Support::Boolean.describe()))
    }
}

/// `successes ln p + failures ln(1 − p)`, skipping a term whose count is zero so that
/// p = 0 or 1 gives 0 instead of 0 · (−∞) = NaN.
fn weighted<S: Scalar>(successes: f64, failures: f64, (log_p, log_q): (S, S)) -> S {
    let mut acc = S::zero();
    if successes > 0.0 {
        acc += log_p * successes;
    }
    if failures > 0.0 {
        acc += log_q * failures;
    }
    acc
}

impl<S: Scalar> Distribution<S> for Bernoulli<S> {
    type Value = f64;
    type Plain = f64;
    const NAME: &'static str = FAMILY;

    fn support(&self) -> Support {
        Support::Boolean
    }
    fn batch_len(&self) -> Option<usize> {
        self.raw().batch_len()
    }
    fn lift(v: &f64) -> f64 {
        *v
    }
    fn lower(v: &f64) -> f64 {
        *v
    }
    fn log_prob(&self, v: &f64) -> Result<S, DistError> {
        reject_batched(FAMILY, self.batch_len())?;
        let one = as_bool(*v)? as u8 as f64;
        Ok(weighted(one, 1.0 - one, self.log_probs(0)))
    }
    fn log_prob_at(&self, index: usize, v: &f64) -> Result<S, DistError> {
        let one = as_bool(*v).map_err(|e| e.at(index))? as u8 as f64;
        Ok(weighted(one, 1.0 - one, self.log_probs(index)))
    }
    crate::dist::common::observed_as_given!(f64);
    /// With scalar parameters only the number of ones is needed: k ln p + (n − k) ln(1 − p).
    fn log_prob_plate_local<L: crate::gradient::LocalTangents<S>>(
        &self,
        vs: &DVector<f64>,
        locals: &mut L,
    ) -> Result<S, DistError> {
        let n = vs.len();
        check_batch(self.batch_len(), n)?;
        if self.batch_len().is_none() {
            // Branch-free count (vectorizes); the slow path only names the bad element.
            let (mut ones, mut bad) = (0usize, false);
            for &v in vs.as_slice() {
                ones += usize::from(v == 1.0);
                bad |= v != 1.0 && v != 0.0;
            }
            if bad {
                for (i, v) in vs.iter().enumerate() {
                    as_bool(*v).map_err(|e| e.at(i))?;
                }
            }
            return Ok(weighted(ones as f64, (n - ones) as f64, self.log_probs(0)));
        }
        if let BernoulliParam::Logits(Param::Vector(logits)) = &self.param {
            return logits_plate(logits, vs, locals);
        }
        let mut acc = S::zero();
        for (i, v) in vs.iter().enumerate() {
            let (log_p, log_q) = self.log_probs(i);
            let term = if as_bool(*v).map_err(|e| e.at(i))? {
                log_p
            } else {
                log_q
            };
            locals.read(i, &term, 1.0);
            acc += term;
        }
        locals.clear(&mut acc);
        Ok(acc)
    }
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        draw(self.prob_re(0), rng)
    }
    fn sample_plate<R: Rng + ?Sized>(
        &self,
        n: usize,
        rng: &mut R,
    ) -> Result<DVector<f64>, DistError> {
        sample_each(self.batch_len(), n, rng, |i, rng| {
            draw(self.prob_re(i), rng)
        })
    }
    fn unconstrained_dim(&self) -> usize {
        0
    }
    /// Discrete: never called by inference; returns (0, 0).
    fn from_unconstrained(&self, _u: &[S]) -> (f64, S) {
        (0.0, S::zero())
    }
    /// Discrete: checks the value, writes nothing.
    fn to_unconstrained(&self, v: &f64, _out: &mut [f64]) -> Result<(), DistError> {
        as_bool(*v).map(|_| ())
    }
}

/// Σᵢ ln σ(±lᵢ) for per-element logits: only the branch the value selects is evaluated
/// (one `exp`, one `ln_1p`, each computed a block at a time), and each element's derivative is folded into the sum in one
/// pass over the lanes.
fn logits_plate<S: Scalar, L: LocalTangents<S>>(
    logits: &DVector<S>,
    vs: &DVector<f64>,
    locals: &mut L,
) -> Result<S, DistError> {
    run_hoisted(locals, &LogitsPlate { logits, vs })
}

/// The loop of [`logits_plate`].
struct LogitsPlate<'a, S: nalgebra::Scalar> {
    logits: &'a DVector<S>,
    vs: &'a DVector<f64>,
}

impl<S: Scalar> PlateLoop<S> for LogitsPlate<'_, S> {
    #[inline(always)]
    fn run<L: LocalTangents<S>>(&self, locals: &mut L) -> Result<S, DistError> {
        use crate::scalar::EXP_BLOCK as BLOCK;
        let (mut sign, mut neg_abs, mut e) = ([0.0; BLOCK], [0.0; BLOCK], [0.0; BLOCK]);
        let mut log1pe = [0.0; BLOCK];
        let mut acc = S::zero();
        let blocks = (self.logits.as_slice().chunks(BLOCK)).zip(self.vs.as_slice().chunks(BLOCK));
        for (b, (logits, vs)) in blocks.enumerate() {
            let len = logits.len();
            let (sign, neg_abs, e) = (&mut sign[..len], &mut neg_abs[..len], &mut e[..len]);
            // ln σ(−l) = ln σ(l) with l ↦ −l, whose derivative in l changes sign.
            for (k, ((s, na), (l, v))) in sign
                .iter_mut()
                .zip(neg_abs.iter_mut())
                .zip(logits.iter().zip(vs))
                .enumerate()
            {
                *s = if as_bool(*v).map_err(|e| e.at(b * BLOCK + k))? {
                    1.0
                } else {
                    -1.0
                };
                *na = -l.re().abs();
            }
            // e^{−|l|} and ln(1 + e^{−|l|}) for the whole block by the vectorized kernels.
            crate::scalar::exp_each(neg_abs, e);
            let log1pe = &mut log1pe[..len];
            crate::scalar::ln_1p_unit_each(e, log1pe);
            let each = logits
                .iter()
                .zip(sign.iter().zip(e.iter().zip(log1pe.iter())));
            for (k, (l, (&s, (&ek, &lk)))) in each.enumerate() {
                let (f0, f1) = log_sigmoid_and_derivative_given(s * l.re(), ek, lk);
                locals.read(b * BLOCK + k, l, s * f1);
                acc = acc.add_chain(*l, f0, s * f1);
            }
        }
        Ok(acc)
    }
}

fn draw<R: Rng + ?Sized>(p: f64, rng: &mut R) -> f64 {
    let u: f64 = Open01.sample(rng);
    if u < p { 1.0 } else { 0.0 }
}
