//! Energy plot (ArviZ's `plot_energy`): the distribution of the Hamiltonian energy across
//! transitions beside the distribution of its change from one transition to the next.

use crate::PlotError;
use crate::data::check_chains;
use crate::kde::{Curve, kde_on, kde_range};
use crate::render::{Figure, colour, extent, num, padded, render, text, tick};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Writes the energy plot of NUTS transitions to `path` from the energies of each chain's
/// post-warm-up transitions (`energies[chain][transition]`, as [`crate::energies`] reads
/// them from a posterior): the density of the marginal energy (centred on its mean) and of
/// the energy transitions `Eₙ − Eₙ₋₁`, with each chain's E-BFMI in the legend.
///
/// When the transition density is much narrower than the marginal one, momentum resampling
/// cannot move the sampler through the energy levels fast enough and the tails go
/// unexplored (Betancourt 2016, arXiv:1604.00695); E-BFMI below 0.3 says the same in a
/// number. `path` ends in `.png` or `.svg`; `size` is `(width, height)` in pixels.
pub fn energy_plot(
    energies: &[Vec<f64>],
    path: impl AsRef<Path>,
    size: (u32, u32),
) -> Result<(), PlotError> {
    check_chains("energy", energies)?;
    let all: Vec<f64> = energies.iter().flatten().copied().collect();
    let mean = all.iter().sum::<f64>() / all.len() as f64;
    let marginal: Vec<f64> = all.iter().map(|e| e - mean).collect();
    let transitions: Vec<f64> = energies
        .iter()
        .flat_map(|chain| chain.windows(2).map(|w| w[1] - w[0]))
        .collect();
    if transitions.is_empty() {
        return Err(PlotError::NoDraws {
            what: "energy transitions need a chain of at least two transitions".to_string(),
        });
    }
    let (lo, hi) = extent(
        [kde_range(&marginal), kde_range(&transitions)]
            .into_iter()
            .flat_map(|(lo, hi)| [lo, hi]),
    );
    let figure = Energy {
        marginal: kde_on(&marginal, (lo, hi)),
        transition: kde_on(&transitions, (lo, hi)),
        e_bfmi: energies.iter().map(|chain| e_bfmi(chain)).collect(),
    };
    render(&figure, path.as_ref(), size)
}

/// E-BFMI `Σ (Eₙ − Eₙ₋₁)² / Σ (Eₙ − Ē)²` of one chain's energies (NaN for fewer than two),
/// the statistic the sampler report prints.
pub fn e_bfmi(energies: &[f64]) -> f64 {
    if energies.len() < 2 {
        return f64::NAN;
    }
    let mean = energies.iter().sum::<f64>() / energies.len() as f64;
    let numerator: f64 = energies.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum();
    let denominator: f64 = energies.iter().map(|e| (e - mean).powi(2)).sum();
    numerator / denominator
}

struct Energy {
    marginal: Curve,
    transition: Curve,
    e_bfmi: Vec<f64>,
}

impl Figure for Energy {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let (x_lo, x_hi) = extent(self.marginal.iter().map(|p| p.0));
        let (_, top) = extent(self.marginal.iter().chain(&self.transition).map(|p| p.1));
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .caption("Energy: marginal vs transition", text(20))
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(x_lo..x_hi, 0.0..padded(0.0, top).end)?;
        chart
            .configure_mesh()
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .label_style(text(12))
            .axis_desc_style(text(14))
            .x_desc("energy minus its mean")
            .y_desc("density")
            .light_line_style(WHITE)
            .draw()?;
        let series = [
            ("marginal energy", &self.marginal, colour(0)),
            ("energy transition", &self.transition, colour(1)),
        ];
        for (label, curve, colour) in series {
            chart
                .draw_series(
                    AreaSeries::new(curve.iter().copied(), 0.0, colour.mix(0.35))
                        .border_style(colour.stroke_width(2)),
                )?
                .label(label)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 16, y + 5)], colour.mix(0.5).filled())
                });
        }
        for (c, value) in self.e_bfmi.iter().enumerate() {
            chart
                .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())?
                .label(format!("chain {c}: E-BFMI {}", num(*value)))
                .legend(|(x, y)| EmptyElement::at((x, y)));
        }
        chart
            .configure_series_labels()
            .label_font(text(12))
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK.mix(0.3))
            .position(SeriesLabelPosition::UpperRight)
            .draw()?;
        Ok(())
    }
}
