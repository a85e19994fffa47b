//! Stochastic-gradient optimizers for variational parameters, and learning-rate schedules.
//!
//! Every optimizer *ascends* (the ELBO is maximized) and keeps its state per parameter, sized
//! at the first step. A step whose gradient is not finite is refused by the caller before it
//! gets here ([`super::fit`]), so the state never sees a NaN.

/// How the learning rate changes with the step number (0-based).
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Schedule {
    /// The same rate at every step.
    Constant,
    /// `rate · decayᵗ` (NumPyro's `exponential_decay` with `transition_steps = 1`).
    Exponential {
        /// Multiplier per step, in (0, 1].
        decay: f64,
    },
    /// `rate · factor^⌊t / every⌋` (piecewise constant).
    Step {
        /// Steps between changes.
        every: usize,
        /// Multiplier at each change.
        factor: f64,
    },
    /// Cosine annealing from `rate` to `rate · floor` over `total` steps
    /// (Loshchilov & Hutter 2017), `rate · floor` afterwards.
    Cosine {
        /// Steps of the annealing.
        total: usize,
        /// The final fraction of the rate.
        floor: f64,
    },
}

impl Schedule {
    /// The multiplier of the base rate at step `t`.
    pub fn factor(&self, t: usize) -> f64 {
        match *self {
            Schedule::Constant => 1.0,
            Schedule::Exponential { decay } => decay.powi(t.min(i32::MAX as usize) as i32),
            Schedule::Step { every, factor } => {
                factor.powi((t / every.max(1)).min(i32::MAX as usize) as i32)
            }
            Schedule::Cosine { total, floor } => {
                let progress = (t as f64 / total.max(1) as f64).min(1.0);
                floor + (1.0 - floor) * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos())
            }
        }
    }
}

/// The update rule.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Method {
    /// Adam (Kingma & Ba 2015, arXiv:1412.6980), bias-corrected moment estimates.
    Adam {
        /// Decay of the first moment (paper: 0.9).
        beta1: f64,
        /// Decay of the second moment (paper: 0.999).
        beta2: f64,
        /// Added to the root of the second moment (paper: 1e-8).
        eps: f64,
        /// If set, the gradient is rescaled to at most this Euclidean norm first
        /// (NumPyro's `ClippedAdam` clips each gradient at norm 10 by default).
        clip_norm: Option<f64>,
    },
    /// Gradient ascent with heavy-ball momentum (`momentum = 0` is plain SGD).
    Sgd {
        /// Fraction of the previous update kept, in [0, 1).
        momentum: f64,
    },
}

/// An optimizer: a method, a base learning rate and its schedule.
#[derive(Clone, Debug, PartialEq)]
pub struct Optimizer {
    /// The update rule.
    pub method: Method,
    /// The base learning rate.
    pub rate: f64,
    /// How the rate changes over the steps.
    pub schedule: Schedule,
    state: Vec<[f64; 2]>,
    steps: usize,
}

impl Optimizer {
    /// Adam with the paper's moment decays (0.9, 0.999, ε = 1e-8) and rate `rate`
    /// (NumPyro's examples use 0.01 for AutoNormal guides).
    pub fn adam(rate: f64) -> Self {
        Self::adam_clipped_at(rate, None)
    }
    /// Adam whose gradients are clipped to norm `clip_norm` (NumPyro's `ClippedAdam`: 10).
    pub fn clipped_adam(rate: f64, clip_norm: f64) -> Self {
        Self::adam_clipped_at(rate, Some(clip_norm))
    }
    fn adam_clipped_at(rate: f64, clip_norm: Option<f64>) -> Self {
        let (beta1, beta2, eps) = (0.9, 0.999, 1e-8);
        Self::new(
            Method::Adam {
                beta1,
                beta2,
                eps,
                clip_norm,
            },
            rate,
        )
    }
    /// Gradient ascent with momentum.
    pub fn sgd(rate: f64, momentum: f64) -> Self {
        Self::new(Method::Sgd { momentum }, rate)
    }
    fn new(method: Method, rate: f64) -> Self {
        Optimizer {
            method,
            rate,
            schedule: Schedule::Constant,
            state: Vec::new(),
            steps: 0,
        }
    }
    /// The same optimizer with a learning-rate schedule.
    pub fn with_schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = schedule;
        self
    }

    /// Why the settings cannot work, if they cannot.
    pub fn invalid(&self) -> Option<String> {
        let bad_rate = !(self.rate.is_finite() && self.rate > 0.0);
        let bad_method = match self.method {
            Method::Adam {
                beta1,
                beta2,
                eps,
                clip_norm,
            } => {
                !(0.0..1.0).contains(&beta1)
                    || !(0.0..1.0).contains(&beta2)
                    || eps.is_nan()
                    || eps <= 0.0
                    || clip_norm.is_some_and(|c| c.is_nan() || c <= 0.0)
            }
            Method::Sgd { momentum } => !(0.0..1.0).contains(&momentum),
        };
        (bad_rate || bad_method).then(|| format!("invalid optimizer settings: {self:?}"))
    }

    /// One ascent step of `params` along `grad` (both finite).
    pub fn step(&mut self, params: &mut [f64], grad: &[f64]) {
        if self.state.len() != params.len() {
            self.state = vec![[0.0; 2]; params.len()];
        }
        let rate = self.rate * self.schedule.factor(self.steps);
        self.steps += 1;
        match self.method {
            Method::Adam {
                beta1,
                beta2,
                eps,
                clip_norm,
            } => {
                // The norm only when it clips: a sequential sum over every parameter.
                let clip = clip_norm.map_or(1.0, |c| {
                    let norm = grad.iter().map(|g| g * g).sum::<f64>().sqrt();
                    if norm > c { c / norm } else { 1.0 }
                });
                let t = self.steps as i32;
                let step = AdamStep {
                    clip,
                    beta1,
                    beta2,
                    c1: 1.0 - beta1.powi(t),
                    c2: 1.0 - beta2.powi(t),
                    rate,
                    eps,
                };
                adam_update(params, grad, &mut self.state, &step);
            }
            Method::Sgd { momentum } => {
                for ((p, &g), [velocity, _]) in params.iter_mut().zip(grad).zip(&mut self.state) {
                    *velocity = momentum * *velocity + rate * g;
                    *p += *velocity;
                }
            }
        }
    }
}

/// One Adam step's constants: the clipping factor, the decay rates and their bias
/// corrections `1 − βᵗ`, the learning rate and ε.
#[derive(Clone, Copy)]
struct AdamStep {
    clip: f64,
    beta1: f64,
    beta2: f64,
    c1: f64,
    c2: f64,
    rate: f64,
    eps: f64,
}

/// Adam's update of every parameter, dispatched to AVX2 where the CPU has it (the
/// parameters are independent, and `sqrt` and `/` are correctly rounded with no fused
/// operations: the same bits on every instruction set).
#[multiversion::multiversion(targets("x86_64+avx2+fma"))]
fn adam_update(params: &mut [f64], grad: &[f64], state: &mut [[f64; 2]], step: &AdamStep) {
    let AdamStep {
        clip,
        beta1,
        beta2,
        c1,
        c2,
        rate,
        eps,
    } = *step;
    // One division and one square root per parameter, the bias corrections applied as
    // products: 33 → 24–26 µs over 20,014 parameters (BENCHMARKS.md, twenty-first session).
    let (rate, inverse_c2) = (rate / c1, 1.0 / c2);
    for ((p, &g), [m, v]) in params.iter_mut().zip(grad).zip(state) {
        let g = g * clip;
        *m = beta1 * *m + (1.0 - beta1) * g;
        *v = beta2 * *v + (1.0 - beta2) * g * g;
        *p += rate * *m / ((*v * inverse_c2).sqrt() + eps);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Maximizes −(x − 3)² − 10 (y + 1)²: every method gets there.
    #[test]
    fn every_method_climbs_a_quadratic_to_its_top() {
        for mut opt in [
            Optimizer::adam(0.1),
            Optimizer::clipped_adam(0.1, 1.0),
            Optimizer::sgd(0.02, 0.5),
            Optimizer::adam(0.2).with_schedule(Schedule::Exponential { decay: 0.999 }),
        ] {
            let mut p = [0.0, 0.0];
            for _ in 0..3000 {
                let g = [-2.0 * (p[0] - 3.0), -20.0 * (p[1] + 1.0)];
                opt.step(&mut p, &g);
            }
            assert!(
                (p[0] - 3.0).abs() < 1e-3 && (p[1] + 1.0).abs() < 1e-3,
                "{opt:?}: {p:?}"
            );
        }
    }

    #[test]
    fn adam_first_step_moves_each_coordinate_by_the_rate() {
        // Bias correction: the first step is rate · g / |g| per coordinate.
        let mut opt = Optimizer::adam(0.01);
        let mut p = [1.0, 1.0];
        opt.step(&mut p, &[5.0, -0.001]);
        assert!(
            (p[0] - 1.01).abs() < 1e-9 && (p[1] - 0.99).abs() < 1e-6,
            "{p:?}"
        );
    }

    #[test]
    fn schedules_follow_their_formulas() {
        let e = Schedule::Exponential { decay: 0.5 };
        assert_eq!(e.factor(3), 0.125);
        let s = Schedule::Step {
            every: 10,
            factor: 0.1,
        };
        assert_eq!((s.factor(9), s.factor(10)), (1.0, 0.1));
        let c = Schedule::Cosine {
            total: 100,
            floor: 0.0,
        };
        assert!((c.factor(50) - 0.5).abs() < 1e-12 && c.factor(100).abs() < 1e-12);
        assert!(Optimizer::adam(-1.0).invalid().is_some());
        assert!(Optimizer::sgd(0.1, 1.0).invalid().is_some());
        assert!(Optimizer::adam(0.1).invalid().is_none());
    }
}
