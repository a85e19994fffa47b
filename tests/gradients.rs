//! Forward-mode gradients of generated log-joints against finite differences, against
//! num-dual's independent `Dual64` engine, and against a hand-written analytic gradient.

mod common;

use common::*;
use doppl::prelude::*;
use doppl::runtime::scalar::Scalar;
use num_dual::Dual64;

#[test]
fn what_if_gradient_matches_finite_differences() {
    let model = WhatIf::new(20);
    let mut rng = StdRng::seed_from_u64(3);
    let truth = model
        .intervene()
        .b_a(1.5)
        .b_b(0.7)
        .b_c(0.3)
        .sigma(0.2)
        .b0(0.0)
        .sample_prior(&mut rng)
        .unwrap();
    // All of a, b, c, y observed: 5 global latents.
    let posterior = model
        .condition()
        .a(truth.a.clone())
        .b(truth.b.clone())
        .c(truth.c.clone())
        .y(truth.y.clone());
    assert_eq!(posterior.layout().unwrap().dim(), 5);
    assert_gradient_matches(&posterior, &test_point(5, 1));
    // Only y observed: 5 + 3·20 latents, exercising several gradient chunks.
    let latent_inputs = model.condition().y(truth.y.clone());
    let dim = latent_inputs.layout().unwrap().dim();
    assert_eq!(dim, 65);
    assert_gradient_matches(&latent_inputs, &test_point(dim, 2));
}

#[test]
fn lalonde_gradient_matches_finite_differences_and_num_dual() {
    let data = lalonde_like(100, 7, 5);
    let model = Earnings::new(&data.x, &data.nodegree);
    let posterior = model
        .condition()
        .treat(data.treat.clone())
        .y(data.y.clone());
    let layout = posterior.layout().unwrap();
    assert_eq!(layout.dim(), 12);
    let x = test_point(12, 9);
    // beta_cov lives on a plate of its own but `x * beta_cov` reads all of it in every
    // unit's term; with 7 coefficients a lane each is cheaper than projecting the product
    // (tests/projected_products.rs), so every coordinate has a lane.
    assert_eq!(
        assert_gradient_matches(&posterior, &x),
        GradientMode::Chunked
    );

    // num-dual, one direction at a time: an engine we did not write.
    let mut grad = vec![0.0; 12];
    posterior
        .gradient()
        .unwrap()
        .logp_grad(&x, &mut grad)
        .unwrap();
    for (i, g) in grad.iter().enumerate() {
        let seeded: Vec<Dual64> = x
            .iter()
            .enumerate()
            .map(|(j, &v)| Dual64::new(v, if i == j { 1.0 } else { 0.0 }))
            .collect();
        let total = posterior.log_density_at(&seeded).unwrap().0.total();
        assert!((total.re() - posterior.log_density(&x).unwrap().total()).abs() < 1e-9);
        assert!(
            (total.eps - g).abs() <= 1e-10 * (1.0 + g.abs()),
            "coordinate {i}"
        );
    }
}

#[test]
fn lalonde_log_density_and_gradient_match_the_hand_written_ones() {
    let data = lalonde_like(614, 7, 11);
    let model = Earnings::new(&data.x, &data.nodegree);
    let posterior = model
        .condition()
        .treat(data.treat.clone())
        .y(data.y.clone());
    for seed in 0..3 {
        let u = test_point(12, 100 + seed);
        let (lp, grad) = lalonde_analytic(&data, &u);
        let mut ours = vec![0.0; 12];
        let value = posterior
            .gradient()
            .unwrap()
            .logp_grad(&u, &mut ours)
            .unwrap();
        assert!(
            (value - lp).abs() <= 1e-9 * lp.abs(),
            "log density {value} vs analytic {lp}"
        );
        for i in 0..12 {
            assert!(
                (ours[i] - grad[i]).abs() <= 1e-9 * (1.0 + grad[i].abs()),
                "coordinate {i}: {} vs {}",
                ours[i],
                grad[i]
            );
        }
    }
}
