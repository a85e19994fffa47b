//! Stan's windowed warm-up: step-size dual averaging and metric estimation in slow windows.

mod metric_estimator;
mod step_size;
mod windows;

pub use metric_estimator::MetricEstimator;
pub use step_size::{DualAveraging, find_initial_step_size};
pub use windows::WarmupSchedule;
