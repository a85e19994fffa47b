//! doppl: typed Bayesian causal models in Rust.
//!
//! A `#[model]` function becomes a typed model: a struct holding its data, a trace with one
//! field per site, checked `condition()` / `intervene()` builders and a log-joint generic over
//! the scalar type, differentiated in forward mode.
//!
//! ```
//! use doppl::prelude::*;
//!
//! #[model]
//! fn regression(x: &DVector<f64>, group: &[usize]) {
//!     let units = plate!(x.len());
//!     let groups = plate!(2);
//!     let alpha = sample!(Normal::new(0.0, 1.0), groups);
//!     let slope = sample!(Normal::new(0.0, 1.0));
//!     let sigma = sample!(HalfNormal::new(1.0));
//!     let mu = deterministic!(alpha.gather(group) + slope * x, units);
//!     let y = sample!(Normal::new(mu, sigma), units);
//! }
//!
//! let x = DVector::from_vec(vec![1.0, 2.0, 3.0]);
//! let model = Regression::new(&x, &[0, 1, 1]);
//! // do(slope = 2, alpha = (0, 10)), then simulate: mu is recomputed from the interventions.
//! let mut rng = StdRng::seed_from_u64(1);
//! let trace = model
//!     .intervene()
//!     .slope(2.0)
//!     .alpha(DVector::from_vec(vec![0.0, 10.0]))
//!     .sample_prior(&mut rng)
//!     .unwrap();
//! assert_eq!(trace.mu, DVector::from_vec(vec![2.0, 14.0, 16.0]));
//! // Condition on the simulated y: alpha (2), slope and log sigma remain latent.
//! let posterior = model.condition().y(trace.y.clone());
//! assert_eq!(posterior.layout().unwrap().dim(), 4);
//! ```
//!
//! ## A guided tour: model → condition → fit → effect → plot
//!
//! An uplift study in five steps; every number is checked against ordinary least squares,
//! which the posterior mean matches under these wide priors.
//!
//! ```
//! use doppl::prelude::*;
//! use rand::RngExt;
//!
//! // 1. The model. The treatment t is a site of its own, so that it can be observed and
//! //    intervened on; mu is recorded as a deterministic site, the quantity effects compare.
//! #[model]
//! fn uplift(x: &DVector<f64>) {
//!     let units = plate!(x.len());
//!     let p_treat = sample!(Beta::new(1.0, 1.0));
//!     let t = sample!(Bernoulli::new(p_treat), units);
//!     let a = sample!(Normal::new(0.0, 10.0));
//!     let b = sample!(Normal::new(0.0, 10.0));
//!     let tau = sample!(Normal::new(0.0, 10.0));
//!     let sigma = sample!(HalfNormal::new(2.0));
//!     let mu = deterministic!(a + b * x + &t * tau, units);
//!     let y = sample!(Normal::new(&mu, sigma), units);
//! }
//!
//! // Data made here: a true effect of 2.
//! let n = 200;
//! let mut rng = StdRng::seed_from_u64(3);
//! let x = DVector::from_fn(n, |_, _| rng.random_range(-1.0..1.0));
//! let t = DVector::from_fn(n, |i, _| (i % 2) as f64);
//! let y = DVector::from_fn(n, |i, _| 1.0 + 0.5 * x[i] + 2.0 * t[i] + rng.random_range(-1.5..1.5));
//!
//! // 2. Condition on what was observed.
//! let model = Uplift::new(&x);
//! let observed = model.condition().t(t.clone()).y(y.clone());
//!
//! // 3. Fit with NUTS.
//! let options = NutsOptions { num_warmup: 300, num_draws: 400, num_chains: 2, ..Default::default() };
//! let posterior = nuts(observed, &options).unwrap();
//! assert!(posterior.summary().max_rhat() < 1.05);
//!
//! // 4. The effect: mu under do(t = 1) minus mu under do(t = 0), draw by draw.
//! let treated = model.intervene().t(DVector::from_element(n, 1.0)).build();
//! let control = model.intervene().t(DVector::from_element(n, 0.0)).build();
//! let effects = EffectQuery::new(&posterior, Uplift::SITE.mu)
//!     .treated(&treated)
//!     .control(&control)
//!     .run()
//!     .unwrap();
//! let ate = effects.ate();
//! // Least squares for (a, b, tau): the posterior mean of tau within a quarter sd of it.
//! let design = DMatrix::from_fn(n, 3, |i, j| [1.0, x[i], t[i]][j]);
//! let gram = design.transpose() * &design;
//! let ols = gram.cholesky().unwrap().solve(&(design.transpose() * &y));
//! assert!((ate.mean - ols[2]).abs() < 0.25 * ate.sd, "{} vs {}", ate.mean, ols[2]);
//! assert!(ate.lo < ols[2] && ols[2] < ate.hi);
//!
//! // 5. Plot it (the `plot` feature, on by default): a forest plot of the effect.
//! # #[cfg(feature = "plot")]
//! # {
//! let path = std::env::temp_dir().join("doppl_tour_forest.svg");
//! doppl::plot::forest_plot(&[("ATE", ate)], "effect on y", &path, (600, 200)).unwrap();
//! assert!(std::fs::read_to_string(&path).unwrap().contains("ATE"));
//! # }
//! ```
//!
//! The sections below go further: variational inference for large models, custom guides,
//! counterfactuals, plots, reproducibility, and the model language in detail.
//!
//! ## Variational inference
//!
//! [`inference::svi`] fits an automatic guide by stochastic gradient ascent on the ELBO:
//!
//! ```
//! use doppl::prelude::*;
//! use doppl::inference::svi::{Optimizer, Schedule};
//!
//! // y ~ N(mu, 1), mu ~ N(0, 1): the posterior of mu is N(Σy / (n + 1), 1 / (n + 1)).
//! #[model]
//! fn mean(n: usize) {
//!     let mu = sample!(Normal::new(0.0, 1.0));
//!     let y = sample!(Normal::new(mu, 1.0), plate!(n));
//! }
//! let model = Mean::new(4);
//! let y = DVector::from_vec(vec![1.2, 0.4, 2.1, 1.5]);
//! // Adam whose rate decays 20-fold over the run, so that the last steps settle.
//! let optimizer = Optimizer::adam(0.02).with_schedule(Schedule::Exponential { decay: 0.999 });
//! let options = SviOptions { steps: 3_000, optimizer, ..SviOptions::default() };
//! let fit = svi(model.condition().y(y), AutoGuide::Normal, &options).unwrap();
//! let (mean, sd) = (fit.guide.location()[0], fit.guide.covariance()[(0, 0)].sqrt());
//! assert!((mean - 5.2 / 5.0).abs() < 0.03, "{mean}");
//! assert!((sd - 0.2f64.sqrt()).abs() < 0.03, "{sd}");
//! ```
//!
//! ### Minibatches
//!
//! `let units = plate!(n, subsample = b);` lets every SVI step with an automatic mean-field
//! or point-mass guide see a random batch of `b` of the `n` units, each unit's terms weighted
//! by `n / b` so that the ELBO stays unbiased (Hoffman et al. 2013); data on the plate are
//! restricted with `let x = subsample!(x, units);`, observed values by doppl. NUTS, the
//! predictive and effects always see all `n` units. A custom guide (below) runs on the same
//! batches when it declares the plate with the same `subsample = b` (and restricts its own
//! data with `subsample!`): its plated `param!`s give the batch's elements and its terms on
//! the plate count `n / b` times, as the model's do.
//!
//! ```
//! use doppl::prelude::*;
//! use doppl::inference::svi::{Optimizer, Schedule};
//!
//! // yᵢ ~ N(mu + xᵢ, 1): the posterior of mu is N(Σ(yᵢ − xᵢ) / (n + 1), 1 / (n + 1)).
//! #[model]
//! fn shifted(x: &DVector<f64>, batch: usize) {
//!     let units = plate!(x.len(), subsample = batch);
//!     let x = subsample!(x, units);
//!     let mu = sample!(Normal::new(0.0, 1.0));
//!     let y = sample!(Normal::new(mu + x, 1.0), units);
//! }
//! let n = 1_000;
//! let x = DVector::from_fn(n, |i, _| (i % 7) as f64 * 0.1);
//! let y = DVector::from_fn(n, |i, _| x[i] + 0.8 + ((i * 37) % 11) as f64 * 0.1 - 0.5);
//! let exact = (&y - &x).sum() / (n as f64 + 1.0);
//! let model = Shifted::new(&x, 50); // 5% of the units per step
//! let optimizer = Optimizer::adam(0.02).with_schedule(Schedule::Exponential { decay: 0.999 });
//! let options = SviOptions { steps: 4_000, optimizer, ..SviOptions::default() };
//! let fit = svi(model.condition().y(y), AutoGuide::Normal, &options).unwrap();
//! let mean = fit.guide.location()[0];
//! assert!((mean - exact).abs() < 0.01, "{mean} vs {exact}");
//! ```
//!
//! ### Custom guides
//!
//! A guide is a Rust function too: `#[guide(for = Model, observed(..))]` turns a body of
//! `param!` (variational parameters with initial values and constraints: `real`,
//! `positive`, `unit_interval`, `interval(lo, hi)`, `greater_than(lo)`; one per plate element
//! with a plate) and `sample!` statements (each draws the model's site of the same name from a
//! reparameterizable family: Normal, LogNormal, HalfNormal, or `Delta` for a point estimate of
//! the site) into a guide that
//! [`inference::svi::svi_guide`] fits. The compiler checks the guide against the model: a
//! latent site the guide forgets (Pyro and NumPyro would silently use the prior), a site
//! the model does not have, or a draw of the wrong value type (a scalar for a per-unit site)
//! is a compile error on the guide's token. Whether the sites listed in `observed(..)` are the
//! ones the scenario conditions is checked when the fit starts ([`inference::svi::SviError::Guide`]).
//!
//! ```
//! use doppl::prelude::*;
//! use doppl::inference::svi::{Optimizer, Schedule};
//!
//! #[model]
//! fn mean(n: usize) {
//!     let mu = sample!(Normal::new(0.0, 1.0));
//!     let y = sample!(Normal::new(mu, 1.0), plate!(n));
//! }
//!
//! #[guide(for = Mean, observed(y))]
//! fn mean_guide() {
//!     let mu_loc = param!(0.0);
//!     let mu_scale = param!(0.5, constraint = positive);
//!     let mu = sample!(Normal::new(mu_loc, mu_scale));
//! }
//!
//! let model = Mean::new(4);
//! let y = DVector::from_vec(vec![1.2, 0.4, 2.1, 1.5]);
//! let optimizer = Optimizer::adam(0.02).with_schedule(Schedule::Exponential { decay: 0.999 });
//! let options = SviOptions { steps: 3_000, optimizer, ..SviOptions::default() };
//! let guide = MeanGuide::new();
//! let fit = svi_guide(model.condition().y(y), &guide, &options).unwrap();
//! let (mean, sd) = (fit.param("mu_loc").unwrap()[0], fit.param("mu_scale").unwrap()[0]);
//! assert!((mean - 5.2 / 5.0).abs() < 0.03, "{mean}");
//! assert!((sd - 0.2f64.sqrt()).abs() < 0.03, "{sd}");
//! ```
//!
//! Each step draws the guide with fresh noise, differentiates the model at the draw with
//! the plate-aware engine, and replays the guide on the same noise with dual parameters (16
//! lanes per replay) for the pathwise gradient. A `param!` declared on a plate (a location
//! per unit) takes one lane for all its elements, each element's derivative read off its
//! own terms, so a mean-field guide over N units costs two replays per step whatever N
//! ([`inference::svi::GuideGradientMode::PlateLocal`]); a guide that mixes a plated
//! parameter's elements (one unit's value in another's draw) is found on the first step and
//! differentiated with a lane per parameter instead, correct but one replay per 16 of them
//! (`DenseFallback`, with the reason; the fit's `guide.gradient_mode` says which).
//!
//! ## Causal queries
//!
//! A counterfactual for an observed unit ([`inference::counterfactual()`]) replays the noise
//! its observed value implies under the intervention; here y = β·t + ε, so an untreated
//! unit's counterfactual under treatment is its own y plus β, draw by draw:
//!
//! ```
//! use doppl::prelude::*;
//! use doppl::inference::counterfactual;
//!
//! #[model]
//! fn wage(n: usize) {
//!     let units = plate!(n);
//!     let beta = sample!(Normal::new(0.0, 1.0));
//!     let t = sample!(Bernoulli::new(0.5), units);
//!     let y = sample!(Normal::new(&t * beta, 1.0), units);
//! }
//!
//! let model = Wage::new(2);
//! let seen = model
//!     .condition()
//!     .t(DVector::from_vec(vec![0.0, 1.0]))
//!     .y(DVector::from_vec(vec![0.3, 2.0]))
//!     .build();
//! let options = NutsOptions { num_warmup: 200, num_draws: 100, num_chains: 1, ..Default::default() };
//! let fit = nuts(seen.clone(), &options).unwrap();
//! let everyone_treated = model.intervene().t(DVector::from_vec(vec![1.0, 1.0])).build();
//! let cf = counterfactual(&fit, &seen, &everyone_treated, |t| t.y.clone(), 0).unwrap();
//! for (d, draw) in fit.all_draws().enumerate() {
//!     let beta = draw.beta.unwrap();
//!     assert!((cf.counterfactual[(d, 0)] - (0.3 + beta)).abs() < 1e-12);
//!     assert!((cf.counterfactual[(d, 1)] - 2.0).abs() < 1e-12); // treated already
//! }
//! ```
//!
//! ## Plots
//!
//! With the `plot` feature (on by default), `doppl::plot` draws a fit as PNG or SVG files:
//! trace and rank plots, posterior densities with the 89% HDI, a forest plot of effects, a
//! posterior predictive check per arm, the NUTS energy plot and the SVI ELBO trace
//! (`cargo run --release --example lalonde -- --plots DIR` writes them for the Lalonde
//! study). Build with `default-features = false` to leave the drawing crates out.
//!
//! ## Reproducibility
//!
//! The same seed gives the same draws, bit for bit, whatever the number of threads (each
//! chain, SVI run and replicate has its own random stream derived from the seed and its
//! index). The hot data loops (a data matrix times a coefficient vector) are compiled for
//! baseline x86-64 and for AVX2 + FMA, and the best version the CPU supports is picked at run
//! time (`doppl::runtime::scalar` module `simd`); both versions do the same operations in the
//! same order, but bitwise identity is promised only between machines of one instruction
//! set (and one build: another compiler or math library may round `exp` and `ln`
//! differently).
//!
//! ## The model language
//! - `let units = plate!(n);` declares a plate of `n` conditionally independent elements.
//! - `let name = sample!(Family::new(..));` a random site with one value;
//!   `sample!(Family::new(..), units)` one value per plate element (vector parameters are
//!   elementwise). The site's name is the binding.
//! - `let name = deterministic!(expr);` (a scalar) or `deterministic!(expr, units)` (a vector)
//!   records a value computed from other sites. One that nothing after it in the body reads
//!   (a quantity of interest) is computed only for traces and predictions, not in the
//!   log-density and gradient evaluations of a fit.
//! - `factor!(name, log_density);` adds a custom term to the log-density (a scalar, or a
//!   vector of per-element terms on a plate).
//! - Everything else is ordinary Rust, with arithmetic written as in the math. Inside the
//!   body the scalar type is `S` (`f64` or a dual number). Data arguments of type
//!   `DVector<f64>`, `DMatrix<f64>` and index vectors (`&[usize]`, `Vec<usize>`) are seen as
//!   [`prelude::Data`] views and stay `f64`; plated sites and plated deterministic values are
//!   [`prelude::Vector`]s that know their plate. `x * beta` (data matrix times a parameter
//!   vector), `a + b * x`, `treat * effect`, `-v`, `v.exp()`, `v.sigmoid()`,
//!   `alpha.gather(group)` all work, in either operand order, with vectors owned or borrowed
//!   (`&mu`), and data passes directly as a distribution parameter (`Normal::new(theta, s)`).
//!   A site's value may be moved where it is last read (`Normal::new(mu, sigma)`): the
//!   trace keeps its own copy only on the runs that return values (prediction, draws), so
//!   the log-density and its gradient copy nothing; borrowing (`&mu`) copies it there.
//!   See [`runtime::value`] for every form. One form Rust cannot offer: a constant on the left
//!   of a scalar parameter (`0.5 * a`, `f64 * S` for a type parameter `S`); write `a * 0.5`.
//! - Operands of different lengths or plates are not broadcast: the site that reads the
//!   result fails with a typed error naming it ([`prelude::ShapeError`]).
//! - Integer data: index vectors are `&[usize]` (or `Vec<usize>`) arguments; counts observed
//!   at `Poisson` / `Binomial` sites are `DVector<u64>`, categories `DVector<usize>`.
//! - Comparisons (`if b > 0.0`, `a < b`) decide by the value part, so a body takes the same
//!   branch whatever the scalar type (the value part itself is `b.re()`). A branch on a
//!   parameter makes the density piecewise: the gradient is the branch's, as in Stan, and
//!   NUTS may diverge where the branches meet.
//! - A panic in model code (an `assert!` on a parameter, an index computed from one) at a
//!   point NUTS proposes rejects that point, as Stan rejects a point whose model block
//!   throws: it counts as a divergence whose cause and message the sampler report quotes,
//!   and a chain stops only after 100 rejected transitions in a row. A panic while the layout
//!   or a chain's starting point is computed is the fit's typed error
//!   ([`prelude::ModelError::Panicked`]). Either way the panic is caught without the
//!   default hook's print-out.
//!
//! ```
//! use doppl::prelude::*;
//!
//! // A slope that is switched off for negative b.
//! #[model]
//! fn hinge(x: &DVector<f64>) {
//!     let b = sample!(Normal::new(0.0, 1.0));
//!     let slope = if b > 0.0 { b } else { b * 0.0 };
//!     let y = sample!(Normal::new(slope * x, 1.0), plate!(x.len()));
//! }
//! let x = DVector::from_vec(vec![1.0, 2.0]);
//! let model = Hinge::new(&x);
//! let ln_normal = |v: f64| -0.5 * v * v - 0.5 * (2.0 * std::f64::consts::PI).ln();
//! for (b, slope) in [(-1.0, 0.0), (0.5, 0.5)] {
//!     // b and y given: nothing latent, the log-density is ln N(b) + Σ ln N(yᵢ − slope·xᵢ).
//!     let scenario = model.condition().b(b).y(x.clone());
//!     let lp = scenario.log_density(&[]).unwrap().total();
//!     let expected = ln_normal(b) + ln_normal(1.0 - slope) + ln_normal(2.0 - 2.0 * slope);
//!     assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
//! }
//! // The gradient in b (latent) follows the branch: -b below zero, -b + Σ (yᵢ − b·xᵢ)·xᵢ above.
//! let posterior = model.condition().y(x.clone());
//! let mut engine = posterior.gradient().unwrap();
//! let mut grad = [0.0];
//! for (b, slope) in [(-1.0, 1.0), (0.5, -0.5 + 0.5 + 2.0)] {
//!     engine.logp_grad(&[b], &mut grad).unwrap();
//!     assert!((grad[0] - slope).abs() < 1e-12, "{b}: {}", grad[0]);
//! }
//! ```

#![warn(missing_docs)]

pub mod data;

#[cfg(feature = "distributed")]
pub use doppl_batch as batch;
pub use doppl_inference as inference;
pub use doppl_macros::{guide, model};
#[cfg(feature = "plot")]
pub use doppl_plot as plot;
pub use doppl_runtime as runtime;

/// Everything a model file needs.
pub mod prelude {
    pub use crate::{deterministic, factor, param, plate, sample, subsample};
    /// A fit as CmdStan CSV files for ArviZ, with the pointwise log-likelihood and
    /// replicated data as `log_lik.*` and `y_rep.*` columns, for
    /// `az.from_cmdstan(files, log_likelihood="log_lik", posterior_predictive="y_rep")`:
    ///
    /// ```
    /// use doppl::prelude::*;
    ///
    /// #[model]
    /// fn mean(n: usize) {
    ///     let mu = sample!(Normal::new(0.0, 1.0));
    ///     let y = sample!(Normal::new(mu, 1.0), plate!(n));
    /// }
    ///
    /// let model = Mean::new(3);
    /// let y = DVector::from_vec(vec![0.2, -0.1, 0.5]);
    /// let options = NutsOptions { num_warmup: 100, num_draws: 20, num_chains: 1, ..Default::default() };
    /// let posterior = nuts(model.condition().y(y.clone()), &options).unwrap();
    /// let csv = CmdStanCsv::new(&posterior)
    ///     .with_log_likelihood(Mean::SITE.y)?
    ///     .with_predictive(Mean::SITE.y, 7)?;
    /// let mut file = Vec::new(); // a `std::fs::File` per chain in practice
    /// csv.write_chain(0, &mut file)?;
    /// let text = String::from_utf8(file).unwrap();
    /// let header: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
    /// assert_eq!(header[7..], ["mu", "log_lik.1", "log_lik.2", "log_lik.3", "y_rep.1", "y_rep.2", "y_rep.3"]);
    /// // Each draw's log_lik.i is ln N(yᵢ | mu, 1) ...
    /// let row: Vec<f64> = text.lines().nth(2).unwrap().split(',').map(|v| v.parse().unwrap()).collect();
    /// let ln_normal = |x: f64| -0.5 * (x - row[7]).powi(2) - 0.5 * (2.0 * std::f64::consts::PI).ln();
    /// for i in 0..3 {
    ///     assert!((row[8 + i] - ln_normal(y[i])).abs() < 1e-12);
    /// }
    /// // ... and y_rep.i the replicated yᵢ that `predict` draws with the same seed.
    /// let replicated = predict(&posterior, &model.scenario(), Mean::SITE.y, 7)?;
    /// assert_eq!(row[11..], replicated.values.row(0).iter().copied().collect::<Vec<_>>());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub use doppl_inference::CmdStanCsv;
    pub use doppl_inference::ErrorChain;
    pub use doppl_inference::svi::{AutoGuide, SviOptions, svi, svi_guide};
    pub use doppl_inference::{
        Assignment, Draws, EffectQuery, Estimate, MetricAdaptation, NutsOptions, Posterior,
        Predicted, counterfactual, mediation, nuts, posterior_predictive, posterior_predictive_map,
        predict, prior_predictive,
    };
    pub use doppl_macros::{guide, model};
    pub use doppl_runtime::dist::*;
    pub use doppl_runtime::gradient::{Gradient, GradientMode};
    pub use doppl_runtime::nn::{Activation, Dense, Feature, Mlp, Outputs};
    pub use doppl_runtime::scalar::Scalar;
    pub use doppl_runtime::value::{Data, ShapeError, Vector};
    pub use doppl_runtime::{Intervention, Model, ModelError, Plate, Scenario, Shift};
    pub use nalgebra::{DMatrix, DVector};
    pub use rand::SeedableRng;
    pub use rand::rngs::StdRng;
}

/// Declares a plate inside a `#[model]` function: `let units = plate!(n);`.
///
/// `let units = plate!(n, subsample = 256);` lets an SVI step run on a random batch of 256
/// of the `n` elements (every term on the plate weighted by `n / 256`); the data on the
/// plate are restricted with [`subsample!`]. Every other run (NUTS, predictive, effects)
/// sees all `n`. A `#[guide]` that declares the same subsampled plate sees the same batch.
/// In a `#[guide]`, `plate!` is read the same way.
///
/// Outside `#[model]`, or produced by another macro inside one, it is a compile error that
/// says so.
#[macro_export]
macro_rules! plate {
    ($($t:tt)*) => {
        ::core::compile_error!(
            "`plate!` was not read by #[model]: write it as `let name = plate!(size);` directly in the body of a \
             #[model] function. Outside one, or produced by another macro (#[model] reads its body \
             before macros expand, so a `macro_rules!` that wraps `plate!` hides it), it cannot \
             become part of the model; helpers may compute its arguments instead"
        )
    };
}

/// Restricts data on a subsampled plate to an SVI step's batch inside a `#[model]` (or
/// `#[guide]`) function: `let x = subsample!(x, units);` (Pyro's `subsample`). The data are a `DVector<f64>`, a
/// `DMatrix<f64>` (one row per element) or a `Vec<usize>` argument; outside an SVI step the
/// binding is the whole data. Observed and intervened values of sites on the plate are
/// restricted by doppl itself.
///
/// Outside `#[model]`, or produced by another macro inside one, it is a compile error that
/// says so.
#[macro_export]
macro_rules! subsample {
    ($($t:tt)*) => {
        ::core::compile_error!(
            "`subsample!` was not read by #[model]: write it as `let x = subsample!(x, plate);` directly in the body of a \
             #[model] function whose plate is declared with `plate!(n, subsample = batch)`"
        )
    };
}

/// Declares a random site inside a `#[model]` function: `let y = sample!(Normal::new(mu, 1.0));`.
///
/// Outside `#[model]`, or produced by another macro inside one, it is a compile error that
/// says so.
#[macro_export]
macro_rules! sample {
    ($($t:tt)*) => {
        ::core::compile_error!(
            "`sample!` was not read by #[model]: write it as `let name = sample!(Family::new(..));` directly in the body of a \
             #[model] function. Outside one, or produced by another macro (#[model] reads its body \
             before macros expand, so a `macro_rules!` that wraps `sample!` hides it), it cannot \
             become part of the model; helpers may compute its arguments instead"
        )
    };
}

/// Declares a deterministic site inside a `#[model]` function: `let mu = deterministic!(a + b);`.
///
/// Outside `#[model]`, or produced by another macro inside one, it is a compile error that
/// says so.
#[macro_export]
macro_rules! deterministic {
    ($($t:tt)*) => {
        ::core::compile_error!("`deterministic!` was not read by #[model]: write it as `let name = deterministic!(..);` directly in the body of a \
             #[model] function. Outside one, or produced by another macro (#[model] reads its body \
             before macros expand, so a `macro_rules!` that wraps `deterministic!` hides it), it cannot \
             become part of the model; helpers may compute its arguments instead")
    };
}

/// Adds a custom term to a model's log-density inside a `#[model]` function:
/// `factor!(name, log_density);` (Stan's `target +=`, NumPyro's `factor`). The term is a
/// scalar, or a vector of per-element terms on a plate, summed. It counts as likelihood: it
/// is part of the density that NUTS and SVI see, and is not simulated by prior sampling.
///
/// Outside `#[model]`, or produced by another macro inside one, it is a compile error that
/// says so.
#[macro_export]
macro_rules! factor {
    ($($t:tt)*) => {
        ::core::compile_error!(
            "`factor!` was not read by #[model]: write it as `factor!(name, log_density);` directly in the body of a \
             #[model] function. Outside one, or produced by another macro (#[model] reads its body \
             before macros expand, so a `macro_rules!` that wraps `factor!` hides it), it cannot \
             become part of the model; helpers may compute its arguments instead"
        )
    };
}

/// Declares a variational parameter inside a `#[guide]` function:
/// `let loc = param!(0.0);`, `let scale = param!(0.1, constraint = positive);`, or one per
/// plate element `let z_loc = param!(0.0, units);`. The initial value is one number or one
/// per element; constraints are `real` (the default), `positive`, `unit_interval`,
/// `interval(lo, hi)` and `greater_than(lo)`.
///
/// Outside `#[guide]` it is a compile error that says so.
#[macro_export]
macro_rules! param {
    ($($t:tt)*) => {
        ::core::compile_error!(
            "`param!` was not read by #[guide]: write it as `let name = param!(init);` directly in the body of a \
             #[guide] function. A variational parameter belongs to a guide; a model's unknowns are `sample!` sites"
        )
    };
}

/// What generated code names; not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use doppl_runtime::dist::Distribution;
    pub use doppl_runtime::flatten::Flatten;
    pub use doppl_runtime::generated::{
        AsDataMatrix, ConditionOnDeterministicSite, IntoSiteValue, keep, kept, site_distribution,
    };
    pub use doppl_runtime::guide::{Covered, Guide, GuideHandler, LatentRecord, ParamConstraint};
    pub use doppl_runtime::handler::Handler;
    pub use doppl_runtime::model::{Model, Site, SiteInfo, SiteKind};
    pub use doppl_runtime::scalar::Scalar;
    pub use doppl_runtime::shape::{DetValue, Shape};
    pub use doppl_runtime::subsample::Subsampled;
    pub use doppl_runtime::value::{Data, Vector};
    pub use doppl_runtime::{Intervention, ModelError, Plate, Scenario, Shift, Unplated};
    pub use nalgebra::{DMatrix, DVector};
}
