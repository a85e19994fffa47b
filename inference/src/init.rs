//! Finding a chain's starting point: user values or random points in a box.

use rand::{Rng, RngExt};

use crate::density::{LogDensity, LogpError};
use crate::error::SampleError;
use crate::nuts::PhasePoint;
use crate::options::InitStrategy;

/// Evaluates the starting point of chain `chain`; the returned count is the gradient
/// evaluations spent.
pub(crate) fn initial_point<D, R>(
    density: &mut D,
    strategy: &InitStrategy,
    chain: usize,
    rng: &mut R,
) -> (Result<PhasePoint, SampleError>, u64)
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
            let mut last_error = String::from("no attempt made (max_attempts is 0)");
            for _ in 0..*max_attempts {
                let position: Vec<f64> = (0..dim)
                    .map(|_| rng.random_range(-radius..*radius))
                    .collect();
                evals += 1;
                match PhasePoint::new(density, position) {
                    Ok(point) => return (Ok(point), evals),
                    Err(LogpError::Recoverable(message)) => last_error = message,
                    Err(LogpError::Fatal(message)) => {
                        return (Err(SampleError::Density { chain, message }), evals);
                    }
                }
            }
            let error = SampleError::Initialization {
                chain,
                attempts: *max_attempts,
                last_error,
            };
            return (Err(error), evals);
        }
        InitStrategy::Fixed(position) => (position, 1),
        InitStrategy::PerChain(positions) => (&positions[chain], 1),
    };
    let result = PhasePoint::new(density, candidates.clone()).map_err(|error| match error {
        LogpError::Recoverable(message) => SampleError::Initialization {
            chain,
            attempts: max_attempts,
            last_error: message,
        },
        LogpError::Fatal(message) => SampleError::Density { chain, message },
    });
    (result, 1)
}
