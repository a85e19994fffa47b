//! Power curve of a Bayesian power analysis: the share of simulated studies whose decision
//! came out as hoped, per sample size, with its Monte Carlo error.

use crate::PlotError;
use crate::data::check_finite;
use crate::render::{Figure, colour, draw_axes, padded, render, text};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Half-width of the error bars in Monte Carlo standard errors (≈ a 95% interval).
pub const MCSE_MULTIPLE: f64 = 2.0;

/// One point of a power curve: a sample size, the power estimated there and its Monte
/// Carlo standard error (as `doppl_batch::Power` holds them; plain numbers so that this
/// crate needs no runner).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PowerPoint {
    /// The sample size (per arm, or however the study counts it).
    pub size: f64,
    /// The estimated power, in [0, 1].
    pub power: f64,
    /// Its Monte Carlo standard error.
    pub mcse: f64,
}

/// Writes the power curve through `points` (in the order given, usually by size) to `path`:
/// a line and dots at the estimates, bars of ±2 MCSE clipped to [0, 1], the sample size
/// (`x_label`) on the x axis and power from 0 to 1 on the y axis.
///
/// A bar that is long next to the step between neighbours says the curve needs more
/// simulations there. `path` ends in `.png` or `.svg`; `size` is `(width, height)`.
///
/// ```
/// use doppl_plot::{PowerPoint, power_curve_plot};
/// let curve = [
///     PowerPoint { size: 500.0, power: 0.2, mcse: 0.028 },
///     PowerPoint { size: 2000.0, power: 0.8, mcse: 0.028 },
/// ];
/// let path = std::env::temp_dir().join(format!("doppl-power-doc-{}.svg", std::process::id()));
/// power_curve_plot(&curve, "visitors per arm", &path, (600, 400))?;
/// assert!(std::fs::read_to_string(&path).unwrap().contains("visitors per arm"));
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), doppl_plot::PlotError>(())
/// ```
pub fn power_curve_plot(
    points: &[PowerPoint],
    x_label: &str,
    path: impl AsRef<Path>,
    size: (u32, u32),
) -> Result<(), PlotError> {
    if points.is_empty() {
        return Err(PlotError::NoDraws {
            what: "a power curve needs at least one point".to_string(),
        });
    }
    check_finite(
        "size",
        None,
        &points.iter().map(|p| p.size).collect::<Vec<_>>(),
    )?;
    check_finite(
        "power",
        None,
        &points.iter().map(|p| p.power).collect::<Vec<_>>(),
    )?;
    check_finite(
        "mcse",
        None,
        &points.iter().map(|p| p.mcse).collect::<Vec<_>>(),
    )?;
    let (lo, hi) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p.size), hi.max(p.size))
        });
    let figure = Curve {
        points: points.to_vec(),
        x_label: x_label.to_string(),
        x_range: padded(lo, hi),
    };
    render(&figure, path.as_ref(), size)
}

struct Curve {
    points: Vec<PowerPoint>,
    x_label: String,
    x_range: std::ops::Range<f64>,
}

impl Figure for Curve {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .caption(format!("Power (bars: ±{MCSE_MULTIPLE} MCSE)"), text(20))
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(self.x_range.clone(), -0.02..1.02)?;
        draw_axes(&mut chart, &self.x_label, "power", 12)?;
        let line = colour(0);
        chart.draw_series(LineSeries::new(
            self.points.iter().map(|p| (p.size, p.power)),
            line.stroke_width(2),
        ))?;
        chart.draw_series(self.points.iter().map(|p| {
            let half = MCSE_MULTIPLE * p.mcse.abs();
            ErrorBar::new_vertical(
                p.size,
                (p.power - half).max(0.0),
                p.power,
                (p.power + half).min(1.0),
                line.stroke_width(2),
                10,
            )
        }))?;
        chart.draw_series(
            self.points
                .iter()
                .map(|p| Circle::new((p.size, p.power), 4, line.filled())),
        )?;
        Ok(())
    }
}
