//! The hyperbolic tangent without branches on the value, so that a loop over a block of
//! numbers (a network layer's units over a block of elements) compiles to vector
//! instructions; libm's `tanh` is a call per number (~70 instructions each).
//!
//! `tanh x = sign(x) · e / (e + 2)` with `e = e^{2|x|} − 1`, and `e` from a Cody–Waite
//! reduction `2|x| = k ln 2 + r`, `|r| ≤ ln 2 / 2`, and the Taylor polynomial of `e^r − 1`
//! to degree 13 (remainder below 1.2e−17 relative): `e = 2^k (e^r − 1) + (2^k − 1)`. Every
//! step keeps relative accuracy near 0, where `e/(e + 2) ≈ x`. Beyond |x| = 22 the result is
//! ±1 in `f64`, so the argument is clamped there (which also maps ±∞ to ±1); a NaN stays NaN.

/// ln 2 split for an exact product `k · LN2_HI` (its low 21 bits are zero; |k| ≤ 64 here).
const LN2_HI: f64 = 6.931_471_803_691_238e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
const INV_LN2: f64 = std::f64::consts::LOG2_E;
/// 1.5 · 2⁵²: adding it rounds a number below 2⁵¹ to an integer held in the low mantissa bits.
const ROUND: f64 = 6_755_399_441_055_744.0;
/// Beyond this |x|, tanh x rounds to ±1.
const SATURATION: f64 = 22.0;

/// e^y − 1 for 0 ≤ y ≤ 44 (or NaN).
#[inline(always)]
fn expm1_reduced(y: f64) -> f64 {
    let shifted = y * INV_LN2 + ROUND;
    let k = shifted - ROUND;
    let r = (y - k * LN2_HI) - k * LN2_LO;
    // (e^r − 1 − r) / r² by Horner in 1/n!, n = 2 … 13.
    let mut p = 1.0 / 6_227_020_800.0;
    for c in [
        1.0 / 479_001_600.0,
        1.0 / 39_916_800.0,
        1.0 / 3_628_800.0,
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
    ] {
        p = p * r + c;
    }
    let expm1_r = r + r * r * p;
    // 2^k from the integer in `shifted`'s low bits (0 ≤ k ≤ 64).
    let k_bits = shifted.to_bits().wrapping_sub(ROUND.to_bits());
    let two_k = f64::from_bits(k_bits.wrapping_add(1023) << 52);
    two_k * expm1_r + (two_k - 1.0)
}

/// tanh x, within 5 units in the last place of libm's (20 million uniform points on
/// [0, 3]: 77% equal, 99.97% within 2, none beyond 4).
///
/// ```
/// use doppl_runtime::scalar::tanh_f64;
/// assert_eq!(tanh_f64(0.0), 0.0);
/// assert!((tanh_f64(0.5) - 0.5f64.tanh()).abs() <= 2.0 * f64::EPSILON * 0.5f64.tanh());
/// assert_eq!((tanh_f64(40.0), tanh_f64(f64::NEG_INFINITY)), (1.0, -1.0));
/// assert!(tanh_f64(f64::NAN).is_nan());
/// ```
#[inline(always)]
pub fn tanh_f64(x: f64) -> f64 {
    let a = x.abs();
    // Not `min`: a NaN must stay NaN.
    let a = if a > SATURATION { SATURATION } else { a };
    let e = expm1_reduced(2.0 * a);
    (e / (e + 2.0)).copysign(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The distance in units in the last place between two finite numbers of one sign.
    fn ulps(a: f64, b: f64) -> u64 {
        a.to_bits().abs_diff(b.to_bits())
    }

    #[test]
    fn agrees_with_libm_within_five_ulps_over_the_whole_range() {
        let mut worst = (0, 0.0);
        // Dense near 0 (relative accuracy), then through the reduction's branches to 22.
        let tiny = (1..2000).map(|i| 1e-300 * 1.5f64.powi(i / 4) * (1.0 + i as f64 * 1e-3));
        let grid = (0..200_000).map(|i| i as f64 * 1.2e-4);
        for x in tiny.take_while(|x| *x < 1.0).chain(grid) {
            for x in [x, -x] {
                let d = ulps(tanh_f64(x), x.tanh());
                if d > worst.0 {
                    worst = (d, x);
                }
            }
        }
        assert!(worst.0 <= 5, "{} ulps at {}", worst.0, worst.1);
    }

    #[test]
    fn saturates_keeps_the_sign_of_zero_and_propagates_nan() {
        for x in [22.0, 23.5, 700.0, 1e300, f64::INFINITY] {
            assert_eq!((tanh_f64(x), tanh_f64(-x)), (1.0, -1.0), "{x}");
        }
        assert_eq!(tanh_f64(-0.0).to_bits(), (-0.0f64).to_bits());
        assert!(tanh_f64(f64::NAN).is_nan());
        assert_eq!(tanh_f64(1e-200), 1e-200);
    }
}
