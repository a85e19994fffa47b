//! `ln(1 + t)` for `0 ≤ t ≤ 1` without branches on the value, for loops over blocks of
//! numbers ([`super::simd::ln_1p_unit_values`]): the logistic terms `ln(1 + e^{−|l|})` of a
//! Bernoulli-logit plate sum, whose `e^{−|l|}` a block already holds. libm's `log1p` is a
//! call per number (~60 instructions with its wrapper, by callgrind); over a block the
//! elements are independent and this one compiles to vector instructions.
//!
//! `u = 1 + t` rounded, `u = 2^k m` with `m ∈ [√½, √2)` (`k` is 0 or 1 here), and
//! `ln m = 2 atanh(s)` for `s = f / (2 + f)`, `f = m − 1` (exact): `2s = f − s f`, so
//! `ln m = f − s (f − R)` with `R = Σⱼ 2 s^{2j} / (2j + 1)`, `j = 1 … 10` (`|s| ≤ 0.172`:
//! the first term left out is below 2⁻⁵⁶ relative). Writing the leading `2s` through the
//! exact `f` keeps the rounding of the division out of the result's leading bits. The
//! rounding of `1 + t` itself is added back as `(t − (u − 1)) / u`.

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
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let r = z * atanh_tail(z);
    let ln_m = f - s * (f - r);
    let rounding = (t - (u - 1.0)) / u;
    k * LN2_HI + (ln_m + (k * LN2_LO + rounding))
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
    fn is_exact_at_the_ends_and_propagates_nan() {
        assert_eq!(ln_1p_unit_f64(0.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(ln_1p_unit_f64(1.0), 1.0f64.ln_1p());
        assert_eq!(ln_1p_unit_f64(5e-324), 5e-324);
        assert!(ln_1p_unit_f64(f64::NAN).is_nan());
    }
}
