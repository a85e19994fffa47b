//! Every metric adaptation, for the tests whose exact answers must come out of each.

use doppl::inference::{FisherWindows, MetricAdaptation, WarmupWindows};

/// The default (low-rank plus diagonal), nutpie's Fisher diagonal and Stan's windowed diagonal.
pub fn metric_adaptations() -> [MetricAdaptation; 3] {
    [
        MetricAdaptation::default(),
        MetricAdaptation::Fisher(FisherWindows::default()),
        MetricAdaptation::Stan {
            dense: false,
            windows: WarmupWindows::default(),
        },
    ]
}
