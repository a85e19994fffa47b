//! Rows of the table for the discrete families with one number per draw.

use super::{
    Expectation, W, assert_close, assert_invalid_parameter, assert_out_of_support,
    central_difference, check_expectations,
};
use doppl_runtime::dist::*;
use doppl_runtime::scalar::{Dual, Scalar, sigmoid_f64};
use nalgebra::DVector;
use rand::SeedableRng;
use rand::rngs::StdRng;
use statrs::distribution::{self as sd, Discrete};

type D = Dual<W>;

/// A discrete value that can be averaged.
pub trait Count: nalgebra::Scalar + Copy {
    /// The value as a real number.
    fn real(self) -> f64;
}
impl Count for f64 {
    fn real(self) -> f64 {
        self
    }
}
impl Count for u64 {
    fn real(self) -> f64 {
        self as f64
    }
}

/// Builds a family from its (real) parameters at any scalar type.
pub trait Build {
    /// The value type.
    type V: Count;
    /// The family at scalar `S`.
    type Family<S: Scalar>: Distribution<S, Value = Self::V, Plain = Self::V>;
    /// The family with parameter `p`.
    fn build<S: Scalar>(p: &[Param<S>]) -> Result<Self::Family<S>, DistError>;
}

macro_rules! builder {
    ($b:ident, $family:ident, $v:ty, |$p:ident| $e:expr) => {
        struct $b;
        impl Build for $b {
            type V = $v;
            type Family<S: Scalar> = $family<S>;
            fn build<S: Scalar>($p: &[Param<S>]) -> Result<$family<S>, DistError> {
                $e
            }
        }
    };
}

const TRIALS: u64 = 10;
builder!(BernoulliB, Bernoulli, f64, |p| Bernoulli::new(p[0].clone()));
builder!(BernoulliLogitsB, Bernoulli, f64, |p| Bernoulli::logits(
    p[0].clone()
));
builder!(BinomialB, Binomial, u64, |p| Binomial::new(
    TRIALS,
    p[0].clone()
));
builder!(BinomialLogitsB, Binomial, u64, |p| Binomial::logits(
    TRIALS,
    p[0].clone()
));
builder!(PoissonB, Poisson, u64, |p| Poisson::new(p[0].clone()));
builder!(PoissonLogRateB, Poisson, u64, |p| Poisson::log_rate(
    p[0].clone()
));

/// One discrete family.
pub struct Row<V> {
    /// Family name.
    pub name: &'static str,
    param: f64,
    points: Vec<V>,
    reference: Box<dyn Fn(f64, V) -> f64>,
    outside: Vec<V>,
    invalid: Vec<(f64, &'static str)>,
    expectations: Vec<Expectation<V>>,
    check: fn(&Row<V>),
}

/// A row of any value type.
pub enum AnyRow {
    /// Values held in `f64` (Bernoulli).
    Real(Row<f64>),
    /// Counts.
    Count(Row<u64>),
}

impl AnyRow {
    /// Runs every check of the row.
    pub fn check(&self) {
        match self {
            AnyRow::Real(r) => (r.check)(r),
            AnyRow::Count(r) => (r.check)(r),
        }
    }
}

impl AnyRow {
    /// The family's name.
    pub fn name(&self) -> &'static str {
        match self {
            AnyRow::Real(r) => r.name,
            AnyRow::Count(r) => r.name,
        }
    }
}

fn check_row<B: Build>(row: &Row<B::V>) {
    let name = row.name;
    let d = B::build(&[Param::Const(row.param)]).unwrap();
    for &k in &row.points {
        let lp = d.log_prob(&k).unwrap();
        assert_close(
            &format!("{name} ln p({k:?})"),
            lp,
            (row.reference)(row.param, k),
            1e-12,
        );
    }
    for &k in &row.outside {
        assert_out_of_support(name, d.log_prob(&k), None);
        let plate = DVector::from_vec(vec![row.points[0], k]);
        assert_out_of_support(name, d.log_prob_plate(&plate), Some(1));
    }
    for &(bad, param) in &row.invalid {
        assert_invalid_parameter(name, B::build::<f64>(&[Param::Const(bad)]), param);
    }
    check_derivatives::<B>(row);
    let mut rng = StdRng::seed_from_u64(7);
    let draws = d.sample_plate(100_000, &mut rng).unwrap();
    check_expectations(name, draws.as_slice(), &row.expectations);
    assert_eq!(d.unconstrained_dim(), 0);
}

/// Parameter derivatives (single and plate) against central differences, and the plate
/// against the sum of singles, for a scalar and a vectorized parameter.
fn check_derivatives<B: Build>(row: &Row<B::V>) {
    let f = |z: &[f64]| -> f64 {
        let d = B::build::<f64>(&[Param::Const(z[0])]).unwrap();
        row.points.iter().map(|k| d.log_prob(k).unwrap()).sum()
    };
    let fd = central_difference(&f, &[row.param], 0);
    let d = B::build(&[Param::Scalar(D::variable(row.param, 0))]).unwrap();
    let ks = DVector::from_vec(row.points.clone());
    let singles: D = row.points.iter().map(|k| d.log_prob(k).unwrap()).sum();
    let plate = d.log_prob_plate(&ks).unwrap();
    assert_close(&format!("{} plate", row.name), plate.re, singles.re, 1e-12);
    assert_close(
        &format!("{} ∂ plate", row.name),
        plate.eps[0],
        singles.eps[0],
        1e-12,
    );
    assert_close(
        &format!("{} ∂ vs finite difference", row.name),
        singles.eps[0],
        fd,
        1e-6,
    );

    let n = ks.len();
    let element = |i: usize| D::variable(row.param * (1.0 + 0.1 * i as f64), 0);
    let dv = B::build(&[Param::Vector(DVector::from_fn(n, |i, _| element(i)).into())]).unwrap();
    let plate = dv.log_prob_plate(&ks).unwrap();
    let singles: D = (0..n)
        .map(|i| {
            let di = B::build(&[Param::Scalar(element(i))]).unwrap();
            di.log_prob(&ks[i]).unwrap()
        })
        .sum();
    assert_close(
        &format!("{} vectorized plate", row.name),
        plate.re,
        singles.re,
        1e-12,
    );
    assert_close(
        &format!("{} ∂ vectorized", row.name),
        plate.eps[0],
        singles.eps[0],
        1e-12,
    );
    let short = DVector::from_vec(row.points[..n - 1].to_vec());
    assert!(matches!(
        dv.log_prob_plate(&short),
        Err(DistError::Shape { .. })
    ));
}

fn moments<V: Count>(mean: f64, var: f64) -> Vec<Expectation<V>> {
    vec![
        Expectation {
            label: "mean",
            statistic: Box::new(|k: &V| k.real()),
            expected: mean,
        },
        Expectation {
            label: "variance",
            statistic: Box::new(move |k: &V| (k.real() - mean).powi(2)),
            expected: var,
        },
    ]
}

macro_rules! row {
    ($b:ident, $name:literal, $param:expr, $points:expr, $reference:expr,
     outside: $outside:expr, invalid: $invalid:expr, moments: ($m:expr, $v:expr)) => {
        Row {
            name: $name,
            param: $param,
            points: $points.to_vec(),
            reference: Box::new($reference),
            outside: $outside.to_vec(),
            invalid: $invalid.to_vec(),
            expectations: moments($m, $v),
            check: check_row::<$b>,
        }
    };
}

/// The discrete scalar families.
pub fn discrete_rows() -> Vec<AnyRow> {
    let bernoulli = |p: f64, k: f64| sd::Bernoulli::new(p).unwrap().ln_pmf(k as u64);
    let binomial = |p: f64, k: u64| sd::Binomial::new(p, TRIALS).unwrap().ln_pmf(k);
    let logit = |p: f64| (p / (1.0 - p)).ln();
    let (p, n) = (0.3, TRIALS as f64);
    vec![
        AnyRow::Real(row!(BernoulliB, "Bernoulli", p, [1.0, 0.0, 1.0], bernoulli,
            outside: [2.0, 0.5, -1.0],
            invalid: [(1.5, "probs"), (-0.1, "probs"), (f64::NAN, "probs")],
            moments: (p, p * (1.0 - p)))),
        AnyRow::Real(
            row!(BernoulliLogitsB, "Bernoulli (logits)", logit(p), [1.0, 0.0, 0.0],
            move |l: f64, k: f64| bernoulli(sigmoid_f64(l), k),
            outside: [3.0], invalid: [(f64::INFINITY, "logits")],
            moments: (p, p * (1.0 - p))),
        ),
        AnyRow::Count(row!(BinomialB, "Binomial", p, [0u64, 3, 10], binomial,
            outside: [11u64], invalid: [(1.01, "probs")],
            moments: (n * p, n * p * (1.0 - p)))),
        AnyRow::Count(
            row!(BinomialLogitsB, "Binomial (logits)", logit(p), [2u64, 4, 7],
            move |l: f64, k: u64| binomial(sigmoid_f64(l), k),
            outside: [12u64], invalid: [(f64::NAN, "logits")],
            moments: (n * p, n * p * (1.0 - p))),
        ),
        AnyRow::Count(row!(PoissonB, "Poisson", 3.5, [0u64, 3, 12],
            |r: f64, k: u64| sd::Poisson::new(r).unwrap().ln_pmf(k),
            outside: [], invalid: [(0.0, "rate"), (-1.0, "rate")],
            moments: (3.5, 3.5))),
        AnyRow::Count(
            row!(PoissonLogRateB, "Poisson (log rate)", 3.5f64.ln(), [0u64, 3, 12],
            |eta: f64, k: u64| sd::Poisson::new(eta.exp()).unwrap().ln_pmf(k),
            outside: [], invalid: [(f64::NAN, "log_rate"), (f64::INFINITY, "log_rate")],
            moments: (3.5, 3.5)),
        ),
    ]
}
