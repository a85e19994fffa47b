//! `--plots DIR`: the Lalonde fit drawn with `doppl::plot`, each figure as PNG and SVG —
//! trace and rank plots and densities of the treatment coefficients, the energy plot, a
//! forest plot of ATE / ATT / ATU / CATE and a posterior predictive check per arm.

use super::Earnings;
use crate::data::Study;
use crate::report::Report;
use doppl::plot::{self, PredictiveArm};
use doppl::prelude::*;
use std::path::Path;

/// The parameters the causal answer rests on (the covariate coefficients are many and
/// secondary; `--draws` writes them all).
const PARAMETERS: [&str; 4] = ["beta_treat", "beta_interact", "intercept", "sigma"];

/// Writes every figure into `dir` (created if missing) as `lalonde_<figure>.{png,svg}`.
pub fn write(
    dir: &str,
    posterior: &Posterior<'_, Earnings>,
    study: &Study,
    report: &Report,
    seed: u64,
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {dir}: {e}"))?;
    let parameters = plot::parameters(posterior);
    let energies = plot::energies(posterior);
    let effects = [
        ("ATE", report.ate),
        ("ATT (treated)", report.att),
        ("ATU (untreated)", report.atu),
        ("CATE nodegree = 1", report.cate_nodegree_1),
        ("CATE nodegree = 0", report.cate_nodegree_0),
    ];
    let arms = predictive_arms(posterior, study, seed)?;
    let fail = |e: plot::PlotError| e.to_string();
    for extension in ["png", "svg"] {
        let path = |figure: &str| Path::new(dir).join(format!("lalonde_{figure}.{extension}"));
        plot::trace_plot(&parameters, &PARAMETERS, path("trace"), (900, 700)).map_err(fail)?;
        plot::rank_plot(&parameters, &PARAMETERS, path("rank"), (900, 800)).map_err(fail)?;
        plot::density_plot(&parameters, &PARAMETERS, path("density"), (900, 600)).map_err(fail)?;
        plot::energy_plot(&energies, path("energy"), (800, 500)).map_err(fail)?;
        let scale = "effect on 1978 earnings ($1000s)";
        plot::forest_plot(&effects, scale, path("forest"), (800, 380)).map_err(fail)?;
        let outcome = "1978 earnings ($1000s)";
        plot::ppc_plot(&arms, outcome, path("ppc"), (1000, 450)).map_err(fail)?;
    }
    println!("wrote trace, rank, density, energy, forest and ppc plots (PNG and SVG) to {dir}");
    Ok(())
}

/// Observed earnings of each arm beside earnings replicated from the posterior with the
/// observed treatment (the replicates the predictive check's means come from).
fn predictive_arms(
    posterior: &Posterior<'_, Earnings>,
    study: &Study,
    seed: u64,
) -> Result<Vec<PredictiveArm>, String> {
    let scenario = posterior
        .scenario
        .model
        .condition()
        .treat(study.treat.clone())
        .build();
    let replicated = predict(posterior, &scenario, Earnings::SITE.y, seed)
        .map_err(|e| ErrorChain(&e).to_string())?
        .values;
    let arm = |label: &str, value: f64| {
        let units: Vec<usize> = (0..study.treat.len())
            .filter(|&i| study.treat[i] == value)
            .collect();
        PredictiveArm {
            label: label.to_string(),
            observed: units.iter().map(|&i| study.re78[i]).collect(),
            // Every 50th draw: more than the plot draws, far fewer than the fit has.
            replicated: replicated
                .row_iter()
                .step_by(50)
                .map(|row| units.iter().map(|&i| row[i]).collect())
                .collect(),
        }
    };
    Ok(vec![arm("treated", 1.0), arm("control", 0.0)])
}
