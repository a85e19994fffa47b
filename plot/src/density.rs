//! Posterior density plot: a kernel density estimate of each parameter's pooled draws with
//! its mean and 89% highest-density interval marked (ArviZ's `plot_posterior`).

use crate::PlotError;
use crate::data::{Parameter, select};
use crate::kde::kde;
use crate::render::{Figure, colour, extent, grid, num, padded, render, text, tick};
use doppl_inference::decision::hdi;
use doppl_inference::summary::INTERVAL_PROB;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Panels side by side before a new row starts.
const COLUMNS: usize = 3;

/// Writes the posterior density of each parameter named in `names` (all when empty) to
/// `path`: a Gaussian KDE (Silverman bandwidth) of the draws of all chains, the 89% HDI
/// shaded under the curve, and the mean as a vertical line.
///
/// The interval is the highest-density one, as the summary's `hdi` columns: for a skewed
/// posterior it is shorter than the equal-tailed interval and holds the most plausible
/// values. `path` ends in `.png` or `.svg`; `size` is `(width, height)` in pixels.
pub fn density_plot(
    parameters: &[Parameter],
    names: &[&str],
    path: impl AsRef<Path>,
    size: (u32, u32),
) -> Result<(), PlotError> {
    let chosen = select(parameters, names)?;
    let panels = chosen
        .iter()
        .map(|p| Panel::of(p))
        .collect::<Result<_, _>>()?;
    render(&Densities { panels }, path.as_ref(), size)
}

/// One parameter's curve and marks.
struct Panel {
    name: String,
    curve: Vec<(f64, f64)>,
    mean: f64,
    hdi: (f64, f64),
}

impl Panel {
    fn of(parameter: &Parameter) -> Result<Self, PlotError> {
        let draws = parameter.pooled();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        // The draws were checked finite and non-empty: hdi cannot fail on them.
        let hdi = hdi(&draws, INTERVAL_PROB).map_err(|e| PlotError::NoDraws {
            what: format!("`{}`: {e}", parameter.name),
        })?;
        Ok(Panel {
            name: parameter.name.clone(),
            curve: kde(&draws),
            mean,
            hdi,
        })
    }
}

struct Densities {
    panels: Vec<Panel>,
}

impl Figure for Densities {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let title = format!(
            "Posterior densities (mean, {:.0}% HDI)",
            INTERVAL_PROB * 100.0
        );
        let root = root.titled(&title, text(20))?;
        let areas = root.split_evenly(grid(self.panels.len(), COLUMNS));
        for (panel, area) in self.panels.iter().zip(&areas) {
            draw_panel(area, panel)?;
        }
        Ok(())
    }
}

/// One parameter: the numbers go in the caption (a legend box would cover the peak).
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
) -> Result<(), PlotError> {
    let (x_lo, x_hi) = extent(panel.curve.iter().map(|p| p.0));
    let (_, top) = extent(panel.curve.iter().map(|p| p.1));
    let (lo, hi) = panel.hdi;
    let caption = format!(
        "{}: mean {}, {:.0}% HDI [{}, {}]",
        panel.name,
        num(panel.mean),
        INTERVAL_PROB * 100.0,
        num(lo),
        num(hi)
    );
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .caption(caption, text(13))
        .x_label_area_size(34)
        .y_label_area_size(50)
        .build_cartesian_2d(x_lo..x_hi, 0.0..padded(0.0, top).end)?;
    chart
        .configure_mesh()
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .label_style(text(11))
        .axis_desc_style(text(12))
        .x_desc(panel.name.as_str())
        .y_desc("density")
        .x_labels(5)
        .y_labels(4)
        .light_line_style(WHITE)
        .draw()?;
    let blue = colour(0);
    let inside = panel.curve.iter().filter(|p| p.0 >= lo && p.0 <= hi);
    chart.draw_series(AreaSeries::new(inside.copied(), 0.0, blue.mix(0.25)))?;
    let curve = panel.curve.iter().copied();
    chart.draw_series(LineSeries::new(curve, blue.stroke_width(2)))?;
    let mean = [(panel.mean, 0.0), (panel.mean, top)];
    chart.draw_series(LineSeries::new(mean, colour(3).stroke_width(2)))?;
    Ok(())
}
