//! Trace plot: each parameter's draws in iteration order, one line per chain, to see
//! whether the chains mix and agree (ArviZ's `plot_trace`, right-hand column).

use crate::PlotError;
use crate::data::{Parameter, select};
use crate::render::{Figure, colour, extent, padded, render, text, tick};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Writes a trace plot of the parameters named in `names` (all when empty) to `path`:
/// one panel per parameter, one coloured line per chain, the draw number on the x axis.
///
/// Chains that wander apart, stick, or drift are what R-hat summarises; the trace shows
/// which and where. `path` ends in `.png` or `.svg`; `size` is `(width, height)` in pixels.
pub fn trace_plot(
    parameters: &[Parameter],
    names: &[&str],
    path: impl AsRef<Path>,
    size: (u32, u32),
) -> Result<(), PlotError> {
    let chosen = select(parameters, names)?;
    render(&Trace { parameters: chosen }, path.as_ref(), size)
}

struct Trace<'p> {
    parameters: Vec<&'p Parameter>,
}

impl Figure for Trace<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let root = root.titled("Trace", text(20))?;
        let panels = root.split_evenly((self.parameters.len(), 1));
        for (i, (parameter, panel)) in self.parameters.iter().zip(&panels).enumerate() {
            let last = i + 1 == self.parameters.len();
            draw_panel(panel, parameter, last, i == 0)?;
        }
        Ok(())
    }
}

/// One parameter's traces; the draw axis is labelled on the last panel only, the chain
/// legend shown on the first.
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    parameter: &Parameter,
    label_x: bool,
    legend: bool,
) -> Result<(), PlotError> {
    let longest = parameter.chains.iter().map(Vec::len).max().unwrap_or(1);
    let (lo, hi) = extent(parameter.pooled());
    let mut chart = ChartBuilder::on(area)
        .margin(6)
        .x_label_area_size(if label_x { 36 } else { 20 })
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..longest as f64, padded(lo, hi))?;
    let mut mesh = chart.configure_mesh();
    mesh.x_label_formatter(&tick).y_label_formatter(&tick);
    mesh.y_desc(parameter.name.as_str())
        .label_style(text(12))
        .axis_desc_style(text(14))
        .y_labels(4)
        .light_line_style(WHITE);
    if label_x {
        mesh.x_desc("draw");
    }
    mesh.draw()?;
    for (c, draws) in parameter.chains.iter().enumerate() {
        let colour = colour(c);
        let line = LineSeries::new(
            draws.iter().enumerate().map(|(d, v)| (d as f64, *v)),
            colour.mix(0.8).stroke_width(1),
        );
        chart
            .draw_series(line)?
            .label(format!("chain {c}"))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
            });
    }
    if legend {
        chart
            .configure_series_labels()
            .label_font(text(12))
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK.mix(0.3))
            .position(SeriesLabelPosition::UpperRight)
            .draw()?;
    }
    Ok(())
}
