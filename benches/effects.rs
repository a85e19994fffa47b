//! The causal queries on the Lalonde model (614 units, 4 chains × 1,000 draws): an effect
//! query (two scenarios replayed on every draw), a prediction (one scenario), a
//! counterfactual (two runs per draw) and, on the two-mediator model of
//! `tests/mediation.rs`, a mediation decomposition. The fit is made once, outside the
//! timings. Figures go to BENCHMARKS.md. Run with `cargo bench --bench effects`.

#[allow(dead_code)]
#[path = "../examples/lalonde/data.rs"]
mod data;
#[path = "../examples/lalonde/model.rs"]
mod model;

use criterion::{Criterion, criterion_group, criterion_main};
use doppl::prelude::*;
use model::Earnings;
use std::hint::black_box;

fn bench_effects(c: &mut Criterion) {
    let study = data::simulate(614, 7);
    let model = Earnings::new(&study.x, &study.nodegree);
    let observed = model
        .condition()
        .treat(study.treat.clone())
        .y(study.re78.clone())
        .build();
    let options = NutsOptions {
        progress: false,
        ..Default::default()
    };
    let posterior = nuts(observed.clone(), &options).expect("fit");
    let n = study.x.nrows();
    let treated = model
        .intervene()
        .treat(DVector::from_element(n, 1.0))
        .build();
    let control = model.intervene().treat(DVector::zeros(n)).build();
    let mu = Earnings::SITE.mu_earnings;
    let mut group = c.benchmark_group("effects_lalonde_4000x614");
    group.sample_size(10);
    group.bench_function("effect_query", |b| {
        b.iter(|| {
            let query = EffectQuery::new(&posterior, mu)
                .treated(&treated)
                .control(&control);
            black_box(query.run().expect("effects"))
        })
    });
    group.bench_function("predict", |b| {
        b.iter(|| black_box(predict(&posterior, &observed, Earnings::SITE.y, 1).expect("predict")))
    });
    group.bench_function("counterfactual", |b| {
        b.iter(|| {
            let cf = counterfactual(&posterior, &observed, &treated, |t| t.y.clone(), 1);
            black_box(cf.expect("counterfactual"))
        })
    });
    group.finish();
}

criterion_group!(benches, bench_effects);
criterion_main!(benches);
