//! Functions of blocks of numbers: the vectorized kernels ([`super::simd`]) behind
//! functions that also cover the numbers the kernels do not.

use super::simd;

/// `out[i] = e^{x[i]}` for a block of numbers, vectorized where the CPU allows (AVX2):
/// [`exp_f64`](super::exp_f64) element by element, the same bits on every instruction set.
///
/// ```
/// use doppl_runtime::scalar::exp_each;
/// let mut out = [0.0; 3];
/// exp_each(&[0.0, 1.0, -800.0], &mut out);
/// assert_eq!(out[0], 1.0);
/// assert!((out[1] - std::f64::consts::E).abs() <= f64::EPSILON * std::f64::consts::E);
/// assert_eq!(out[2], 0.0);
/// ```
pub fn exp_each(x: &[f64], out: &mut [f64]) {
    simd::exp_values(x, out);
}

/// `out[i] = ln(1 + t[i])` for every `t[i]` in `[0, 1]` (an `e^{−|l|}`), vectorized where
/// the CPU allows ([`ln_1p_unit_f64`](super::ln_1p_unit_f64); the same bits on every
/// instruction set).
///
/// ```
/// use doppl_runtime::scalar::ln_1p_unit_each;
/// let mut out = [0.0; 3];
/// ln_1p_unit_each(&[0.0, 1.0, 0.25], &mut out);
/// assert_eq!(out[0], 0.0);
/// assert!((out[1] - std::f64::consts::LN_2).abs() <= f64::EPSILON);
/// assert!((out[2] - 1.25f64.ln()).abs() <= f64::EPSILON);
/// ```
pub fn ln_1p_unit_each(t: &[f64], out: &mut [f64]) {
    simd::ln_1p_unit_values(t, out);
}

/// `out[i] = ln x[i]` for every `x[i]`, vectorized where the CPU allows for finite positive
/// numbers ([`ln_f64`](super::ln_f64); the same bits on every instruction set); zero,
/// negative, infinite and NaN numbers get libm's `ln` (−∞, NaN, +∞, NaN).
///
/// ```
/// use doppl_runtime::scalar::ln_each;
/// let mut out = [0.0; 4];
/// ln_each(&[1.0, std::f64::consts::E, 0.0, -1.0], &mut out);
/// assert_eq!(out[0], 0.0);
/// assert!((out[1] - 1.0).abs() <= f64::EPSILON);
/// assert_eq!(out[2], f64::NEG_INFINITY);
/// assert!(out[3].is_nan());
/// ```
pub fn ln_each(x: &[f64], out: &mut [f64]) {
    ln_positive_each(x, out);
    let covered = |xi: f64| xi > 0.0 && xi < f64::INFINITY;
    outside_by_libm(x, out, covered, f64::ln);
}

/// `out[i] = libm(x[i])` where `covered(x[i])` fails: the numbers a vectorized kernel does
/// not cover. Rare, so the block is tested in one branch-free pass first.
fn outside_by_libm(
    x: &[f64],
    out: &mut [f64],
    covered: impl Fn(f64) -> bool,
    libm: impl Fn(f64) -> f64,
) {
    if x.iter().fold(true, |ok, &xi| ok & covered(xi)) {
        return;
    }
    for (o, &xi) in out.iter_mut().zip(x) {
        if !covered(xi) {
            *o = libm(xi);
        }
    }
}

/// [`ln_each`] for numbers the caller has checked are finite and positive.
pub(crate) fn ln_positive_each(x: &[f64], out: &mut [f64]) {
    simd::ln_values(x, out);
}

/// `out[i] = ln(1 + t[i])` for every `t[i] ≥ 0`, vectorized where the CPU allows for finite
/// ones ([`ln_1p_f64`](super::ln_1p_f64)); infinite, negative and NaN numbers get libm's
/// `ln_1p`.
pub(crate) fn ln_1p_non_negative_each(t: &[f64], out: &mut [f64]) {
    simd::ln_1p_values(t, out);
    let covered = |ti: f64| (0.0..f64::INFINITY).contains(&ti);
    outside_by_libm(t, out, covered, f64::ln_1p);
}

/// The block size of [`exp_each`]'s callers: each computes the exponentials of this many
/// elements into a stack buffer, then uses them. Large enough that the kernel's dispatch
/// and loop set-up vanish per element, small enough to stay in L1 beside the operands.
pub const EXP_BLOCK: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;

    /// The numbers the vectorized kernels do not cover, anywhere in a block, get libm's
    /// values; the covered ones beside them keep the kernels' (1 and 2 ulps).
    #[test]
    fn numbers_outside_the_kernels_get_libm_values() {
        let odd = [0.0, -1.0, f64::INFINITY, f64::NAN, -0.0, f64::NEG_INFINITY];
        let mut x: Vec<f64> = (1..=70).map(|i| i as f64 * 0.37).collect();
        for (k, &v) in odd.iter().enumerate() {
            x[k * 13] = v;
        }
        let (mut ln, mut ln_1p) = (vec![0.0; x.len()], vec![0.0; x.len()]);
        ln_each(&x, &mut ln);
        ln_1p_non_negative_each(&x, &mut ln_1p);
        let same = |a: f64, b: f64, ulps: f64| {
            (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= ulps * f64::EPSILON * b.abs()
        };
        for (i, &xi) in x.iter().enumerate() {
            assert!(same(ln[i], xi.ln(), 1.0), "ln at {xi}: {}", ln[i]);
            assert!(
                same(ln_1p[i], xi.ln_1p(), 2.0),
                "ln_1p at {xi}: {}",
                ln_1p[i]
            );
        }
    }
}
