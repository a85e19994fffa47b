//! Progress bars on standard error while chains run (indicatif): one bar per chain with its
//! phase, its divergences so far and an ETA, drawn only on a terminal.

use crate::options::NutsOptions;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::Scope;
use std::time::Duration;

/// What one chain has done, written by the chain and read by the display.
#[derive(Debug, Default)]
pub struct ChainProgress {
    /// Iterations done (warm-up and sampling).
    pub done: AtomicUsize,
    /// Divergent transitions after warm-up.
    pub divergent: AtomicUsize,
}

/// The chains' counters and the display thread's switch.
pub(crate) struct Progress {
    pub chains: Vec<ChainProgress>,
    warmup: usize,
    total: usize,
    finished: AtomicBool,
    enabled: bool,
}

/// `{bar}` with the chain number, counts, a message and the ETA.
fn style() -> ProgressStyle {
    ProgressStyle::with_template("chain {prefix:>2} [{bar:30}] {pos}/{len} {msg} (ETA {eta})")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("#>-")
}

impl Progress {
    /// Progress of a run with `options`; displayed if enabled there and stderr is a terminal.
    pub fn new(options: &NutsOptions) -> Self {
        Progress {
            chains: (0..options.num_chains)
                .map(|_| ChainProgress::default())
                .collect(),
            warmup: options.num_warmup,
            total: options.num_warmup + options.num_draws,
            finished: AtomicBool::new(false),
            enabled: options.progress && std::io::stderr().is_terminal(),
        }
    }

    /// Starts the display thread in `scope`; it stops when [`Progress::finish`] is called.
    pub fn display_in<'scope>(&'scope self, scope: &'scope Scope<'scope, '_>) {
        if !self.enabled {
            return;
        }
        scope.spawn(move || {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(5));
            let bars: Vec<ProgressBar> = (0..self.chains.len())
                .map(|c| {
                    let bar = multi.add(ProgressBar::new(self.total as u64));
                    bar.set_style(style());
                    bar.set_prefix(c.to_string());
                    bar
                })
                .collect();
            loop {
                let last = self.finished.load(Ordering::Relaxed);
                for (bar, chain) in bars.iter().zip(&self.chains) {
                    self.update(bar, chain);
                }
                if last {
                    break;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            bars.iter().for_each(ProgressBar::abandon);
        });
    }

    fn update(&self, bar: &ProgressBar, chain: &ChainProgress) {
        let done = chain.done.load(Ordering::Relaxed).min(self.total);
        let phase = if done < self.warmup {
            "warm-up"
        } else {
            "sampling"
        };
        let divergent = chain.divergent.load(Ordering::Relaxed);
        bar.set_position(done as u64);
        bar.set_message(format!("{phase}, {divergent} divergent"));
    }

    /// Stops the display.
    pub fn finish(&self) {
        self.finished.store(true, Ordering::Relaxed);
    }
}
