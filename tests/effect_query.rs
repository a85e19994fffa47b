//! The effect query: lazy and eager sides give identical draws, paired arms remove the
//! outcome noise from individual effects and independent arms do not, stochastic policies,
//! CATE by a grouping column, the interval level, and typed errors for sides that do not
//! belong together.

mod common;

use common::*;
use doppl::inference::{EffectError, Group};
use doppl::prelude::*;
use rand::RngExt;

const N: usize = 50;

fn fitted<'m>(model: &'m Earnings, data: &LalondeData) -> Posterior<'m, Earnings> {
    let options = NutsOptions {
        num_warmup: 300,
        num_draws: 100,
        num_chains: 2,
        seed: 4,
        ..Default::default()
    };
    let observed = model
        .condition()
        .treat(data.treat.clone())
        .y(data.y.clone());
    nuts(observed, &options).unwrap()
}

fn arms(model: &Earnings) -> (Scenario<'_, Earnings>, Scenario<'_, Earnings>) {
    let treated = model.intervene().treat(DVector::from_element(N, 1.0));
    let control = model.intervene().treat(DVector::zeros(N));
    (treated.build(), control.build())
}

#[test]
fn lazy_eager_and_mixed_sides_give_identical_draws() {
    let data = lalonde_like(N, 2, 8);
    let model = Earnings::new(&data.x, &data.nodegree);
    let posterior = fitted(&model, &data);
    let (treated, control) = arms(&model);
    let y = Earnings::SITE.y;
    let lazy = EffectQuery::new(&posterior, y)
        .treated(&treated)
        .control(&control)
        .seed(9)
        .run()
        .unwrap();
    let on = predict(&posterior, &treated, y, 9).unwrap();
    let off = predict(&posterior, &control, y, 9).unwrap();
    assert_eq!((on.site, on.group, on.seed), ("y", Group::InSample, 9));
    let eager = EffectQuery::new(&posterior, y)
        .treated(&on)
        .control(&off)
        .seed(9);
    let mixed = EffectQuery::new(&posterior, y)
        .treated(&treated)
        .control(&off)
        .seed(9);
    assert_eq!(eager.run().unwrap(), lazy);
    assert_eq!(mixed.run().unwrap(), lazy);
    assert_eq!(lazy.individual, &on.values - &off.values);
}

/// The individual effects on y minus those on its mean: the outcome noise left in them.
fn noise_left(
    posterior: &Posterior<'_, Earnings>,
    model: &Earnings,
    independent: bool,
) -> Vec<f64> {
    let (treated, control) = arms(model);
    let query = |site| {
        let q = EffectQuery::new(posterior, site)
            .treated(&treated)
            .control(&control)
            .seed(2);
        if independent { q.independent() } else { q }
    };
    let on_y = query(Earnings::SITE.y).run().unwrap();
    let (treated, control) = arms(model);
    let mu = EffectQuery::new(posterior, Earnings::SITE.mu_earnings)
        .treated(&treated)
        .control(&control)
        .seed(2)
        .run()
        .unwrap();
    (&on_y.individual - &mu.individual)
        .iter()
        .copied()
        .collect()
}

#[test]
fn paired_arms_cancel_the_outcome_noise_and_independent_arms_double_it() {
    let data = lalonde_like(N, 2, 8);
    let model = Earnings::new(&data.x, &data.nodegree);
    let posterior = fitted(&model, &data);
    let paired = noise_left(&posterior, &model, false);
    assert!(paired.iter().all(|e| e.abs() < 1e-9));
    // Independent arms: y(1) − y(0) − Δμ = σ(ε₁ − ε₀), variance 2σ² per draw; its mean
    // over draws and units is 2·E[σ²] within Monte Carlo error (N·draws terms).
    let independent = noise_left(&posterior, &model, true);
    let sigma2: Vec<f64> = posterior
        .all_draws()
        .map(|d| d.sigma.unwrap().powi(2))
        .collect();
    let expected = 2.0 * sigma2.iter().sum::<f64>() / sigma2.len() as f64;
    let found = independent.iter().map(|e| e * e).sum::<f64>() / independent.len() as f64;
    // e² of a normal has sd √2·var: the mean of 10,000 of them is within 4 · √2 · 2σ² / 100.
    let mcse = 2f64.sqrt() * expected / (independent.len() as f64).sqrt();
    assert!(
        (found - expected).abs() < 4.0 * mcse,
        "{found} vs {expected}"
    );
}

#[test]
fn a_stochastic_policy_treats_a_share_of_units_in_every_draw() {
    let data = lalonde_like(N, 2, 8);
    let model = Earnings::new(&data.x, &data.nodegree);
    let posterior = fitted(&model, &data);
    let (treated, control) = arms(&model);
    let share = 0.3;
    let policy = |rng: &mut StdRng| {
        let treat = DVector::from_fn(N, |_, _| f64::from(rng.random_bool(share)));
        model.intervene().treat(treat).build()
    };
    let mu = Earnings::SITE.mu_earnings;
    let run = || {
        EffectQuery::new(&posterior, mu)
            .treated_policy(&policy)
            .control(&control)
            .seed(5)
            .run()
    };
    let value = run().unwrap();
    assert_eq!(
        value,
        run().unwrap(),
        "the policy's draws are fixed by the seed"
    );
    let full = EffectQuery::new(&posterior, mu)
        .treated(&treated)
        .control(&control)
        .run()
        .unwrap();
    // Per unit, the policy's effect is the full effect or zero; treated in ~30% of draws.
    let (mut hits, mut total) = (0usize, 0usize);
    for (p, f) in value.individual.iter().zip(full.individual.iter()) {
        assert!((p - f).abs() < 1e-9 || p.abs() < 1e-9);
        hits += usize::from((p - f).abs() < 1e-9 && f.abs() > 1e-9);
        total += usize::from(f.abs() > 1e-9);
    }
    let rate = hits as f64 / total as f64;
    let se = (share * (1.0 - share) / total as f64).sqrt();
    assert!((rate - share).abs() < 4.0 * se, "{rate}");
}

#[test]
fn summaries_by_group_and_at_any_level() {
    let data = lalonde_like(N, 2, 8);
    let model = Earnings::new(&data.x, &data.nodegree);
    let posterior = fitted(&model, &data);
    let (treated, control) = arms(&model);
    let effects = EffectQuery::new(&posterior, Earnings::SITE.mu_earnings)
        .treated(&treated)
        .control(&control)
        .run()
        .unwrap();
    let column: Vec<u8> = data.nodegree.iter().map(|&v| v as u8).collect();
    let by_group = effects.cate_by(&column).unwrap();
    assert_eq!(by_group.len(), 2);
    let mask: Vec<bool> = column.iter().map(|&g| g == 1).collect();
    assert_eq!(by_group[&1], effects.cate(&mask).unwrap());
    assert_eq!(
        effects.cate_by(&column[1..]),
        Err(EffectError::GroupingLength {
            units: N,
            found: N - 1
        })
    );
    let wide = effects.ate();
    let narrow = effects.clone().with_level(0.5).unwrap().ate();
    assert!(narrow.lo > wide.lo && narrow.hi < wide.hi);
    assert_eq!(narrow.mean, wide.mean);
    assert_eq!(
        effects.with_level(1.0).unwrap_err(),
        EffectError::IntervalLevel { level: 1.0 }
    );
}

#[test]
fn sides_that_do_not_belong_together_are_typed_errors() {
    let data = lalonde_like(N, 2, 8);
    let model = Earnings::new(&data.x, &data.nodegree);
    let other = Earnings::new(&data.x, &data.nodegree);
    let posterior = fitted(&model, &data);
    let (treated, control) = arms(&model);
    let (elsewhere, _) = arms(&other);
    let y = Earnings::SITE.y;
    let query = || EffectQuery::new(&posterior, y).seed(1);
    let err = query()
        .treated(&elsewhere)
        .control(&control)
        .run()
        .unwrap_err();
    assert!(matches!(
        err,
        EffectError::GroupMismatch {
            treated: Group::NewData { .. },
            control: Group::InSample
        }
    ));
    let mu_pred = predict(&posterior, &treated, Earnings::SITE.mu_earnings, 1).unwrap();
    let err = query()
        .treated(&mu_pred)
        .control(&control)
        .run()
        .unwrap_err();
    assert_eq!(
        err,
        EffectError::SiteMismatch {
            side: "treated",
            expected: "y",
            found: "mu_earnings"
        }
    );
    let other_seed = predict(&posterior, &treated, y, 2).unwrap();
    let err = query()
        .treated(&other_seed)
        .control(&control)
        .run()
        .unwrap_err();
    assert!(
        matches!(
            err,
            EffectError::Pairing {
                treated: 2,
                control: 1,
                ..
            }
        ),
        "{err}"
    );
    let same = predict(&posterior, &control, y, 1).unwrap();
    let err = query()
        .treated(&other_seed)
        .control(&same)
        .independent()
        .run();
    assert!(err.is_ok(), "different seeds are independent arms");
    let err = query()
        .treated(&same)
        .control(&same)
        .independent()
        .run()
        .unwrap_err();
    assert!(err.to_string().contains("independent arms"), "{err}");
    let err = query().treated(&treated).run().unwrap_err();
    assert_eq!(err, EffectError::MissingSide { side: "control" });
}

#[test]
fn an_outcome_off_the_treatment_plate_cannot_be_weighted_by_unit_treatment() {
    let data = lalonde_like(N, 2, 8);
    let model = Earnings::new(&data.x, &data.nodegree);
    let posterior = fitted(&model, &data);
    let (treated, control) = arms(&model);
    // sigma is one value per draw, not one per unit: an effect on it has one column.
    let effects = EffectQuery::new(&posterior, Earnings::SITE.sigma)
        .treated(&treated)
        .control(&control)
        .run()
        .unwrap();
    assert_eq!(effects.individual.ncols(), 1);
    let err = effects
        .att(Assignment::Observed(data.treat.as_slice()))
        .unwrap_err();
    assert_eq!(
        err,
        EffectError::AssignmentShape {
            draws: 200,
            units: 1,
            found_draws: 200,
            found_units: N
        }
    );
    let err = effects.cate(&[true, false]).unwrap_err();
    assert_eq!(err, EffectError::MaskLength { units: 1, found: 2 });
    let everyone = vec![false; N];
    let full = EffectQuery::new(&posterior, Earnings::SITE.y)
        .treated(&treated)
        .control(&control);
    assert_eq!(
        full.run().unwrap().cate(&everyone),
        Err(EffectError::EmptyMask)
    );
}

#[test]
fn new_units_are_a_group_of_their_own_and_their_effects_follow_the_posterior() {
    let data = lalonde_like(N, 2, 8);
    let model = Earnings::new(&data.x, &data.nodegree);
    let posterior = fitted(&model, &data);
    // Ten new units: new covariates, half without a degree.
    let fresh = lalonde_like(10, 2, 99);
    let nodegree = DVector::from_fn(10, |i, _| (i % 2) as f64);
    let new_units = Earnings::new(&fresh.x, &nodegree);
    let treated = new_units
        .intervene()
        .treat(DVector::from_element(10, 1.0))
        .build();
    let control = new_units.intervene().treat(DVector::zeros(10)).build();
    let mu = Earnings::SITE.mu_earnings;
    let on = predict(&posterior, &treated, mu, 0).unwrap();
    assert!(matches!(on.group, Group::NewData { .. }));
    let effects = EffectQuery::new(&posterior, mu)
        .treated(&on)
        .control(&control)
        .run()
        .unwrap();
    for (row, draw) in effects.individual.row_iter().zip(posterior.all_draws()) {
        for i in 0..10 {
            let expected = draw.beta_treat.unwrap() + draw.beta_interact.unwrap() * nodegree[i];
            assert!((row[i] - expected).abs() < 1e-12);
        }
    }
}
