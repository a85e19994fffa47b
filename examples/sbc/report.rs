//! From the study's rows to what the example prints and writes: per model the rows as CSV,
//! the calibration summary (χ² p and band verdict per parameter) and its ECDF plot.

use crate::study::{Model, Named, Parameters, SbcFit, Sim};
use crate::{dose, lalonde, scale};
use doppl::batch::{Row, SbcOptions, SbcSummary, sbc_summary, write_csv};
use std::path::Path;

/// The family-wise level: a calibrated model has any parameter flagged with probability at
/// most this (each parameter's band at α/P, Bonferroni), so that "the real model passes"
/// means something with 5 to 7 parameters.
pub const ALPHA: f64 = 0.05;

/// The rows of one model.
pub fn rows_of(rows: &[Row<Sim, SbcFit>], model: Model) -> Vec<Row<Sim, SbcFit>> {
    rows.iter()
        .filter(|r| r.key.model == model)
        .cloned()
        .collect()
}

/// The calibration of one model's rows, each parameter's band at ALPHA / P.
pub fn summarize(rows: &[Row<Sim, SbcFit>], max_rank: usize) -> Result<SbcSummary, String> {
    let model = rows.first().ok_or("no rows")?.key.model;
    let names = model.parameters();
    let options = SbcOptions {
        alpha: ALPHA / names.len() as f64,
        ..SbcOptions::default()
    };
    sbc_summary(rows, names, |fit| fit.ranks.as_slice(), max_rank, &options)
        .map_err(|e| format!("{}: {e}", model.name()))
}

/// Whether a model is flagged: some parameter's ECDF leaves its band.
pub fn flagged(summary: &SbcSummary) -> bool {
    !summary.flagged().is_empty()
}

/// Writes one model's rows to `dir/sbc_<model>.csv` with its own rank columns.
pub fn write_rows(dir: &Path, model: Model, rows: &[Row<Sim, SbcFit>]) -> Result<String, String> {
    let path = dir.join(format!("sbc_{}.csv", model.name()));
    let written = match model {
        Model::Lalonde | Model::WiderPrior | Model::StudentNoise => {
            write_named::<lalonde::Ranks>(&path, rows)
        }
        Model::NoJacobian => write_named::<scale::Ranks>(&path, rows),
        Model::Dose | Model::DoseAsObserved => write_named::<dose::Ranks>(&path, rows),
    };
    written.map_err(|e| e.to_string())?;
    Ok(path.display().to_string())
}

fn write_named<P: Parameters>(
    path: &Path,
    rows: &[Row<Sim, SbcFit>],
) -> Result<(), doppl::batch::BatchError> {
    let named: Vec<Row<Sim, Named<P>>> = rows
        .iter()
        .map(|r| Row {
            key: r.key.clone(),
            seed: r.seed,
            outcome: match &r.outcome {
                doppl::batch::Outcome::Ok(fit) => {
                    doppl::batch::Outcome::Ok(Named::new(fit.clone()))
                }
                doppl::batch::Outcome::Failed(m) => doppl::batch::Outcome::Failed(m.clone()),
            },
        })
        .collect();
    write_csv(path, &named)
}

/// One model's summary as text: per parameter the χ² p and the band verdict, then the
/// model's verdict against what it should be.
pub fn describe(model: Model, summary: &SbcSummary, rows: &[Row<Sim, SbcFit>]) -> String {
    let (divergent, worst_rhat) = diagnostics(rows);
    let mut text = format!(
        "{}: {} fits, {} failed; {} with divergences, max R-hat {:.3}; band γ = {:.2e} \
         (whole-ECDF level {:.4} per parameter)\n",
        model.name(),
        summary.completed,
        summary.failures.len(),
        divergent,
        worst_rhat,
        summary.band.gamma,
        summary.band.alpha,
    );
    text += &format!(
        "  {:<14} {:>8} {:>10}  {}\n",
        "parameter", "χ²", "χ² p", "ECDF band"
    );
    for c in &summary.parameters {
        let verdict = if c.leaves_band() {
            format!("LEAVES the band at {} point(s)", c.outside.len())
        } else {
            "inside".to_string()
        };
        text += &format!(
            "  {:<14} {:>8.2} {:>10.2e}  {verdict}\n",
            c.name, c.chi_square.statistic, c.chi_square.p_value
        );
    }
    let verdict = match (flagged(summary), model.is_control()) {
        (false, false) => "calibrated: passes, as it should".to_string(),
        (true, true) => format!(
            "negative control: FAILS, as it should ({})",
            summary.flagged().join(", ")
        ),
        (true, false) => format!("NOT calibrated: {}", summary.flagged().join(", ")),
        (false, true) => "negative control NOT flagged: SBC missed it".to_string(),
    };
    text + "  => " + &verdict + "\n"
}

/// Replicates with a divergence, and the largest R-hat.
fn diagnostics(rows: &[Row<Sim, SbcFit>]) -> (usize, f64) {
    rows.iter()
        .filter_map(|r| match &r.outcome {
            doppl::batch::Outcome::Ok(fit) => Some(fit),
            doppl::batch::Outcome::Failed(_) => None,
        })
        .fold((0, f64::NEG_INFINITY), |(d, r), fit| {
            (d + usize::from(fit.divergences > 0), r.max(fit.max_rhat))
        })
}

/// One model's summary as JSON.
pub fn json(model: Model, summary: &SbcSummary) -> serde_json::Value {
    let parameters: Vec<_> = summary
        .parameters
        .iter()
        .map(|c| {
            serde_json::json!({"name": c.name, "histogram": c.histogram,
                "chi_square": c.chi_square.statistic, "df": c.chi_square.df,
                "p_value": c.chi_square.p_value, "leaves_band": c.leaves_band(),
                "points_outside": c.outside.len()})
        })
        .collect();
    serde_json::json!({"model": model.name(), "negative_control": model.is_control(),
        "completed": summary.completed, "failures": summary.failures.len(),
        "max_rank": summary.max_rank, "band_alpha": summary.band.alpha,
        "band_gamma": summary.band.gamma, "band_coverage": summary.band.coverage,
        "flagged": flagged(summary), "parameters": parameters})
}

/// The ECDF-difference plot of one model: `dir/sbc_<model>.png` and `.svg`.
pub fn plot(dir: &Path, model: Model, summary: &SbcSummary) -> Result<Vec<String>, String> {
    let (lower, upper) = summary.band.difference_bounds();
    let panels: Vec<doppl::plot::EcdfPanel> = summary
        .parameters
        .iter()
        .map(|c| doppl::plot::EcdfPanel {
            name: c.name.clone(),
            points: summary.band.points.clone(),
            difference: c.ecdf_difference.clone(),
            lower: lower.clone(),
            upper: upper.clone(),
        })
        .collect();
    let mut written = Vec::new();
    for extension in ["png", "svg"] {
        let path = dir.join(format!("sbc_{}.{extension}", model.name()));
        doppl::plot::sbc_ecdf_plot(
            &panels,
            &path,
            (900, 200 * panels.len().div_ceil(2) as u32 + 80),
        )
        .map_err(|e| e.to_string())?;
        written.push(path.display().to_string());
    }
    Ok(written)
}
