//! The optimization loop every SVI fit runs: estimate the ELBO and its gradient, step the
//! optimizer, skip and count the steps whose estimate is not finite.

use super::fit::{SviError, SviOptions};
use super::progress::ElboProgress;
use doppl_runtime::ModelError;
use rand::rngs::StdRng;

/// A Monte Carlo estimator of the ELBO and its gradient in a flat vector of variational
/// parameters.
pub(super) trait ElboEstimator {
    /// The variational parameters the optimizer moves.
    fn params_mut(&mut self) -> &mut [f64];
    /// The estimate over `particles` draws, its gradient written into `grad`; `None` when
    /// either is not finite.
    fn estimate(
        &mut self,
        particles: usize,
        rng: &mut StdRng,
        grad: &mut [f64],
    ) -> Result<Option<f64>, ModelError>;
}

/// What the loop produced.
pub(super) struct Trajectory {
    /// The ELBO estimate at every step (`NaN` for a skipped step).
    pub elbo: Vec<f64>,
    /// Steps skipped.
    pub skipped: usize,
    /// Wall-clock seconds of the steps.
    pub seconds: f64,
}

/// Runs `options.steps` steps of `options.optimizer` on `estimator`'s parameters.
///
/// A step whose estimate is not finite, or that raises a recoverable model error, is
/// skipped and counted; a fatal error ends the run; so does a run whose every step was
/// skipped ([`SviError::AllStepsSkipped`], naming the last error's site).
pub(super) fn optimize<E: ElboEstimator>(
    estimator: &mut E,
    options: &SviOptions,
    rng: &mut StdRng,
) -> Result<Trajectory, SviError> {
    let mut optimizer = options.optimizer.clone();
    let mut grad = vec![0.0; estimator.params_mut().len()];
    let (mut elbo, mut skipped, mut last) = (Vec::with_capacity(options.steps), 0, None);
    let started = std::time::Instant::now();
    let mut progress = ElboProgress::new(options.progress, options.steps);
    for step in 0..options.steps {
        match estimator.estimate(options.particles, rng, &mut grad) {
            Ok(Some(value)) => {
                optimizer.step(estimator.params_mut(), &grad);
                elbo.push(value);
            }
            Ok(None) => {
                skipped += 1;
                elbo.push(f64::NAN);
            }
            Err(error) if error.is_recoverable() => {
                (skipped, last) = (skipped + 1, Some(error));
                elbo.push(f64::NAN);
            }
            Err(error) => return Err(SviError::Model(error)),
        }
        progress.tick(step, &elbo);
    }
    let seconds = started.elapsed().as_secs_f64();
    if options.steps > 0 && skipped == options.steps {
        return Err(SviError::AllStepsSkipped {
            steps: options.steps,
            last,
        });
    }
    Ok(Trajectory {
        elbo,
        skipped,
        seconds,
    })
}
