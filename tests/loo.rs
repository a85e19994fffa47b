//! PSIS-LOO against ArviZ: two models fitted to the same data (a constant mean and a
//! regression that knows the covariate), their pointwise log-likelihoods written out, and
//! ArviZ's `loo` on the very same draws; elpd_loo, se, p_loo and every k̂ agree. `compare`
//! prefers the regression. Bad input gets typed errors.

#[path = "common/ci.rs"]
mod ci;

use doppl::inference::loo::{LooError, compare, loo, pointwise_log_likelihood};
use doppl::prelude::*;
use rand::RngExt;

#[model]
fn constant(n: usize) {
    let mu = sample!(Normal::new(0.0, 5.0));
    let sigma = sample!(HalfNormal::new(5.0));
    let y = sample!(Normal::new(mu, sigma), plate!(n));
}

#[model]
fn regression(x: &DVector<f64>) {
    let a = sample!(Normal::new(0.0, 5.0));
    let b = sample!(Normal::new(0.0, 5.0));
    let sigma = sample!(HalfNormal::new(5.0));
    let y = sample!(Normal::new(a + b * x, sigma), plate!(x.len()));
}

#[model]
fn prior_only() {
    let mu = sample!(Normal::new(0.0, 1.0));
}

fn options() -> NutsOptions {
    NutsOptions {
        num_warmup: 300,
        num_draws: 250,
        num_chains: 2,
        seed: 9,
        ..Default::default()
    }
}

/// ArviZ's loo on `values` (chains × draws × observations) with r_eff = 1: elpd, se,
/// p_loo and the k̂s, or `None` where ArviZ is not installed (outside CI).
fn arviz_loo(values: &[Vec<Vec<f64>>]) -> Option<(f64, f64, f64, Vec<f64>)> {
    let path = std::env::temp_dir().join(format!("doppl-loo-{}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_string(values).unwrap()).unwrap();
    let script = format!(
        "import json, numpy as np, arviz as az\n\
         ll = np.array(json.load(open('{}')))\n\
         d = az.from_dict(posterior={{'m': np.zeros(ll.shape[:2])}}, log_likelihood={{'y': ll}})\n\
         l = az.loo(d, pointwise=True, reff=1.0)\n\
         print(json.dumps([float(l.elpd_loo), float(l.se), float(l.p_loo), l.pareto_k.values.tolist()]))",
        path.display()
    );
    let out = std::process::Command::new(ci::python())
        .args(["-c", &script])
        .output();
    let _ = std::fs::remove_file(&path);
    match out {
        Ok(o) if o.status.success() => {
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            let k = v[3]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect();
            Some((v[0].as_f64()?, v[1].as_f64()?, v[2].as_f64()?, k))
        }
        Ok(o) if String::from_utf8_lossy(&o.stderr).contains("No module named") => {
            ci::skip_unless_ci("arviz (python module)");
            None
        }
        other => panic!("ArviZ's loo failed: {other:?}"),
    }
}

#[test]
fn loo_matches_arviz_and_compare_prefers_the_true_model() {
    let n = 40;
    let mut rng = StdRng::seed_from_u64(4);
    let x = DVector::from_fn(n, |_, _| rng.random_range(-2.0..2.0));
    let y = DVector::from_fn(n, |i, _| {
        // One outlier, so that one k̂ is large.
        let outlier = if i == 7 { 4.0 } else { 0.0 };
        1.0 + 1.5 * x[i] + rng.random_range(-1.0..1.0) + outlier
    });
    let flat = Constant::new(n);
    let line = Regression::new(&x);
    let fits = (
        nuts(flat.condition().y(y.clone()), &options()).unwrap(),
        nuts(line.condition().y(y.clone()), &options()).unwrap(),
    );
    let ll = (
        pointwise_log_likelihood(&fits.0).unwrap(),
        pointwise_log_likelihood(&fits.1).unwrap(),
    );
    assert_eq!(ll.1.sites, vec![("y", n)]);
    assert_eq!(ll.1.values.shape(), (500, n));
    let loos = (loo(&ll.0, 1.0).unwrap(), loo(&ll.1, 1.0).unwrap());
    for (l, values) in [(&loos.0, &ll.0), (&loos.1, &ll.1)] {
        let per_chain: Vec<Vec<Vec<f64>>> = (0..2)
            .map(|c| {
                (0..250)
                    .map(|d| values.values.row(c * 250 + d).iter().copied().collect())
                    .collect()
            })
            .collect();
        let Some((elpd, se, p_loo, khat)) = arviz_loo(&per_chain) else {
            return;
        };
        assert!(
            (l.elpd_loo - elpd).abs() < 1e-8 * elpd.abs(),
            "{} vs {elpd}",
            l.elpd_loo
        );
        assert!((l.se - se).abs() < 1e-8 * se, "{} vs {se}", l.se);
        assert!((l.p_loo - p_loo).abs() < 1e-8, "{} vs {p_loo}", l.p_loo);
        for (i, (ours, theirs)) in l.khat.iter().zip(&khat).enumerate() {
            assert!(
                (ours - theirs).abs() < 1e-8,
                "k̂ of observation {i}: {ours} vs {theirs}"
            );
        }
    }
    let ranked = compare(&[("constant", &loos.0), ("regression", &loos.1)]).unwrap();
    assert_eq!(ranked[0].name, "regression");
    assert!(ranked[1].elpd_diff > 2.0 * ranked[1].dse, "{:?}", ranked[1]);
    assert!(
        loos.1.max_khat() > 0.5,
        "the outlier is the hardest to leave out"
    );
}

#[test]
fn loo_rejects_what_it_cannot_do() {
    let model = PriorOnly::new();
    let fit = nuts(model.scenario(), &options()).unwrap();
    assert_eq!(
        pointwise_log_likelihood(&fit).unwrap_err(),
        LooError::NoObservations
    );
    let n = 5;
    let flat = Constant::new(n);
    let fit = nuts(
        flat.condition().y(DVector::from_element(n, 1.0)),
        &options(),
    )
    .unwrap();
    let ll = pointwise_log_likelihood(&fit).unwrap();
    assert_eq!(loo(&ll, 0.0).unwrap_err(), LooError::Reff { reff: 0.0 });
    let one = loo(&ll, 1.0).unwrap();
    let other = Constant::new(3);
    let fit3 = nuts(
        other.condition().y(DVector::from_element(3, 1.0)),
        &options(),
    )
    .unwrap();
    let three = loo(&pointwise_log_likelihood(&fit3).unwrap(), 1.0).unwrap();
    let err = compare(&[("five", &one), ("three", &three)]).unwrap_err();
    assert!(err.to_string().contains("same data"), "{err}");
}
