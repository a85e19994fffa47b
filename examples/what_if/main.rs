//! PyMC's do-operator tutorial, in doppl: simulate data by intervening on the model's
//! parameters, condition the same model on that data, fit it with NUTS, recover the
//! parameters, and ask "what if" on the deterministic prediction.
//!
//! ```text
//! cargo run --release --example what_if
//! ```

use doppl::prelude::*;

mod model;

use model::WhatIf;

const TRUE: [(&str, f64); 5] = [
    ("b0", 0.0),
    ("b_a", 1.5),
    ("b_b", 0.7),
    ("b_c", 0.3),
    ("sigma", 0.2),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let model = WhatIf::new(100);

    // 1. Simulate: do(b0 = 0, b_a = 1.5, b_b = 0.7, b_c = 0.3, sigma = 0.2), then the prior
    //    predictive of the intervened model.
    let truth = model
        .intervene()
        .b0(0.0)
        .b_a(1.5)
        .b_b(0.7)
        .b_c(0.3)
        .sigma(0.2);
    println!(
        "The intervened model (do on the parameters):\n{}",
        truth.dot()
    );
    let simulated = truth.sample_prior(&mut StdRng::seed_from_u64(1))?;

    // 2. Condition the same model on the simulated a, b, c, y and fit it.
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
        let row = summary.row(name).expect("latent site");
        println!(
            "{name:6} {value:6.2} {:8.3} [{:6.3}, {:6.3}]",
            row.mean, row.lo, row.hi
        );
    }

    // 3. What if b were 0, or 5 times larger? `mu` is recomputed from the intervened b.
    let n = simulated.b.len();
    let fixed = model
        .intervene()
        .b0(0.0)
        .b_a(1.5)
        .b_b(0.7)
        .b_c(0.3)
        .sigma(0.2)
        .a(simulated.a.clone())
        .c(simulated.c.clone());
    let seed = 11;
    let mean_mu =
        |scenario: &Scenario<'_, WhatIf>| -> Result<Estimate, Box<dyn std::error::Error>> {
            let traces = posterior_predictive(&posterior, scenario, seed)?;
            let means: Vec<f64> = traces.iter().flatten().map(|t| t.mu.mean()).collect();
            Ok(Estimate::of(&means))
        };
    let scenarios = [
        (
            "observed b",
            model
                .intervene()
                .b(simulated.b.clone())
                .a(simulated.a.clone())
                .c(simulated.c.clone())
                .build(),
        ),
        (
            "do(b = 0)",
            model
                .intervene()
                .b(DVector::zeros(n))
                .a(simulated.a.clone())
                .c(simulated.c.clone())
                .build(),
        ),
        (
            "do(b = 5b)",
            model
                .intervene()
                .b(simulated.b.map(|v| 5.0 * v))
                .a(simulated.a.clone())
                .c(simulated.c.clone())
                .build(),
        ),
    ];
    println!("\nMean prediction mu over the 100 units, posterior [89%]:");
    for (label, scenario) in &scenarios {
        let e = mean_mu(scenario)?;
        println!("  {label:11} {:7.3} [{:7.3}, {:7.3}]", e.mean, e.lo, e.hi);
    }
    // With the parameters fixed at the truth, the same scenarios are exact.
    let at_truth = |b: DVector<f64>| -> Result<f64, Box<dyn std::error::Error>> {
        let trace = fixed
            .clone()
            .b(b)
            .sample_prior(&mut StdRng::seed_from_u64(0))?;
        Ok(trace.mu.mean())
    };
    println!(
        "\nWith the true parameters: observed b {:.3}, do(b = 0) {:.3}, do(b = 5b) {:.3}",
        at_truth(simulated.b.clone())?,
        at_truth(DVector::zeros(n))?,
        at_truth(simulated.b.map(|v| 5.0 * v))?
    );
    Ok(())
}
