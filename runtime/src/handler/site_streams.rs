//! [`SiteStreams`]: forward simulation with one random stream per site (common random numbers).

use super::{Handler, Known};
use crate::dist::Distribution;
use crate::error::ModelError;
use crate::model::{Model, Site};
use crate::shape::Shape;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Like [`super::PriorSampler`], but each site draws from its own stream derived from
/// `(seed, site index)`. Two runs with the same seed under different interventions then use
/// the same noise for every site that is not intervened on, whatever the other sites do:
/// the common random numbers that make individual effects exact for additive-noise models.
pub struct SiteStreams {
    seed: u64,
}

impl SiteStreams {
    /// Streams derived from `seed`.
    pub fn new(seed: u64) -> Self {
        SiteStreams { seed }
    }

    fn stream(&self, site: usize) -> StdRng {
        StdRng::seed_from_u64(mix(self.seed ^ mix(site as u64 + 0x9E37_79B9)))
    }
}

/// SplitMix64's finalizer: spreads nearby seeds over the whole 64-bit range.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl<M: Model> Handler<M, f64> for SiteStreams {
    fn sample<T, D, P>(&mut self, dist: D, shape: P) -> Result<P::Value, ModelError>
    where
        T: Site<Model = M, Value = P::Plain>,
        D: Distribution<f64>,
        P: Shape<f64, D>,
    {
        super::prior::draw_site::<T, D, P, _>(&dist, shape, &mut self.stream(T::INDEX))
    }

    fn known<T, D, P>(
        &mut self,
        _dist: &D,
        shape: P,
        value: &P::Plain,
        _why: Known,
    ) -> Result<P::Value, ModelError>
    where
        T: Site<Model = M, Value = P::Plain>,
        D: Distribution<f64>,
        P: Shape<f64, D>,
    {
        shape.lift(T::NAME, value)
    }
}
