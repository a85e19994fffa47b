//! Models with one latent per unit, shared by the gradient tests and benchmarks.

use doppl::prelude::*;

/// Normal local latents: zᵢ ~ Normal(μ, τ), yᵢ ~ Normal(zᵢ + xᵢ β, σ).
#[model]
pub fn normal_locals(x: &DVector<f64>) {
    let units = plate!(x.len());
    let mu = sample!(Normal::new(0.0, 2.0));
    let tau = sample!(HalfNormal::new(1.0));
    let beta = sample!(Normal::new(0.0, 1.0));
    let sigma = sample!(HalfNormal::new(1.0));
    let z = sample!(Normal::new(mu, tau), units);
    let y = sample!(Normal::new(&z + beta * x, sigma), units);
}

/// The confounder network's shape with a LogNormal local latent (its Jacobian is weighted
/// too), subsampled.
#[model]
pub fn confounder_batched(c: &DVector<f64>, x: &DVector<f64>, batch: usize) {
    let units = plate!(c.len(), subsample = batch);
    let c = subsample!(c, units);
    let x = subsample!(x, units);
    let a0 = sample!(Normal::new(0.0, 1.0));
    let a_x = sample!(Normal::new(0.0, 1.0));
    let s_z = sample!(HalfNormal::new(1.0));
    let b0 = sample!(Normal::new(0.0, 1.0));
    let b_z = sample!(Normal::new(0.0, 1.0));
    let z = sample!(LogNormal::new(a0 + a_x * x, s_z), units);
    factor!(z_shrink, -0.1 * (&z * &z));
    let y = sample!(Bernoulli::logits(b0 + 0.5 * c + b_z * &z), units);
}

/// The same model without subsampling.
#[model]
pub fn confounder_whole(c: &DVector<f64>, x: &DVector<f64>) {
    let units = plate!(c.len());
    let a0 = sample!(Normal::new(0.0, 1.0));
    let a_x = sample!(Normal::new(0.0, 1.0));
    let s_z = sample!(HalfNormal::new(1.0));
    let b0 = sample!(Normal::new(0.0, 1.0));
    let b_z = sample!(Normal::new(0.0, 1.0));
    let z = sample!(LogNormal::new(a0 + a_x * x, s_z), units);
    factor!(z_shrink, -0.1 * (&z * &z));
    let y = sample!(Bernoulli::logits(b0 + 0.5 * c + b_z * &z), units);
}

/// Normal local latents zᵢ ~ Normal(μ, τ), yᵢ ~ Normal(zᵢ + β xᵢ, σ), subsampled.
#[model]
pub fn locals_batched(x: &DVector<f64>, batch: usize) {
    let units = plate!(x.len(), subsample = batch);
    let x = subsample!(x, units);
    let mu = sample!(Normal::new(0.0, 2.0));
    let tau = sample!(HalfNormal::new(1.0));
    let beta = sample!(Normal::new(0.0, 1.0));
    let sigma = sample!(HalfNormal::new(1.0));
    let z = sample!(Normal::new(mu, tau), units);
    let y = sample!(Normal::new(&z + beta * x, sigma), units);
}

/// A mean-field guide for [`NormalLocals`] written by hand: a location and a scale per
/// unit (`2n` parameters on the plate) and six global ones.
#[guide(for = NormalLocals, observed(y))]
pub fn per_unit_guide(n: usize) {
    let units = plate!(n);
    let mu_loc = param!(0.0);
    let mu_scale = param!(0.3, constraint = positive);
    let mu = sample!(Normal::new(mu_loc, mu_scale));
    let tau_loc = param!(0.0);
    let tau = sample!(LogNormal::new(tau_loc, 0.2));
    let beta_loc = param!(0.5);
    let beta = sample!(Normal::new(beta_loc, 0.1));
    let sigma_loc = param!(-0.5);
    let sigma_scale = param!(0.2, constraint = positive);
    let sigma = sample!(LogNormal::new(sigma_loc, sigma_scale));
    let z_loc = param!(0.1, units);
    let z_scale = param!(0.4, constraint = positive, units);
    let z = sample!(Normal::new(z_loc, z_scale), units);
}

/// The confounder network's shape: C → Z, X → Z, C → Y, Z → Y with a LogNormal local latent
/// Z per unit and a Bernoulli-logit outcome.
#[model]
pub fn confounder(c: &DVector<f64>, x: &DVector<f64>) {
    let units = plate!(c.len());
    let a0 = sample!(Normal::new(0.0, 1.0));
    let a_c = sample!(Normal::new(0.0, 1.0));
    let a_x = sample!(Normal::new(0.0, 1.0));
    let s_z = sample!(HalfNormal::new(1.0));
    let b0 = sample!(Normal::new(0.0, 1.0));
    let b_c = sample!(Normal::new(0.0, 1.0));
    let b_z = sample!(Normal::new(0.0, 1.0));
    let z = sample!(LogNormal::new(a0 + a_c * c + a_x * x, s_z), units);
    let y = sample!(Bernoulli::logits(b0 + b_c * c + b_z * &z), units);
}

/// A radon-like varying intercept (Gelman & Hill): each house reads its county's intercept
/// through an index vector.
#[model]
pub fn radon(floor: &DVector<f64>, county: &[usize], counties: usize) {
    let houses = plate!(floor.len());
    let groups = plate!(counties);
    let mu_a = sample!(Normal::new(0.0, 10.0));
    let sigma_a = sample!(HalfNormal::new(5.0));
    let beta = sample!(Normal::new(0.0, 10.0));
    let sigma_y = sample!(HalfNormal::new(5.0));
    let alpha = sample!(Normal::new(mu_a, sigma_a), groups);
    let log_radon = sample!(
        Normal::new(alpha.gather(county) + beta * floor, sigma_y),
        houses
    );
}

/// Radon-shaped data: `n` houses in `j` counties, a floor indicator, and simulated outcomes.
pub fn radon_like(n: usize, j: usize, seed: u64) -> (DVector<f64>, Vec<usize>, DVector<f64>) {
    use rand::RngExt;
    let mut rng = StdRng::seed_from_u64(seed);
    let floor = DVector::from_fn(n, |_, _| f64::from(rng.random_range(0..2u8)));
    let county: Vec<usize> = (0..n)
        .map(|i| (i * 7 + rng.random_range(0..3)) % j)
        .collect();
    let alpha: Vec<f64> = (0..j).map(|_| rng.random_range(0.5..2.0)).collect();
    let y = DVector::from_fn(n, |i, _| {
        alpha[county[i]] - 0.7 * floor[i] + rng.random_range(-0.8..0.8)
    });
    (floor, county, y)
}

/// An amortized guide: each unit's location and scale come from a two-headed encoder of
/// `(xᵢ, yᵢ)` whose 22 weights are one `param!` block on a plate of their own.
#[guide(for = NormalLocals, observed(y))]
pub fn encoder_guide(x: &DVector<f64>, y: &DVector<f64>, encoder: &Mlp) {
    let units = plate!(x.len());
    let w = param!(encoder.init_weights(3), plate!(encoder.weights_len()));
    let heads = encoder.apply(w.as_slice(), &[x.into(), y.into()]);
    let mu_loc = param!(0.0);
    let mu = sample!(Normal::new(mu_loc, 0.3));
    let tau = sample!(LogNormal::new(0.0, 0.2));
    let beta = sample!(Normal::new(0.5, 0.1));
    let sigma = sample!(LogNormal::new(-0.5, 0.2));
    let z = sample!(Normal::new(&heads[0], heads[1].softplus() + 0.05), units);
}
