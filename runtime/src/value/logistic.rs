//! The logistic family's elementwise functions of a [`Vector`] (σ, softplus, ln σ), their
//! exponentials and logarithms computed a block at a time.
//!
//! Each of them is a function of `e^{−|x|}` (and of `ln(1 + e^{−|x|})`), which libm
//! computes with a call per element; over a block of 64 the vectorized kernels
//! ([`crate::scalar::exp_each`], [`crate::scalar::ln_1p_unit_each`]) take their place, as in
//! the Bernoulli-logit plate sum. An encoder's `softplus` head (the CEVAE guide's scale) is
//! one such vector per replay.

use super::pool;
use super::vector::Vector;
use crate::scalar::{EXP_BLOCK, Scalar, log_sigmoid_and_derivative_given};
use nalgebra::DVector;

impl<S: Scalar> Vector<S> {
    /// The logistic function 1 / (1 + e⁻ˣ) elementwise.
    pub fn sigmoid(&self) -> Self {
        self.map_logistic(false, |x, e, _| {
            let s = sigmoid_given(x, e);
            (s, s * (1.0 - s))
        })
    }
    /// softplus ln(1 + eˣ) elementwise, stable in both tails.
    pub fn softplus(&self) -> Self {
        self.map_logistic(true, |x, e, log1pe| {
            (x.max(0.0) + log1pe, sigmoid_given(x, e))
        })
    }
    /// ln σ(x) elementwise, stable in both tails.
    pub fn log_sigmoid(&self) -> Self {
        self.map_logistic(true, log_sigmoid_and_derivative_given)
    }

    /// `xᵢ` mapped to `f`'s value and derivative given its value `x`, `e = e^{−|x|}` and,
    /// `with_log`, `ln(1 + e)` (else 0), on the same plate.
    fn map_logistic(&self, with_log: bool, f: impl Fn(f64, f64, f64) -> (f64, f64)) -> Self {
        let mut out = pool::buffer(self.values.len());
        let (mut neg_abs, mut e) = ([0.0; EXP_BLOCK], [0.0; EXP_BLOCK]);
        let mut log1pe = [0.0; EXP_BLOCK];
        for block in self.values.as_slice().chunks(EXP_BLOCK) {
            let len = block.len();
            let (neg_abs, e, log1pe) = (&mut neg_abs[..len], &mut e[..len], &mut log1pe[..len]);
            for (n, x) in neg_abs.iter_mut().zip(block) {
                *n = -x.re().abs();
            }
            crate::scalar::exp_each(neg_abs, e);
            if with_log {
                crate::scalar::ln_1p_unit_each(e, log1pe);
            }
            for (k, x) in block.iter().enumerate() {
                let (f0, f1) = f(x.re(), e[k], log1pe[k]);
                out.push(x.chain(f0, f1));
            }
        }
        Vector {
            values: DVector::from_vec(out),
            plate: self.plate,
            error: self.error,
            lifted: false,
        }
    }
}

/// σ(x) given `e = e^{−|x|}`, without overflow in either tail.
#[inline]
fn sigmoid_given(x: f64, e: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + e)
    } else {
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use crate::plate::Plate;
    use crate::scalar::{Dual, Scalar};
    use crate::value::Vector;
    use nalgebra::DVector;

    /// Each function's values and derivatives agree with the element-by-element scalar
    /// ones (libm's `exp` and `ln_1p`) to a few ulps, over several blocks and both tails;
    /// the plate is kept.
    #[test]
    fn block_values_and_derivatives_match_the_scalar_functions() {
        let n = 200;
        let xs = DVector::from_fn(n, |i, _| {
            let x = (i as f64 - 100.0) * 0.47 + 0.013;
            Dual::<2>::variable(x, i % 2).chain(x, 1.5)
        });
        let v = Vector::on_plate(xs.clone(), Plate::new("units", n));
        let close = |a: f64, b: f64| (a - b).abs() <= 4.0 * f64::EPSILON * b.abs().max(1e-300);
        type Scalarwise = fn(Dual<2>) -> Dual<2>;
        let cases: [(Vector<Dual<2>>, Scalarwise); 3] = [
            (v.sigmoid(), Dual::sigmoid),
            (v.softplus(), Dual::softplus),
            (v.log_sigmoid(), Dual::log_sigmoid),
        ];
        for (k, (block, scalar)) in cases.into_iter().enumerate() {
            assert_eq!(block.plate(), Some("units"));
            for (b, x) in block.iter().zip(xs.iter()) {
                let s = scalar(*x);
                assert!(close(b.re, s.re), "case {k} at {}: {} {}", x.re, b.re, s.re);
                for lane in 0..2 {
                    let (bl, sl) = (b.eps[lane], s.eps[lane]);
                    assert!(close(bl, sl), "case {k} lane {lane} at {}: {bl} {sl}", x.re);
                }
            }
        }
    }

    /// The tails and non-finite inputs: softplus(±∞) = ∞ / 0, σ(NaN) is NaN.
    #[test]
    fn infinite_and_nan_inputs_give_the_limits() {
        let v = Vector::from(DVector::from_vec(vec![
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ]));
        let soft = v.softplus();
        assert_eq!(soft[0], f64::INFINITY);
        assert_eq!(soft[1], 0.0);
        assert!(soft[2].is_nan());
        let s = v.sigmoid();
        assert_eq!((s[0], s[1]), (1.0, 0.0));
        assert!(s[2].is_nan());
    }
}
