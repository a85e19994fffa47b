//! A custom guide's `f64` draw and its place in the model's unconstrained point: for each
//! coordinate `u`, `∂z/∂u` and `∂ln|J|/∂u`, and the draw's `ln q` and `ln|J|`. On a guide
//! replayed in blocks ([`super::replay_blocks`]) the draw runs in the same blocks, on the
//! step's noise drawn in advance, and is checked against a whole draw the first time.

use super::batches::Batched;
use super::elbo::{GuideElbo, Placement};
use super::replay_blocks::DrawInputs;
use crate::density::LogDensity;
use doppl_runtime::dist::DistError;
use doppl_runtime::guide::{Guide, GuideDraw, GuideHandler, changed_guide};
use doppl_runtime::quiet_panic::model_quietly;
use doppl_runtime::{Model, ModelError};

/// Where a draw's values go: `u`, `∂z/∂u` and `∂ln|J|/∂u` from its first coordinate on.
pub(super) struct PointParts<'p> {
    pub u: &'p mut [f64],
    pub dz_du: &'p mut [f64],
    pub dlog_jac: &'p mut [f64],
}

impl<M: Model, G: Guide<Model = M>, D: LogDensity<Error = ModelError> + Batched>
    GuideElbo<'_, G, D>
{
    /// One draw from the guide at the current parameters with fresh noise: the sites'
    /// values and `ln q`, and the model's unconstrained point in `self.u`. Returns
    /// `(ln q, ln|J|)`. A panic in the guide's body comes back as
    /// [`ModelError::Panicked`] (recoverable: the step is skipped), as one in the model's.
    pub fn draw(&mut self) -> Result<(f64, f64), ModelError> {
        let blocked = self
            .replay_blocks
            .as_ref()
            .is_some_and(|b| b.draws_in_blocks());
        match self.noise_len {
            Some(len) if blocked => self.blocked_draw(len),
            _ => {
                self.noise.draw_fresh();
                self.whole_draw()
            }
        }
    }

    /// The draw on the whole plates, on the noise tape as it is (fresh, or drawn ahead).
    fn whole_draw(&mut self) -> Result<(f64, f64), ModelError> {
        let mut h = GuideHandler::reading(&self.blocks, &self.params, &mut self.noise);
        if let Some(b) = &self.batching {
            h = h.with_batch(&b.batch);
        }
        let guide = self.guide;
        self.workspace
            .lend(|| model_quietly(|| guide.run(&mut h)))?;
        let (draws, log_q) = (h.draws, h.log_q);
        check_sites(&draws, &self.placements)?;
        let mut log_jac = 0.0;
        for (draw, place) in draws.iter().zip(&self.placements) {
            check_len(draw, place, place.len)?;
            // On a batch the model weights the Jacobian of a subsampled plate's latents by
            // n / b, as every term there; `ln p = ln p_u − ln|J|` takes it off the same way.
            let weight = match (&self.batching, draw.plate) {
                (Some(b), Some(plate)) => b.batch.weight(plate),
                _ => 1.0,
            };
            let coordinates = place.offset..place.offset + place.len;
            let parts = PointParts {
                u: &mut self.u[coordinates.clone()],
                dz_du: &mut self.dz_du[coordinates.clone()],
                dlog_jac: &mut self.dlog_jac[coordinates],
            };
            log_jac += place_draw(&draw.values, place, (0, weight), parts)?;
        }
        Ok((log_q, log_jac))
    }

    /// The draw in the replay's blocks, on `len` noises drawn ahead; compared with the
    /// whole draw on the same noises the first time (and made whole for good if they
    /// differ).
    fn blocked_draw(&mut self, len: usize) -> Result<(f64, f64), ModelError> {
        self.noise.draw_fresh_ahead(len);
        let mut blocks = self.replay_blocks.take().expect("asked for blocks");
        let inputs = DrawInputs {
            guide: self.guide,
            blocks: &self.blocks,
            params: &self.params,
            noise: &self.noise,
            placements: &self.placements,
        };
        let point = PointParts {
            u: &mut self.u,
            dz_du: &mut self.dz_du,
            dlog_jac: &mut self.dlog_jac,
        };
        let blocked = blocks.draw(&inputs, point);
        if !blocks.draws_checked() {
            let found = [self.u.clone(), self.dz_du.clone(), self.dlog_jac.clone()];
            let whole = self.whole_draw();
            let Ok(expected) = whole else {
                self.replay_blocks = Some(blocks);
                return whole;
            };
            let expected_point = [&self.u, &self.dz_du, &self.dlog_jac];
            let agree = blocked.as_ref().is_ok_and(|&(log_q, log_jac)| {
                let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * (1.0 + b.abs());
                let same_point = (found.iter().zip(expected_point))
                    .all(|(a, b)| a.iter().zip(b).all(|(&x, &y)| close(x, y)));
                close(log_q, expected.0) && close(log_jac, expected.1) && same_point
            });
            blocks.checked_draws(agree);
            if !agree {
                log::debug!(
                    target: "doppl::svi",
                    "guide `{}`: its draw in blocks differs from the whole draw; drawing \
                     whole plates",
                    G::NAME
                );
                self.replay_blocks = Some(blocks);
                return whole;
            }
        }
        self.replay_blocks = Some(blocks);
        blocked
    }
}

/// The draws are matched with their places by position: a body that draws other sites, or
/// in another order, than in its first run would be placed wrongly.
pub(super) fn check_sites(
    draws: &[GuideDraw<f64>],
    placements: &[Placement],
) -> Result<(), ModelError> {
    let same_sites = draws.len() == placements.len()
        && (draws.iter().zip(placements)).all(|(d, p)| d.site == p.site);
    match same_sites {
        true => Ok(()),
        false => Err(changed_guide(draws.first().map_or("", |d| d.site))),
    }
}

/// A draw of `expected` values, else a shape error naming the site.
pub(super) fn check_len(
    draw: &GuideDraw<f64>,
    place: &Placement,
    expected: usize,
) -> Result<(), ModelError> {
    match draw.values.len() == expected {
        true => Ok(()),
        false => Err(ModelError::Shape {
            site: place.site,
            plate: draw.plate.unwrap_or(place.site),
            expected,
            found: draw.values.len(),
        }),
    }
}

/// Writes the unconstrained coordinates of the drawn values `values` of site `place` into
/// `parts`; the first value is the site's element `first`, and the Jacobian's terms count
/// `weight` times. Returns `weight · ln|J|`.
pub(super) fn place_draw(
    values: &[f64],
    place: &Placement,
    (first, weight): (usize, f64),
    parts: PointParts<'_>,
) -> Result<f64, ModelError> {
    let mut log_jac = 0.0;
    for (i, &z) in values.iter().enumerate() {
        let m = place
            .coordinate
            .map(z)
            .ok_or_else(|| outside_support(place, first + i, z))?;
        (parts.u[i], parts.dz_du[i]) = (m.u, m.dz_du);
        parts.dlog_jac[i] = weight * m.dlog_jac_du;
        log_jac += weight * m.log_jac;
    }
    Ok(log_jac)
}

fn outside_support(place: &Placement, index: usize, value: f64) -> ModelError {
    ModelError::at_site(
        place.site,
        DistError::OutOfSupport {
            family: "the guide's draw",
            index: Some(index),
            value,
            support: "the model's support for this site: draw it from a family with that \
                      support (LogNormal or HalfNormal for a positive site)",
        },
    )
}
