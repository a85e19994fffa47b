//! When gradient-based adaptation switches windows and stops moving the metric.

use crate::options::FisherWindows;

/// The switch rule of [`FisherWindows`] for one warm-up of `num_warmup` iterations.
///
/// A switch happens after the iteration at which the background holds a window's worth of
/// draws (the early window before `early_fraction` of warm-up, then the late window, which
/// grows after each late switch), unless the window that would follow it could not fill up
/// before the final, step-size-only phase. With 400 iterations and the defaults the
/// switches come after iterations 8, 18, …, 118 and 198; the final metric comes from the
/// draws after 118 (nuts-rs 0.18).
#[derive(Debug, Clone, PartialEq)]
pub struct FisherSchedule {
    early_end: usize,
    final_start: usize,
    early_window: usize,
    late_window: f64,
    window_growth: f64,
    /// Skip the early phase (warm start: the metric is already adapted).
    late_only: bool,
}

impl FisherSchedule {
    /// The schedule of `num_warmup` iterations.
    pub fn new(num_warmup: usize, windows: &FisherWindows) -> Self {
        let fraction = |f: f64| (num_warmup as f64 * f).floor() as usize;
        FisherSchedule {
            early_end: fraction(windows.early_fraction),
            final_start: num_warmup - fraction(windows.final_fraction).min(num_warmup),
            early_window: windows.early_window,
            late_window: windows.late_window as f64,
            window_growth: windows.window_growth,
            late_only: false,
        }
    }

    /// The schedule after a warm start: late windows only, and no metric update from a
    /// foreground smaller than a late window (it would be worse than the metric it replaces).
    pub fn late_only(mut self) -> Self {
        self.late_only = true;
        self
    }

    fn in_early_phase(&self, iteration: usize) -> bool {
        !self.late_only && iteration < self.early_end
    }

    /// Whether the metric may still move after `iteration` (not in the final phase).
    pub fn adapts_metric(&self, iteration: usize) -> bool {
        iteration < self.final_start
    }

    /// Smallest foreground the metric is estimated from.
    pub fn min_foreground(&self) -> usize {
        if self.late_only {
            self.late_window as usize
        } else {
            3
        }
    }

    /// Whether to switch after `iteration` with `background` draws since the last switch;
    /// records the switch (a late switch grows the next late window).
    pub fn switch_after(&mut self, iteration: usize, background: usize) -> bool {
        if !self.adapts_metric(iteration) {
            return false;
        }
        let early = self.in_early_phase(iteration);
        let window = if early {
            self.early_window
        } else {
            self.late_window as usize
        };
        if background < window {
            return false;
        }
        let next_window = if self.in_early_phase(iteration + 1) {
            self.early_window as f64
        } else if early {
            self.late_window
        } else {
            self.late_window * self.window_growth
        };
        if iteration + next_window as usize >= self.final_start {
            return false;
        }
        if !early {
            self.late_window *= self.window_growth;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The iterations after which the schedule switches, with every draw kept and the
    /// starting point counted as the first draw (as nutpie adds it to the estimates).
    fn switches(num_warmup: usize, late_only: bool) -> Vec<usize> {
        let mut schedule = FisherSchedule::new(num_warmup, &FisherWindows::default());
        if late_only {
            schedule = schedule.late_only();
        }
        let mut background = 1;
        let mut found = Vec::new();
        for iteration in 0..num_warmup {
            background += 1;
            if schedule.switch_after(iteration, background) {
                found.push(iteration);
                background = 0;
            }
        }
        found
    }

    #[test]
    fn four_hundred_iterations_switch_as_nutpie_does() {
        let mut expected: Vec<usize> = (0..12).map(|k| 8 + 10 * k).collect();
        expected.push(198);
        assert_eq!(switches(400, false), expected);
    }

    #[test]
    fn eight_hundred_iterations_end_with_late_switches_at_318_and_438() {
        let found = switches(800, false);
        assert_eq!(&found[found.len() - 3..], &[238, 318, 438]);
        assert_eq!(found.len(), 24 + 2);
    }

    #[test]
    fn the_final_phase_never_moves_the_metric() {
        let schedule = FisherSchedule::new(400, &FisherWindows::default());
        assert!(schedule.adapts_metric(339));
        assert!(!schedule.adapts_metric(340));
    }

    #[test]
    fn a_warm_start_uses_late_windows_only() {
        assert_eq!(switches(400, true), vec![78]);
        assert_eq!(switches(100, true), Vec::<usize>::new());
    }
}
