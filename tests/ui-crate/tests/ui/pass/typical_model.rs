//! A Lalonde-style model used through `condition()`, `intervene()` and the trace.
use doppl::prelude::*;

#[model]
fn earnings(x: &DMatrix<f64>, nodegree: &DVector<f64>) {
    let units = plate!(x.nrows());
    let covariates = plate!(x.ncols());
    let p_treat = sample!(Beta::new(1.0, 1.0));
    let treat = sample!(Bernoulli::new(p_treat), units);
    let intercept = sample!(Normal::new(0.0, 5.0));
    let beta_treat = sample!(Normal::new(0.0, 2.0));
    let beta_interact = sample!(Normal::new(0.0, 2.0));
    let beta_cov = sample!(Normal::new(0.0, 1.0), covariates);
    let sigma = sample!(HalfNormal::new(5.0));
    let mu = deterministic!(
        intercept + x * &beta_cov + &treat * (beta_treat + beta_interact * nodegree),
        units
    );
    let y = sample!(Normal::new(&mu, sigma), units);
}

fn main() {
    let x = DMatrix::from_row_slice(3, 2, &[1.0, 0.5, 0.0, 1.0, 2.0, -1.0]);
    let nodegree = DVector::from_vec(vec![1.0, 0.0, 1.0]);
    let model = Earnings::new(&x, &nodegree);
    let mut rng = StdRng::seed_from_u64(7);

    // The trace has one typed field per site, deterministic ones included.
    let trace: EarningsTrace<f64> = model.scenario().sample_prior(&mut rng).unwrap();
    let _: f64 = trace.p_treat;
    // Plated sites are `Vector`s, which read like (deref to) `DVector`s.
    let _: &Vector<f64> = &trace.treat;
    let _: &DVector<f64> = &trace.beta_cov;
    let _: &Vector<f64> = &trace.mu;
    let y: DVector<f64> = trace.y.clone().into();
    assert_eq!(y.len(), 3);

    // condition() takes each sample site's value type; intervene() every site's.
    let posterior = model
        .condition()
        .y(y)
        .treat(DVector::from_vec(vec![1.0, 0.0, 1.0]))
        .intervene()
        .beta_treat(1.0)
        .sigma_shift(Shift::scale(2.0))
        .mu(DVector::from_element(3, 0.5))
        .build();
    // p_treat, intercept, beta_interact, beta_cov (2) and sigma (shifted, still drawn) stay latent.
    let _dim: usize = posterior.layout().unwrap().dim();

    let do_treat = model.intervene().treat(DVector::from_element(3, 1.0));
    let t = do_treat.sample_prior(&mut rng).unwrap();
    assert_eq!(t.treat, DVector::from_element(3, 1.0));

    let _: Scenario<'_, Earnings> = model.scenario();
    assert_eq!(<Earnings as Model>::SITES.len(), 9);
}
