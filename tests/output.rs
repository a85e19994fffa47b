//! Output formats: the single CSV with a `chain` column, CmdStan per-chain CSVs, and that
//! ArviZ reads them (the pinned ArviZ of `.ci/run`'s virtual environment under CI; skipped
//! on a machine without arviz, failed under CI).

#[path = "common/ci.rs"]
mod ci;
use doppl::inference::loo::{loo, pointwise_log_likelihood, relative_efficiency};
use doppl::inference::output::{
    CmdStanCsv, CmdStanError, summary_json, write_cmdstan_chain_csv, write_draws_csv,
};
use doppl::prelude::*;

#[model]
fn small(n: usize) {
    let obs = plate!(n);
    let beta = sample!(Normal::new(0.0, 1.0), plate!(2));
    let sigma = sample!(HalfNormal::new(1.0));
    let y = sample!(Normal::new(beta[0] + beta[1], sigma), obs);
}

fn posterior(model: &Small) -> Posterior<'_, Small> {
    let options = NutsOptions {
        num_warmup: 100,
        num_draws: 30,
        num_chains: 2,
        seed: 1,
        ..Default::default()
    };
    nuts(
        model.condition().y(DVector::from_vec(vec![0.3, 0.5, 0.1])),
        &options,
    )
    .unwrap()
}

/// Writes chains 0 and 1 as CmdStan CSV files with `write` and runs `body` in Python with
/// ArviZ as `az` and the file names as `files`; its last line prints JSON. `None` where
/// ArviZ is not installed (outside CI).
fn arviz_on_chains(
    tag: &str,
    write: impl Fn(usize, std::fs::File),
    body: &str,
) -> Option<serde_json::Value> {
    let dir = std::env::temp_dir().join(format!("doppl-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let files: Vec<_> = (0..2).map(|c| dir.join(format!("chain_{c}.csv"))).collect();
    for (c, f) in files.iter().enumerate() {
        write(c, std::fs::File::create(f).unwrap());
    }
    let names: Vec<String> = files.iter().map(|f| format!("'{}'", f.display())).collect();
    let script = format!(
        "import json, arviz as az\nfiles = [{}]\n{body}",
        names.join(",")
    );
    let output = ci::python_output(["-c", &script]);
    let _ = std::fs::remove_dir_all(&dir);
    match output {
        Ok(o) if o.status.success() => Some(serde_json::from_slice(&o.stdout).unwrap()),
        Ok(o) if String::from_utf8_lossy(&o.stderr).contains("No module named") => {
            ci::skip_unless_ci("arviz (python module)");
            None
        }
        other => panic!("ArviZ failed on the CmdStan CSVs: {other:?}"),
    }
}

#[test]
fn draws_csv_has_stan_names_and_reads_back_exactly() {
    let model = Small::new(3);
    let posterior = posterior(&model);
    let mut out = Vec::new();
    write_draws_csv(&posterior, |_| true, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), "chain,draw,beta[1],beta[2],sigma");
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 60);
    let sigma = posterior.site(|d| &d.sigma);
    let beta = posterior.site(|d| &d.beta);
    assert_eq!(rows[31][0], 1.0);
    assert_eq!(
        rows[31][4], sigma[1][1],
        "the shortest round-trip representation is exact"
    );
    assert_eq!(rows[31][3], beta[1][1][1]);
}

#[test]
fn cmdstan_csv_and_summary_json() {
    let model = Small::new(3);
    let posterior = posterior(&model);
    let mut out = Vec::new();
    write_cmdstan_chain_csv(&posterior, 1, |_| true, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let header = text.lines().nth(1).unwrap();
    assert_eq!(
        header,
        "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,beta.1,beta.2,sigma"
    );
    assert_eq!(text.lines().count(), 32);
    let json = summary_json(&posterior.summary());
    let mean = json["sigma"]["mean"].as_f64().unwrap();
    let sigma: Vec<f64> = posterior.site(|d| &d.sigma).concat();
    assert!((mean - sigma.iter().sum::<f64>() / 60.0).abs() < 1e-12);

    // ArviZ, where installed: four files would be four chains; here two.
    let write = |c, f| write_cmdstan_chain_csv(&posterior, c, |_| true, f).unwrap();
    let body = "print(json.dumps(az.from_cmdstan(files).posterior['beta'].shape))";
    if let Some(shape) = arviz_on_chains("cmdstan", write, body) {
        assert_eq!(shape, serde_json::json!([2, 30, 2]));
    }
}

/// ArviZ's `summary` of our CmdStan CSVs equals our `summary()`: mean, sd, bulk and tail ESS
/// and R-hat (both follow Vehtari et al. 2021), and the sampler statistics arrive in
/// `sample_stats`.
#[test]
fn arviz_summarizes_our_csvs_as_we_do() {
    let model = Small::new(3);
    let options = NutsOptions {
        num_warmup: 200,
        num_draws: 200,
        num_chains: 2,
        seed: 3,
        ..Default::default()
    };
    let observed = model.condition().y(DVector::from_vec(vec![0.3, 0.5, 0.1]));
    let posterior = nuts(observed, &options).unwrap();
    let write = |c, f| write_cmdstan_chain_csv(&posterior, c, |_| true, f).unwrap();
    let body = "d = az.from_cmdstan(files)\n\
         s = az.summary(d, round_to='none', kind='all')\n\
         stats = sorted(d.sample_stats.data_vars)\n\
         print(json.dumps({'rows': {k: [float(s.loc[k, c]) for c in ['mean', 'sd', 'ess_bulk', 'ess_tail', 'r_hat']] for k in s.index}, 'stats': stats}))";
    let Some(theirs) = arviz_on_chains("summary", write, body) else {
        return;
    };
    let ours = posterior.summary();
    for (name, arviz_name) in [
        ("beta[1]", "beta[0]"),
        ("beta[2]", "beta[1]"),
        ("sigma", "sigma"),
    ] {
        let row = ours.row(name).unwrap();
        let values = &theirs["rows"][arviz_name];
        let mine = [row.mean, row.sd, row.ess_bulk, row.ess_tail, row.rhat];
        for (k, (a, label)) in mine
            .iter()
            .zip(["mean", "sd", "ess_bulk", "ess_tail", "r_hat"])
            .enumerate()
        {
            let b = values[k].as_f64().unwrap();
            assert!(
                (a - b).abs() <= 1e-6 * b.abs().max(1.0),
                "{name} {label}: {a} vs ArviZ {b}"
            );
        }
    }
    let stats: Vec<String> = serde_json::from_value(theirs["stats"].clone()).unwrap();
    for stat in ["diverging", "tree_depth", "energy"] {
        assert!(stats.iter().any(|s| s == stat), "{stat} not in {stats:?}");
    }
}

fn observed_y() -> DVector<f64> {
    DVector::from_vec(vec![0.3, 0.5, 0.1, -0.4, 1.2, 0.8])
}

fn fit_for_groups(model: &Small) -> Posterior<'_, Small> {
    let options = NutsOptions {
        num_warmup: 200,
        num_draws: 150,
        num_chains: 2,
        seed: 5,
        ..Default::default()
    };
    nuts(model.condition().y(observed_y()), &options).unwrap()
}

/// The writer with `log_lik.*` and, drawn with seed 11, `y_rep.*` columns of site `y`.
fn with_groups<'p, 'm>(posterior: &'p Posterior<'m, Small>) -> CmdStanCsv<'p, 'm, Small> {
    CmdStanCsv::new(posterior)
        .with_log_likelihood(Small::SITE.y)
        .and_then(|csv| csv.with_predictive(Small::SITE.y, 11))
        .unwrap()
}

/// Chain 1 as CmdStan CSV text.
fn text(csv: &CmdStanCsv<'_, '_, Small>) -> String {
    let mut out = Vec::new();
    csv.write_chain(1, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The generated quantities follow the parameters, `log_lik` before `y_rep` when added in
/// that order, numbered from 1, and hold the pointwise log density.
#[test]
fn cmdstan_columns_with_log_likelihood_and_replicated_data() {
    let model = Small::new(6);
    let posterior = fit_for_groups(&model);
    let csv = with_groups(&posterior);
    let sampler = "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__";
    let expected: Vec<String> = format!("{sampler},beta.1,beta.2,sigma")
        .split(',')
        .map(str::to_string)
        .chain((1..=6).map(|i| format!("log_lik.{i}")))
        .chain((1..=6).map(|i| format!("y_rep.{i}")))
        .collect();
    assert_eq!(csv.columns(), expected);
    let written = text(&csv);
    assert_eq!(written.lines().nth(1).unwrap(), expected.join(","));
    assert_eq!(written.lines().count(), 2 + 150);
    // Row 3 of chain 1: log_lik.2 is ln N(y₂ | β₁ + β₂, σ) at that draw.
    let row: Vec<f64> = written
        .lines()
        .nth(2 + 3)
        .unwrap()
        .split(',')
        .map(|v| v.parse().unwrap())
        .collect();
    let (beta, sigma) = (
        &posterior.site(|d| &d.beta)[1][3],
        posterior.site(|d| &d.sigma)[1][3],
    );
    let z = (0.5 - beta[0] - beta[1]) / sigma;
    let ln_density = -0.5 * z * z - sigma.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln();
    assert!(
        (row[11] - ln_density).abs() < 1e-12,
        "{} vs {ln_density}",
        row[11]
    );
}

/// The same seed writes the same bytes, another seed other replicated data; mistakes are
/// typed errors naming the site.
#[test]
fn cmdstan_groups_are_reproducible_and_errors_name_the_site() {
    let model = Small::new(6);
    let posterior = fit_for_groups(&model);
    let csv = with_groups(&posterior);
    let written = text(&csv);
    assert_eq!(
        text(&with_groups(&posterior)),
        written,
        "the same seed, the same draws"
    );
    let other = CmdStanCsv::new(&posterior)
        .with_predictive(Small::SITE.y, 12)
        .unwrap();
    assert_ne!(text(&other).lines().nth(2), written.lines().nth(2));

    let err = CmdStanCsv::new(&posterior)
        .with_log_likelihood(Small::SITE.sigma)
        .err()
        .unwrap();
    assert!(
        matches!(err, CmdStanError::NotObserved { site: "sigma", .. }),
        "{err}"
    );
    assert!(err.to_string().contains("`sigma`"), "{err}");
    let err = csv.with_predictive(Small::SITE.y, 1).err().unwrap();
    assert!(
        matches!(
            err,
            CmdStanError::Repeated {
                site: "y",
                group: "posterior_predictive"
            }
        ),
        "{err}"
    );
    let err = CmdStanCsv::new(&posterior)
        .write_chain(7, Vec::new())
        .unwrap_err();
    assert!(matches!(err, CmdStanError::NoChain { chain: 7 }), "{err}");
}

/// ArviZ reads `log_lik.*` into `log_likelihood` and `y_rep.*` into `posterior_predictive`,
/// (chain, draw, N) each: the values are ours, `az.loo` on them is our PSIS-LOO, and the
/// replicated data have the mean of `predict` with the same seed.
#[test]
fn arviz_reads_log_likelihood_and_posterior_predictive_groups() {
    let model = Small::new(6);
    let posterior = fit_for_groups(&model);
    let csv = with_groups(&posterior);
    let write = |c, f| csv.write_chain(c, f).unwrap();
    let body = "d = az.from_cmdstan(files, log_likelihood='log_lik', posterior_predictive='y_rep')\n\
         ll, pp = d.log_likelihood['log_lik'], d.posterior_predictive['y_rep']\n\
         l = az.loo(d, pointwise=True)\n\
         print(json.dumps({'ll_dims': list(ll.dims), 'll_shape': list(ll.shape), 'll': ll.values.tolist(), \
         'pp_shape': list(pp.shape), 'pp_mean': pp.mean(('chain', 'draw')).values.tolist(), \
         'posterior': sorted(d.posterior.data_vars), 'elpd': float(l.elpd_loo), 'se': float(l.se), \
         'p_loo': float(l.p_loo), 'khat': l.pareto_k.values.tolist()}))";
    let Some(theirs) = arviz_on_chains("groups", write, body) else {
        return;
    };
    assert_eq!(theirs["ll_shape"], serde_json::json!([2, 150, 6]));
    assert_eq!(theirs["ll_dims"][0], "chain");
    assert_eq!(theirs["ll_dims"][1], "draw");
    assert_eq!(theirs["pp_shape"], serde_json::json!([2, 150, 6]));
    assert_eq!(theirs["posterior"], serde_json::json!(["beta", "sigma"]));

    let ours = pointwise_log_likelihood(&posterior).unwrap();
    let ll: Vec<Vec<Vec<f64>>> = serde_json::from_value(theirs["ll"].clone()).unwrap();
    let mut worst = 0.0f64;
    for (c, chain) in ll.iter().enumerate() {
        for (d, draw) in chain.iter().enumerate() {
            for (i, v) in draw.iter().enumerate() {
                worst = worst.max((v - ours.values[(c * 150 + d, i)]).abs());
            }
        }
    }
    assert!(worst < 1e-6, "log_lik differs from ours by {worst}");

    let mine = loo(&ours, relative_efficiency(&posterior)).unwrap();
    let elpd = theirs["elpd"].as_f64().unwrap();
    assert!(
        (mine.elpd_loo - elpd).abs() < 1e-6,
        "elpd_loo {} vs ArviZ {elpd}",
        mine.elpd_loo
    );
    let se = theirs["se"].as_f64().unwrap();
    assert!((mine.se - se).abs() < 1e-6, "se {} vs ArviZ {se}", mine.se);
    let p_loo = theirs["p_loo"].as_f64().unwrap();
    assert!(
        (mine.p_loo - p_loo).abs() < 1e-6,
        "p_loo {} vs ArviZ {p_loo}",
        mine.p_loo
    );
    let khat: Vec<f64> = serde_json::from_value(theirs["khat"].clone()).unwrap();
    for (a, b) in mine.khat.iter().zip(&khat) {
        assert!((a - b).abs() < 1e-6, "k̂ {a} vs ArviZ {b}");
    }

    let replicated = predict(&posterior, &model.scenario(), Small::SITE.y, 11).unwrap();
    let pp_mean: Vec<f64> = serde_json::from_value(theirs["pp_mean"].clone()).unwrap();
    let mut worst_mean = 0.0f64;
    for (i, theirs) in pp_mean.iter().enumerate() {
        let mean = replicated.values.column(i).mean();
        worst_mean = worst_mean.max((mean - theirs).abs());
        assert!(
            (mean - theirs).abs() < 1e-6,
            "y_rep.{}: {mean} vs ArviZ {theirs}",
            i + 1
        );
    }
    eprintln!(
        "ArviZ vs doppl: max |Δ log_lik| {worst:e}, elpd_loo {elpd} vs {} (Δ {:e}), \
         p_loo Δ {:e}, y_rep means {pp_mean:?} (max Δ {worst_mean:e})",
        mine.elpd_loo,
        (mine.elpd_loo - elpd).abs(),
        (mine.p_loo - p_loo).abs()
    );
}
