//! PSIS-LOO against ArviZ: two models fitted to the same data (a constant mean and a
//! regression that knows the covariate), their pointwise log-likelihoods written out, and
//! ArviZ's `loo` on the very same draws; elpd_loo, se, p_loo and every k̂ agree. `compare`
//! prefers the regression. Bad input gets typed errors.

#[path = "common/ci.rs"]
mod ci;

use doppl::inference::loo::{
    LooError, PointwiseLogLik, compare, loo, pointwise_log_likelihood, relative_efficiency,
};
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
    let out = ci::python_output(["-c", &script]);
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

/// Runs `body` in Python with `data` (JSON) bound to `data` and ArviZ imported as `az`;
/// its last line prints JSON. `None` where ArviZ is not installed (outside CI).
fn arviz(body: &str, data: &serde_json::Value) -> Option<serde_json::Value> {
    let path = std::env::temp_dir().join(format!("doppl-cmp-{}.json", std::process::id()));
    std::fs::write(&path, data.to_string()).unwrap();
    let script = format!(
        "import json, numpy as np, arviz as az\ndata = json.load(open('{}'))\n{body}",
        path.display()
    );
    let out = ci::python_output(["-c", &script]);
    let _ = std::fs::remove_file(&path);
    match out {
        Ok(o) if o.status.success() => Some(serde_json::from_slice(&o.stdout).unwrap()),
        Ok(o) if String::from_utf8_lossy(&o.stderr).contains("No module named") => {
            ci::skip_unless_ci("arviz (python module)");
            None
        }
        other => panic!("ArviZ failed: {other:?}"),
    }
}

/// Chains × draws × observations.
fn by_chain(ll: &PointwiseLogLik) -> Vec<Vec<Vec<f64>>> {
    let mut start = 0;
    ll.chain_lengths
        .iter()
        .map(|&len| {
            let chain = (start..start + len)
                .map(|d| ll.values.row(d).iter().copied().collect())
                .collect();
            start += len;
            chain
        })
        .collect()
}

/// A fit's latent components as ArviZ posterior variables, chains × draws.
fn posterior_json<'m, M: Model + 'm>(fit: &impl Draws<'m, M>) -> serde_json::Value {
    let latent: Vec<&str> = fit.layout().blocks.iter().map(|b| b.site).collect();
    let columns =
        doppl::inference::summary::component_draws::<M>(fit.draws(), |s| latent.contains(&s));
    columns
        .into_iter()
        .map(|(name, chains)| (name, serde_json::json!(chains)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

#[test]
fn relative_efficiency_and_compare_match_arviz() {
    let n = 30;
    let mut rng = StdRng::seed_from_u64(6);
    let x = DVector::from_fn(n, |_, _| rng.random_range(-2.0..2.0));
    let y = DVector::from_fn(n, |i, _| 0.5 + 1.0 * x[i] + rng.random_range(-1.5..1.5));
    let (flat, line) = (Constant::new(n), Regression::new(&x));
    let fit0 = nuts(flat.condition().y(y.clone()), &options()).unwrap();
    let fit1 = nuts(line.condition().y(y.clone()), &options()).unwrap();
    let (ll0, ll1) = (
        pointwise_log_likelihood(&fit0).unwrap(),
        pointwise_log_likelihood(&fit1).unwrap(),
    );
    let (r0, r1) = (relative_efficiency(&fit0), relative_efficiency(&fit1));
    assert!(r0 > 0.2 && r1 > 0.2, "{r0} {r1}");
    let (l0, l1) = (loo(&ll0, r0).unwrap(), loo(&ll1, r1).unwrap());
    let ranked = compare(&[("constant", &l0), ("regression", &l1)]).unwrap();
    let data = serde_json::json!({
        "constant": {"posterior": posterior_json(&fit0), "ll": by_chain(&ll0)},
        "regression": {"posterior": posterior_json(&fit1), "ll": by_chain(&ll1)},
    });
    let body = "d = {k: az.from_dict(posterior={n: np.array(v) for n, v in m['posterior'].items()}, \
                log_likelihood={'y': np.array(m['ll'])}) for k, m in data.items()}\n\
                loos = {k: az.loo(v, pointwise=True) for k, v in d.items()}\n\
                c = az.compare(d, ic='loo')\n\
                print(json.dumps({'loo': {k: [float(l.elpd_loo), l.pareto_k.values.tolist()] for k, l in loos.items()}, \
                'order': list(c.index), 'diff': c['elpd_diff'].tolist(), 'dse': c['dse'].tolist()}))";
    let Some(theirs) = arviz(body, &data) else {
        return;
    };
    for (name, ours) in [("constant", &l0), ("regression", &l1)] {
        let elpd = theirs["loo"][name][0].as_f64().unwrap();
        assert!(
            (ours.elpd_loo - elpd).abs() < 1e-8 * elpd.abs(),
            "{name}: {} vs {elpd}",
            ours.elpd_loo
        );
        let k: Vec<f64> = serde_json::from_value(theirs["loo"][name][1].clone()).unwrap();
        for (a, b) in ours.khat.iter().zip(&k) {
            assert!((a - b).abs() < 1e-8, "{name} k̂: {a} vs {b}");
        }
    }
    let order: Vec<String> = serde_json::from_value(theirs["order"].clone()).unwrap();
    assert_eq!(
        order,
        ranked.iter().map(|r| r.name.clone()).collect::<Vec<_>>()
    );
    for (i, r) in ranked.iter().enumerate() {
        let diff = theirs["diff"][i].as_f64().unwrap();
        let dse = theirs["dse"][i].as_f64().unwrap();
        assert!(
            (r.elpd_diff - diff).abs() < 1e-8,
            "{}: {} vs {diff}",
            r.name,
            r.elpd_diff
        );
        assert!((r.dse - dse).abs() < 1e-8, "{}: {} vs {dse}", r.name, r.dse);
    }
}
