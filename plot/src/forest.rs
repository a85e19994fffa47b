//! Forest plot of effect estimates: one row per effect (ATE, ATT, ATU, CATE per group), its
//! posterior mean as a dot and its interval as a bar, against a zero line.

use crate::PlotError;
use crate::render::{Figure, colour, extent, padded, render, text, tick};
use doppl_inference::Estimate;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

/// Writes a forest plot of `rows` (label, estimate), top to bottom in the order given, to
/// `path`; `x_label` names the effect's scale (for example "effect on earnings ($1000s)").
///
/// Effects on one axis answer at a glance whether they differ from zero and from each other
/// (a CATE per group beside the ATE). The bar is the estimate's own interval (`lo`..`hi`,
/// 89% from [`Estimate::of`]). `path` ends in `.png` or `.svg`; `size` is `(width, height)`.
pub fn forest_plot(
    rows: &[(&str, Estimate)],
    x_label: &str,
    path: impl AsRef<Path>,
    size: (u32, u32),
) -> Result<(), PlotError> {
    if rows.is_empty() {
        return Err(PlotError::NoDraws {
            what: "a forest plot needs at least one row".to_string(),
        });
    }
    for (label, e) in rows {
        for (position, value) in [e.mean, e.lo, e.hi].into_iter().enumerate() {
            if !value.is_finite() {
                return Err(PlotError::NonFinite {
                    parameter: label.to_string(),
                    chain: None,
                    draw: position,
                    value,
                });
            }
        }
    }
    let forest = Forest {
        rows: rows.iter().map(|(l, e)| (l.to_string(), *e)).collect(),
        x_label: x_label.to_string(),
    };
    render(&forest, path.as_ref(), size)
}

struct Forest {
    rows: Vec<(String, Estimate)>,
    x_label: String,
}

impl Forest {
    /// Row `i` (0 = top) on the y axis, which grows upwards.
    fn y(&self, i: usize) -> f64 {
        (self.rows.len() - 1 - i) as f64
    }
}

impl Figure for Forest {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let (lo, hi) = extent(
            self.rows
                .iter()
                .flat_map(|(_, e)| [e.lo, e.hi])
                .chain([0.0]),
        );
        let style = text(13).pos(Pos::new(HPos::Right, VPos::Center));
        let mut widest = 0;
        for (label, _) in &self.rows {
            widest = widest.max(root.estimate_text_size(label, &style)?.0);
        }
        let top = self.rows.len() as f64 - 0.5;
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .caption("Effects: posterior mean and 89% interval", text(20))
            .x_label_area_size(44)
            .y_label_area_size((widest + 16).min(root.dim_in_pixel().0 / 2))
            .build_cartesian_2d(padded(lo, hi), -0.5..top)?;
        chart
            .configure_mesh()
            .x_label_formatter(&tick)
            .label_style(text(13))
            .axis_desc_style(text(14))
            .x_desc(self.x_label.as_str())
            .y_labels(0)
            .disable_y_mesh()
            .light_line_style(WHITE)
            .draw()?;
        chart.draw_series(DashedLineSeries::new(
            [(0.0, -0.5), (0.0, top)],
            6,
            4,
            BLACK.mix(0.6).stroke_width(1),
        ))?;
        let blue = colour(0);
        let left = chart.x_range().start;
        for (i, (label, e)) in self.rows.iter().enumerate() {
            let y = self.y(i);
            chart.draw_series(LineSeries::new(
                [(e.lo, y), (e.hi, y)],
                blue.stroke_width(3),
            ))?;
            chart.draw_series([Circle::new((e.mean, y), 5, blue.filled())])?;
            // Row labels sit left of the axis, where tick labels would be.
            let (x, y) = chart.backend_coord(&(left, y));
            root.draw(&Text::new(label.clone(), (x - 8, y), style.clone()))?;
        }
        Ok(())
    }
}
