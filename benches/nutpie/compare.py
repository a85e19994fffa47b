#!/usr/bin/env python3
"""nutpie on the six posteriors of doppl's adaptation study (benches/adaptation.rs).

The five posteriordb references of tests/common/posteriordb_models.rs and the Lalonde model
of examples/lalonde, written in PyMC with the same priors, likelihoods and data preparation,
sampled by nutpie with its default diagonal adaptation and with its low-rank modified mass
matrix. Per run: min bulk / tail ESS over the free parameters (deterministics excluded),
gradient evaluations including warm-up (nutpie's `n_steps` summed over tuning and draws),
ESS per 1,000 gradients, gradients per second, min bulk ESS per second of sampling, max
R-hat and post-warm-up divergences. Each model is compiled once; compile time is reported
apart from sampling time. Posterior means are checked against the posteriordb references.

Usage (see README.md beside this file for the environment):

    python compare.py [--seeds N] [--json PATH] [--shared DIR] [--only NAME ...]
"""

import os

# One thread per chain: nutpie runs `cores` chains in parallel; keep BLAS from adding threads.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from importlib.metadata import version  # noqa: E402
from pathlib import Path  # noqa: E402

warnings.filterwarnings("ignore", category=FutureWarning)

import arviz as az  # noqa: E402
import numpy as np  # noqa: E402
import nutpie  # noqa: E402
import pymc as pm  # noqa: E402

HERE = Path(__file__).resolve().parent
DEFAULT_SHARED = HERE.parent.parent.parent / "shared"  # /work/main/benches/nutpie -> /work/shared

POSTERIORS = [
    "eight_schools-eight_schools_noncentered",
    "kidiq-kidscore_momhsiq",
    "earnings-logearn_interaction_z",
    "sblrc-blr",
    "wells_data-wells_dist100_model",
    "lalonde",
]

# (label, low_rank_modified_mass_matrix); warm-up is nutpie's default for each (None).
SETTINGS = [("nutpie diag", False), ("nutpie low-rank", True)]
CHAINS, DRAWS, CORES = 4, 1000, 2


def _vec(data, key):
    return np.asarray(data[key], dtype=float)


# --- The models (same as tests/common/posteriordb_models.rs and examples/lalonde/model.rs) ---


def eight_schools(data):
    sigma, y = _vec(data, "sigma"), _vec(data, "y")
    with pm.Model() as model:
        mu = pm.Normal("mu", 0.0, 5.0)
        tau = pm.HalfCauchy("tau", beta=5.0)
        theta_trans = pm.Normal("theta_trans", 0.0, 1.0, shape=len(sigma))
        theta = pm.Deterministic("theta", mu + tau * theta_trans)
        pm.Normal("y", theta, sigma, observed=y)
    # The funnel leaves occasional divergences at 0.8; doppl uses 0.9 here.
    return model, 0.9


def kidiq(data):
    mom_hs, mom_iq = _vec(data, "mom_hs"), _vec(data, "mom_iq")
    with pm.Model() as model:
        beta = pm.Flat("beta", shape=3)
        sigma = pm.HalfCauchy("sigma", beta=2.5)
        mu = beta[0] + beta[1] * mom_hs + beta[2] * mom_iq
        pm.Normal("kid_score", mu, sigma, observed=_vec(data, "kid_score"))
    return model, 0.8


def log_earnings(data):
    height, male = _vec(data, "height"), _vec(data, "male")
    z_height = (height - height.mean()) / height.std(ddof=1)
    with pm.Model() as model:
        beta = pm.Flat("beta", shape=4)
        sigma = pm.HalfFlat("sigma")
        mu = beta[0] + beta[1] * z_height + beta[2] * male + beta[3] * (z_height * male)
        pm.Normal("log_earn", mu, sigma, observed=np.log(_vec(data, "earn")))
    return model, 0.8


def blr(data):
    x = np.asarray(data["X"], dtype=float)
    assert x.shape[1] == 5, x.shape
    with pm.Model() as model:
        beta = pm.Normal("beta", 0.0, 10.0, shape=x.shape[1])
        sigma = pm.HalfNormal("sigma", 10.0)
        pm.Normal("y", pm.math.dot(x, beta), sigma, observed=_vec(data, "y"))
    return model, 0.8


def wells(data):
    dist100 = _vec(data, "dist") / 100.0
    with pm.Model() as model:
        alpha = pm.Flat("alpha")
        beta = pm.Flat("beta")
        pm.Bernoulli("switched", logit_p=alpha + beta * dist100, observed=_vec(data, "switched"))
    return model, 0.8


def _standardize(v):
    return (v - v.mean()) / v.std(ddof=1)


def lalonde_data(path):
    """examples/lalonde/data.rs `read_csv`: x = [educ, age, re75/1000 (these three standardized
    with the n-1 sd), black, hispan, married, nodegree]; re78 in $1000s."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [{k.strip(): v.strip() for k, v in r.items()} for r in csv.DictReader(f)]

    def col(name):
        return np.array([float(r[name]) for r in rows])

    x = np.column_stack(
        [
            _standardize(col("educ")),
            _standardize(col("age")),
            _standardize(col("re75") / 1000.0),
            col("black"),
            col("hispan"),
            col("married"),
            col("nodegree"),
        ]
    )
    return {
        "x": x,
        "nodegree": col("nodegree"),
        "treat": col("treat"),
        "re78": col("re78") / 1000.0,
    }


def lalonde_check(posterior, study):
    """Lalonde has no posteriordb reference. p_treat's posterior is Beta(1 + sum t, 1 + n - sum t)
    exactly; given sigma the coefficients are Gaussian (conjugate), so their posterior mean is
    the average over the sigma draws of the conditional mean (Rao-Blackwell). Returns the
    largest |mean - that| in posterior sds, like `reference_check`'s sd-free part."""
    t, x, nodeg, y = study["treat"], study["x"], study["nodegree"], study["re78"]
    n = len(t)
    design = np.column_stack([np.ones(n), t, t * nodeg, x])
    prior_precision = np.diag([1 / 25, 1 / 4, 1 / 4] + [1.0] * x.shape[1])
    sigmas = posterior["sigma"].values.ravel()[::20]
    gram, xty = design.T @ design, design.T @ y
    cond = [np.linalg.solve(gram / s**2 + prior_precision, xty / s**2) for s in sigmas]
    expected = dict(zip(["intercept", "beta_treat", "beta_interact"], np.mean(cond, 0)[:3]))
    for j, v in enumerate(np.mean(cond, 0)[3:]):
        expected[f"beta_cov[{j + 1}]"] = v
    expected["p_treat"] = (1 + t.sum()) / (2 + n)
    ours = _flat_means(posterior)
    worst, worst_name = 0.0, None
    for name, value in expected.items():
        mean, sd, _ = ours[name]
        if abs(mean - value) / sd > worst:
            worst, worst_name = abs(mean - value) / sd, name
    return {"max_abs_err_in_sd": worst, "worst": worst_name, "bad": bool(worst > 0.1)}


def lalonde(study):
    x, nodegree = study["x"], study["nodegree"]
    with pm.Model() as model:
        p_treat = pm.Beta("p_treat", 1.0, 1.0)
        treat = pm.Bernoulli("treat", p=p_treat, observed=study["treat"])
        intercept = pm.Normal("intercept", 0.0, 5.0)
        beta_treat = pm.Normal("beta_treat", 0.0, 2.0)
        beta_interact = pm.Normal("beta_interact", 0.0, 2.0)
        beta_cov = pm.Normal("beta_cov", 0.0, 1.0, shape=x.shape[1])
        sigma = pm.HalfNormal("sigma", 5.0)
        mu_earnings = pm.Deterministic(
            "mu_earnings",
            intercept
            + pm.math.dot(x, beta_cov)
            + treat * (beta_treat + beta_interact * nodegree),
        )
        pm.Normal("y", mu_earnings, sigma, observed=study["re78"])
    return model, 0.8


BUILDERS = {
    "eight_schools-eight_schools_noncentered": eight_schools,
    "kidiq-kidscore_momhsiq": kidiq,
    "earnings-logearn_interaction_z": log_earnings,
    "sblrc-blr": blr,
    "wells_data-wells_dist100_model": wells,
}


def build(name, shared):
    """(model, target_accept, check): `check(posterior)` compares the posterior means with
    the posteriordb reference (or, for Lalonde, with the analytic values)."""
    if name == "lalonde":
        study = lalonde_data(shared / "data" / "lalonde.csv")
        return (*lalonde(study), lambda posterior: lalonde_check(posterior, study))
    directory = shared / "posteriordb" / name
    data = json.loads((directory / "data.json").read_text())
    ref = json.loads((directory / "reference.json").read_text())
    return (*BUILDERS[name](data), lambda posterior: reference_check(posterior, ref))


# --- Measurement ---


def _min_over(dataset):
    return float(min(np.nanmin(dataset[v].values) for v in dataset.data_vars))


def _max_over(dataset):
    return float(max(np.nanmax(dataset[v].values) for v in dataset.data_vars))


def _flat_means(posterior):
    """Posterior means, mcse and sd by Stan-style name (`theta[1]`, 1-based)."""
    mean = posterior.mean(("chain", "draw"))
    sd = posterior.std(("chain", "draw"), ddof=1)
    mcse = az.mcse(posterior, method="mean")
    out = {}
    for var in posterior.data_vars:
        m, s, e = mean[var].values, sd[var].values, mcse[var].values
        if m.ndim == 0:
            out[var] = (float(m), float(s), float(e))
        else:
            for idx in np.ndindex(m.shape):
                key = f"{var}[{','.join(str(i + 1) for i in idx)}]"
                out[key] = (float(m[idx]), float(s[idx]), float(e[idx]))
    return out


def reference_check(posterior, ref):
    """Max |z| of the posterior means against the reference (z with both MCSEs, as in
    check_posterior.py) and the largest |sd / ref sd - 1|."""
    ours = _flat_means(posterior)
    worst_z, worst_name, worst_sd = 0.0, None, 0.0
    for name, r in ref["parameters"].items():
        key = name
        if key not in ours and key.endswith("[1]") and key[:-3] in ours:
            key = key[:-3]  # wells: Stan's beta[1] is the scalar beta here
        if key not in ours:
            raise KeyError(f"reference quantity {name} not in the draws")
        mean, sd, mcse = ours[key]
        z = (mean - r["mean"]) / np.hypot(mcse, r["mcse_mean"])
        if abs(z) > abs(worst_z):
            worst_z, worst_name = z, name
        worst_sd = max(worst_sd, abs(sd / r["sd"] - 1.0))
    return {
        "max_abs_z_mean": abs(worst_z),
        "worst": worst_name,
        "max_sd_rel_err": worst_sd,
        "bad": bool(abs(worst_z) > 5),
    }


def run_one(compiled, free, target_accept, low_rank, seed):
    started = time.perf_counter()
    sampler = nutpie.sample(
        compiled,
        draws=DRAWS,
        chains=CHAINS,
        cores=CORES,
        seed=seed,
        save_warmup=True,
        progress_bar=False,
        low_rank_modified_mass_matrix=low_rank,
        target_accept=target_accept,
        blocking=False,
    )
    # Sampling time ends when the chains are done; the conversion of nutpie's arrow trace to
    # arviz (private API of the pinned nutpie, hence the fallback) is timed apart.
    try:
        sampler._sampler.wait(None)
        seconds = time.perf_counter() - started
        idata = sampler._extract(sampler._sampler.take_results())
    except AttributeError:
        idata = sampler.wait()
        seconds = time.perf_counter() - started
    convert_seconds = time.perf_counter() - started - seconds
    warm = idata.warmup_sample_stats
    stats = idata.sample_stats
    tune = int(warm.sizes["draw"])
    gradients = int(warm["n_steps"].sum()) + int(stats["n_steps"].sum())
    params = idata.posterior[free]
    ess_bulk = _min_over(az.ess(params, method="bulk"))
    ess_tail = _min_over(az.ess(params, method="tail"))
    return idata, {
        "tune": tune,
        "seconds": seconds,
        "convert_seconds": convert_seconds,
        "gradients": gradients,
        "gradients_warmup": int(warm["n_steps"].sum()),
        "min_ess_bulk": ess_bulk,
        "min_ess_tail": ess_tail,
        # doppl's summary also covers deterministic sites: the same minimum over all stored
        # variables, for reference.
        "min_ess_bulk_with_deterministics": _min_over(az.ess(idata.posterior, method="bulk")),
        "ess_bulk_per_1000_grad": 1000.0 * ess_bulk / gradients,
        "ess_tail_per_1000_grad": 1000.0 * ess_tail / gradients,
        "gradients_per_second": gradients / seconds,
        "ess_bulk_per_second": ess_bulk / seconds,
        "max_rhat": _max_over(az.rhat(params)),
        "divergent": int(stats["diverging"].sum()),
        "divergent_warmup": int(warm["diverging"].sum()),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=2, help="seeds per setting (default 2)")
    parser.add_argument("--json", help="also write every run as JSON to this path")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared/ folder")
    parser.add_argument("--only", nargs="*", choices=POSTERIORS, help="a subset of posteriors")
    args = parser.parse_args()

    versions = {
        p: version(p) for p in ("nutpie", "pymc", "pytensor", "numba", "arviz", "numpy")
    }
    versions["python"] = platform.python_version()
    others = ", ".join(f"{k} {v}" for k, v in versions.items() if k != "nutpie")
    print(
        f"nutpie {versions['nutpie']} ({others}): {CHAINS} chains x {DRAWS} draws,"
        f" {CORES} cores, warm-up = nutpie's default; seed k = nutpie seed 1000 + k\n",
        flush=True,
    )
    print(
        "| posterior | sampler | warm-up | seed | bulk ESS / 1,000 grad | tail ESS / 1,000 grad"
        " | gradients / s | ESS / s | max R-hat | divergent |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|", flush=True)

    runs, compiles = [], []
    for name in args.only or POSTERIORS:
        model, target_accept, check_posterior = build(name, args.shared)
        free = [v.name for v in model.free_RVs]
        started = time.perf_counter()
        compiled = nutpie.compile_pymc_model(model)
        compile_seconds = time.perf_counter() - started
        # One tiny fit, so that anything compiled lazily on first use is not charged to the
        # first measured run.
        started = time.perf_counter()
        nutpie.sample(compiled, draws=10, tune=10, chains=1, cores=1, seed=1, progress_bar=False)
        first_call_seconds = time.perf_counter() - started
        compiles.append(
            {
                "posterior": name,
                "dim": int(compiled.n_dim),
                "compile_seconds": compile_seconds,
                "first_call_seconds": first_call_seconds,
            }
        )
        for label, low_rank in SETTINGS:
            for k in range(args.seeds):
                idata, r = run_one(compiled, free, target_accept, low_rank, 1000 + k)
                check = check_posterior(idata.posterior)
                r.update(
                    posterior=name,
                    sampler=label,
                    seed=k,
                    nutpie_seed=1000 + k,
                    target_accept=target_accept,
                    chains=CHAINS,
                    draws=DRAWS,
                    reference_check=check,
                )
                runs.append(r)
                print(
                    f"| {name} | {label} | {r['tune']} | {k} | {r['ess_bulk_per_1000_grad']:.1f}"
                    f" | {r['ess_tail_per_1000_grad']:.1f} | {r['gradients_per_second']:,.0f}"
                    f" | {r['ess_bulk_per_second']:,.0f} | {r['max_rhat']:.3f} | {r['divergent']} |",
                    flush=True,
                )
                if check["bad"]:
                    print(f"WARNING: {name} {label} seed {k}: {check}", file=sys.stderr)

    print("\n| posterior | dim | compile s | first tiny fit s |")
    print("|---|---:|---:|---:|")
    for c in compiles:
        print(
            f"| {c['posterior']} | {c['dim']} | {c['compile_seconds']:.1f}"
            f" | {c['first_call_seconds']:.2f} |"
        )

    print(
        "\n| posterior | sampler | seed | min bulk ESS | min tail ESS | gradients (warm-up)"
        " | sampling s (+ arviz) | means vs reference: max abs z | max rel. sd error |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        c = r["reference_check"]
        if "max_abs_z_mean" in c:
            z, sd = f"{c['max_abs_z_mean']:.2f} ({c['worst']})", f"{c['max_sd_rel_err']:.3f}"
        else:  # Lalonde
            z, sd = f"analytic: {c['max_abs_err_in_sd']:.3f} sd ({c['worst']})", ""
        print(
            f"| {r['posterior']} | {r['sampler']} | {r['seed']} | {r['min_ess_bulk']:.0f}"
            f" | {r['min_ess_tail']:.0f} | {r['gradients']:,} ({r['gradients_warmup']:,})"
            f" | {r['seconds']:.2f} (+{r['convert_seconds']:.2f}) | {z} | {sd} |"
        )

    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"versions": versions, "machine": platform.platform(), "compile": compiles,
                 "runs": runs},
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
