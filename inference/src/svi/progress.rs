//! A progress bar with the running ELBO on standard error while SVI steps (indicatif),
//! drawn only on a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// The bar, updated every step, its message (the mean ELBO of the last 100 steps) redrawn
/// at most five times a second by indicatif.
pub(super) struct ElboProgress {
    bar: Option<ProgressBar>,
}

impl ElboProgress {
    /// A display for `total` steps, if `wanted` and standard error is a terminal.
    pub fn new(wanted: bool, total: usize) -> Self {
        let bar = (wanted && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(
                Some(total as u64),
                ProgressDrawTarget::stderr_with_hz(5),
            );
            let style = ProgressStyle::with_template(
                "svi [{bar:30}] {pos}/{len} steps, ELBO {msg} (last 100) (ETA {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("#>-");
            bar.set_style(style);
            bar
        });
        ElboProgress { bar }
    }

    /// After step `step` (0-based) with the ELBO trace so far.
    pub fn tick(&mut self, step: usize, elbo: &[f64]) {
        let Some(bar) = &self.bar else { return };
        bar.set_position(step as u64 + 1);
        if step.is_multiple_of(50) || step + 1 == bar.length().unwrap_or(0) as usize {
            let recent = &elbo[elbo.len().saturating_sub(100)..];
            let finite: Vec<f64> = recent.iter().copied().filter(|e| e.is_finite()).collect();
            let running = finite.iter().sum::<f64>() / finite.len().max(1) as f64;
            bar.set_message(format!("{running:.4e}"));
        }
        if step + 1 == bar.length().unwrap_or(0) as usize {
            bar.abandon();
        }
    }
}
