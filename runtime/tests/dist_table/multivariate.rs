//! Rows of the table for the vector-parameterised families: Categorical, Dirichlet and
//! MultivariateNormal.

use super::{
    Expectation, W, assert_close, assert_invalid_parameter, assert_out_of_support,
    central_difference, check_expectations,
};
use doppl_runtime::dist::*;
use doppl_runtime::scalar::Dual;
use nalgebra::{DMatrix, DVector, dmatrix, dvector};
use rand::SeedableRng;
use rand::rngs::StdRng;
use statrs::distribution::{self as sd, Continuous, Discrete};

type D = Dual<W>;

/// Checks the three families; returns their names.
pub fn check_all() -> Vec<&'static str> {
    check_categorical();
    check_dirichlet();
    check_multivariate_normal();
    vec!["Categorical", "Dirichlet", "MultivariateNormal"]
}

fn seeded_dual(values: &[f64], first_lane: usize) -> DVector<D> {
    DVector::from_fn(values.len(), |i, _| D::variable(values[i], first_lane + i))
}

fn softmax(logits: &[f64]) -> Vec<f64> {
    let total: f64 = logits.iter().map(|l| l.exp()).sum();
    logits.iter().map(|l| l.exp() / total).collect()
}

fn frequency<V: 'static>(
    label: &'static str,
    p: f64,
    hit: impl Fn(&V) -> bool + 'static,
) -> Expectation<V> {
    Expectation {
        label,
        statistic: Box::new(move |v| f64::from(u8::from(hit(v)))),
        expected: p,
    }
}

fn check_categorical() {
    let probs = [0.2, 0.3, 0.5];
    let d = Categorical::<f64>::new(dvector![0.2, 0.3, 0.5]).unwrap();
    let reference = sd::Categorical::new(&probs).unwrap();
    for k in 0..3 {
        assert_close(
            "Categorical ln p",
            d.log_prob(&k).unwrap(),
            reference.ln_pmf(k as u64),
            1e-14,
        );
    }
    assert_out_of_support("Categorical", d.log_prob(&3), None);
    assert_out_of_support(
        "Categorical",
        d.log_prob_plate(&dvector![0usize, 7]),
        Some(1),
    );
    for bad in [
        dvector![0.5, 0.6, -0.1],
        dvector![0.2, 0.2, 0.2],
        dvector![f64::NAN, 0.5, 0.5],
    ] {
        assert_invalid_parameter("Categorical", Categorical::<f64>::new(bad), "probs");
    }
    assert_invalid_parameter("Categorical", Categorical::<f64>::new(0.5), "probs");

    // Logits: the value against statrs at softmax(logits), the gradient against differences.
    let logits = [0.3, -1.0, 0.8];
    let f = |l: &[f64]| {
        let d = Categorical::<f64>::logits(DVector::from_column_slice(l)).unwrap();
        d.log_prob(&1).unwrap() + 2.0 * d.log_prob(&2).unwrap()
    };
    let dl = Categorical::logits(seeded_dual(&logits, 0)).unwrap();
    let ks = dvector![1usize, 2, 2];
    let plate = dl.log_prob_plate(&ks).unwrap();
    let softmax_ref = sd::Categorical::new(&softmax(&logits)).unwrap();
    let expected = softmax_ref.ln_pmf(1) + 2.0 * softmax_ref.ln_pmf(2);
    assert_close("Categorical logits plate", plate.re, expected, 1e-13);
    for j in 0..3 {
        let fd = central_difference(&f, &logits, j);
        assert_close("Categorical ∂ logits", plate.eps[j], fd, 1e-6);
    }
    let singles: D = ks.iter().map(|k| dl.log_prob(k).unwrap()).sum();
    assert_close("Categorical plate ∂", plate.eps[2], singles.eps[2], 1e-13);

    let mut rng = StdRng::seed_from_u64(11);
    let draws = d.sample_plate(100_000, &mut rng).unwrap();
    let expectations: Vec<Expectation<usize>> = (0..3)
        .map(|j| frequency("category frequency", probs[j], move |k: &usize| *k == j))
        .collect();
    check_expectations("Categorical", draws.as_slice(), &expectations);
}

fn check_dirichlet() {
    let alpha = [2.0, 3.0, 4.0];
    let d = Dirichlet::<f64>::new(DVector::from_column_slice(&alpha)).unwrap();
    let reference = sd::Dirichlet::new(alpha.to_vec()).unwrap();
    let points = [dvector![0.2, 0.3, 0.5], dvector![0.5, 0.25, 0.25]];
    for x in &points {
        assert_close(
            "Dirichlet ln p",
            d.log_prob(x).unwrap(),
            reference.ln_pdf(x),
            1e-12,
        );
    }
    for bad in [dvector![0.2, 0.3, 0.6], dvector![-0.1, 0.6, 0.5]] {
        assert_out_of_support("Dirichlet", d.log_prob(&bad), None);
        let plate = DVector::from_vec(vec![points[0].clone(), bad]);
        assert_out_of_support("Dirichlet", d.log_prob_plate(&plate), Some(1));
    }
    assert!(matches!(
        d.log_prob(&dvector![0.5, 0.5]),
        Err(DistError::Shape { .. })
    ));
    let rejected = Dirichlet::<f64>::new(dvector![1.0, -1.0, 2.0]);
    assert!(matches!(
        rejected,
        Err(DistError::InvalidParameter { index: Some(1), .. })
    ));
    assert_invalid_parameter("Dirichlet", rejected, "concentration");

    // ∂/∂α against differences; ∂/∂x against the closed form (αᵢ − 1)/xᵢ, because a finite
    // difference in one coordinate would leave the simplex.
    let x = &points[0];
    let f = |a: &[f64]| {
        let d = Dirichlet::<f64>::new(DVector::from_column_slice(a)).unwrap();
        d.log_prob(x).unwrap()
    };
    let dd = Dirichlet::new(seeded_dual(&alpha, 0)).unwrap();
    let lp = dd.log_prob(&x.map(D::constant)).unwrap();
    for j in 0..3 {
        assert_close(
            "Dirichlet ∂α",
            lp.eps[j],
            central_difference(&f, &alpha, j),
            1e-6,
        );
    }
    let dc = Dirichlet::<D>::new(DVector::from_column_slice(&alpha).map(D::constant)).unwrap();
    let lx = dc.log_prob(&seeded_dual(x.as_slice(), 0)).unwrap();
    for j in 0..3 {
        assert_close("Dirichlet ∂x", lx.eps[j], (alpha[j] - 1.0) / x[j], 1e-13);
    }
    let vs = DVector::from_vec(points.iter().map(|p| p.map(D::constant)).collect());
    let plate = dd.log_prob_plate(&vs).unwrap();
    let singles: D = vs.iter().map(|v| dd.log_prob(v).unwrap()).sum();
    assert_close("Dirichlet plate", plate.re, singles.re, 1e-13);
    assert_close("Dirichlet plate ∂", plate.eps[1], singles.eps[1], 1e-13);

    let mut u = [0.0; 2];
    d.to_unconstrained(x, &mut u).unwrap();
    let (back, _) = d.from_unconstrained(&u);
    assert!((&back - x).amax() < 1e-14, "Dirichlet round trip {back}");

    let mut rng = StdRng::seed_from_u64(12);
    let draws = d.sample_plate(100_000, &mut rng).unwrap();
    let total: f64 = alpha.iter().sum();
    let mut expectations = Vec::new();
    for j in [0, 2] {
        let mean = alpha[j] / total;
        let var = alpha[j] * (total - alpha[j]) / (total * total * (total + 1.0));
        expectations.push(Expectation {
            label: "component mean",
            statistic: Box::new(move |v: &DVector<f64>| v[j]),
            expected: mean,
        });
        expectations.push(Expectation {
            label: "component variance",
            statistic: Box::new(move |v: &DVector<f64>| (v[j] - mean).powi(2)),
            expected: var,
        });
    }
    check_expectations("Dirichlet", draws.as_slice(), &expectations);
}

fn check_multivariate_normal() {
    let loc = [1.0, -1.0];
    let cov = dmatrix![2.0, 0.5; 0.5, 1.0];
    let d = MultivariateNormal::<f64>::new(DVector::from_column_slice(&loc), cov.clone()).unwrap();
    let reference = sd::MultivariateNormal::new(loc.to_vec(), vec![2.0, 0.5, 0.5, 1.0]).unwrap();
    let points = [dvector![0.0, 0.0], dvector![2.5, -3.0], dvector![1.0, -1.0]];
    for x in &points {
        assert_close(
            "MVN ln p",
            d.log_prob(x).unwrap(),
            reference.ln_pdf(x),
            1e-12,
        );
    }
    assert_out_of_support("MVN", d.log_prob(&dvector![f64::NAN, 0.0]), None);
    assert!(matches!(
        d.log_prob(&dvector![0.0]),
        Err(DistError::Shape { .. })
    ));
    let mvn = |loc: DVector<f64>, cov: DMatrix<f64>| MultivariateNormal::<f64>::new(loc, cov);
    assert_invalid_parameter(
        "MVN",
        mvn(dvector![0.0, 0.0], dmatrix![1.0, 2.0; 2.0, 1.0]),
        "cov",
    );
    assert_invalid_parameter(
        "MVN",
        mvn(dvector![0.0, 0.0], dmatrix![1.0, 0.2; 0.0, 1.0]),
        "cov",
    );
    assert_invalid_parameter(
        "MVN",
        mvn(dvector![0.0, 0.0], dmatrix![f64::NAN, 0.0; 0.0, 1.0]),
        "cov",
    );
    assert_invalid_parameter("MVN", mvn(dvector![f64::NAN, 0.0], cov.clone()), "loc");
    let upper = dmatrix![1.0, 0.3; 0.0, 1.0];
    assert_invalid_parameter(
        "MVN",
        MultivariateNormal::<f64>::with_scale_tril(dvector![0.0, 0.0], upper),
        "scale_tril",
    );

    // Gradient with respect to the mean (lanes 0, 1) and the value (lanes 2, 3).
    let f = |z: &[f64]| {
        let d = mvn(DVector::from_column_slice(&z[..2]), cov.clone()).unwrap();
        d.log_prob(&DVector::from_column_slice(&z[2..])).unwrap()
    };
    let dd = MultivariateNormal::new(seeded_dual(&loc, 0), cov.clone()).unwrap();
    let x = &points[1];
    let lp = dd.log_prob(&seeded_dual(x.as_slice(), 2)).unwrap();
    let z = [loc[0], loc[1], x[0], x[1]];
    for k in 0..4 {
        assert_close("MVN ∂", lp.eps[k], central_difference(&f, &z, k), 1e-6);
    }
    let vs = DVector::from_vec(points.iter().map(|p| p.map(D::constant)).collect());
    let plate = dd.log_prob_plate(&vs).unwrap();
    let singles: D = vs.iter().map(|v| dd.log_prob(v).unwrap()).sum();
    assert_close("MVN plate", plate.re, singles.re, 1e-13);
    assert_close("MVN plate ∂", plate.eps[0], singles.eps[0], 1e-13);

    let mut rng = StdRng::seed_from_u64(13);
    let draws = d.sample_plate(100_000, &mut rng).unwrap();
    let expectations = vec![
        Expectation {
            label: "mean 0",
            statistic: Box::new(|v: &DVector<f64>| v[0]),
            expected: 1.0,
        },
        Expectation {
            label: "mean 1",
            statistic: Box::new(|v: &DVector<f64>| v[1]),
            expected: -1.0,
        },
        Expectation {
            label: "variance 0",
            statistic: Box::new(|v: &DVector<f64>| (v[0] - 1.0).powi(2)),
            expected: 2.0,
        },
        Expectation {
            label: "covariance",
            statistic: Box::new(|v: &DVector<f64>| (v[0] - 1.0) * (v[1] + 1.0)),
            expected: 0.5,
        },
    ];
    check_expectations("MultivariateNormal", draws.as_slice(), &expectations);
}
