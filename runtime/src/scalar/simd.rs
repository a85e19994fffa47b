//! Runtime SIMD dispatch for the hot data loops (the `multiversion` crate): each kernel is
//! compiled for baseline x86-64 and for AVX2 + FMA, and the best version the CPU supports is
//! chosen at run time (once, cached), so one binary runs on any x86-64 and uses wide vectors
//! where they exist.
//!
//! The kernels compute exactly the same operations in the same order in every version: Rust
//! never contracts `a * b + c` into a fused multiply-add on its own, and each loop runs over
//! independent output elements, so vectorizing it does not reorder any sum. Results are
//! therefore bitwise identical across instruction sets for these kernels; the determinism
//! promise (same seed, same draws) is nevertheless made only within one instruction set,
//! since the math library's `exp`/`ln` may differ between targets.

use multiversion::multiversion;

/// `out[i] += Σⱼ x[j·n + i] · β[j]` for a block of rows `start..start + out.len()` of
/// column-major data with `n` rows: every column streams over the block once, in order.
#[multiversion(targets("x86_64+avx2+fma"))]
pub(crate) fn add_columns_f64(out: &mut [f64], x: &[f64], n: usize, start: usize, beta: &[f64]) {
    let len = out.len();
    for (j, &bj) in beta.iter().enumerate() {
        let col = &x[j * n + start..j * n + start + len];
        for (o, &xij) in out.iter_mut().zip(col) {
            *o += xij * bj;
        }
    }
}

/// `out[i] += xᵢ · v` over a column block: the tangent lane of one seeded coefficient.
#[multiversion(targets("x86_64+avx2+fma"))]
pub(crate) fn add_scaled_column(out: &mut [f64], col: &[f64], v: f64) {
    for (o, &xij) in out.iter_mut().zip(col) {
        *o += xij * v;
    }
}

/// `out[i] += a[i] · b[i]` over a block: a network weight's gradient, per block position.
#[multiversion(targets("x86_64+avx2+fma"))]
pub(crate) fn add_products(out: &mut [f64], a: &[f64], b: &[f64]) {
    for ((o, &ai), &bi) in out.iter_mut().zip(a).zip(b) {
        *o += ai * bi;
    }
}

/// `value[i] = tanh(affine[i])` and `slope[i] = 1 − value[i]²` ([`super::tanh_f64`]): a
/// network layer's tanh units over a block of elements. The same operations in every
/// version (no fused multiply-add), so the same bits.
#[multiversion(targets("x86_64+avx2+fma"))]
pub(crate) fn tanh_with_slopes(affine: &[f64], value: &mut [f64], slope: &mut [f64]) {
    for ((v, d), &a) in value.iter_mut().zip(slope).zip(affine) {
        let t = super::tanh_f64(a);
        (*v, *d) = (t, 1.0 - t * t);
    }
}

/// `value[i] = tanh(affine[i])` ([`super::tanh_f64`]), dispatched as [`tanh_with_slopes`].
#[multiversion(targets("x86_64+avx2+fma"))]
pub(crate) fn tanh_values(affine: &[f64], value: &mut [f64]) {
    for (v, &a) in value.iter_mut().zip(affine) {
        *v = super::tanh_f64(a);
    }
}

/// `out[i] = ln(1 + t[i])` for `t[i] ∈ [0, 1]` ([`super::ln_1p_unit_f64`]) over a block: the
/// same bits in every version.
#[multiversion(targets("x86_64+avx2+fma"))]
pub(crate) fn ln_1p_unit_values(t: &[f64], out: &mut [f64]) {
    for (o, &ti) in out.iter_mut().zip(t) {
        *o = super::ln_1p_unit_f64(ti);
    }
}

/// `out[i] = ln x[i]` for finite `x[i] > 0` ([`super::ln_f64`]) over a block: the same bits
/// in every version.
#[multiversion(targets("x86_64+avx2+fma"))]
pub(crate) fn ln_values(x: &[f64], out: &mut [f64]) {
    for (o, &xi) in out.iter_mut().zip(x) {
        *o = super::ln_f64(xi);
    }
}

/// `out[i] = ln(1 + t[i])` for finite `t[i] ≥ 0` ([`super::ln_1p_f64`]) over a block: the
/// same bits in every version.
#[multiversion(targets("x86_64+avx2+fma"))]
pub(crate) fn ln_1p_values(t: &[f64], out: &mut [f64]) {
    for (o, &ti) in out.iter_mut().zip(t) {
        *o = super::ln_1p_f64(ti);
    }
}

/// `out[i] = e^{x[i]}` ([`super::exp_f64`]) over a block: the same bits in every version.
#[multiversion(targets("x86_64+avx2+fma"))]
pub(crate) fn exp_values(x: &[f64], out: &mut [f64]) {
    for (o, &xi) in out.iter_mut().zip(x) {
        *o = super::exp_f64(xi);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dispatched kernel against the plain loop, bit for bit.
    #[test]
    fn the_dispatched_kernel_equals_the_plain_loop_bitwise() {
        let (n, k) = (300, 7);
        let x: Vec<f64> = (0..n * k)
            .map(|i| ((i * 37) % 101) as f64 / 7.3 - 5.0)
            .collect();
        let beta: Vec<f64> = (0..k).map(|j| (j as f64 * 0.71).sin()).collect();
        for start in [0, 128, 256] {
            let len = (n - start).min(128);
            let mut fast = vec![0.25; len];
            add_columns_f64(&mut fast, &x, n, start, &beta);
            let mut plain = vec![0.25; len];
            for (j, &bj) in beta.iter().enumerate() {
                for (i, o) in plain.iter_mut().enumerate() {
                    *o += x[j * n + start + i] * bj;
                }
            }
            let same = fast
                .iter()
                .zip(&plain)
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "block at {start}");
        }
    }

    #[test]
    fn the_dispatched_ln_1p_equals_the_scalar_function_bitwise() {
        let t: Vec<f64> = (0..301).map(|i| (i as f64 / 300.0).powi(3)).collect();
        let mut out = vec![0.0; 301];
        ln_1p_unit_values(&t, &mut out);
        for (ti, oi) in t.iter().zip(&out) {
            assert_eq!(
                oi.to_bits(),
                crate::scalar::ln_1p_unit_f64(*ti).to_bits(),
                "{ti}"
            );
        }
    }

    #[test]
    fn the_dispatched_ln_equals_the_scalar_function_bitwise() {
        let x: Vec<f64> = (0..301).map(|i| (i as f64 * 0.61 - 90.0).exp()).collect();
        let mut out = vec![0.0; 301];
        ln_values(&x, &mut out);
        for (xi, oi) in x.iter().zip(&out) {
            assert_eq!(oi.to_bits(), crate::scalar::ln_f64(*xi).to_bits(), "{xi}");
        }
        ln_1p_values(&x, &mut out);
        for (xi, oi) in x.iter().zip(&out) {
            assert_eq!(
                oi.to_bits(),
                crate::scalar::ln_1p_f64(*xi).to_bits(),
                "{xi}"
            );
        }
    }

    #[test]
    fn the_dispatched_exp_equals_the_scalar_function_bitwise() {
        let x: Vec<f64> = (0..301).map(|i| (i as f64 - 150.0) * 4.9 + 0.013).collect();
        let mut e = vec![0.0; 301];
        exp_values(&x, &mut e);
        for (xi, ei) in x.iter().zip(&e) {
            assert_eq!(ei.to_bits(), crate::scalar::exp_f64(*xi).to_bits(), "{xi}");
        }
    }

    #[test]
    fn the_dispatched_tanh_equals_the_scalar_function_bitwise() {
        let a: Vec<f64> = (0..301).map(|i| (i as f64 - 150.0) * 0.17).collect();
        let (mut v, mut d, mut w) = (vec![0.0; 301], vec![0.0; 301], vec![0.0; 301]);
        tanh_with_slopes(&a, &mut v, &mut d);
        tanh_values(&a, &mut w);
        for (i, &x) in a.iter().enumerate() {
            let t = crate::scalar::tanh_f64(x);
            assert_eq!(v[i].to_bits(), t.to_bits(), "{x}");
            assert_eq!(w[i].to_bits(), t.to_bits(), "{x}");
            assert_eq!(d[i].to_bits(), (1.0 - t * t).to_bits(), "{x}");
        }
    }
}
