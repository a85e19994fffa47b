//! Stan's warm-up schedule: a fast initial buffer, doubling slow windows, a fast final buffer.

use crate::options::WarmupWindows;

/// Below this many warm-up iterations Stan does not estimate a metric at all.
const MIN_WARMUP_FOR_METRIC: usize = 20;

/// The iterations at which the metric is re-estimated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarmupSchedule {
    /// First iteration whose draw feeds the metric estimate.
    pub slow_start: usize,
    /// One past the last iteration whose draw feeds the metric estimate.
    pub slow_end: usize,
    /// Exclusive ends of the slow windows: after iteration `end − 1` the metric is updated.
    pub window_ends: Vec<usize>,
}

impl WarmupSchedule {
    /// Lays out the windows for `num_warmup` iterations.
    ///
    /// When the buffers and first window do not fit, they are rescaled as Stan does: 15%
    /// initial buffer, 10% terminal buffer, the rest one slow window. A window is stretched to
    /// the end of the slow phase when the next (doubled) one would not fit.
    pub fn new(num_warmup: usize, windows: &WarmupWindows) -> Self {
        let WarmupWindows {
            mut init_buffer,
            mut term_buffer,
            mut base_window,
        } = *windows;
        if num_warmup < MIN_WARMUP_FOR_METRIC {
            return WarmupSchedule {
                slow_start: num_warmup,
                slow_end: num_warmup,
                window_ends: Vec::new(),
            };
        }
        if init_buffer + base_window + term_buffer > num_warmup {
            init_buffer = (0.15 * num_warmup as f64) as usize;
            term_buffer = (0.1 * num_warmup as f64) as usize;
            base_window = num_warmup - (init_buffer + term_buffer);
        }
        let slow_end = num_warmup - term_buffer;
        let mut window_ends = Vec::new();
        let mut size = base_window.max(1);
        let mut end = init_buffer + size;
        loop {
            window_ends.push(end.min(slow_end));
            if end >= slow_end {
                break;
            }
            size *= 2;
            end += size;
            // Stan stretches the window when the next one would not fit (`>=`).
            if end + 2 * size >= slow_end {
                end = slow_end;
            }
        }
        WarmupSchedule {
            slow_start: init_buffer,
            slow_end,
            window_ends,
        }
    }

    /// Whether the draw of warm-up iteration `iteration` feeds the metric estimate.
    pub fn collects(&self, iteration: usize) -> bool {
        iteration >= self.slow_start && iteration < self.slow_end
    }

    /// Whether the metric is updated right after warm-up iteration `iteration`.
    pub fn ends_window(&self, iteration: usize) -> bool {
        self.window_ends.contains(&(iteration + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_windows_match_stan() {
        let schedule = WarmupSchedule::new(1000, &WarmupWindows::default());
        assert_eq!(schedule.slow_start, 75);
        assert_eq!(schedule.slow_end, 950);
        // Windows of 25, 50, 100, 200 and a last one stretched to 500.
        assert_eq!(schedule.window_ends, vec![100, 150, 250, 450, 950]);
        assert!(schedule.ends_window(99) && !schedule.ends_window(100));
    }

    #[test]
    fn short_warmup_is_rescaled_like_stan() {
        let schedule = WarmupSchedule::new(100, &WarmupWindows::default());
        assert_eq!((schedule.slow_start, schedule.slow_end), (15, 90));
        assert_eq!(schedule.window_ends, vec![90]);
        let exact_fit = WarmupSchedule::new(150, &WarmupWindows::default());
        assert_eq!(exact_fit.window_ends, vec![100]);
        assert!(
            WarmupSchedule::new(19, &WarmupWindows::default())
                .window_ends
                .is_empty()
        );
    }
}
