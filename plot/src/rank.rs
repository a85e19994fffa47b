//! Rank plot (ArviZ's `plot_rank`): the draws of all chains are ranked together, and each
//! chain's ranks are histogrammed. Chains that sample the same distribution have flat,
//! uniform histograms; a chain stuck high or low shows a slope or a hump (Vehtari et al.
//! 2021, "Rank-normalization, folding, and localization", §4).

use crate::PlotError;
use crate::data::{Parameter, select};
use crate::render::{Figure, colour, render, text, tick};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Writes a rank plot of the parameters named in `names` (all when empty) to `path`: one
/// row per parameter, one panel per chain, each the histogram of that chain's ranks among
/// the pooled draws, with a dashed line at the count a uniform histogram would have.
///
/// Ranks, unlike a trace, show a chain that differs in a way the eye misses (a heavier
/// tail, a slight shift). `path` ends in `.png` or `.svg`; `size` is `(width, height)`.
pub fn rank_plot(
    parameters: &[Parameter],
    names: &[&str],
    path: impl AsRef<Path>,
    size: (u32, u32),
) -> Result<(), PlotError> {
    let chosen = select(parameters, names)?;
    let rows = chosen.iter().map(|p| RankRow::of(p)).collect();
    render(&Ranks { rows }, path.as_ref(), size)
}

/// One parameter's rank histograms.
struct RankRow {
    name: String,
    /// `counts[chain][bin]`.
    counts: Vec<Vec<usize>>,
    /// Draws in all chains (the rank axis runs to it).
    total: usize,
    /// The count per bin a uniform histogram has, per chain.
    expected: Vec<f64>,
}

impl RankRow {
    fn of(parameter: &Parameter) -> Self {
        let ranks = pooled_ranks(&parameter.chains);
        let total = ranks.iter().map(Vec::len).sum::<usize>();
        let per_chain = parameter.chains.iter().map(Vec::len).max().unwrap_or(1);
        let bins = sturges_bins(per_chain);
        let width = total as f64 / bins as f64;
        let counts = ranks
            .iter()
            .map(|chain| {
                let mut counts = vec![0; bins];
                for r in chain {
                    // Ranks run 1..=total; bin b holds ranks in (b·width, (b+1)·width].
                    let bin = (((r - 0.5) / width).floor() as usize).min(bins - 1);
                    counts[bin] += 1;
                }
                counts
            })
            .collect();
        let expected = parameter
            .chains
            .iter()
            .map(|c| c.len() as f64 / bins as f64)
            .collect();
        RankRow {
            name: parameter.name.clone(),
            counts,
            total,
            expected,
        }
    }
}

/// Bins per chain: Sturges' rule doubled, `⌈2·log₂ n⌉ + 1`, as ArviZ's rank plot uses (fine
/// enough to see a slope, coarse enough that a uniform histogram looks flat).
pub(crate) fn sturges_bins(draws_per_chain: usize) -> usize {
    ((2.0 * (draws_per_chain.max(1) as f64).log2()).ceil() as usize + 1).max(2)
}

/// The rank (1-based, ties averaged) of each draw among the draws of all chains, per chain.
pub(crate) fn pooled_ranks(chains: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut order: Vec<(f64, usize, usize)> = chains
        .iter()
        .enumerate()
        .flat_map(|(c, chain)| chain.iter().enumerate().map(move |(d, v)| (*v, c, d)))
        .collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut ranks: Vec<Vec<f64>> = chains.iter().map(|c| vec![0.0; c.len()]).collect();
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && order[end].0 == order[start].0 {
            end += 1;
        }
        // Positions start..end share the average of ranks start+1..=end.
        let rank = (start + end + 1) as f64 / 2.0;
        for &(_, c, d) in &order[start..end] {
            ranks[c][d] = rank;
        }
        start = end;
    }
    ranks
}

struct Ranks {
    rows: Vec<RankRow>,
}

impl Figure for Ranks {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let root = root.titled("Rank plot (ranks of the pooled draws, per chain)", text(20))?;
        let rows = root.split_evenly((self.rows.len(), 1));
        for (r, (row, area)) in self.rows.iter().zip(&rows).enumerate() {
            let chains = row.counts.len();
            let highest = row.counts.iter().flatten().copied().max().unwrap_or(1);
            let panels = area.split_evenly((1, chains));
            for (c, panel) in panels.iter().enumerate() {
                let label_x = r + 1 == self.rows.len();
                draw_panel(panel, row, c, highest, label_x)?;
            }
        }
        Ok(())
    }
}

/// One chain's rank histogram; the first chain's panel carries the parameter's name.
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    row: &RankRow,
    chain: usize,
    highest: usize,
    label_x: bool,
) -> Result<(), PlotError> {
    let counts = &row.counts[chain];
    let width = row.total as f64 / counts.len() as f64;
    let top = (highest.max(1) as f64 * 1.15).max(row.expected[chain] * 1.15);
    let mut chart = ChartBuilder::on(area)
        .margin(5)
        .caption(format!("{}, chain {chain}", row.name), text(13))
        .x_label_area_size(if label_x { 34 } else { 18 })
        .y_label_area_size(if chain == 0 { 44 } else { 30 })
        .build_cartesian_2d(0.0..row.total as f64, 0.0..top)?;
    let mut mesh = chart.configure_mesh();
    mesh.x_label_formatter(&tick).y_label_formatter(&tick);
    mesh.label_style(text(11))
        .axis_desc_style(text(12))
        .x_labels(3)
        .y_labels(3)
        .disable_x_mesh()
        .light_line_style(WHITE);
    if label_x {
        mesh.x_desc("rank");
    }
    if chain == 0 {
        mesh.y_desc("count");
    }
    mesh.draw()?;
    let fill = colour(chain).mix(0.7).filled();
    chart.draw_series(counts.iter().enumerate().map(|(b, &n)| {
        let left = b as f64 * width;
        Rectangle::new([(left, 0.0), (left + width, n as f64)], fill)
    }))?;
    let expected = row.expected[chain];
    chart.draw_series(DashedLineSeries::new(
        [(0.0, expected), (row.total as f64, expected)],
        6,
        4,
        BLACK.stroke_width(1),
    ))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ranks are 1-based over all chains and ties share their average rank.
    #[test]
    fn ranks_pool_chains_and_average_ties() {
        let ranks = pooled_ranks(&[vec![3.0, 1.0], vec![2.0, 2.0]]);
        assert_eq!(ranks, vec![vec![4.0, 1.0], vec![2.5, 2.5]]);
    }

    /// Every draw lands in a bin and a uniform interleaving gives equal counts.
    #[test]
    fn interleaved_chains_have_flat_histograms() {
        let chains: Vec<Vec<f64>> = (0..4)
            .map(|c| (0..1000).map(|d| (4 * d + c) as f64).collect())
            .collect();
        let row = RankRow::of(&Parameter::new("x", chains));
        assert_eq!(sturges_bins(1000), 21);
        for counts in &row.counts {
            assert_eq!(counts.iter().sum::<usize>(), 1000);
            let (lo, hi) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
            assert!(hi - lo <= 1, "{counts:?}");
        }
    }
}
