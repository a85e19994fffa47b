//! A small study shared by the determinism tests: keys (n, simulation), data simulated from
//! the replicate's seed, a short random-walk Metropolis fit of a Normal mean (floating-point
//! work whose every bit depends on the seed), and two keys that fail on purpose.
#![allow(dead_code)]

use doppl_batch::{Columns, Study, format_f64};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, Normal, StandardNormal, StandardUniform};
use serde::{Deserialize, Serialize};

/// A replicate's key: sample size and simulation index.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Sim {
    pub n: u64,
    pub sim: u64,
}

impl Columns for Sim {
    fn columns() -> Vec<&'static str> {
        vec!["n", "sim"]
    }

    fn values(&self) -> Vec<String> {
        vec![self.n.to_string(), self.sim.to_string()]
    }
}

/// What a fit returns: posterior mean and sd of the draws, acceptance rate, decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    pub mean: f64,
    pub sd: f64,
    pub accept: f64,
    pub positive: bool,
}

impl Columns for Fit {
    fn columns() -> Vec<&'static str> {
        vec!["mean", "sd", "accept", "positive"]
    }

    fn values(&self) -> Vec<String> {
        vec![
            format_f64(self.mean),
            format_f64(self.sd),
            format_f64(self.accept),
            self.positive.to_string(),
        ]
    }
}

/// The keys: `sizes` × `sims`.
pub fn keys(sizes: &[u64], sims: u64) -> Vec<Sim> {
    sizes
        .iter()
        .flat_map(|&n| (0..sims).map(move |sim| Sim { n, sim }))
        .collect()
}

/// Simulates n ~ N(0.3, 1) values and samples the mean under a N(0, 1) prior with 300
/// Metropolis steps; simulation 13 returns an error and simulation 7 of n = 20 panics.
pub fn replicate(key: &Sim, seed: u64) -> Result<Fit, String> {
    if key.sim == 13 {
        return Err(format!("no data for simulation {}", key.sim));
    }
    assert!(
        !(key.n == 20 && key.sim == 7),
        "model code panicked at n = {}",
        key.n
    );
    let mut rng = StdRng::seed_from_u64(seed);
    let truth = Normal::new(0.3, 1.0).map_err(|e| e.to_string())?;
    let y: Vec<f64> = (0..key.n).map(|_| truth.sample(&mut rng)).collect();
    let log_post = |mu: f64| -0.5 * mu * mu - 0.5 * y.iter().map(|v| (v - mu).powi(2)).sum::<f64>();
    let (mut mu, mut accepted, mut draws) = (0.0, 0, Vec::with_capacity(300));
    let step = 2.4 / (key.n as f64 + 1.0).sqrt();
    for _ in 0..300 {
        let z: f64 = StandardNormal.sample(&mut rng);
        let proposal = mu + step * z;
        let u: f64 = StandardUniform.sample(&mut rng);
        if u.ln() < log_post(proposal) - log_post(mu) {
            mu = proposal;
            accepted += 1;
        }
        draws.push(mu);
    }
    let mean = draws.iter().sum::<f64>() / draws.len() as f64;
    let var = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (draws.len() - 1) as f64;
    Ok(Fit {
        mean,
        sd: var.sqrt(),
        accept: accepted as f64 / 300.0,
        positive: mean - 1.88 * var.sqrt() > 0.1,
    })
}

/// The study over `keys`, seeded 2024, without a progress bar.
pub fn study(keys: Vec<Sim>) -> Study<Sim, Fit> {
    Study::new(keys, 2024, replicate).progress(false)
}
