//! A progress line on standard error while chains run, shown only on a terminal.

use crate::options::NutsOptions;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::Scope;
use std::time::{Duration, Instant};

/// Counts iterations of all chains; a display thread prints them while the run lasts.
pub(crate) struct Progress {
    /// Iterations done, all chains together.
    pub done: AtomicUsize,
    total: usize,
    finished: AtomicBool,
    enabled: bool,
}

impl Progress {
    /// Progress of a run with `options`; displayed if enabled there and stderr is a terminal.
    pub fn new(options: &NutsOptions) -> Self {
        Progress {
            done: AtomicUsize::new(0),
            total: options.num_chains * (options.num_warmup + options.num_draws),
            finished: AtomicBool::new(false),
            enabled: options.progress && std::io::stderr().is_terminal(),
        }
    }

    /// Starts the display thread in `scope`; it stops when every iteration is done or
    /// [`Progress::finish`] is called (chains that fail early never reach the total).
    pub fn display_in<'scope>(&'scope self, scope: &'scope Scope<'scope, '_>) {
        if !self.enabled {
            return;
        }
        scope.spawn(move || {
            let started = Instant::now();
            while !self.finished.load(Ordering::Relaxed) {
                self.print(started, false);
                std::thread::sleep(Duration::from_millis(200));
            }
            self.print(started, true);
        });
    }

    /// Stops the display.
    pub fn finish(&self) {
        self.finished.store(true, Ordering::Relaxed);
    }

    fn print(&self, started: Instant, last: bool) {
        let done = self.done.load(Ordering::Relaxed).min(self.total);
        let width = 30;
        let filled = width * done / self.total.max(1);
        let bar: String = "#".repeat(filled) + &"-".repeat(width - filled);
        let end = if last { "\n" } else { "" };
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\rsampling [{bar}] {done}/{} iterations, {:.1}s{end}",
            self.total,
            started.elapsed().as_secs_f64()
        );
        let _ = err.flush();
    }
}
