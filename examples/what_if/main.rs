//! PyMC's do-operator tutorial, in doppl: simulate data by intervening on the model's
//! parameters, condition the same model on that data, fit it with NUTS, recover the
//! parameters, and ask "what if" on the deterministic prediction.
//!
//! ```text
//! cargo run --release --example what_if
//! ```

mod model;

use doppl::prelude::*;
use model::{WhatIf, WhatIfIntervention, WhatIfTrace};

type Error = Box<dyn std::error::Error>;

/// The parameters the data are simulated with.
const TRUE: [(&str, f64); 5] = [
    ("b0", 0.0),
    ("b_a", 1.5),
    ("b_b", 0.7),
    ("b_c", 0.3),
    ("sigma", 0.2),
];

/// do(b0 = 0, b_a = 1.5, b_b = 0.7, b_c = 0.3, sigma = 0.2).
fn at_true_parameters(model: &WhatIf) -> WhatIfIntervention<'_> {
    model
        .intervene()
        .b0(0.0)
        .b_a(1.5)
        .b_b(0.7)
        .b_c(0.3)
        .sigma(0.2)
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The error and its causes: the failing site, then what was wrong with it.
            eprintln!("error: {}", doppl::inference::ErrorChain(&*e));
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Error> {
    let model = WhatIf::new(100);

    // 1. Simulate: the prior predictive of the model intervened on its parameters.
    let truth = at_true_parameters(&model);
    println!(
        "The intervened model (do on the parameters):\n{}",
        truth.dot()
    );
    let simulated = truth.sample_prior(&mut StdRng::seed_from_u64(1))?;

    // 2. Condition the same model on the simulated a, b, c, y and fit it.
    let posterior = fit(&model, &simulated)?;

    // 3. What if b were 0, or 5 times larger? `mu` is recomputed from the intervened b.
    what_if(&model, &posterior, &simulated)
}

fn fit<'m>(
    model: &'m WhatIf,
    simulated: &WhatIfTrace<f64>,
) -> Result<Posterior<'m, WhatIf>, Error> {
    let observed = model
        .condition()
        .a(simulated.a.clone())
        .b(simulated.b.clone())
        .c(simulated.c.clone())
        .y(simulated.y.clone());
    let posterior = nuts(
        observed,
        &NutsOptions {
            seed: 3,
            ..Default::default()
        },
    )?;
    let summary = posterior.summary();
    println!("{summary}");
    println!("{:6} {:>6} {:>22}", "param", "true", "posterior [89%]");
    for (name, value) in TRUE {
        let row = summary.row(name).ok_or(format!("no latent site {name}"))?;
        println!(
            "{name:6} {value:6.2} {:8.3} [{:6.3}, {:6.3}]",
            row.mean, row.lo, row.hi
        );
    }
    Ok(posterior)
}

fn what_if(
    model: &WhatIf,
    posterior: &Posterior<'_, WhatIf>,
    simulated: &WhatIfTrace<f64>,
) -> Result<(), Error> {
    let n = simulated.b.len();
    let observed_b: DVector<f64> = simulated.b.clone().into();
    let scenarios = [
        ("observed b", observed_b.clone()),
        ("do(b = 0)", DVector::zeros(n)),
        ("do(b = 5b)", observed_b * 5.0),
    ];
    // a and c stay at their simulated values; only b changes.
    let with_b = |b: DVector<f64>| {
        model
            .intervene()
            .a(simulated.a.clone())
            .c(simulated.c.clone())
            .b(b)
    };
    println!(
        "\nMean prediction mu over the {n} units, posterior [89%] and at the true parameters:"
    );
    for (label, b) in scenarios {
        let means =
            posterior_predictive_map(posterior, &with_b(b.clone()).build(), 11, |t| t.mu.mean())?;
        let e = Estimate::of(&means.concat());
        let exact = at_true_parameters(model)
            .a(simulated.a.clone())
            .c(simulated.c.clone())
            .b(b)
            .sample_prior(&mut StdRng::seed_from_u64(0))?
            .mu
            .mean();
        println!(
            "  {label:11} {:7.3} [{:7.3}, {:7.3}]   true {exact:7.3}",
            e.mean, e.lo, e.hi
        );
    }
    Ok(())
}
