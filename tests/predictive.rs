//! Predictive simulation under interventions: deterministic sites recomputed per draw, and
//! common random numbers making effects exact where the closed form is known.

mod common;

use common::*;
use doppl::prelude::*;

/// A short NUTS fit of the Lalonde model to `data` (2 chains × (300 + `draws`)).
fn fit<'m>(
    model: &'m Earnings,
    data: &LalondeData,
    draws: usize,
    seed: u64,
) -> Posterior<'m, Earnings> {
    let options = NutsOptions {
        num_warmup: 300,
        num_draws: draws,
        num_chains: 2,
        seed,
        ..Default::default()
    };
    nuts(
        model
            .condition()
            .treat(data.treat.clone())
            .y(data.y.clone()),
        &options,
    )
    .unwrap()
}

#[test]
fn posterior_predictive_under_do_recomputes_mu_earnings() {
    let data = lalonde_like(60, 3, 2);
    let model = Earnings::new(&data.x, &data.nodegree);
    let posterior = fit(&model, &data, 50, 1);
    let treated = model
        .intervene()
        .treat(DVector::from_element(60, 1.0))
        .build();
    let traces = posterior_predictive(&posterior, &treated, 4).unwrap();
    for (draw, trace) in posterior.all_draws().zip(traces.iter().flatten()) {
        let beta = draw.beta_cov.as_ref().unwrap();
        let (b0, bt, bi) = (
            draw.intercept.unwrap(),
            draw.beta_treat.unwrap(),
            draw.beta_interact.unwrap(),
        );
        assert_eq!(trace.beta_cov, *beta, "latents replayed from the draw");
        assert_eq!(trace.treat, DVector::from_element(60, 1.0));
        for i in 0..60 {
            let expected = b0
                + bt
                + bi * data.nodegree[i]
                + (0..3).map(|j| data.x[(i, j)] * beta[j]).sum::<f64>();
            assert!((trace.mu_earnings[i] - expected).abs() < 1e-12, "unit {i}");
            // The stored draw's mu (under the observed treatment) differs for control units.
            if data.treat[i] == 0.0 {
                assert!((draw.mu_earnings.as_ref().unwrap()[i] - expected).abs() > 0.0);
            }
        }
    }
}

#[test]
fn common_random_numbers_make_the_effect_of_a_shift_exact() {
    // y = b0 + b_a a + b_b b + b_c c + noise with known coefficients: do(a = a + 1) moves
    // every y by exactly b_a = 1.5 when both scenarios share the noise.
    let model = WhatIf::new(50);
    let base = || {
        model
            .intervene()
            .b0(0.2)
            .b_a(1.5)
            .b_b(0.7)
            .b_c(0.3)
            .sigma(0.5)
    };
    let control = prior_predictive(&base().build(), 20, 9).unwrap();
    let treated = prior_predictive(&base().a_shift(Shift::add(1.0)).build(), 20, 9).unwrap();
    for (t, c) in treated.iter().zip(&control) {
        assert_eq!(t.b, c.b, "sites that are not intervened keep their draws");
        for (yt, yc) in t.y.iter().zip(c.y.iter()) {
            assert!((yt - yc - 1.5).abs() < 1e-12, "{yt} - {yc}");
        }
    }
}

#[test]
fn individual_effects_on_an_additive_outcome_equal_the_difference_of_means() {
    let data = lalonde_like(40, 2, 3);
    let model = Earnings::new(&data.x, &data.nodegree);
    let posterior = fit(&model, &data, 50, 2);
    let treated = model
        .intervene()
        .treat(DVector::from_element(40, 1.0))
        .build();
    let control = model.intervene().treat(DVector::zeros(40)).build();
    let on_y = EffectQuery::new(&posterior, Earnings::SITE.y)
        .treated(&treated)
        .control(&control)
        .seed(7)
        .run()
        .unwrap();
    let on_mu = EffectQuery::new(&posterior, Earnings::SITE.mu_earnings)
        .treated(&treated)
        .control(&control)
        .seed(7)
        .run()
        .unwrap();
    assert!((&on_y.individual - &on_mu.individual).amax() < 1e-9);
    // And the individual effect is beta_treat + beta_interact * nodegree, per draw.
    for (row, draw) in on_mu.individual.row_iter().zip(posterior.all_draws()) {
        for i in 0..40 {
            let expected =
                draw.beta_treat.unwrap() + draw.beta_interact.unwrap() * data.nodegree[i];
            assert!((row[i] - expected).abs() < 1e-12);
        }
    }
    let no_degree: Vec<bool> = data.nodegree.iter().map(|v| *v == 1.0).collect();
    let cate = on_mu.cate(&no_degree).unwrap();
    assert!(on_mu.cate(&[true]).is_err() && on_mu.cate(&[false; 40]).is_err());
    assert!(on_mu.unit(40).is_err());
    let direct: Vec<f64> = posterior
        .all_draws()
        .map(|d| d.beta_treat.unwrap() + d.beta_interact.unwrap())
        .collect();
    assert!((cate.mean - Estimate::of(&direct).mean).abs() < 1e-12);
}

#[test]
fn posterior_predictive_on_new_arguments() {
    // Fitted on 60 units; predicted for 5 new units with their own covariates: the global
    // latents come from the posterior, the new units' treat and y are simulated.
    let data = lalonde_like(60, 3, 2);
    let model = Earnings::new(&data.x, &data.nodegree);
    let posterior = fit(&model, &data, 20, 3);
    let new_x = DMatrix::from_fn(5, 3, |i, j| (i as f64 - 2.0) * 0.5 + j as f64 * 0.1);
    let new_units = Earnings::new(&new_x, &DVector::from_vec(vec![1.0, 0.0, 1.0, 0.0, 1.0]));
    let treated = new_units
        .intervene()
        .treat(DVector::from_element(5, 1.0))
        .build();
    let traces = posterior_predictive(&posterior, &treated, 1).unwrap();
    for (draw, trace) in posterior.all_draws().zip(traces.iter().flatten()) {
        assert_eq!(trace.y.len(), 5);
        let beta = draw.beta_cov.as_ref().unwrap();
        let expected = draw.intercept.unwrap()
            + draw.beta_treat.unwrap()
            + draw.beta_interact.unwrap()
            + (0..3).map(|j| new_x[(0, j)] * beta[j]).sum::<f64>();
        assert!((trace.mu_earnings[0] - expected).abs() < 1e-12);
    }
}
