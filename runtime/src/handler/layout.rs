//! [`Layout`]: where each latent site lives in the unconstrained parameter vector.

use super::{Handler, Known};
use crate::dist::{Distribution, Support};
use crate::error::ModelError;
use crate::model::{Model, Site};
use crate::plate::Plate;
use crate::shape::Shape;
use crate::subsample::{Batch, SubsampledPlate};

/// One latent site's block of the unconstrained vector.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamBlock {
    /// The site.
    pub site: &'static str,
    /// The distribution family.
    pub family: &'static str,
    /// Offset of the block.
    pub offset: usize,
    /// Number of unconstrained reals.
    pub len: usize,
    /// The plate, if the site is on one.
    pub plate: Option<crate::Plate>,
    /// The support the block is mapped onto.
    pub support: Support,
}

/// The unconstrained parameter layout of a conditioned, intervened model.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// Latent sites in program order.
    pub blocks: Vec<ParamBlock>,
    /// The plates declared with `plate!(n, subsample = b)` ([`crate::subsample`]).
    pub subsampled: Vec<SubsampledPlate>,
}

impl Layout {
    /// The total number of unconstrained reals.
    pub fn dim(&self) -> usize {
        self.blocks.last().map_or(0, |b| b.offset + b.len)
    }
    /// The block of a site.
    pub fn block(&self, site: &str) -> Option<&ParamBlock> {
        self.blocks.iter().find(|b| b.site == site)
    }
    /// The layout an SVI step on a batch sees: blocks on a subsampled plate hold the batch's
    /// elements only.
    pub fn batch_layout(&self) -> Layout {
        let mut offset = 0;
        let blocks = self.blocks.iter().map(|b| {
            let (len, plate) = match self.batch_size(b) {
                Some((batch, plate)) => (
                    b.len / plate.population * batch,
                    Some(plate.batch_of(batch)),
                ),
                None => (b.len, b.plate),
            };
            let block = ParamBlock {
                offset,
                len,
                plate,
                ..*b
            };
            offset += len;
            block
        });
        Layout {
            blocks: blocks.collect(),
            subsampled: self.subsampled.clone(),
        }
    }
    /// The coordinate of this (whole) layout that each coordinate of the batch layout of
    /// `batch` stands for, written into `out`.
    pub fn batch_coordinates(&self, batch: &Batch, out: &mut Vec<usize>) {
        out.clear();
        for b in &self.blocks {
            let indices = b.plate.and_then(|p| batch.indices(p.name));
            match (indices, b.plate) {
                (Some(indices), Some(plate)) if plate.population > 0 => {
                    let width = b.len / plate.population;
                    let elements = indices.iter().map(|&i| b.offset + i * width);
                    out.extend(elements.flat_map(|start| start..start + width));
                }
                _ => out.extend(b.offset..b.offset + b.len),
            }
        }
    }
    /// The batch size of `block`'s plate, if it is subsampled.
    fn batch_size(&self, block: &ParamBlock) -> Option<(usize, Plate)> {
        let plate = block.plate?;
        let sub = self.subsampled.iter().find(|s| s.plate == plate.name)?;
        (plate.population > 0).then_some((sub.batch, plate))
    }
    /// The site owning unconstrained coordinate `i`.
    pub fn site_of(&self, i: usize) -> Option<&'static str> {
        self.blocks
            .iter()
            .find(|b| (b.offset..b.offset + b.len).contains(&i))
            .map(|b| b.site)
    }
}

/// Records the layout while running the body at an arbitrary point: all zeros on the
/// unconstrained scale, or with `jitter`, uniform(−jitter, jitter) draws from a seeded stream
/// (for models whose parameters are invalid at zero).
#[derive(Default)]
pub struct LayoutRecorder {
    /// What has been recorded.
    pub layout: Layout,
    jitter: Option<(f64, rand::rngs::StdRng)>,
}

impl LayoutRecorder {
    /// A recorder that places latents uniformly in (−radius, radius), seeded.
    pub fn jittered(radius: f64, seed: u64) -> Self {
        LayoutRecorder {
            layout: Layout::default(),
            jitter: Some((radius, rand::SeedableRng::seed_from_u64(seed))),
        }
    }

    fn point(&mut self, len: usize) -> Vec<f64> {
        match &mut self.jitter {
            None => vec![0.0; len],
            Some((r, rng)) => (0..len)
                .map(|_| rand::RngExt::random_range(rng, -*r..*r))
                .collect(),
        }
    }
}

impl<M: Model> Handler<M, f64> for LayoutRecorder {
    /// Notes the request; the layout covers the whole plate.
    fn subsample(&mut self, plate: Plate, batch: usize) -> Result<Plate, ModelError> {
        let request = crate::subsample::checked_batch(plate, batch)?;
        if !self.layout.subsampled.iter().any(|s| s.plate == plate.name) {
            self.layout.subsampled.push(request);
        }
        Ok(plate)
    }

    fn sample<T, D, P>(&mut self, dist: D, shape: P) -> Result<P::Value, ModelError>
    where
        T: Site<Model = M, Value = P::Plain>,
        D: Distribution<f64>,
        P: Shape<f64, D>,
    {
        if !dist.support().is_continuous() {
            return Err(ModelError::DiscreteLatent {
                site: T::NAME,
                family: D::NAME,
            });
        }
        let len = shape.unconstrained_len(&dist);
        self.layout.blocks.push(ParamBlock {
            site: T::NAME,
            family: D::NAME,
            offset: self.layout.dim(),
            len,
            plate: shape.plate(),
            support: dist.support(),
        });
        let point = self.point(len);
        Ok(shape
            .from_unconstrained(&dist, &point, &mut crate::gradient::NoLocals)
            .0)
    }

    /// Observed data are checked here, once, so that a NaN or a value outside the support
    /// is reported before sampling rather than as a failure at every starting point.
    fn known<T, D, P>(
        &mut self,
        dist: &D,
        shape: P,
        value: &P::Plain,
        _why: Known,
    ) -> Result<P::Value, ModelError>
    where
        T: Site<Model = M, Value = P::Plain>,
        D: Distribution<f64>,
        P: Shape<f64, D>,
    {
        let v = shape.lift(T::NAME, value)?;
        shape
            .log_prob(dist, &v, &mut crate::gradient::NoLocals)
            .map_err(|e| ModelError::at_site(T::NAME, e))?;
        Ok(v)
    }
}

/// Writes the unconstrained coordinates of a draw's latent values (the inverse of
/// [`super::LogJoint`]'s map).
pub struct Unconstrainer<'a, M: Model> {
    draw: &'a M::Values,
    /// The unconstrained vector built so far.
    pub x: Vec<f64>,
}

impl<'a, M: Model> Unconstrainer<'a, M> {
    /// Reads latent values from `draw`.
    pub fn new(draw: &'a M::Values) -> Self {
        Unconstrainer {
            draw,
            x: Vec::new(),
        }
    }
}

impl<M: Model> Handler<M, f64> for Unconstrainer<'_, M> {
    fn sample<T, D, P>(&mut self, dist: D, shape: P) -> Result<P::Value, ModelError>
    where
        T: Site<Model = M, Value = P::Plain>,
        D: Distribution<f64>,
        P: Shape<f64, D>,
    {
        let value = T::get(self.draw).ok_or(ModelError::MissingValue { site: T::NAME })?;
        let lifted = shape.lift(T::NAME, value)?;
        let start = self.x.len();
        self.x.resize(start + shape.unconstrained_len(&dist), 0.0);
        shape
            .to_unconstrained(&dist, value, &mut self.x[start..])
            .map_err(|e| ModelError::at_site(T::NAME, e))?;
        Ok(lifted)
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
