//! Warm-up: step-size dual averaging, and the metric from Stan's windowed variance of the
//! draws or from nutpie's draws and gradients (diagonal or low-rank plus diagonal).

mod fisher;
mod fisher_schedule;
mod low_rank;
mod metric_estimator;
mod step_size;
mod windows;

pub use fisher::{FisherEstimator, RunningMoments, initial_fisher_metric};
pub use fisher_schedule::FisherSchedule;
pub use low_rank::{LowRankEstimator, low_rank_metric};
pub use metric_estimator::MetricEstimator;
pub use step_size::{DualAveraging, find_initial_step_size};
pub use windows::WarmupSchedule;
