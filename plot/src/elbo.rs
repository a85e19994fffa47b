//! ELBO trace of a variational fit: the objective per optimisation step, to see whether it
//! has levelled off. Steps the optimiser skipped (a non-finite ELBO) are gaps in the line.

use crate::PlotError;
use crate::render::{Figure, colour, padded, render, text, tick};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Share of the first steps left out when choosing the y range: the ELBO of a random start
/// is often orders of magnitude below where it settles, and would flatten the rest.
const BURN_IN_SHARE: f64 = 0.1;

/// Writes the ELBO trace `elbo[step]` (as `SviFit::elbo` holds it) to `path`, the step on
/// the x axis. Non-finite values (skipped steps) are drawn as gaps, not errors.
///
/// The y axis covers the values after the first 10% of steps; earlier values below it are
/// drawn at its lower edge, so that the level the fit settled on stays readable. `path`
/// ends in `.png` or `.svg`; `size` is `(width, height)` in pixels.
pub fn elbo_plot(elbo: &[f64], path: impl AsRef<Path>, size: (u32, u32)) -> Result<(), PlotError> {
    let finite = |v: &&f64| v.is_finite();
    let skip = (elbo.len() as f64 * BURN_IN_SHARE) as usize;
    let late = elbo[skip..].iter().filter(finite);
    let (lo, hi) = late.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(*v), hi.max(*v))
    });
    // Early steps still count for the top, so that a later fall is not clipped.
    let hi = elbo.iter().filter(finite).fold(hi, |hi, v| hi.max(*v));
    if !(lo.is_finite() && hi.is_finite()) {
        return Err(PlotError::NoDraws {
            what: format!("the ELBO trace has no finite value in {} steps", elbo.len()),
        });
    }
    let figure = Elbo {
        segments: segments(elbo, lo),
        steps: elbo.len(),
        range: padded(lo, hi),
    };
    render(&figure, path.as_ref(), size)
}

/// The runs of consecutive finite values as `(step, value)` lines, values clamped at `floor`.
fn segments(elbo: &[f64], floor: f64) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (step, value) in elbo.iter().enumerate() {
        if value.is_finite() {
            current.push((step as f64, value.max(floor)));
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

struct Elbo {
    segments: Vec<Vec<(f64, f64)>>,
    steps: usize,
    range: std::ops::Range<f64>,
}

impl Figure for Elbo {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .caption("ELBO per step", text(20))
            .x_label_area_size(44)
            .y_label_area_size(80)
            .build_cartesian_2d(0.0..self.steps.max(1) as f64, self.range.clone())?;
        chart
            .configure_mesh()
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .label_style(text(12))
            .axis_desc_style(text(14))
            .x_desc("step")
            .y_desc("ELBO")
            .light_line_style(WHITE)
            .draw()?;
        for segment in &self.segments {
            // A lone finite step between skipped ones is a dot, not an invisible line.
            if segment.len() == 1 {
                chart.draw_series([Circle::new(segment[0], 2, colour(0).filled())])?;
            } else {
                chart.draw_series(LineSeries::new(segment.iter().copied(), colour(0)))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NaN steps split the line; values below the floor are clamped.
    #[test]
    fn skipped_steps_split_the_line() {
        let s = segments(&[-5.0, f64::NAN, -1.0, -0.5, f64::NAN], -2.0);
        assert_eq!(s, vec![vec![(0.0, -2.0)], vec![(2.0, -1.0), (3.0, -0.5)]]);
    }
}
