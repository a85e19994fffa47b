//! Finding a chain's starting point: user values or random points in a box.

use rand::{Rng, RngExt};

use crate::density::{DensityError, LogDensity, LogpError};
use crate::error::SampleError;
use crate::nuts::PhasePoint;
use crate::options::InitStrategy;

/// Evaluates the starting point of chain `chain`; the returned count is the gradient
/// evaluations spent.
///
/// A fatal density error ends the search at once as [`SampleError::Density`]; recoverable
/// ones make the next attempt, and the last of them is kept in
/// [`SampleError::Initialization`].
pub(crate) fn initial_point<D, R>(
    density: &mut D,
    strategy: &InitStrategy,
    chain: usize,
    rng: &mut R,
) -> (Result<PhasePoint, SampleError<D::Error>>, u64)
where
    D: LogDensity + ?Sized,
    R: Rng + ?Sized,
{
    let dim = density.dim();
    let (candidates, max_attempts) = match strategy {
        InitStrategy::Random {
            radius,
            max_attempts,
        } => {
            let mut evals = 0;
            let mut last_error = None;
            for _ in 0..*max_attempts {
                let position: Vec<f64> = (0..dim)
                    .map(|_| rng.random_range(-radius..*radius))
                    .collect();
                evals += 1;
                match PhasePoint::new(density, position) {
                    Ok(point) => return (Ok(point), evals),
                    Err(error) => match error.recoverable_at_start() {
                        Ok(recoverable) => last_error = Some(recoverable),
                        Err(fatal) => return (Err(fatal_error(chain, fatal)), evals),
                    },
                }
            }
            let error = initialization_error(chain, *max_attempts, last_error);
            return (Err(error), evals);
        }
        InitStrategy::Fixed(position) => (position, 1),
        InitStrategy::PerChain(positions) => (&positions[chain], 1),
    };
    let result = PhasePoint::new(density, candidates.clone()).map_err(|error| {
        match error.recoverable_at_start() {
            Ok(recoverable) => initialization_error(chain, max_attempts, Some(recoverable)),
            Err(fatal) => fatal_error(chain, fatal),
        }
    });
    (result, 1)
}

/// No valid starting point in `attempts` tries; `last_error` is the last failure.
fn initialization_error<E: DensityError>(
    chain: usize,
    attempts: usize,
    last_error: Option<LogpError<E>>,
) -> SampleError<E> {
    SampleError::Initialization {
        chain,
        attempts,
        site: last_error.as_ref().and_then(DensityError::site),
        last_error,
    }
}

/// A fatal density error: the chain stops with it.
pub(crate) fn fatal_error<E: DensityError>(chain: usize, error: E) -> SampleError<E> {
    SampleError::Density {
        chain,
        site: error.site(),
        source: error,
    }
}
