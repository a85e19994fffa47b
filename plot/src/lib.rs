//! Plots of doppl fits, as PNG or SVG files: trace and rank plots to judge mixing, posterior
//! densities with their mean and 89% HDI, a forest plot of causal effects, a posterior
//! predictive check per arm, the NUTS energy plot, the SVI ELBO trace, and for studies of
//! many fits the power curve and simulation-based calibration's ECDF-difference plot.
//!
//! Every function takes plain data (so draws from elsewhere plot the same), a path whose
//! extension (`.png` or `.svg`) picks the backend, and a `(width, height)` in pixels, and
//! returns a [`PlotError`] naming the bad value, parameter or file instead of panicking.
//! Text is set in Noto Sans embedded in the binary: no system font is read, so the plots
//! look the same on a bare server or in CI.
//!
//! ```no_run
//! use doppl_plot::{Parameter, rank_plot, trace_plot};
//! let sigma = Parameter::new("sigma", vec![vec![1.0, 1.1, 0.9], vec![1.05, 0.95, 1.0]]);
//! trace_plot(&[sigma.clone()], &[], "trace.png", (800, 300))?;
//! rank_plot(&[sigma], &["sigma"], "rank.svg", (800, 300))?;
//! # Ok::<(), doppl_plot::PlotError>(())
//! ```
//!
//! From a fit, [`parameters`] gives the latent draws named as in its summary and
//! [`energies`] a NUTS posterior's transition energies; effects go to [`forest_plot`] as
//! the [`doppl_inference::Estimate`]s the effect query returns.

#![warn(missing_docs)]

mod data;
mod density;
mod elbo;
mod energy;
mod error;
mod forest;
pub mod kde;
mod power_curve;
mod ppc;
mod rank;
mod render;
mod sbc_ecdf;
mod trace;

pub use data::{Parameter, energies, parameters};
pub use density::density_plot;
pub use elbo::elbo_plot;
pub use energy::{e_bfmi, energy_plot};
pub use error::PlotError;
pub use forest::forest_plot;
pub use power_curve::{MCSE_MULTIPLE, PowerPoint, power_curve_plot};
pub use ppc::{MAX_REPLICATES, PredictiveArm, ppc_plot};
pub use rank::rank_plot;
pub use render::{MAX_SIDE, MIN_SIDE};
pub use sbc_ecdf::{EcdfPanel, sbc_ecdf_plot};
pub use trace::trace_plot;
