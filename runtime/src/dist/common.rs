//! Helpers shared by the families: parameter validation, constant-aware parameter terms, and
//! the plate sum that computes parameter-only terms once when the parameters are scalar.

use super::{DistError, Param, Support, check_batch};
use crate::gradient::{LocalLane, LocalTangents, PlateLoop, run_hoisted};
use crate::scalar::Scalar;
use nalgebra::DVector;

/// ln √(2π), the normal distribution's normalising constant.
pub(crate) const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Checks every element of `param` with `ok`, naming the family, parameter and element.
pub(crate) fn check_param<S: Scalar>(
    family: &'static str,
    name: &'static str,
    param: &Param<S>,
    requirement: &'static str,
    ok: impl Fn(f64) -> bool,
) -> Result<(), DistError> {
    param
        .validate(ok)
        .map_err(|(index, value)| DistError::InvalidParameter {
            family,
            param: name,
            index,
            value,
            requirement,
        })
}

/// Checks a parameter that must be finite and strictly positive (scales, rates, shapes).
pub(crate) fn check_positive<S: Scalar>(
    family: &'static str,
    name: &'static str,
    param: &Param<S>,
) -> Result<(), DistError> {
    check_param(family, name, param, "finite and > 0", |x| {
        x > 0.0 && x.is_finite()
    })
}

/// The range of a scale-like parameter (scales, shapes, degrees of freedom): the densities
/// work with its square, reciprocal, logarithm and products with ln Γ, which overflow (or
/// meet ∞ − ∞, ∞ · 0 = NaN) outside it, and no model means a value beyond it. Rates of
/// counts keep the full positive range (a log-rate of ±700 is legitimate).
pub(crate) const POSITIVE_RANGE: (f64, f64) = (1e-150, 1e150);

/// What [`check_positive`] requires, for messages.
pub(crate) const POSITIVE_REQUIREMENT: &str = "> 0 and between 1e-150 and 1e150";

/// Whether `x` is a usable positive parameter (see [`POSITIVE_RANGE`]).
pub(crate) fn valid_positive(x: f64) -> bool {
    (POSITIVE_RANGE.0..=POSITIVE_RANGE.1).contains(&x)
}

/// Checks a scale-like parameter: positive and within [`POSITIVE_RANGE`].
pub(crate) fn check_scale<S: Scalar>(
    family: &'static str,
    name: &'static str,
    param: &Param<S>,
) -> Result<(), DistError> {
    check_param(family, name, param, POSITIVE_REQUIREMENT, valid_positive)
}

/// Checks a parameter that must be finite (locations, logits).
pub(crate) fn check_finite<S: Scalar>(
    family: &'static str,
    name: &'static str,
    param: &Param<S>,
) -> Result<(), DistError> {
    check_param(family, name, param, "finite", f64::is_finite)
}

/// The common plate length of the vectorized parameters, an error when two differ.
pub(crate) fn common_batch(lens: &[Option<usize>]) -> Result<Option<usize>, DistError> {
    let mut found: Option<usize> = None;
    for len in lens.iter().flatten() {
        match found {
            Some(first) => check_batch(Some(*len), first)?,
            None => found = Some(*len),
        }
    }
    Ok(found)
}

/// The error for `log_prob` called with vectorized parameters.
pub(crate) fn reject_batched(family: &'static str, batch: Option<usize>) -> Result<(), DistError> {
    match batch {
        Some(len) => Err(DistError::BatchedParameters { family, len }),
        None => Ok(()),
    }
}

/// A value outside the support (the plate index is filled in by the caller).
pub(crate) fn out_of_support(family: &'static str, value: f64, support: &'static str) -> DistError {
    DistError::OutOfSupport {
        family,
        index: None,
        value,
        support,
    }
}

/// ln of element `i`, computed in `f64` (no derivative work) when the parameter is constant.
#[inline]
pub(crate) fn ln_at<S: Scalar>(param: &Param<S>, i: usize) -> S {
    match param {
        Param::Const(c) => S::from_f64(c.ln()),
        other => other.at(i).ln(),
    }
}

/// ln Γ of element `i`, computed in `f64` when the parameter is constant.
#[inline]
pub(crate) fn ln_gamma_at<S: Scalar>(param: &Param<S>, i: usize) -> S {
    match param {
        Param::Const(c) => S::from_f64(crate::scalar::ln_gamma(*c)),
        other => other.at(i).ln_gamma(),
    }
}

/// A family whose log-density splits into a value-dependent kernel and parameter-only terms.
///
/// `prepare` gathers what element `i`'s parameters contribute (ln σ, 1/σ², ln Γ(α) …);
/// [`plate_log_prob`] calls it once for scalar parameters and once per element otherwise.
pub(crate) trait ElementDensity<S: Scalar> {
    /// Parameter quantities of one element.
    type Prepared;
    /// The value type.
    type Value;
    /// The family name, for errors.
    const FAMILY: &'static str;
    /// The plate length of vectorized parameters.
    fn batch(&self) -> Option<usize>;
    /// Parameter quantities of element `i`.
    fn prepare(&self, i: usize) -> Self::Prepared;
    /// The parameter-only additive terms of ln p.
    fn normalizer(&self, prep: &Self::Prepared) -> S;
    /// The value-dependent terms of ln p; `OutOfSupport` (without index) outside the support.
    fn kernel(&self, prep: &Self::Prepared, v: &Self::Value) -> Result<S, DistError>;
    /// The normaliser of every element, when it is one number although the parameters are
    /// vectors (only a location varies): added once per plate sum instead of per element.
    fn shared_normalizer(&self) -> Option<S> {
        None
    }
    /// [`ElementDensity::kernel`] of element `i`; a family with a
    /// [`ElementDensity::shared_normalizer`] computes it without preparing the element.
    #[inline]
    fn kernel_at(&self, i: usize, v: &Self::Value) -> Result<S, DistError> {
        self.kernel(&self.prepare(i), v)
    }
    /// The whole plate sum of the values `value(vs[i])` by a loop of the family's own
    /// (one that takes shared factors out of the sum), or `None` for the element-wise one.
    fn own_plate_sum<V, L: LocalTangents<S>>(
        &self,
        vs: &[V],
        locals: &mut L,
        value: &impl Fn(&V) -> Self::Value,
    ) -> Option<Result<S, DistError>> {
        let _ = (vs, locals, value);
        None
    }
    /// The whole plate sum of a local latent's values given by their seeded coordinates `u`
    /// ([`Distribution::log_prob_plate_of_coordinates`](super::Distribution::log_prob_plate_of_coordinates)),
    /// or `None` to score the values.
    fn plate_sum_of_coordinates<L: LocalTangents<S>>(
        &self,
        u: &[f64],
        lane: LocalLane,
        locals: &mut L,
    ) -> Option<Result<S, DistError>> {
        let _ = (u, lane, locals);
        None
    }
}

/// ln p(v) for non-vectorized parameters.
pub(crate) fn single_log_prob<S: Scalar, D: ElementDensity<S>>(
    dist: &D,
    v: &D::Value,
) -> Result<S, DistError> {
    reject_batched(D::FAMILY, dist.batch())?;
    let prep = dist.prepare(0);
    Ok(dist.kernel(&prep, v)? + dist.normalizer(&prep))
}

/// Σᵢ ln p(vᵢ), with the normaliser computed once (times n) when the parameters are scalar.
/// Each element's term is shown to `locals` before it is added.
pub(crate) fn plate_log_prob<S: Scalar, D: ElementDensity<S>, L: LocalTangents<S>>(
    dist: &D,
    vs: &DVector<D::Value>,
    locals: &mut L,
) -> Result<S, DistError>
where
    D::Value: nalgebra::Scalar,
{
    plate_log_prob_each(dist, vs.as_slice(), locals, D::Value::clone)
}

/// [`plate_log_prob`] of values `value(vs[i])`: observed `f64` data are turned into values one
/// element at a time, in registers, instead of into a lifted buffer.
pub(crate) fn plate_log_prob_each<S, D, V, L>(
    dist: &D,
    vs: &[V],
    locals: &mut L,
    value: impl Fn(&V) -> D::Value,
) -> Result<S, DistError>
where
    S: Scalar,
    D: ElementDensity<S>,
    L: LocalTangents<S>,
{
    let n = vs.len();
    check_batch(dist.batch(), n)?;
    if let Some(sum) = dist.own_plate_sum(vs, locals, &value) {
        return sum;
    }
    let n = n as f64;
    if dist.batch().is_none() {
        let prep = dist.prepare(0);
        let kernels = sum_read_off(vs, locals, |_, v| dist.kernel(&prep, &value(v)))?;
        return Ok(kernels + dist.normalizer(&prep) * n);
    }
    if let Some(norm) = dist.shared_normalizer() {
        let kernels = sum_read_off(vs, locals, |i, v| dist.kernel_at(i, &value(v)))?;
        return Ok(kernels + norm * n);
    }
    sum_read_off(vs, locals, |i, v| {
        let prep = dist.prepare(i);
        Ok(dist.kernel(&prep, &value(v))? + dist.normalizer(&prep))
    })
}

/// `Σᵢ term(i, vᵢ)`, each term shown to `locals` before it joins the sum; a failing term's
/// error names its element.
#[inline(always)]
fn sum_read_off<S: Scalar, V, L: LocalTangents<S>>(
    vs: &[V],
    locals: &mut L,
    term: impl Fn(usize, &V) -> Result<S, DistError>,
) -> Result<S, DistError> {
    run_hoisted(locals, &TermSum { vs, term })
}

/// The loop of [`sum_read_off`].
struct TermSum<'a, V, F> {
    vs: &'a [V],
    term: F,
}

impl<S: Scalar, V, F: Fn(usize, &V) -> Result<S, DistError>> PlateLoop<S> for TermSum<'_, V, F> {
    #[inline(always)]
    fn run<L: LocalTangents<S>>(&self, locals: &mut L) -> Result<S, DistError> {
        let mut acc = S::zero();
        for (i, v) in self.vs.iter().enumerate() {
            let t = (self.term)(i, v).map_err(|e| e.at(i))?;
            locals.read(i, &t, 1.0);
            acc += t;
        }
        Ok(acc)
    }
}

/// The real parts `re[k]` of one block of a plate's values `value(block[k])`, checked
/// against `inside` with one branch-free test for the whole block: a family's loop that
/// computes a function of them a block at a time. The element at fault is looked for only
/// when the test fails, and named from `first` in an `OutOfSupport` error.
#[inline(always)]
pub(crate) fn block_real_parts<S: Scalar, V>(
    (block, first): (&[V], usize),
    value: &impl Fn(&V) -> S,
    re: &mut [f64],
    (family, support): (&'static str, Support),
    inside: impl Fn(f64) -> bool,
) -> Result<(), DistError> {
    for (r, v) in re.iter_mut().zip(block) {
        *r = value(v).re();
    }
    if re.iter().fold(true, |ok, &r| ok & inside(r)) {
        return Ok(());
    }
    let k = re.iter().position(|&r| !inside(r)).unwrap_or(0);
    Err(out_of_support(family, re[k], support.describe()).at(first + k))
}

/// `n` draws, element `i` drawn by `draw(i, rng)`, after checking the parameters' length.
pub(crate) fn sample_each<T: nalgebra::Scalar, R: ?Sized>(
    batch: Option<usize>,
    n: usize,
    rng: &mut R,
    mut draw: impl FnMut(usize, &mut R) -> T,
) -> Result<DVector<T>, DistError> {
    check_batch(batch, n)?;
    Ok(DVector::from_fn(n, |i, _| draw(i, rng)))
}

/// Checks that a real value is finite, else `OutOfSupport` with the family's support words.
pub(crate) fn check_finite_value(
    family: &'static str,
    x: f64,
    support: &'static str,
) -> Result<(), DistError> {
    if x.is_finite() {
        Ok(())
    } else {
        Err(out_of_support(family, x, support))
    }
}

/// What a family with one real value per draw adds to [`ElementDensity`]: its support,
/// value check, sampler and unconstraining transform. [`scalar_distribution!`] turns it into
/// a [`Distribution`](super::Distribution) implementation.
pub(crate) trait ScalarFamily<S: Scalar>: ElementDensity<S, Value = S> {
    /// Where the values live.
    fn support(&self) -> Support;
    /// `Ok` for a value in the support, `OutOfSupport` (without index) otherwise.
    fn check_value(&self, x: f64) -> Result<(), DistError>;
    /// One draw with the value parts of element `i`'s parameters.
    fn draw<R: rand::Rng + ?Sized>(&self, i: usize, rng: &mut R) -> f64;
    /// Unconstrained real → value in the support, with ln |J|.
    fn forward(&self, u: S) -> (S, S);
    /// Value → unconstrained real.
    fn inverse(&self, x: f64) -> f64;
    /// [`ScalarFamily::forward`] for plate element `i` (families whose support depends on
    /// vectorized parameters override it).
    fn forward_at(&self, _i: usize, u: S) -> (S, S) {
        self.forward(u)
    }
    /// [`ScalarFamily::inverse`] for plate element `i`.
    fn inverse_at(&self, _i: usize, x: f64) -> f64 {
        self.inverse(x)
    }
    /// Whether the family can be drawn from (improper priors cannot).
    fn sampleable(&self) -> bool {
        true
    }
    /// [`ScalarFamily::check_value`] for plate element `i`.
    fn check_value_at(&self, _i: usize, x: f64) -> Result<(), DistError> {
        self.check_value(x)
    }
    /// Element `i` as a map of a standard noise, if the family is location-scale.
    fn location_scale(&self, _i: usize) -> Option<super::LocationScale> {
        None
    }
}

/// Implements [`Distribution`](super::Distribution) for a [`ScalarFamily`] with
/// `Value = S`, `Plain = f64` and one unconstrained coordinate. The fields after the family
/// are its parameters in the order its `new` takes them: observed data against parameters
/// that are all constants is scored by the family rebuilt over `f64` (no derivative parts,
/// no lanes read).
macro_rules! scalar_distribution {
    ($family:ident $(, $param:ident)*) => {
        impl<S: Scalar> $crate::dist::Distribution<S> for $family<S> {
            type Value = S;
            type Plain = f64;
            const NAME: &'static str = <Self as ElementDensity<S>>::FAMILY;

            fn support(&self) -> Support {
                ScalarFamily::support(self)
            }
            fn batch_len(&self) -> Option<usize> {
                self.batch()
            }
            fn lift(v: &f64) -> S {
                S::from_f64(*v)
            }
            fn lower(v: &S) -> f64 {
                v.re()
            }
            fn log_prob(&self, v: &S) -> Result<S, DistError> {
                $crate::dist::common::single_log_prob(self, v)
            }
            fn log_prob_plate_local<L: $crate::gradient::LocalTangents<S>>(
                &self,
                vs: &nalgebra::DVector<S>,
                locals: &mut L,
            ) -> Result<S, DistError> {
                $crate::dist::common::plate_log_prob(self, vs, locals)
            }
            fn log_prob_plate_of_coordinates<L: $crate::gradient::LocalTangents<S>>(
                &self,
                u: &[f64],
                lane: $crate::gradient::LocalLane,
                locals: &mut L,
            ) -> Option<Result<S, DistError>> {
                ElementDensity::plate_sum_of_coordinates(self, u, lane, locals)
            }
            fn log_prob_plate_observed<L: $crate::gradient::LocalTangents<S>>(
                &self,
                vs: &nalgebra::DVector<f64>,
                locals: &mut L,
            ) -> Result<S, DistError> {
                let constant = || $family::<f64>::new($(self.$param.as_constant()?),*).ok();
                if let Some(plain) = constant() {
                    let mut none = $crate::gradient::NoLocals;
                    let value = |v: &f64| *v;
                    let sum = $crate::dist::common::plate_log_prob_each(
                        &plain, vs.as_slice(), &mut none, value,
                    )?;
                    return Ok(S::from_f64(sum));
                }
                let lift = |v: &f64| S::from_f64(*v);
                $crate::dist::common::plate_log_prob_each(self, vs.as_slice(), locals, lift)
            }
            fn can_sample(&self) -> bool {
                ScalarFamily::sampleable(self)
            }
            fn log_prob_at(&self, index: usize, v: &S) -> Result<S, DistError> {
                self.check_value_at(index, v.re())?;
                let prep = self.prepare(index);
                Ok(self.kernel(&prep, v)? + self.normalizer(&prep))
            }
            fn noise_of(&self, index: usize, v: &f64) -> Option<f64> {
                ScalarFamily::location_scale(self, index).map(|map| map.noise_of(*v))
            }
            fn value_from_noise(&self, index: usize, eps: f64) -> Option<f64> {
                ScalarFamily::location_scale(self, index).map(|map| map.value_of(eps))
            }
            fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
                self.draw(0, rng)
            }
            fn sample_plate<R: rand::Rng + ?Sized>(
                &self,
                n: usize,
                rng: &mut R,
            ) -> Result<nalgebra::DVector<f64>, DistError> {
                $crate::dist::common::sample_each(self.batch(), n, rng, |i, rng| self.draw(i, rng))
            }
            fn unconstrained_dim(&self) -> usize {
                1
            }
            fn from_unconstrained(&self, u: &[S]) -> (S, S) {
                self.forward(u[0])
            }
            fn to_unconstrained(&self, v: &f64, out: &mut [f64]) -> Result<(), DistError> {
                self.to_unconstrained_at(0, v, out)
            }
            fn from_unconstrained_at(&self, index: usize, u: &[S]) -> (S, S) {
                self.forward_at(index, u[0])
            }
            fn to_unconstrained_at(
                &self,
                index: usize,
                v: &f64,
                out: &mut [f64],
            ) -> Result<(), DistError> {
                self.check_value_at(index, *v)?;
                out[0] = self.inverse_at(index, *v);
                if out[0].is_finite() {
                    Ok(())
                } else {
                    // A value on the boundary of an open support (0 for a scale) has no
                    // unconstrained coordinate.
                    Err($crate::dist::common::out_of_support(
                        <Self as ElementDensity<S>>::FAMILY,
                        *v,
                        "strictly inside the support (not on its boundary) to be a starting value",
                    ))
                }
            }
        }
    };
}
pub(crate) use scalar_distribution;

/// Σᵢ kernel(vᵢ) over a plate of vector values (Dirichlet, MVN), errors carrying the index;
/// the caller adds the normalising constant once for all n elements.
pub(crate) fn vector_plate_sum<S: Scalar>(
    vs: &nalgebra::DVector<nalgebra::DVector<S>>,
    kernel: impl Fn(&nalgebra::DVector<S>) -> Result<S, DistError>,
) -> Result<S, DistError> {
    let mut acc = S::zero();
    for (i, v) in vs.iter().enumerate() {
        acc += kernel(v).map_err(|e| e.at(i))?;
    }
    Ok(acc)
}

/// A non-negative finite value, as the half-distributions and the exponential require.
pub(crate) fn check_non_negative(family: &'static str, x: f64) -> Result<(), DistError> {
    if x >= 0.0 && x.is_finite() {
        Ok(())
    } else {
        Err(out_of_support(family, x, "a finite number ≥ 0"))
    }
}

/// A strictly positive finite value (log-normal, gamma, inverse gamma).
pub(crate) fn check_strictly_positive(family: &'static str, x: f64) -> Result<(), DistError> {
    if x > 0.0 && x.is_finite() {
        Ok(())
    } else {
        Err(out_of_support(family, x, Support::Positive.describe()))
    }
}

/// A draw from rand_distr's Gamma(shape, scale), NaN if the parameters are out of its range
/// (they were validated at construction, so this only guards against overflow of 1/rate).
pub(crate) fn draw_gamma<R: rand::Rng + ?Sized>(shape: f64, scale: f64, rng: &mut R) -> f64 {
    use rand_distr::Distribution as _;
    rand_distr::Gamma::new(shape, scale).map_or(f64::NAN, |g| g.sample(rng))
}

/// A parameter that must be a vector (probabilities, concentrations, a mean vector).
pub(crate) fn require_vector<S: Scalar>(
    family: &'static str,
    name: &'static str,
    param: Param<S>,
) -> Result<DVector<S>, DistError> {
    match param {
        Param::Vector(v) => Ok(v.into_dvector()),
        Param::Const(c) => Err(not_a_vector(family, name, c)),
        Param::Scalar(s) => Err(not_a_vector(family, name, s.re())),
    }
}

fn not_a_vector(family: &'static str, param: &'static str, value: f64) -> DistError {
    DistError::InvalidParameter {
        family,
        param,
        index: None,
        value,
        requirement: "a vector, not a scalar",
    }
}

/// ln Σ e^(xᵢ) for scalars, shifted by the largest value part so that it cannot overflow.
pub(crate) fn log_sum_exp<S: Scalar>(xs: &DVector<S>) -> S {
    let max = xs
        .iter()
        .copied()
        .fold(None::<S>, |m, x| match m {
            Some(m) if m.re() >= x.re() => Some(m),
            _ => Some(x),
        })
        .unwrap_or_else(S::zero);
    if !max.re().is_finite() {
        return max;
    }
    let sum: S = xs.iter().map(|&x| (x - max).exp()).sum();
    max + sum.ln()
}

/// `log_prob_plate_observed` of a family whose values are its data (0/1, counts,
/// categories): the observed values are scored as given, with no lifted copy.
macro_rules! observed_as_given {
    ($value:ty) => {
        fn log_prob_plate_observed<L: $crate::gradient::LocalTangents<S>>(
            &self,
            vs: &nalgebra::DVector<$value>,
            locals: &mut L,
        ) -> Result<S, DistError> {
            self.log_prob_plate_local(vs, locals)
        }
    };
}
pub(crate) use observed_as_given;
