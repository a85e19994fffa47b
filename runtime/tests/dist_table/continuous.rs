//! Rows of the table for families with one real value per draw.

use super::{
    Expectation, W, assert_close, assert_invalid_parameter, assert_out_of_support,
    central_difference, check_expectations,
};
use doppl_runtime::dist::*;
use doppl_runtime::gradient::LocalTangents;
use doppl_runtime::scalar::{Dual, Scalar};
use nalgebra::DVector;
use rand::SeedableRng;
use rand::rngs::StdRng;
use statrs::distribution::{self as sd, Continuous};
use std::f64::consts::{LN_2, PI};

type D = Dual<W>;

/// Builds a family from its parameters, at any scalar type.
pub trait Build {
    /// The family at scalar `S`.
    type Family<S: Scalar>: Distribution<S, Value = S, Plain = f64>;
    /// The family with parameters `p` (constants, scalars or vectors).
    fn build<S: Scalar>(p: &[Param<S>]) -> Result<Self::Family<S>, DistError>;
}

macro_rules! builder {
    ($b:ident, $family:ident, |$p:ident| $e:expr) => {
        struct $b;
        impl Build for $b {
            type Family<S: Scalar> = $family<S>;
            fn build<S: Scalar>($p: &[Param<S>]) -> Result<$family<S>, DistError> {
                $e
            }
        }
    };
}

builder!(NormalB, Normal, |p| Normal::new(p[0].clone(), p[1].clone()));
builder!(HalfNormalB, HalfNormal, |p| HalfNormal::new(p[0].clone()));
builder!(LogNormalB, LogNormal, |p| LogNormal::new(
    p[0].clone(),
    p[1].clone()
));
builder!(StudentTB, StudentT, |p| StudentT::new(
    p[0].clone(),
    p[1].clone(),
    p[2].clone()
));
builder!(HalfStudentTB, HalfStudentT, |p| HalfStudentT::new(
    p[0].clone(),
    p[1].clone()
));
builder!(CauchyB, Cauchy, |p| Cauchy::new(p[0].clone(), p[1].clone()));
builder!(HalfCauchyB, HalfCauchy, |p| HalfCauchy::new(p[0].clone()));
builder!(ExponentialB, Exponential, |p| Exponential::new(
    p[0].clone()
));
builder!(GammaB, Gamma, |p| Gamma::new(p[0].clone(), p[1].clone()));
builder!(InverseGammaB, InverseGamma, |p| InverseGamma::new(
    p[0].clone(),
    p[1].clone()
));
builder!(BetaB, Beta, |p| Beta::new(p[0].clone(), p[1].clone()));
builder!(UniformB, Uniform, |p| Uniform::new(
    p[0].clone(),
    p[1].clone()
));
builder!(FlatB, Flat, |_p| Flat::new());
builder!(HalfFlatB, HalfFlat, |_p| HalfFlat::new());

/// ln p(parameters, x) from the oracle.
type Reference = Box<dyn Fn(&[f64], f64) -> f64>;

/// One family: parameters, reference density and what must hold.
pub struct Row {
    /// Family name.
    pub name: &'static str,
    params: Vec<f64>,
    /// Points inside the support, away from its boundary.
    points: Vec<f64>,
    reference: Reference,
    /// Values outside the support.
    outside: Vec<f64>,
    /// Parameter vectors that must be rejected, with the parameter named in the error.
    invalid: Vec<(Vec<f64>, &'static str)>,
    /// Known expectations under the sampler (empty for improper priors).
    expectations: Vec<Expectation<f64>>,
    check: fn(&Row),
}

impl Row {
    /// Runs every check of the row.
    pub fn check(&self) {
        (self.check)(self)
    }
}

fn consts(p: &[f64]) -> Vec<Param<f64>> {
    p.iter().map(|&x| Param::Const(x)).collect()
}

fn check_row<B: Build>(row: &Row) {
    let name = row.name;
    let d = B::build(&consts(&row.params)).unwrap();
    for &x in &row.points {
        let lp = d.log_prob(&x).unwrap();
        assert_close(
            &format!("{name} ln p({x})"),
            lp,
            (row.reference)(&row.params, x),
            1e-12,
        );
    }
    for &x in &row.outside {
        assert_out_of_support(name, d.log_prob(&x), None);
        let plate = DVector::from_vec(vec![row.points[0], x]);
        assert_out_of_support(name, d.log_prob_plate(&plate), Some(1));
        assert_out_of_support(name, d.to_unconstrained(&x, &mut [0.0]), None);
    }
    for (bad, param) in &row.invalid {
        assert_invalid_parameter(name, B::build(&consts(bad)), param);
    }
    check_gradients::<B>(row);
    check_plates::<B>(row);
    check_round_trip::<B>(row, &d);
    check_sampling(row, &d);
}

/// ∂ ln p / ∂(parameters, value) from duals against central differences of the f64 density.
fn check_gradients<B: Build>(row: &Row) {
    let np = row.params.len();
    let f = |z: &[f64]| {
        let d = B::build(&consts(&z[..np])).unwrap();
        d.log_prob(&z[np]).unwrap()
    };
    for &x in &row.points {
        let mut z = row.params.clone();
        z.push(x);
        let dual_params: Vec<Param<D>> = (0..np)
            .map(|k| Param::Scalar(D::variable(z[k], k)))
            .collect();
        let d = B::build(&dual_params).unwrap();
        let lp = d.log_prob(&D::variable(x, np)).unwrap();
        assert_close(
            &format!("{} dual value at {x}", row.name),
            lp.re,
            f(&z),
            1e-12,
        );
        for k in 0..=np {
            let fd = central_difference(&f, &z, k);
            let what = format!("{} ∂/∂z{k} at {x}", row.name);
            assert_close(&what, lp.eps[k], fd, 1e-6);
        }
    }
}

/// The plate sum equals the sum of single log-densities, values and derivatives, for
/// scalar parameters and for vectorized parameters (element i scaled by 1 + i/10).
fn check_plates<B: Build>(row: &Row) {
    let np = row.params.len();
    let xs: Vec<D> = row.points.iter().map(|&x| D::constant(x)).collect();
    let n = xs.len();
    let scalar: Vec<Param<D>> = (0..np)
        .map(|k| Param::Scalar(D::variable(row.params[k], k)))
        .collect();
    let d = B::build(&scalar).unwrap();
    let plate = d.log_prob_plate(&DVector::from_vec(xs.clone())).unwrap();
    let singles: D = xs.iter().map(|x| d.log_prob(x).unwrap()).sum();
    compare_duals(&format!("{} scalar plate", row.name), plate, singles);
    check_observed(&format!("{} scalar plate", row.name), &d, &row.points);
    if np == 0 {
        return;
    }
    let element = |k: usize, i: usize| D::variable(row.params[k] * (1.0 + 0.1 * i as f64), k);
    let vectorized: Vec<Param<D>> = (0..np)
        .map(|k| Param::Vector(DVector::from_fn(n, |i, _| element(k, i)).into()))
        .collect();
    let dv = B::build(&vectorized).unwrap();
    let plate = dv.log_prob_plate(&DVector::from_vec(xs.clone())).unwrap();
    let singles: D = (0..n)
        .map(|i| {
            let p: Vec<Param<D>> = (0..np).map(|k| Param::Scalar(element(k, i))).collect();
            let di = B::build(&p).unwrap();
            di.log_prob(&xs[i]).unwrap_or(D::constant(f64::NAN))
        })
        .sum();
    compare_duals(&format!("{} vectorized plate", row.name), plate, singles);
    check_observed(&format!("{} vectorized plate", row.name), &dv, &row.points);
    // One parameter a vector, the others shared (a per-unit location with one scale): the
    // families compute the shared parameters' terms once.
    for alone in 0..np {
        let mixed: Vec<Param<D>> = (0..np)
            .map(|k| match k == alone {
                true => vectorized[k].clone(),
                false => scalar[k].clone(),
            })
            .collect();
        let dm = B::build(&mixed).unwrap();
        let plate = dm.log_prob_plate(&DVector::from_vec(xs.clone())).unwrap();
        let singles: D = (0..n)
            .map(|i| {
                let p: Vec<Param<D>> = (0..np)
                    .map(|k| match k == alone {
                        true => Param::Scalar(element(k, i)),
                        false => scalar[k].clone(),
                    })
                    .collect();
                let di = B::build(&p).unwrap();
                di.log_prob(&xs[i]).unwrap_or(D::constant(f64::NAN))
            })
            .sum();
        let what = format!("{} plate with parameter {alone} a vector", row.name);
        compare_duals(&what, plate, singles);
        check_observed(&what, &dm, &row.points);
    }
    let short = DVector::from_vec(xs[..n - 1].to_vec());
    assert!(matches!(
        dv.log_prob_plate(&short),
        Err(DistError::Shape { .. })
    ));
    assert!(matches!(
        dv.log_prob(&xs[0]),
        Err(DistError::BatchedParameters { .. })
    ));
}

/// Every element's read of a plate sum, scaled as the family passes it.
#[derive(Default)]
struct Reads(Vec<(usize, [f64; W])>);

impl Reads {
    /// The reads with a non-zero tangent.
    fn nonzero(self) -> Vec<(usize, [f64; W])> {
        let zero = |eps: &[f64; W]| eps.iter().all(|e| *e == 0.0);
        self.0.into_iter().filter(|(_, eps)| !zero(eps)).collect()
    }
}

impl LocalTangents<D> for Reads {
    fn read(&mut self, index: usize, term: &D, scale: f64) {
        self.0.push((index, term.eps.map(|e| e * scale)));
    }
    fn clear(&mut self, _sum: &mut D) {}
    fn is_active(&self) -> bool {
        true
    }
}

/// Observed `f64` data scored directly give the plate sum and the per-element reads of the
/// same data lifted into duals.
fn check_observed<F: Distribution<D, Value = D, Plain = f64>>(what: &str, d: &F, xs: &[f64]) {
    let data = DVector::from_column_slice(xs);
    let (mut lifted_reads, mut observed_reads) = (Reads::default(), Reads::default());
    let lifted = d.log_prob_plate_local(&data.map(D::constant), &mut lifted_reads);
    let observed = d.log_prob_plate_observed(&data, &mut observed_reads);
    compare_duals(
        &format!("{what}, observed"),
        observed.unwrap(),
        lifted.unwrap(),
    );
    // Reads with no tangent add nothing: observed data against constant parameters are
    // scored over `f64` without reading (the lifted path still reads its zeros).
    let (lifted_reads, observed_reads) = (lifted_reads.nonzero(), observed_reads.nonzero());
    assert_eq!(lifted_reads.len(), observed_reads.len(), "{what}: reads");
    for ((i, a), (j, b)) in observed_reads.iter().zip(&lifted_reads) {
        assert_eq!(i, j, "{what}: read order");
        for k in 0..W {
            assert_close(&format!("{what}, read {i} ε{k}"), a[k], b[k], 1e-12);
        }
    }
    let short = DVector::from_column_slice(&xs[..xs.len() - 1]);
    if d.batch_len().is_some() {
        let short = d.log_prob_plate_observed(&short, &mut Reads::default());
        assert!(
            matches!(short, Err(DistError::Shape { .. })),
            "{what}: short data"
        );
    }
}

fn compare_duals(what: &str, a: D, b: D) {
    assert_close(what, a.re, b.re, 1e-12);
    for k in 0..W {
        assert_close(&format!("{what} ε{k}"), a.eps[k], b.eps[k], 1e-12);
    }
}

/// to_unconstrained then from_unconstrained returns the value.
fn check_round_trip<B: Build>(row: &Row, d: &B::Family<f64>) {
    for &x in &row.points {
        let mut u = [0.0];
        d.to_unconstrained(&x, &mut u).unwrap();
        let (back, _) = d.from_unconstrained(&u);
        assert_close(&format!("{} round trip of {x}", row.name), back, x, 1e-12);
    }
}

fn check_sampling<B: Distribution<f64, Plain = f64>>(row: &Row, d: &B) {
    let mut rng = StdRng::seed_from_u64(20240601);
    let draws = d.sample_plate(100_000, &mut rng).unwrap();
    if row.expectations.is_empty() {
        assert!(
            d.sample(&mut rng).is_nan(),
            "{}: improper prior sampled",
            row.name
        );
        return;
    }
    check_expectations(row.name, draws.as_slice(), &row.expectations);
}

fn moments(mean: f64, var: f64) -> Vec<Expectation<f64>> {
    vec![
        Expectation {
            label: "mean",
            statistic: Box::new(|x| *x),
            expected: mean,
        },
        Expectation {
            label: "variance",
            statistic: Box::new(move |x| (x - mean).powi(2)),
            expected: var,
        },
    ]
}

/// P(X < q) = prob, for families without moments.
fn quantile(q: f64, prob: f64) -> Vec<Expectation<f64>> {
    vec![Expectation {
        label: "quantile",
        statistic: Box::new(move |x| f64::from(u8::from(*x < q))),
        expected: prob,
    }]
}

/// Mean, variance and P(X < 2σ) of HalfStudentT(ν, σ): E|T| = 2√ν Γ((ν+1)/2) /
/// (√π (ν − 1) Γ(ν/2)), E T² = ν / (ν − 2), P(|T| < 2) = 2 F_t(2) − 1.
fn half_student_t_expectations(nu: f64, sigma: f64) -> Vec<Expectation<f64>> {
    use statrs::distribution::ContinuousCDF;
    use statrs::function::gamma::ln_gamma;
    let ratio = (ln_gamma((nu + 1.0) / 2.0) - ln_gamma(nu / 2.0)).exp();
    let mean = sigma * 2.0 * nu.sqrt() * ratio / (PI.sqrt() * (nu - 1.0));
    let var = sigma * sigma * nu / (nu - 2.0) - mean * mean;
    let t = sd::StudentsT::new(0.0, 1.0, nu).unwrap();
    let mut expectations = moments(mean, var);
    expectations.extend(quantile(2.0 * sigma, 2.0 * t.cdf(2.0) - 1.0));
    expectations
}

macro_rules! row {
    ($b:ident, $name:literal, $params:expr, $points:expr, $reference:expr,
     outside: $outside:expr, invalid: $invalid:expr, expectations: $exp:expr) => {
        Row {
            name: $name,
            params: $params.to_vec(),
            points: $points.to_vec(),
            reference: Box::new($reference),
            outside: $outside.to_vec(),
            invalid: $invalid
                .iter()
                .map(|(p, n): &(&[f64], &'static str)| (p.to_vec(), *n))
                .collect(),
            expectations: $exp,
            check: check_row::<$b>,
        }
    };
}

const NAN: f64 = f64::NAN;
/// The half-Student-t row's parameters: ν > 8 so that the variance check's standard error
/// (which needs E x⁴, and E x⁸ to be estimated well) is reliable.
const HT_DF: f64 = 10.0;
const HT_SCALE: f64 = 1.5;
const INF: f64 = f64::INFINITY;

/// The continuous families with their references.
pub fn continuous_rows() -> Vec<Row> {
    let half_normal =
        |p: &[f64], x: f64| (2.0 / PI).sqrt().ln() - p[0].ln() - x * x / (2.0 * p[0] * p[0]);
    let half_cauchy =
        |p: &[f64], x: f64| (2.0 / (PI * p[0])).ln() - (x * x / (p[0] * p[0])).ln_1p();
    let (nu, mu, sigma): (f64, f64, f64) = (10.0, 1.0, 2.0);
    vec![
        row!(NormalB, "Normal", [1.0, 2.0], [-3.0, 0.5, 4.0],
            |p: &[f64], x| sd::Normal::new(p[0], p[1]).unwrap().ln_pdf(x),
            outside: [NAN, INF], invalid: [(&[0.0, -1.0][..], "scale"), (&[NAN, 1.0][..], "loc")],
            expectations: moments(1.0, 4.0)),
        row!(HalfNormalB, "HalfNormal", [1.5], [0.1, 1.0, 3.0], half_normal,
            outside: [-0.5, NAN], invalid: [(&[-1.0][..], "scale"), (&[NAN][..], "scale")],
            expectations: moments(1.5 * (2.0 / PI).sqrt(), 2.25 * (1.0 - 2.0 / PI))),
        row!(LogNormalB, "LogNormal", [0.3, 0.5], [0.2, 1.0, 2.5],
            |p: &[f64], x| sd::LogNormal::new(p[0], p[1]).unwrap().ln_pdf(x),
            outside: [0.0, -1.0], invalid: [(&[0.0, 0.0][..], "scale")],
            expectations: moments((0.3f64 + 0.125).exp(), (0.25f64.exp() - 1.0) * (0.6f64 + 0.25).exp())),
        row!(StudentTB, "StudentT", [nu, mu, sigma], [-2.0, 1.0, 6.0],
            |p: &[f64], x| sd::StudentsT::new(p[1], p[2], p[0]).unwrap().ln_pdf(x),
            outside: [INF], invalid: [(&[0.0, 0.0, 1.0][..], "df"), (&[3.0, 0.0, -2.0][..], "scale")],
            expectations: moments(mu, sigma * sigma * nu / (nu - 2.0))),
        row!(HalfStudentTB, "HalfStudentT", [HT_DF, HT_SCALE], [0.2, 1.5, 6.0],
            |p: &[f64], x| LN_2 + sd::StudentsT::new(0.0, p[1], p[0]).unwrap().ln_pdf(x),
            outside: [-0.5, -1e-9, NAN],
            invalid: [(&[-1.0, 1.0][..], "df"), (&[0.0, 1.0][..], "df"), (&[NAN, 1.0][..], "df"),
                (&[3.0, -2.0][..], "scale"), (&[3.0, INF][..], "scale")],
            expectations: half_student_t_expectations(HT_DF, HT_SCALE)),
        row!(CauchyB, "Cauchy", [1.0, 2.0], [-5.0, 1.0, 3.0],
            |p: &[f64], x| sd::Cauchy::new(p[0], p[1]).unwrap().ln_pdf(x),
            outside: [NAN], invalid: [(&[0.0, 0.0][..], "scale")],
            expectations: quantile(3.0, 0.75)),
        row!(HalfCauchyB, "HalfCauchy", [2.0], [0.5, 2.0, 10.0], half_cauchy,
            outside: [-1e-9], invalid: [(&[-2.0][..], "scale")],
            expectations: quantile(2.0, 0.5)),
        row!(ExponentialB, "Exponential", [2.0], [0.1, 0.7, 3.0],
            |p: &[f64], x| sd::Exp::new(p[0]).unwrap().ln_pdf(x),
            outside: [-0.1], invalid: [(&[0.0][..], "rate")],
            expectations: moments(0.5, 0.25)),
        row!(GammaB, "Gamma", [2.5, 1.5], [0.3, 1.5, 4.0],
            |p: &[f64], x| sd::Gamma::new(p[0], p[1]).unwrap().ln_pdf(x),
            outside: [0.0, -2.0], invalid: [(&[-1.0, 1.0][..], "shape"), (&[1.0, NAN][..], "rate")],
            expectations: moments(2.5 / 1.5, 2.5 / 2.25)),
        row!(InverseGammaB, "InverseGamma", [6.0, 3.0], [0.3, 0.6, 1.5],
            |p: &[f64], x| sd::InverseGamma::new(p[0], p[1]).unwrap().ln_pdf(x),
            outside: [0.0], invalid: [(&[1.0, 0.0][..], "scale")],
            expectations: moments(0.6, 0.09)),
        row!(BetaB, "Beta", [2.0, 3.0], [0.1, 0.4, 0.9],
            |p: &[f64], x| sd::Beta::new(p[0], p[1]).unwrap().ln_pdf(x),
            outside: [0.0, 1.0, 1.5], invalid: [(&[0.0, 1.0][..], "a"), (&[1.0, -3.0][..], "b")],
            expectations: moments(0.4, 0.04)),
        row!(UniformB, "Uniform", [-1.0, 3.0], [-0.5, 1.0, 2.5],
            |p: &[f64], x| sd::Uniform::new(p[0], p[1]).unwrap().ln_pdf(x),
            outside: [-1.5, 3.5], invalid: [(&[2.0, 1.0][..], "high"), (&[NAN, 1.0][..], "low")],
            expectations: moments(1.0, 16.0 / 12.0)),
        row!(FlatB, "Flat", [], [-1e3, 0.0, 7.0], |_: &[f64], _| 0.0,
            outside: [INF], invalid: [], expectations: vec![]),
        row!(HalfFlatB, "HalfFlat", [], [1e-3, 1.0, 7.0], |_: &[f64], _| 0.0,
            outside: [0.0, -1.0], invalid: [], expectations: vec![]),
    ]
}
