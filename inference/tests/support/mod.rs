//! Test densities shared by the integration tests.
#![allow(dead_code)]

use std::convert::Infallible;

use doppl_inference::{DensityError, LogDensity};

/// A multivariate normal given by its mean and precision matrix (row-major).
#[derive(Debug, Clone)]
pub struct Gaussian {
    pub mean: Vec<f64>,
    pub precision: Vec<f64>,
}

impl Gaussian {
    /// Independent coordinates with the given standard deviations.
    pub fn diagonal(mean: Vec<f64>, sds: &[f64]) -> Self {
        let dim = sds.len();
        let mut precision = vec![0.0; dim * dim];
        for (i, sd) in sds.iter().enumerate() {
            precision[i * dim + i] = 1.0 / (sd * sd);
        }
        Gaussian { mean, precision }
    }

    /// A Gaussian with the given covariance matrix.
    pub fn with_covariance(mean: Vec<f64>, covariance: &nalgebra::DMatrix<f64>) -> Self {
        let precision = covariance
            .clone()
            .try_inverse()
            .expect("invertible covariance");
        Gaussian {
            mean,
            precision: precision.transpose().iter().copied().collect(),
        }
    }

    /// Two coordinates with standard deviations `sds` and correlation `corr`.
    pub fn correlated_2d(mean: [f64; 2], sds: [f64; 2], corr: f64) -> Self {
        let (a, b) = (sds[0] * sds[0], sds[1] * sds[1]);
        let c = corr * sds[0] * sds[1];
        let det = a * b - c * c;
        Gaussian {
            mean: mean.to_vec(),
            precision: vec![b / det, -c / det, -c / det, a / det],
        }
    }
}

impl LogDensity for Gaussian {
    type Error = Infallible;

    fn dim(&self) -> usize {
        self.mean.len()
    }

    fn logp_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, Infallible> {
        let dim = self.mean.len();
        let centered: Vec<f64> = x.iter().zip(&self.mean).map(|(x, m)| x - m).collect();
        let mut logp = 0.0;
        for i in 0..dim {
            let row = &self.precision[i * dim..(i + 1) * dim];
            let g: f64 = -row.iter().zip(&centered).map(|(p, c)| p * c).sum::<f64>();
            grad[i] = g;
            logp += 0.5 * g * centered[i];
        }
        Ok(logp)
    }
}

/// How [`Faulty`] misbehaves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    /// NaN log density for `x > 1`.
    NanAboveOne,
    /// A recoverable error for `x > 1`.
    ErrorAboveOne,
    /// A recoverable error everywhere.
    AlwaysInvalid,
    /// A fatal error everywhere.
    AlwaysFatal,
    /// A panic for `x > 1e6` (used with a starting point there: no healthy chain gets near).
    PanicFarAway,
}

/// What [`Faulty`] fails with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FaultError {
    /// Recoverable.
    #[error("x = {0} is above 1")]
    AboveOne(f64),
    /// Recoverable.
    #[error("scale is negative")]
    NegativeScale,
    /// Fatal.
    #[error("data has the wrong shape")]
    WrongShape,
}

impl DensityError for FaultError {
    fn is_recoverable(&self) -> bool {
        !matches!(self, FaultError::WrongShape)
    }
}

/// A 1-D standard normal with a fault.
#[derive(Debug, Clone)]
pub struct Faulty(pub Fault);

impl LogDensity for Faulty {
    type Error = FaultError;

    fn dim(&self) -> usize {
        1
    }

    fn logp_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, FaultError> {
        grad[0] = -x[0];
        let logp = -0.5 * x[0] * x[0];
        match self.0 {
            Fault::NanAboveOne if x[0] > 1.0 => Ok(f64::NAN),
            Fault::ErrorAboveOne if x[0] > 1.0 => Err(FaultError::AboveOne(x[0])),
            Fault::AlwaysInvalid => Err(FaultError::NegativeScale),
            Fault::AlwaysFatal => Err(FaultError::WrongShape),
            Fault::PanicFarAway if x[0] > 1e6 => panic!("density exploded at {}", x[0]),
            _ => Ok(logp),
        }
    }
}
