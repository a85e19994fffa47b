//! Posterior predictive check per arm: the density of the observed outcomes drawn thick over
//! the densities of data sets replicated from the posterior (ArviZ's `plot_ppc`).

use crate::PlotError;
use crate::data::check_finite;
use crate::kde::{Curve, kde_on, kde_range};
use crate::render::{Figure, colour, extent, grid, padded, render, text, tick};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Replicated data sets drawn per arm at most: enough to show the spread, few enough that
/// the observed curve stays visible.
pub const MAX_REPLICATES: usize = 40;

/// Panels side by side before a new row starts.
const COLUMNS: usize = 2;

/// One arm (or any group of units) of a posterior predictive check.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictiveArm {
    /// What the arm is ("treated", "control").
    pub label: String,
    /// The observed outcomes of the arm's units.
    pub observed: Vec<f64>,
    /// Replicated outcomes of the same units, one vector per posterior draw.
    pub replicated: Vec<Vec<f64>>,
}

/// Writes a posterior predictive check to `path`: one panel per arm, the KDE of the
/// observed outcomes (thick) over the KDEs of up to [`MAX_REPLICATES`] replicated data sets
/// (thin), taken evenly spaced through the draws given; `x_label` names the outcome.
///
/// A model that fits puts the observed curve inside the bundle of replicated ones; one that
/// misses the shape (a spike at zero, a heavy tail) shows it where a check of the mean
/// alone would not. `path` ends in `.png` or `.svg`; `size` is `(width, height)`.
pub fn ppc_plot(
    arms: &[PredictiveArm],
    x_label: &str,
    path: impl AsRef<Path>,
    size: (u32, u32),
) -> Result<(), PlotError> {
    if arms.is_empty() {
        return Err(PlotError::NoDraws {
            what: "a predictive check needs at least one arm".to_string(),
        });
    }
    let panels = arms.iter().map(Panel::of).collect::<Result<_, _>>()?;
    let figure = Checks {
        panels,
        x_label: x_label.to_string(),
    };
    render(&figure, path.as_ref(), size)
}

/// One arm's curves on a common grid.
struct Panel {
    label: String,
    observed: Curve,
    replicated: Vec<Curve>,
}

impl Panel {
    fn of(arm: &PredictiveArm) -> Result<Self, PlotError> {
        let observed_name = format!("{}: observed", arm.label);
        if arm.observed.is_empty() {
            return Err(PlotError::NoDraws {
                what: observed_name,
            });
        }
        check_finite(&observed_name, None, &arm.observed)?;
        let replicated_name = format!("{}: replicated", arm.label);
        if arm.replicated.is_empty() {
            return Err(PlotError::NoDraws {
                what: replicated_name,
            });
        }
        let step = arm.replicated.len().div_ceil(MAX_REPLICATES);
        let chosen: Vec<(usize, &Vec<f64>)> =
            arm.replicated.iter().enumerate().step_by(step).collect();
        for &(d, values) in &chosen {
            if values.is_empty() {
                return Err(PlotError::EmptyChain {
                    parameter: replicated_name,
                    chain: d,
                });
            }
            check_finite(&format!("{replicated_name} {d}"), Some(d), values)?;
        }
        let ranges = std::iter::once(kde_range(&arm.observed))
            .chain(chosen.iter().map(|(_, v)| kde_range(v)));
        let (lo, hi) = extent(ranges.flat_map(|(lo, hi)| [lo, hi]));
        Ok(Panel {
            label: arm.label.clone(),
            observed: kde_on(&arm.observed, (lo, hi)),
            replicated: chosen.iter().map(|(_, v)| kde_on(v, (lo, hi))).collect(),
        })
    }
}

struct Checks {
    panels: Vec<Panel>,
    x_label: String,
}

impl Figure for Checks {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let root = root.titled("Posterior predictive check", text(20))?;
        let areas = root.split_evenly(grid(self.panels.len(), COLUMNS));
        for (panel, area) in self.panels.iter().zip(&areas) {
            draw_panel(area, panel, &self.x_label)?;
        }
        Ok(())
    }
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    x_label: &str,
) -> Result<(), PlotError> {
    let (x_lo, x_hi) = extent(panel.observed.iter().map(|p| p.0));
    let curves = std::iter::once(&panel.observed).chain(&panel.replicated);
    let (_, top) = extent(curves.flat_map(|c| c.iter().map(|p| p.1)));
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .caption(&panel.label, text(15))
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(x_lo..x_hi, 0.0..padded(0.0, top).end)?;
    chart
        .configure_mesh()
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .label_style(text(11))
        .axis_desc_style(text(12))
        .x_desc(x_label)
        .y_desc("density")
        .x_labels(5)
        .y_labels(4)
        .light_line_style(WHITE)
        .draw()?;
    let blue = colour(0);
    for (i, curve) in panel.replicated.iter().enumerate() {
        let series = chart.draw_series(LineSeries::new(
            curve.iter().copied(),
            blue.mix(0.3).stroke_width(1),
        ))?;
        if i == 0 {
            series
                .label(format!("replicated ({} draws)", panel.replicated.len()))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], blue.mix(0.5)));
        }
    }
    chart
        .draw_series(LineSeries::new(
            panel.observed.iter().copied(),
            BLACK.stroke_width(3),
        ))?
        .label("observed")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLACK.stroke_width(3)));
    chart
        .configure_series_labels()
        .label_font(text(11))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK.mix(0.3))
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    Ok(())
}
