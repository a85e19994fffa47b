//! Logarithms without branches on the value, for loops over blocks of numbers: `ln(1 + t)`
//! for `0 ≤ t ≤ 1` ([`super::simd::ln_1p_unit_values`], the logistic terms
//! `ln(1 + e^{−|l|})` of a Bernoulli-logit plate sum, whose `e^{−|l|}` a block already holds)
//! and `ln x` for finite `x > 0` ([`super::simd::ln_values`], a log-normal plate's `ln vᵢ`).
//! libm's `log1p` and `log` are a call per number (~60 and ~50 instructions with their
//! wrappers, by callgrind); over a block the elements are independent and these compile to
//! vector instructions.
//!
//! Both reduce to `ln m` for `m ∈ [√½, √2)`: `u = 1 + t` rounded (or `x`) is `2^k m`, and
//! `ln m = 2 atanh(s)` for `s = f / (2 + f)`, `f = m − 1` (exact): `2s = f − s f`, so
//! `ln m = f − s (f − R)` with `R = Σⱼ 2 s^{2j} / (2j + 1)`, `j = 1 … 10` (`|s| ≤ 0.172`:
//! the first term left out is below 2⁻⁵⁶ relative). Writing the leading `2s` through the
//! exact `f` keeps the rounding of the division out of the result's leading bits. For
//! `ln(1 + t)` the rounding of `1 + t` itself is added back as `(t − (u − 1)) / u`.

/// ln 2 split so that `k · LN2_HI` is exact for the `k` used here.
const LN2_HI: f64 = 6.931_471_803_691_238e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;

/// `R(z) / z = Σⱼ 2 z^{j−1} / (2j + 1)`, `z = s²`, by Horner's scheme.
#[inline(always)]
fn atanh_tail(z: f64) -> f64 {
    const C: [f64; 10] = [
        2.0 / 3.0,
        2.0 / 5.0,
        2.0 / 7.0,
        2.0 / 9.0,
        2.0 / 11.0,
        2.0 / 13.0,
        2.0 / 15.0,
        2.0 / 17.0,
        2.0 / 19.0,
        2.0 / 21.0,
    ];
    let mut p = C[9];
    for &c in C[..9].iter().rev() {
        p = c + z * p;
    }
    p
}

/// `ln(1 + t)` for `0 ≤ t ≤ 1`, within 2 units in the last place of libm's `ln_1p` (see
/// the tests); a NaN stays NaN. Outside `[0, 1]` the result is not meaningful.
///
/// ```
/// use doppl_runtime::scalar::ln_1p_unit_f64;
/// assert_eq!(ln_1p_unit_f64(0.0), 0.0);
/// assert!((ln_1p_unit_f64(1.0) - std::f64::consts::LN_2).abs() <= f64::EPSILON);
/// assert_eq!(ln_1p_unit_f64(1e-300), 1e-300);
/// assert!(ln_1p_unit_f64(f64::NAN).is_nan());
/// ```
#[inline(always)]
pub fn ln_1p_unit_f64(t: f64) -> f64 {
    let u = 1.0 + t;
    let k = if u > std::f64::consts::SQRT_2 {
        1.0
    } else {
        0.0
    };
    let m = u * (1.0 - 0.5 * k);
    let rounding = (t - (u - 1.0)) / u;
    k * LN2_HI + (ln_reduced(m) + (k * LN2_LO + rounding))
}

/// `ln m` for `m ∈ [√½, √2]`.
#[inline(always)]
fn ln_reduced(m: f64) -> f64 {
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let r = z * atanh_tail(z);
    f - s * (f - r)
}

/// 2⁵⁴: a subnormal times this is a normal number.
const SUBNORMAL_SCALE: f64 = 18_014_398_509_481_984.0;
/// The exponent bits of an `f64`.
const EXPONENT_MASK: u64 = 0x7ff0_0000_0000_0000;

/// `ln x` for finite `x > 0` (subnormals included), within 1 unit in the last place of
/// libm's `ln` (see the tests). For `x ≤ 0`, infinities and NaN the result is not
/// meaningful: [`super::ln_each`] hands those to libm.
///
/// ```
/// use doppl_runtime::scalar::ln_f64;
/// assert_eq!(ln_f64(1.0), 0.0);
/// assert!((ln_f64(std::f64::consts::E) - 1.0).abs() <= f64::EPSILON);
/// assert!((ln_f64(5e-324) - 5e-324f64.ln()).abs() <= 1e-13);
/// ```
#[inline(always)]
pub fn ln_f64(x: f64) -> f64 {
    let subnormal = x < f64::MIN_POSITIVE;
    let (x, k_scale) = match subnormal {
        true => (x * SUBNORMAL_SCALE, -54.0),
        false => (x, 0.0),
    };
    let bits = x.to_bits();
    // x = 2^e · m₁ with m₁ ∈ [1, 2), then m = m₁/2 when m₁ > √2.
    let e = ((bits & EXPONENT_MASK) >> 52) as i64 - 1023;
    let m1 = f64::from_bits((bits & !EXPONENT_MASK) | 1f64.to_bits());
    let half = if m1 > std::f64::consts::SQRT_2 {
        1.0
    } else {
        0.0
    };
    let m = m1 * (1.0 - 0.5 * half);
    let k = e as f64 + k_scale + half;
    k * LN2_HI + (ln_reduced(m) + k * LN2_LO)
}

/// `ln(1 + t)` for finite `t ≥ 0`, within 2 units in the last place of libm's `ln_1p` (see
/// the tests): `ln u` of `u = 1 + t` rounded, plus that rounding, `(t − (u − 1)) / u`.
/// Elsewhere the result is not meaningful.
///
/// ```
/// use doppl_runtime::scalar::ln_1p_f64;
/// assert_eq!(ln_1p_f64(0.0), 0.0);
/// assert_eq!(ln_1p_f64(1e-300), 1e-300);
/// assert!((ln_1p_f64(1e6) - 1e6f64.ln_1p()).abs() <= 1e-15 * 1e6f64.ln_1p());
/// ```
#[inline(always)]
pub fn ln_1p_f64(t: f64) -> f64 {
    let u = 1.0 + t;
    ln_f64(u) + (t - (u - 1.0)) / u
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::exp::tests::worst_ulps;

    #[test]
    fn agrees_with_libm_within_two_ulps_on_the_unit_interval() {
        let grid = (0..=400_000).map(|i| i as f64 / 400_000.0);
        let near_split = (-2000..=2000).map(|i| std::f64::consts::SQRT_2 - 1.0 + i as f64 * 1e-12);
        let tiny = (1..1100)
            .map(|i| 1e-300 * 1.9f64.powi(i))
            .filter(|&t| t <= 1.0);
        let points = grid.chain(near_split).chain(tiny);
        let worst = worst_ulps(points, ln_1p_unit_f64, f64::ln_1p);
        assert!(worst.0 <= 2, "{} ulps at {}", worst.0, worst.1);
    }

    #[test]
    fn ln_agrees_with_libm_within_one_ulp_over_the_positive_range() {
        let near_one = (-200_000..=200_000).map(|i| 1.0 + i as f64 * 2.3e-6);
        let wide = (-7400..=7090).map(|i| (i as f64 * 0.1 + 3.7e-3).exp());
        let split = (-2000..=2000).map(|i| std::f64::consts::SQRT_2 + i as f64 * 1e-13);
        let subnormal = (0..1100)
            .map(|i| 5e-324 * 1.9f64.powi(i))
            .filter(|&x| x < 3e-308);
        let points = near_one.chain(wide).chain(split).chain(subnormal);
        let worst = worst_ulps(points, ln_f64, f64::ln);
        assert!(worst.0 <= 1, "{} ulps at {}", worst.0, worst.1);
    }

    #[test]
    fn ln_1p_agrees_with_libm_within_two_ulps_for_non_negative_numbers() {
        let unit = (0..=200_000).map(|i| i as f64 / 200_000.0);
        let wide = (-7000..=7090).map(|i| (i as f64 * 0.1 + 3.7e-3).exp());
        let tiny = (1..1100)
            .map(|i| 1e-300 * 1.9f64.powi(i))
            .filter(|&t| t <= 1.0);
        let points = unit.chain(wide).chain(tiny);
        let worst = worst_ulps(points, ln_1p_f64, f64::ln_1p);
        assert!(worst.0 <= 2, "{} ulps at {}", worst.0, worst.1);
    }

    #[test]
    fn ln_is_exact_at_powers_of_two() {
        for k in [-1074i64, -1060, -1022, -1, 0, 1, 52, 1023] {
            let x = match k < -1022 {
                true => f64::from_bits(1 << (k + 1074)),
                false => f64::from_bits(((k + 1023) as u64) << 52),
            };
            assert_eq!(ln_f64(x), x.ln(), "2^{k}");
        }
        assert_eq!(ln_f64(f64::MAX), f64::MAX.ln());
    }

    #[test]
    fn is_exact_at_the_ends_and_propagates_nan() {
        assert_eq!(ln_1p_unit_f64(0.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(ln_1p_unit_f64(1.0), 1.0f64.ln_1p());
        assert_eq!(ln_1p_unit_f64(5e-324), 5e-324);
        assert!(ln_1p_unit_f64(f64::NAN).is_nan());
    }
}
