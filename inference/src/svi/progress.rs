//! A progress line with the running ELBO on standard error while SVI steps, shown only on a
//! terminal.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Prints at most five times a second: the step, and the mean ELBO of the last 100 steps.
pub(super) struct ElboProgress {
    enabled: bool,
    total: usize,
    started: Instant,
    printed: Instant,
}

impl ElboProgress {
    /// A display for `total` steps, if `wanted` and standard error is a terminal.
    pub fn new(wanted: bool, total: usize) -> Self {
        let now = Instant::now();
        ElboProgress {
            enabled: wanted && std::io::stderr().is_terminal(),
            total,
            started: now,
            printed: now,
        }
    }

    /// After step `step` (0-based) with the ELBO trace so far.
    pub fn tick(&mut self, step: usize, elbo: &[f64]) {
        let last = step + 1 == self.total;
        if !self.enabled || (!last && self.printed.elapsed() < Duration::from_millis(200)) {
            return;
        }
        self.printed = Instant::now();
        let recent: Vec<f64> = elbo[elbo.len().saturating_sub(100)..]
            .iter()
            .copied()
            .filter(|e| e.is_finite())
            .collect();
        let running = recent.iter().sum::<f64>() / recent.len().max(1) as f64;
        let width = 30;
        let filled = width * (step + 1) / self.total.max(1);
        let bar = "#".repeat(filled) + &"-".repeat(width - filled);
        let end = if last { "\n" } else { "" };
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\rsvi [{bar}] {}/{} steps, ELBO {running:.4e} (last 100), {:.1}s{end}",
            step + 1,
            self.total,
            self.started.elapsed().as_secs_f64()
        );
        let _ = err.flush();
    }
}
