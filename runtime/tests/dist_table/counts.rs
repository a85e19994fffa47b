//! Checks of the count families beyond one table row each: binomials whose trial count
//! differs per plate element, the log-rate Poisson at extreme log rates, and the
//! per-element derivatives their plate sums show to the derivative engine.

use super::{Expectation, W, assert_close, assert_invalid_parameter, assert_out_of_support};
use super::{central_difference, check_expectations};
use doppl_runtime::dist::*;
use doppl_runtime::gradient::{LocalLane, PlateReads, ReadOff};
use doppl_runtime::scalar::{Dual, Scalar};
use nalgebra::DVector;
use rand::SeedableRng;
use rand::rngs::StdRng;
use statrs::distribution::{self as sd, Discrete};

type D = Dual<W>;

/// Trial counts per element (one without trials) and successes within them.
const TRIALS: [u64; 5] = [0, 1, 7, 20, 3];
const SUCCESSES: [u64; 5] = [0, 1, 4, 13, 3];
const P: f64 = 0.3;

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// Element `i`'s probability in the vectorized checks.
fn p_at(i: usize) -> f64 {
    P * (1.0 + 0.1 * i as f64)
}

/// Σᵢ ln Binomial(kᵢ | nᵢ, pᵢ) from statrs.
fn binomial_reference(p: impl Fn(usize) -> f64) -> f64 {
    (0..TRIALS.len())
        .map(|i| {
            let d = sd::Binomial::new(p(i), TRIALS[i]).unwrap();
            d.ln_pmf(SUCCESSES[i])
        })
        .sum()
}

fn successes() -> DVector<u64> {
    DVector::from_vec(SUCCESSES.to_vec())
}

/// Every way of passing the counts gives the statrs plate sum, probabilities or logits,
/// scalar or one per element.
pub fn binomial_per_element_counts_match_statrs() {
    let ks = successes();
    let expected = binomial_reference(|_| P);
    let trials = DVector::from_vec(TRIALS.to_vec());
    let forms: [(&str, Binomial<f64>); 6] = [
        ("Vec", Binomial::new(TRIALS.to_vec(), P).unwrap()),
        ("slice", Binomial::new(&TRIALS[..], P).unwrap()),
        ("DVector", Binomial::new(trials.clone(), P).unwrap()),
        ("&DVector", Binomial::new(&trials, P).unwrap()),
        (
            "TotalCount",
            Binomial::new(TotalCount::from(trials), P).unwrap(),
        ),
        (
            "logits",
            Binomial::logits(TRIALS.to_vec(), logit(P)).unwrap(),
        ),
    ];
    for (form, d) in &forms {
        let lp = d.log_prob_plate(&ks).unwrap();
        assert_close(&format!("Binomial counts ({form})"), lp, expected, 1e-12);
        assert_eq!(d.batch_len(), Some(TRIALS.len()));
        assert_eq!(d.support(), Support::BoundedCount(20));
    }
    let expected = binomial_reference(p_at);
    let probs = DVector::from_fn(TRIALS.len(), |i, _| p_at(i));
    let d = Binomial::<f64>::new(TRIALS.to_vec(), probs.clone()).unwrap();
    let lp = d.log_prob_plate(&ks).unwrap();
    assert_close("Binomial counts, vector probs", lp, expected, 1e-12);
    let d = Binomial::<f64>::logits(TRIALS.to_vec(), probs.map(logit)).unwrap();
    let lp = d.log_prob_plate(&ks).unwrap();
    assert_close("Binomial counts, vector logits", lp, expected, 1e-12);
}

/// The plate sum against the sum of single log-densities (values and derivatives) and
/// against central differences, for a scalar and a vectorized probability or logit.
pub fn binomial_per_element_counts_plate_and_gradients() {
    for logits in [false, true] {
        for vectorized in [false, true] {
            check_counts_plate(logits, vectorized);
        }
    }
}

/// Element i's parameter is z times this in the vectorized checks (z itself otherwise).
fn element_scale(i: usize, vectorized: bool) -> f64 {
    if vectorized {
        1.0 + 0.1 * i as f64
    } else {
        1.0
    }
}

fn build_binomial<S: Scalar>(
    logits: bool,
    trials: TotalCount,
    p: Param<S>,
) -> Result<Binomial<S>, DistError> {
    if logits {
        Binomial::logits(trials, p)
    } else {
        Binomial::new(trials, p)
    }
}

fn check_counts_plate(logits: bool, vectorized: bool) {
    let n = TRIALS.len();
    let z = if logits { logit(P) } else { P };
    // Element i's parameter as a dual whose lane 0 is ∂/∂z.
    let element = |i: usize| D::variable(z, 0) * element_scale(i, vectorized);
    let param = if vectorized {
        Param::Vector(DVector::from_fn(n, |i, _| element(i)).into())
    } else {
        Param::Scalar(element(0))
    };
    let d = build_binomial(logits, TRIALS.to_vec().into(), param).unwrap();
    let plate = d.log_prob_plate(&successes()).unwrap();
    let singles: D = (0..n)
        .map(|i| {
            let di = build_binomial(logits, TRIALS[i].into(), Param::Scalar(element(i)));
            di.unwrap().log_prob(&SUCCESSES[i]).unwrap()
        })
        .sum();
    let what = format!("Binomial per-element counts (logits: {logits}, vectorized: {vectorized})");
    compare_duals(&what, plate, singles);
    let f = |x: &[f64]| {
        let p = DVector::from_fn(n, |i, _| x[0] * element_scale(i, vectorized));
        let d = build_binomial::<f64>(logits, TRIALS.to_vec().into(), Param::Vector(p.into()));
        d.unwrap().log_prob_plate(&successes()).unwrap()
    };
    let fd = central_difference(&f, &[z], 0);
    assert_close(
        &format!("{what} ∂ vs finite difference"),
        plate.eps[0],
        fd,
        1e-6,
    );
}

fn compare_duals(what: &str, a: D, b: D) {
    assert_close(what, a.re, b.re, 1e-12);
    for k in 0..W {
        assert_close(&format!("{what} ε{k}"), a.eps[k], b.eps[k], 1e-12);
    }
}

/// k > nᵢ names the element, a count vector of the wrong length is a shape error, and
/// vector counts make a single `log_prob` an error.
pub fn binomial_per_element_counts_reject_bad_input() {
    let d = Binomial::<f64>::new(TRIALS.to_vec(), P).unwrap();
    let dv = Binomial::<f64>::new(TRIALS.to_vec(), DVector::from_element(5, P)).unwrap();
    for (index, k) in [(0, 1u64), (2, 8), (4, 4)] {
        let mut ks = successes();
        ks[index] = k;
        assert_out_of_support("Binomial counts", d.log_prob_plate(&ks), Some(index));
        assert_out_of_support("Binomial counts", dv.log_prob_plate(&ks), Some(index));
        assert_out_of_support("Binomial", d.to_unconstrained_at(index, &k, &mut []), None);
    }
    assert!(d.to_unconstrained_at(3, &8, &mut []).is_ok());
    assert!(matches!(
        d.to_unconstrained_at(5, &0, &mut []),
        Err(DistError::Shape { .. })
    ));
    let empty = Binomial::<f64>::new(Vec::new(), P).unwrap();
    assert!(empty.to_unconstrained(&0, &mut []).is_err());
    assert_eq!(
        empty.log_prob_plate(&DVector::from_vec(vec![])).unwrap(),
        0.0
    );
    let short = DVector::from_vec(SUCCESSES[..4].to_vec());
    let shape = |r: Result<D, DistError>| matches!(r, Err(DistError::Shape { .. }));
    let dd = Binomial::<D>::new(TRIALS.to_vec(), D::variable(P, 0)).unwrap();
    assert!(shape(dd.log_prob_plate(&short)));
    let mut rng = StdRng::seed_from_u64(3);
    assert!(matches!(
        d.sample_plate(4, &mut rng),
        Err(DistError::Shape { .. })
    ));
    for result in [
        Binomial::<f64>::new(TRIALS.to_vec(), DVector::from_element(4, P)),
        Binomial::<f64>::logits(&TRIALS[..2], DVector::from_element(3, 0.0)),
    ] {
        assert!(matches!(result, Err(DistError::Shape { .. })), "{result:?}");
    }
    assert!(matches!(
        d.log_prob(&0),
        Err(DistError::BatchedParameters { .. })
    ));
    let bad = Binomial::<f64>::new(TRIALS.to_vec(), 1.5);
    assert_invalid_parameter("Binomial counts", bad, "probs");
    let bad = Binomial::<f64>::logits(vec![3, 4], f64::NAN);
    assert_invalid_parameter("Binomial counts", bad, "logits");
}

/// Draws with counts cycling through 0, 1, 5 and 40 trials: never above nᵢ, and for each
/// count the mean and variance of the draws are nᵢp and nᵢp(1 − p) within 5 standard errors.
pub fn binomial_per_element_counts_sample_moments() {
    let cycle = [0u64, 1, 5, 40];
    let n = 100_000;
    let counts = DVector::from_fn(n, |i, _| cycle[i % cycle.len()]);
    let probs = DVector::from_fn(n, |i, _| logit(if i % 8 < 4 { P } else { 0.6 }));
    let forms = [
        ("probs", Binomial::<f64>::new(&counts, P).unwrap(), [P, P]),
        (
            "logits",
            Binomial::<f64>::logits(&counts, probs).unwrap(),
            [P, 0.6],
        ),
    ];
    for (form, d, ps) in forms {
        let mut rng = StdRng::seed_from_u64(11);
        let draws = d.sample_plate(n, &mut rng).unwrap();
        for (i, &k) in draws.iter().enumerate() {
            assert!(
                k <= counts[i],
                "{form}: draw {k} above {} trials",
                counts[i]
            );
        }
        for (half, &p) in ps.iter().enumerate() {
            for (c, &trials) in cycle.iter().enumerate() {
                let subset: Vec<f64> = (0..n)
                    .filter(|i| i % cycle.len() == c && (i % 8 < 4) == (half == 0))
                    .map(|i| draws[i] as f64)
                    .collect();
                let (mean, var) = (trials as f64 * p, trials as f64 * p * (1.0 - p));
                let label = format!("Binomial ({form}, {trials} trials, p = {p})");
                check_expectations(&label, &subset, &moments(mean, var));
            }
        }
    }
}

fn moments(mean: f64, var: f64) -> Vec<Expectation<f64>> {
    vec![
        Expectation {
            label: "mean",
            statistic: Box::new(|k| *k),
            expected: mean,
        },
        Expectation {
            label: "variance",
            statistic: Box::new(move |k| (k - mean).powi(2)),
            expected: var,
        },
    ]
}

/// ln p and ∂ ln p / ∂η of `Poisson::log_rate(η)` at count `k`.
fn log_rate_density(eta: f64, k: u64) -> D {
    let d = Poisson::log_rate(D::variable(eta, 0)).unwrap();
    d.log_prob(&k).unwrap()
}

/// The log-rate Poisson is finite at η = ±700 (and −1000, whose rate underflows to 0),
/// with derivative k − e^η, and agrees with `Poisson::new(e^η)` wherever both are finite.
pub fn poisson_log_rate_at_extreme_log_rates() {
    let counts = [0u64, 1, 3, 1000, 1_000_000_000_000_000];
    for eta in [-700.0, -30.0, -1.0, 0.0, 2.5, 30.0, 700.0] {
        let rate = Poisson::new(D::variable(eta, 0).exp()).unwrap();
        for &k in &counts {
            let lp = log_rate_density(eta, k);
            let what = format!("Poisson log rate {eta} at {k}");
            assert!(lp.re.is_finite() && lp.eps[0].is_finite(), "{what}: {lp:?}");
            assert_close(&format!("{what} ∂"), lp.eps[0], k as f64 - eta.exp(), 1e-12);
            let via_rate = rate.log_prob(&k).unwrap();
            compare_duals(&format!("{what} vs Poisson::new(e^η)"), lp, via_rate);
        }
    }
    let ln_6 = 6f64.ln();
    let lp = log_rate_density(-1000.0, 3);
    assert_close("Poisson log rate −1000", lp.re, -3000.0 - ln_6, 1e-14);
    assert_eq!(lp.eps[0], 3.0);
    let underflow = Poisson::<f64>::new((-1000f64).exp());
    assert_invalid_parameter("Poisson", underflow, "rate");
    // Past ln f64::MAX the true log-density is below −f64::MAX for every u64 count: −∞,
    // not NaN.
    let beyond = Poisson::<f64>::log_rate(710.0).unwrap();
    assert_eq!(beyond.log_prob(&u64::MAX).unwrap(), f64::NEG_INFINITY);
}

/// Plate sums at extreme log rates: the hoisted sum for a scalar η and the per-element sum
/// for a vector η equal the sum of singles; draws use e^η.
pub fn poisson_log_rate_plates_and_draws() {
    let ks = DVector::from_vec(vec![0u64, 5, 1_000_000]);
    for eta in [-700.0, 0.7, 700.0] {
        let d = Poisson::log_rate(D::variable(eta, 1)).unwrap();
        let plate = d.log_prob_plate(&ks).unwrap();
        let singles: D = ks.iter().map(|k| d.log_prob(k).unwrap()).sum();
        assert!(
            plate.re.is_finite(),
            "Poisson log rate {eta} plate: {plate:?}"
        );
        compare_duals(&format!("Poisson log rate {eta} plate"), plate, singles);
    }
    let etas = [700.0, -700.0, 1.5];
    let dv = Poisson::log_rate(DVector::from_fn(3, |i, _| D::variable(etas[i], i))).unwrap();
    let plate = dv.log_prob_plate(&ks).unwrap();
    let singles: D = (0..3).map(|i| log_rate_density(etas[i], ks[i])).sum();
    assert!(plate.re.is_finite(), "vector log rate plate: {plate:?}");
    assert_close("Poisson vector log rate plate", plate.re, singles.re, 1e-12);
    for i in 0..3 {
        let di = log_rate_density(etas[i], ks[i]).eps[0];
        assert_close(
            &format!("Poisson vector log rate ∂{i}"),
            plate.eps[i],
            di,
            1e-12,
        );
    }
    let mut rng = StdRng::seed_from_u64(5);
    let tiny = Poisson::<f64>::log_rate(-700.0).unwrap();
    assert!(
        tiny.sample_plate(1000, &mut rng)
            .unwrap()
            .iter()
            .all(|&k| k == 0)
    );
    let large = Poisson::<f64>::log_rate(20.0).unwrap();
    let draws = large.sample_plate(20_000, &mut rng).unwrap();
    let draws: Vec<f64> = draws.iter().map(|&k| k as f64).collect();
    let rate = 20f64.exp();
    check_expectations("Poisson (log rate 20)", &draws, &moments(rate, rate));
}

/// With each element's parameter seeded in one shared lane (a plate-local latent), the plate
/// sum reads element i's derivative into gradient coordinate i and clears the lane.
pub fn plate_sums_read_each_element() {
    let lanes = [LocalLane {
        lane: 1,
        offset: 0,
        len: TRIALS.len(),
        index_lanes: None,
    }];
    let reads = PlateReads {
        plate: "trials",
        home: &lanes,
        gathered: &[],
    };
    let mut mixed = None;
    let shared = |x: f64| D::variable(x, 1);
    let ks = successes();
    let probs = DVector::from_fn(TRIALS.len(), |i, _| shared(p_at(i)));
    let binomial = Binomial::new(TRIALS.to_vec(), probs).unwrap();
    let etas = DVector::from_fn(TRIALS.len(), |i, _| shared(p_at(i).ln()));
    let poisson = Poisson::log_rate(etas.clone()).unwrap();
    let expected_binomial: Vec<f64> = (0..TRIALS.len())
        .map(|i| {
            let d = Binomial::new(TRIALS[i], shared(p_at(i))).unwrap();
            d.log_prob(&SUCCESSES[i]).unwrap().eps[1]
        })
        .collect();
    let expected_poisson: Vec<f64> = (0..TRIALS.len())
        .map(|i| SUCCESSES[i] as f64 - etas[i].re.exp())
        .collect();
    let mut grad = vec![0.0; TRIALS.len()];
    let sum = binomial
        .log_prob_plate_local(&ks, &mut ReadOff::new(reads, &mut grad, &mut mixed))
        .unwrap();
    check_read_off(
        "Binomial per-element counts",
        sum,
        &grad,
        &expected_binomial,
    );
    let mut grad = vec![0.0; TRIALS.len()];
    let sum = poisson
        .log_prob_plate_local(&ks, &mut ReadOff::new(reads, &mut grad, &mut mixed))
        .unwrap();
    check_read_off("Poisson log rate", sum, &grad, &expected_poisson);
}

fn check_read_off(what: &str, sum: D, grad: &[f64], expected: &[f64]) {
    assert_eq!(sum.eps[1], 0.0, "{what}: shared lane left in the sum");
    for (i, (&g, &e)) in grad.iter().zip(expected).enumerate() {
        assert_close(&format!("{what} read-off ∂{i}"), g, e, 1e-12);
    }
}
