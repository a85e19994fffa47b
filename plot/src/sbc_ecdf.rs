//! ECDF-difference plot of simulation-based calibration (Säilynoja, Bürkner & Vehtari 2022):
//! per parameter, the ECDF of the fractional ranks minus the uniform CDF, inside the
//! simultaneous band that uniform ranks leave with probability α. A curve that leaves the
//! shaded band says the ranks are not uniform, and its shape says how: above zero early,
//! ranks too low (posterior too high); a ∩ or ∪ shape, posterior too narrow or too wide.

use crate::PlotError;
use crate::data::check_finite;
use crate::render::{Figure, colour, draw_axes, extent, grid, padded, render, text};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// One parameter's ECDF difference and band at the same points (as
/// `doppl_batch::Calibration` and `EcdfBand::difference_bounds` give them; plain numbers so
/// that this crate needs no runner). The ends z = 0 and z = 1, where the difference and the
/// band are 0, are added when drawing.
#[derive(Clone, Debug, PartialEq)]
pub struct EcdfPanel {
    /// The parameter's name (the panel's title).
    pub name: String,
    /// Evaluation points in (0, 1), increasing.
    pub points: Vec<f64>,
    /// ECDF minus uniform CDF at each point.
    pub difference: Vec<f64>,
    /// Lower edge of the band (as a difference) at each point.
    pub lower: Vec<f64>,
    /// Upper edge of the band (as a difference) at each point.
    pub upper: Vec<f64>,
}

impl EcdfPanel {
    /// Whether the difference leaves the band at some point.
    pub fn leaves_band(&self) -> bool {
        self.difference
            .iter()
            .zip(self.lower.iter().zip(&self.upper))
            .any(|(d, (lo, hi))| d < lo || d > hi)
    }

    fn check(&self) -> Result<(), PlotError> {
        let expected = self.points.len();
        if expected == 0 {
            return Err(PlotError::NoDraws {
                what: format!("`{}` has no ECDF points", self.name),
            });
        }
        for (what, series) in [
            ("points", &self.points),
            ("difference", &self.difference),
            ("lower", &self.lower),
            ("upper", &self.upper),
        ] {
            let label = format!("{} {what}", self.name);
            if series.len() != expected {
                return Err(PlotError::LengthMismatch {
                    series: label,
                    found: series.len(),
                    expected,
                });
            }
            check_finite(&label, None, series)?;
        }
        Ok(())
    }

    /// `series` at the points with the ends (0, 0) and (1, 0) added.
    fn closed(&self, series: &[f64]) -> Vec<(f64, f64)> {
        let inner = self.points.iter().copied().zip(series.iter().copied());
        std::iter::once((0.0, 0.0))
            .chain(inner)
            .chain([(1.0, 0.0)])
            .collect()
    }
}

/// Writes the ECDF-difference plot of `panels` (two per row) to `path`: the band shaded,
/// the difference as a line (red where the panel's curve leaves the band), zero dashed.
///
/// `path` ends in `.png` or `.svg`; `size` is `(width, height)` in pixels.
///
/// ```
/// use doppl_plot::{EcdfPanel, sbc_ecdf_plot};
/// let panel = EcdfPanel {
///     name: "beta_treat".into(),
///     points: vec![0.25, 0.5, 0.75],
///     difference: vec![0.02, -0.01, 0.03],
///     lower: vec![-0.1, -0.12, -0.1],
///     upper: vec![0.1, 0.12, 0.1],
/// };
/// assert!(!panel.leaves_band());
/// let path = std::env::temp_dir().join(format!("doppl-ecdf-doc-{}.svg", std::process::id()));
/// sbc_ecdf_plot(&[panel], &path, (500, 300))?;
/// assert!(std::fs::read_to_string(&path).unwrap().contains("beta_treat"));
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), doppl_plot::PlotError>(())
/// ```
pub fn sbc_ecdf_plot(
    panels: &[EcdfPanel],
    path: impl AsRef<Path>,
    size: (u32, u32),
) -> Result<(), PlotError> {
    if panels.is_empty() {
        return Err(PlotError::NoDraws {
            what: "an ECDF plot needs at least one parameter".to_string(),
        });
    }
    for panel in panels {
        panel.check()?;
    }
    let all = panels
        .iter()
        .flat_map(|p| p.lower.iter().chain(&p.upper).chain(&p.difference))
        .copied()
        .chain([0.0]);
    let (lo, hi) = extent(all);
    let figure = Ecdf {
        panels,
        y_range: padded(lo, hi),
    };
    render(&figure, path.as_ref(), size)
}

struct Ecdf<'p> {
    panels: &'p [EcdfPanel],
    /// One y range for all panels, so that their deviations compare at a glance.
    y_range: std::ops::Range<f64>,
}

impl Figure for Ecdf<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let root = root.titled(
            "SBC: ECDF of fractional ranks minus uniform, with the simultaneous band",
            text(18),
        )?;
        let areas = root.split_evenly(grid(self.panels.len(), 2));
        for (panel, area) in self.panels.iter().zip(&areas) {
            self.draw_panel(panel, area)?;
        }
        Ok(())
    }
}

impl Ecdf<'_> {
    fn draw_panel<DB: DrawingBackend>(
        &self,
        panel: &EcdfPanel,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), PlotError> {
        let mut chart = ChartBuilder::on(area)
            .margin(6)
            .caption(panel.name.as_str(), text(14))
            .x_label_area_size(34)
            .y_label_area_size(56)
            .build_cartesian_2d(0.0..1.0, self.y_range.clone())?;
        draw_axes(&mut chart, "fractional rank", "ECDF − uniform", 11)?;
        let mut band = panel.closed(&panel.upper);
        band.extend(panel.closed(&panel.lower).into_iter().rev());
        chart.draw_series([Polygon::new(band, colour(0).mix(0.2).filled())])?;
        chart.draw_series(DashedLineSeries::new(
            [(0.0, 0.0), (1.0, 0.0)],
            4,
            4,
            BLACK.mix(0.5).stroke_width(1),
        ))?;
        let line = if panel.leaves_band() {
            colour(3)
        } else {
            colour(0)
        };
        chart.draw_series(LineSeries::new(
            panel.closed(&panel.difference),
            line.stroke_width(2),
        ))?;
        Ok(())
    }
}
