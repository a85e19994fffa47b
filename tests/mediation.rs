//! Mediation on a linear-Gaussian SCM with two mediators and a treatment × mediator
//! interaction, where every part of the decomposition has a closed form in the parameters:
//! with M₁ = α₁ + a₁T + σ₁ε₁, M₂ = α₂ + a₂T + σ₂ε₂, Y = cT + b₁M₁ + b₂M₂ + dTM₁ + ε,
//! and t = 1 against t′ = 0 under common noise, per draw and unit
//! NIE₁ = b₁a₁, NIE₂ = b₂a₂, INT = d·a₁ (exactly), NDE = c + d·M₁(0) and
//! TE = c + b₁a₁ + b₂a₂ + d·M₁(1) (their unit means are c + dα₁ and … + d(α₁ + a₁) up to
//! the mediator noise, checked within 4 Monte Carlo standard errors).

use doppl::inference::{Effects, mediation};
use doppl::prelude::*;
use rand::RngExt;

#[model]
fn two_mediators(n: usize) {
    let units = plate!(n);
    let alpha1 = sample!(Normal::new(0.0, 2.0));
    let alpha2 = sample!(Normal::new(0.0, 2.0));
    let a1 = sample!(Normal::new(0.0, 2.0));
    let a2 = sample!(Normal::new(0.0, 2.0));
    let b1 = sample!(Normal::new(0.0, 2.0));
    let b2 = sample!(Normal::new(0.0, 2.0));
    let c = sample!(Normal::new(0.0, 2.0));
    let d = sample!(Normal::new(0.0, 2.0));
    let t = sample!(Bernoulli::new(0.5), units);
    let m1 = sample!(Normal::new(alpha1 + &t * a1, 1.0), units);
    let m2 = sample!(Normal::new(alpha2 + &t * a2, 1.0), units);
    let mu = deterministic!(&t * c + &m1 * b1 + &m2 * b2 + &t * &m1 * d, units);
    let y = sample!(Normal::new(mu, 0.5), units);
}

fn data(n: usize) -> (DVector<f64>, DVector<f64>, DVector<f64>, DVector<f64>) {
    let mut rng = StdRng::seed_from_u64(21);
    let mut z = || -> f64 { rng.sample(rand_distr::StandardNormal) };
    let t = DVector::from_fn(n, |i, _| (i % 2) as f64);
    let m1 = DVector::from_fn(n, |i, _| 0.5 + 1.0 * t[i] + z());
    let m2 = DVector::from_fn(n, |i, _| -0.5 + 0.8 * t[i] + z());
    let y = DVector::from_fn(n, |i, _| {
        0.4 * t[i] + 1.2 * m1[i] - 0.7 * m2[i] + 0.6 * t[i] * m1[i] + 0.5 * z()
    });
    (t, m1, m2, y)
}

/// Mean of `diff` within 4 MCSE of zero (draws' noise streams are independent).
fn assert_centered(name: &str, diff: &[f64]) {
    let n = diff.len() as f64;
    let mean = diff.iter().sum::<f64>() / n;
    let sd = (diff.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    assert!(
        mean.abs() < 4.0 * sd / n.sqrt(),
        "{name}: {mean} (mcse {})",
        sd / n.sqrt()
    );
}

#[test]
fn the_decomposition_matches_its_closed_form_per_draw() {
    let n = 200;
    let (t, m1, m2, y) = data(n);
    let model = TwoMediators::new(n);
    let seen = model.condition().t(t).m1(m1).m2(m2).y(y).build();
    let options = NutsOptions {
        num_warmup: 400,
        num_draws: 250,
        num_chains: 2,
        seed: 5,
        ..Default::default()
    };
    let fit = nuts(seen, &options).unwrap();
    let site = TwoMediators::SITE;
    let parts = mediation(
        &fit,
        site.t,
        &[&site.m1, &site.m2],
        |tr| tr.mu.clone(),
        DVector::from_element(n, 1.0),
        DVector::zeros(n),
        3,
    )
    .unwrap();
    assert_eq!(parts.indirect[0].0, "m1");
    assert_eq!(parts.indirect[1].0, "m2");
    let (mut nde_diff, mut te_diff) = (Vec::new(), Vec::new());
    for (k, draw) in fit.all_draws().enumerate() {
        let p = |v: Option<f64>| v.unwrap();
        let (a1, a2, b1, b2) = (p(draw.a1), p(draw.a2), p(draw.b1), p(draw.b2));
        let (c, d, alpha1) = (p(draw.c), p(draw.d), p(draw.alpha1));
        for i in 0..n {
            let at = |e: &Effects| e.individual[(k, i)];
            assert!((at(&parts.indirect[0].1) - b1 * a1).abs() < 1e-9);
            assert!((at(&parts.indirect[1].1) - b2 * a2).abs() < 1e-9);
            assert!((at(&parts.interaction) - d * a1).abs() < 1e-9);
            let sum = at(&parts.direct) + b1 * a1 + b2 * a2 + d * a1;
            assert!(
                (at(&parts.total) - sum).abs() < 1e-9,
                "TE = DE + IIE₁ + IIE₂ + INT"
            );
        }
        let unit_mean = |e: &Effects| e.individual.row(k).mean();
        nde_diff.push(unit_mean(&parts.direct) - (c + d * alpha1));
        te_diff.push(unit_mean(&parts.total) - (c + b1 * a1 + b2 * a2 + d * (alpha1 + a1)));
    }
    assert_centered("NDE", &nde_diff);
    assert_centered("TE", &te_diff);
    // The truth of the simulation is inside the intervals.
    let covers = |e: &Estimate, truth: f64| e.lo < truth && truth < e.hi;
    assert!(
        covers(&parts.indirect[0].1.ate(), 1.2),
        "{:?}",
        parts.indirect[0].1.ate()
    );
    assert!(covers(&parts.indirect[1].1.ate(), -0.7 * 0.8));
    assert!(covers(&parts.interaction.ate(), 0.6));
    assert!(covers(&parts.direct.ate(), 0.4 + 0.6 * 0.5));
}
