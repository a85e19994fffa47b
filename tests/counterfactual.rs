//! Counterfactuals for observed units: on linear SCMs the abducted noise gives the closed
//! form exactly, per posterior draw and unit; a chain of two abducted sites (a mediator and
//! the outcome) and a LogNormal outcome are replayed through their own noise; an outcome
//! whose noise is lost in its value (Bernoulli) is a typed error naming the site.

use doppl::inference::{EffectError, counterfactual};
use doppl::prelude::*;
use rand::RngExt;

/// y = a + b·t + c·x + σε with a Bernoulli treatment site and a data covariate.
#[model]
fn linear(x: &DVector<f64>) {
    let units = plate!(x.len());
    let a = sample!(Normal::new(0.0, 2.0));
    let b = sample!(Normal::new(0.0, 2.0));
    let c = sample!(Normal::new(0.0, 2.0));
    let sigma = sample!(HalfNormal::new(2.0));
    let t = sample!(Bernoulli::new(0.5), units);
    let y = sample!(Normal::new(a + &t * b + c * x, sigma), units);
}

/// t → m → y and t → y, both Normal: the counterfactual y moves through m's noise too.
#[model]
fn mediated(n: usize) {
    let units = plate!(n);
    let alpha = sample!(Normal::new(0.0, 2.0));
    let beta = sample!(Normal::new(0.0, 2.0));
    let gamma = sample!(Normal::new(0.0, 2.0));
    let t = sample!(Bernoulli::new(0.5), units);
    let m = sample!(Normal::new(&t * alpha, 1.0), units);
    let y = sample!(Normal::new(&t * gamma + &m * beta, 0.5), units);
}

/// ln y = a + b·t + noise.
#[model]
fn log_wage(n: usize) {
    let units = plate!(n);
    let a = sample!(Normal::new(0.0, 2.0));
    let b = sample!(Normal::new(0.0, 2.0));
    let t = sample!(Bernoulli::new(0.5), units);
    let y = sample!(LogNormal::new(a + &t * b, 0.5), units);
}

/// A binary outcome.
#[model]
fn binary(n: usize) {
    let units = plate!(n);
    let b = sample!(Normal::new(0.0, 1.0));
    let t = sample!(Bernoulli::new(0.5), units);
    let y = sample!(Bernoulli::logits(&t * b), units);
}

fn options() -> NutsOptions {
    NutsOptions {
        num_warmup: 300,
        num_draws: 100,
        num_chains: 2,
        seed: 11,
        ..Default::default()
    }
}

fn coin_flips(n: usize, rng: &mut StdRng) -> DVector<f64> {
    DVector::from_fn(n, |_, _| f64::from(rng.random_bool(0.5)))
}

fn normal(rng: &mut StdRng) -> f64 {
    rng.sample(rand_distr::StandardNormal)
}

#[test]
fn a_linear_units_counterfactual_is_its_outcome_plus_the_slope_times_the_change() {
    let mut rng = StdRng::seed_from_u64(3);
    let n = 40;
    let x = DVector::from_fn(n, |_, _| normal(&mut rng));
    let t = coin_flips(n, &mut rng);
    let y = DVector::from_fn(n, |i, _| 1.0 + 2.0 * t[i] - 0.5 * x[i] + normal(&mut rng));
    let model = Linear::new(&x);
    let seen = model.condition().t(t.clone()).y(y.clone()).build();
    let fit = nuts(seen.clone(), &options()).unwrap();
    // Everyone switched: t' = 1 − t.
    let flipped = model.intervene().t(t.map(|v| 1.0 - v)).build();
    let cf = counterfactual(&fit, &seen, &flipped, |tr| tr.y.clone(), 5).unwrap();
    assert_eq!(cf.counterfactual.shape(), (200, n));
    for (d, draw) in fit.all_draws().enumerate() {
        let b = draw.b.unwrap();
        for i in 0..n {
            assert_eq!(cf.factual[(d, i)], y[i]);
            let expected = y[i] + b * (1.0 - 2.0 * t[i]);
            assert!(
                (cf.counterfactual[(d, i)] - expected).abs() < 1e-12,
                "draw {d} unit {i}: {} vs {expected}",
                cf.counterfactual[(d, i)]
            );
        }
    }
    // The effect on each unit is ±b: its sign follows the unit's own treatment.
    let effects = cf.effects();
    let b_mean = fit.all_draws().map(|d| d.b.unwrap()).sum::<f64>() / 200.0;
    let unit = effects.unit(0).unwrap();
    let sign = 1.0 - 2.0 * t[0];
    assert!((unit.mean - sign * b_mean).abs() < 1e-9);
}

#[test]
fn a_mediator_and_the_outcome_are_both_replayed_from_their_own_noise() {
    let mut rng = StdRng::seed_from_u64(4);
    let n = 30;
    let t = coin_flips(n, &mut rng);
    let m = DVector::from_fn(n, |i, _| 1.5 * t[i] + normal(&mut rng));
    let y = DVector::from_fn(n, |i, _| 0.5 * t[i] + 2.0 * m[i] + 0.5 * normal(&mut rng));
    let model = Mediated::new(n);
    let seen = model
        .condition()
        .t(t.clone())
        .m(m.clone())
        .y(y.clone())
        .build();
    let fit = nuts(seen.clone(), &options()).unwrap();
    let treated = model.intervene().t(DVector::from_element(n, 1.0)).build();
    let mediator = counterfactual(&fit, &seen, &treated, |tr| tr.m.clone(), 5).unwrap();
    let outcome = counterfactual(&fit, &seen, &treated, |tr| tr.y.clone(), 5).unwrap();
    for (d, draw) in fit.all_draws().enumerate() {
        let (alpha, beta, gamma) = (draw.alpha.unwrap(), draw.beta.unwrap(), draw.gamma.unwrap());
        for i in 0..n {
            let change = 1.0 - t[i];
            let m_cf = m[i] + alpha * change;
            let y_cf = y[i] + gamma * change + beta * (m_cf - m[i]);
            assert!((mediator.counterfactual[(d, i)] - m_cf).abs() < 1e-12);
            assert!((outcome.counterfactual[(d, i)] - y_cf).abs() < 1e-10);
        }
    }
}

#[test]
fn a_lognormal_outcome_is_replayed_on_the_log_scale() {
    let mut rng = StdRng::seed_from_u64(5);
    let n = 25;
    let t = coin_flips(n, &mut rng);
    let y = DVector::from_fn(n, |i, _| (0.3 + 0.8 * t[i] + 0.5 * normal(&mut rng)).exp());
    let model = LogWage::new(n);
    let seen = model.condition().t(t.clone()).y(y.clone()).build();
    let fit = nuts(seen.clone(), &options()).unwrap();
    let untreated = model.intervene().t(DVector::zeros(n)).build();
    let cf = counterfactual(&fit, &seen, &untreated, |tr| tr.y.clone(), 0).unwrap();
    for (d, draw) in fit.all_draws().enumerate() {
        let b = draw.b.unwrap();
        for i in 0..n {
            let expected = y[i] * (-b * t[i]).exp();
            assert!((cf.counterfactual[(d, i)] / expected - 1.0).abs() < 1e-12);
        }
    }
}

#[test]
fn a_bernoulli_outcome_has_no_counterfactual_and_says_which_site() {
    let n = 10;
    let mut rng = StdRng::seed_from_u64(6);
    let t = coin_flips(n, &mut rng);
    let model = Binary::new(n);
    let seen = model.condition().t(t.clone()).y(t.clone()).build();
    let fit = nuts(seen.clone(), &options()).unwrap();
    let treated = model.intervene().t(DVector::from_element(n, 1.0)).build();
    let err = counterfactual(&fit, &seen, &treated, |tr| tr.y.clone(), 0).unwrap_err();
    assert_eq!(
        err,
        EffectError::Model(ModelError::NoAbduction {
            site: "y",
            family: "Bernoulli"
        })
    );
    assert!(err.to_string().contains("EffectQuery"), "{err}");
}
