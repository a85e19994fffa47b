//! Replicates done / total with an ETA on standard error, drawn only on a terminal (as the
//! chains' bars of `doppl_inference`): in a log file or under CI a bar is noise.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// A cheap handle to the study's bar (or to nothing): cloned into every worker, advanced by
/// worker 0 as rows arrive there, so it counts the whole cluster's replicates.
#[derive(Clone)]
pub(crate) struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar of `total` replicates if `show` and stderr is a terminal.
    pub fn new(total: usize, show: bool) -> Self {
        if !(show && std::io::stderr().is_terminal()) {
            return Progress(None);
        }
        let bar = ProgressBar::with_draw_target(
            Some(total as u64),
            ProgressDrawTarget::stderr_with_hz(5),
        );
        let style = ProgressStyle::with_template(
            "replicates [{bar:30}] {pos}/{len} ({per_sec}, ETA {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("#>-");
        bar.set_style(style);
        Progress(Some(bar))
    }

    /// `n` more replicates done.
    pub fn advance(&self, n: usize) {
        if let Some(bar) = &self.0 {
            bar.inc(n as u64);
        }
    }

    /// Leaves the bar as it ended.
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.abandon();
        }
    }
}
