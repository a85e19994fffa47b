//! Standard normals by the ziggurat method (Marsaglia and Tsang 2000, "The Ziggurat Method
//! for Generating Random Variables", J. Stat. Softw. 5(8)) with 256 layers, the layer and
//! the uniform taken from disjoint bits of one 64-bit word as Doornik (2005, "An Improved
//! Ziggurat Method to Generate Normal Random Samples") recommends.
//!
//! It is the method `rand_distr`'s `StandardNormal` implements, with the same tail start and
//! the same use of the bits, so both give the same draws up to the rounding of the tables.
//! What this one adds is a loop specialized for filling a buffer: an automatic guide draws
//! one normal per coordinate and step (10,000 per step of the confounder network at
//! N = 10,000), where `rand_distr`'s sampler took ~56 instructions per draw and this one
//! ~35 (BENCHMARKS.md, twenty-second session).

use rand::Rng;
use std::sync::OnceLock;

/// Layers of the ziggurat.
const LAYERS: usize = 256;
/// Where the tail starts: the right edge of the base layer for 256 layers (Marsaglia and
/// Tsang 2000).
const TAIL_START: f64 = 3.654_152_885_361_009;
/// The area of each layer under `e^(−x²/2)`: `r e^(−r²/2) + √(π/2) erfc(r/√2)` at the tail
/// start `r` (computed with libm's `erfc`; the layers built from it close at the top to
/// within 4e-15).
const LAYER_AREA: f64 = 0.004_928_673_233_974_658;

/// The layers: `x[i]` is layer `i`'s right edge (`x[0]`: the base layer's width with its
/// tail folded in, `x[256]` = 0), `inner[i] = x[i + 1] / x[i]` the share of layer `i`
/// under the curve whatever the height.
struct Layers {
    x: [f64; LAYERS + 1],
    inner: [f64; LAYERS],
}

/// The unnormalized density `e^(−x²/2)`.
#[inline]
fn bell(x: f64) -> f64 {
    (-0.5 * x * x).exp()
}

impl Layers {
    fn new() -> Self {
        let mut x = [0.0; LAYERS + 1];
        x[0] = LAYER_AREA / bell(TAIL_START);
        x[1] = TAIL_START;
        for i in 2..LAYERS {
            x[i] = (-2.0 * (LAYER_AREA / x[i - 1] + bell(x[i - 1])).ln()).sqrt();
        }
        let inner = std::array::from_fn(|i| x[i + 1] / x[i]);
        Layers { x, inner }
    }

    /// The shared tables, built at the first draw (256 logarithms and square roots).
    fn get() -> &'static Layers {
        static LAYERS_TABLE: OnceLock<Layers> = OnceLock::new();
        LAYERS_TABLE.get_or_init(Layers::new)
    }

    /// One standard normal.
    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        loop {
            let bits = rng.next_u64();
            let layer = (bits & 0xff) as usize;
            let u = symmetric_unit(bits >> 12);
            if u.abs() < self.inner[layer] {
                return u * self.x[layer];
            }
            if let Some(x) = self.outside_inner(layer, u, rng) {
                return x;
            }
        }
    }

    /// The ~1% of draws that fall outside a layer's inner rectangle: the tail for the
    /// base layer, else the wedge under the curve, accepted by comparing heights.
    #[cold]
    fn outside_inner<R: Rng + ?Sized>(&self, layer: usize, u: f64, rng: &mut R) -> Option<f64> {
        if layer == 0 {
            return Some(tail(u < 0.0, rng));
        }
        let x = u * self.x[layer];
        let (low, high) = (bell(self.x[layer]), bell(self.x[layer + 1]));
        let height = high + uniform(rng) * (low - high);
        (height < bell(x)).then_some(x)
    }
}

/// A draw beyond the tail start (Marsaglia 1964, as in Marsaglia and Tsang 2000), on the
/// negative side if `negative`.
fn tail<R: Rng + ?Sized>(negative: bool, rng: &mut R) -> f64 {
    loop {
        let x = uniform(rng).ln() / TAIL_START;
        let y = uniform(rng).ln();
        if -2.0 * y >= x * x {
            return if negative {
                x - TAIL_START
            } else {
                TAIL_START - x
            };
        }
    }
}

/// A uniform in [−1, 1) from the 52 bits `bits`, as the mantissa of a number in [2, 4)
/// (no integer-to-float conversion: the hot path of every draw).
#[inline]
fn symmetric_unit(bits: u64) -> f64 {
    f64::from_bits(bits | 0x4000_0000_0000_0000) - 3.0
}

/// A uniform in (0, 1) from the 53 bits `bits`.
#[inline]
fn open_unit(bits: u64) -> f64 {
    (bits as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// A uniform in (0, 1).
fn uniform<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    open_unit(rng.next_u64() >> 11)
}

/// Fills `out` with standard normals drawn from `rng`.
pub(super) fn fill_standard_normals<R: Rng + ?Sized>(rng: &mut R, out: &mut [f64]) {
    let layers = Layers::get();
    out.iter_mut().for_each(|e| *e = layers.sample(rng));
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;
    use statrs::distribution::{ContinuousCDF, Normal};

    /// The layers close at the top: the last one's rectangle and wedge hold one layer's area.
    #[test]
    fn the_layers_close_at_the_top() {
        let layers = Layers::get();
        let top = layers.x[LAYERS - 1];
        let area = top * (1.0 - bell(top));
        assert!((area - LAYER_AREA).abs() < 1e-13, "{area}");
        assert_eq!(layers.x[LAYERS], 0.0);
        assert!(layers.inner.iter().all(|&r| (0.0..1.0).contains(&r)));
    }

    /// Over 2,000,000 draws the share below each of eleven points (tails and the base
    /// layer's edge among them) is the normal CDF's within four standard errors.
    #[test]
    fn the_draws_have_the_normal_distribution() {
        let n = 2_000_000;
        let mut draws = vec![0.0; n];
        fill_standard_normals(&mut Xoshiro256PlusPlus::seed_from_u64(11), &mut draws);
        let normal = Normal::standard();
        let points = [
            -4.0,
            -TAIL_START,
            -2.0,
            -1.0,
            -0.3,
            0.0,
            0.7,
            1.5,
            2.5,
            TAIL_START,
            4.2,
        ];
        for q in points {
            let p = normal.cdf(q);
            let share = draws.iter().filter(|&&x| x < q).count() as f64 / n as f64;
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!(
                (share - p).abs() < 4.0 * se,
                "P(x < {q}) = {share}, expected {p}"
            );
        }
    }
}
