//! The exponential without branches on the value, for loops over blocks of numbers: there
//! it inlines and compiles to vector instructions ([`super::simd::exp_values`]), where
//! libm's `exp` is a call per number (~50 instructions with its wrapper, by callgrind).
//!
//! Element-by-element callers (a dual's `exp`) keep libm's: measured on the confounder
//! step, a scalar polynomial `exp` there was slower in wall clock than libm's table-driven
//! one although it ran fewer instructions (each element waits on the whole polynomial's
//! dependency chain; BENCHMARKS.md, thirteenth session). Over a block the elements are
//! independent and vector throughput decides instead.
//!
//! Cody–Waite reduction `x = k ln 2 + r`, `|r| ≤ ln 2 / 2`, then the Taylor polynomial of
//! `e^r` to degree 13 (remainder below 5e−18 relative) and the scaling by `2^k`.

/// ln 2 split for an exact product `k · LN2_HI` (its low 21 bits are zero; |k| ≤ 1076 here).
const LN2_HI: f64 = 6.931_471_803_691_238e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
const INV_LN2: f64 = std::f64::consts::LOG2_E;
/// 1.5 · 2⁵²: adding it rounds a number below 2⁵¹ to an integer held in the low mantissa bits.
const ROUND: f64 = 6_755_399_441_055_744.0;
/// Above this, e^x overflows to +∞ (ln f64::MAX ≈ 709.78); clamping keeps `k` small.
const OVERFLOW: f64 = 710.0;
/// Below this, e^x rounds to +0 (ln of the smallest subnormal ≈ −744.44, half of it rounds
/// down at −745.13).
const UNDERFLOW: f64 = -746.0;

/// `x = k ln 2 + r`: (`k` as an integer, `r`), for |x| < 2⁵⁰.
#[inline(always)]
fn reduce(x: f64) -> (i64, f64) {
    let shifted = x * INV_LN2 + ROUND;
    let k = shifted - ROUND;
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let k_int = shifted.to_bits().wrapping_sub(ROUND.to_bits()) as i64;
    (k_int, r)
}

/// `(e^r − 1 − r) / r²` for |r| ≤ ln 2 / 2: the Taylor coefficients `1/n!`, n = 2 … 13,
/// summed by Estrin's scheme (pairs, then pairs of pairs in `r²`, `r⁴`, `r⁸`) rather than
/// Horner's: the same terms with a dependency chain of about 7 operations instead of 22.
#[inline(always)]
fn taylor_tail(r: f64) -> f64 {
    const C: [f64; 12] = [
        0.5,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5_040.0,
        1.0 / 40_320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
        1.0 / 6_227_020_800.0,
    ];
    let r2 = r * r;
    let r4 = r2 * r2;
    let pair = |i: usize| C[i] + C[i + 1] * r;
    let low = pair(0) + pair(2) * r2;
    let mid = pair(4) + pair(6) * r2;
    let high = pair(8) + pair(10) * r2;
    low + (mid + high * r4) * r4
}

/// `2^k` for −1022 ≤ k ≤ 1023.
#[inline(always)]
fn pow2(k: i64) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// e^y − 1 for 0 ≤ y ≤ 44 (or NaN): the reduced form [`super::tanh_f64`] needs, accurate
/// relative to the result near 0.
#[inline(always)]
pub(super) fn expm1_reduced(y: f64) -> f64 {
    let (k, r) = reduce(y);
    let expm1_r = r + r * r * taylor_tail(r);
    let two_k = pow2(k);
    two_k * expm1_r + (two_k - 1.0)
}

/// e^x, within 1 unit in the last place of libm's over the whole range (see the tests),
/// with libm's results at the edges: +∞ above ~709.78, subnormals down to ~−745.13, then
/// +0; a NaN stays NaN.
///
/// ```
/// use doppl_runtime::scalar::exp_f64;
/// assert_eq!(exp_f64(0.0), 1.0);
/// assert!((exp_f64(1.0) - std::f64::consts::E).abs() <= f64::EPSILON * std::f64::consts::E);
/// assert_eq!((exp_f64(710.0), exp_f64(-800.0)), (f64::INFINITY, 0.0));
/// assert!(exp_f64(-740.0) > 0.0 && exp_f64(f64::NAN).is_nan());
/// ```
#[inline(always)]
pub fn exp_f64(x: f64) -> f64 {
    // Comparisons rather than `clamp`/`min`: a NaN must stay NaN.
    let x = if x > OVERFLOW { OVERFLOW } else { x };
    let x = if x < UNDERFLOW { UNDERFLOW } else { x };
    let (k, r) = reduce(x);
    let exp_r = 1.0 + (r + r * r * taylor_tail(r));
    // 2^k in two factors, each a normal number for |k| ≤ 1076, so that results near the
    // overflow and in the subnormal range are rounded once, by the last product.
    let half = k >> 1;
    exp_r * pow2(half) * pow2(k - half)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// The largest distance, in units in the last place, between `ours` and libm's
    /// `reference` over `points` (all results finite and of one sign per point), with
    /// where it occurs.
    pub(in crate::scalar) fn worst_ulps(
        points: impl Iterator<Item = f64>,
        ours: impl Fn(f64) -> f64,
        reference: impl Fn(f64) -> f64,
    ) -> (u64, f64) {
        points.fold((0, 0.0), |worst, x| {
            let d = ours(x).to_bits().abs_diff(reference(x).to_bits());
            if d > worst.0 { (d, x) } else { worst }
        })
    }

    #[test]
    fn agrees_with_libm_within_one_ulp_over_the_whole_range() {
        // A fine grid over the reduction's branches, the whole finite range, and tiny |x|.
        let grid = (-200_000..=200_000).map(|i| i as f64 * 1.3e-5);
        let wide = (-74_500..=70_978).map(|i| i as f64 * 0.01 + 3.7e-4);
        let tiny = (1..1200).map(|i| 1e-300 * 1.9f64.powi(i));
        let points = grid.chain(wide).chain(tiny.flat_map(|t| [t, -t]));
        let worst = worst_ulps(points, exp_f64, f64::exp);
        assert!(worst.0 <= 1, "{} ulps at {}", worst.0, worst.1);
    }

    #[test]
    fn overflows_underflows_through_subnormals_and_propagates_nan() {
        for x in [709.79, 710.0, 1e300, f64::INFINITY] {
            assert_eq!(exp_f64(x), f64::INFINITY, "{x}");
        }
        for x in [-745.14, -746.0, -1e300, f64::NEG_INFINITY] {
            assert_eq!(exp_f64(x).to_bits(), 0, "{x}");
        }
        // Subnormal results agree with libm's to the bit (one rounding).
        for x in [-708.5, -720.25, -740.0, -744.4, -745.0] {
            assert_eq!(exp_f64(x), x.exp(), "{x}");
        }
        assert_eq!(exp_f64(709.78), 709.78f64.exp());
        assert!(exp_f64(f64::NAN).is_nan());
        assert_eq!((exp_f64(-0.0), exp_f64(1e-300)), (1.0, 1.0));
    }
}
