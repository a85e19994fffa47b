//! [`PlotError`]: why a plot was not written, naming the value, parameter or file at fault.

use std::path::PathBuf;

/// Why a plot was not written.
///
/// Every check runs before anything is drawn, so a bad input never leaves a half-written
/// file behind and never panics inside the drawing library.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PlotError {
    /// A value to plot is NaN or infinite. `draw` is the position within the series (a
    /// draw of a chain, a unit of an observed outcome, a row of a forest plot); `chain` is
    /// `None` for series that have no chains.
    #[error("`{parameter}` has the non-finite value {value}{} at position {draw}", chain_text(.chain))]
    NonFinite {
        /// The parameter or series holding the value.
        parameter: String,
        /// The chain holding the value, when the series has chains.
        chain: Option<usize>,
        /// The position of the value within its chain or series (0-based).
        draw: usize,
        /// The offending value.
        value: f64,
    },
    /// A chain of a parameter has no draws (a plot per chain would have nothing to show).
    #[error("chain {chain} of `{parameter}` has no draws")]
    EmptyChain {
        /// The parameter whose chain is empty.
        parameter: String,
        /// The empty chain (0-based position in the input).
        chain: usize,
    },
    /// There is nothing to plot at all (no chains, no rows, no finite ELBO value).
    #[error("nothing to plot: {what}")]
    NoDraws {
        /// What was empty.
        what: String,
    },
    /// Series that must be as long as each other are not (a band's bounds and its points).
    #[error("`{series}` has {found} values where {expected} were expected")]
    LengthMismatch {
        /// The series that is too long or too short.
        series: String,
        /// Its length.
        found: usize,
        /// The length it must have.
        expected: usize,
    },
    /// A requested parameter is not among the plotted draws.
    #[error("unknown parameter `{name}`; the draws have {}", known.join(", "))]
    UnknownParameter {
        /// The name asked for.
        name: String,
        /// The names that exist.
        known: Vec<String>,
    },
    /// The output path's extension picks no backend (only `.png` and `.svg` do).
    #[error("cannot plot to {}: the extension must be .png or .svg", path.display())]
    UnsupportedExtension {
        /// The path given.
        path: PathBuf,
    },
    /// The requested size leaves no room for axes and labels, or is too large to hold in
    /// memory.
    #[error(
        "a {width}×{height} figure is outside the sizes drawn ({min} to {max} pixels a side)",
        min = crate::render::MIN_SIDE,
        max = crate::render::MAX_SIDE
    )]
    Size {
        /// Requested width in pixels.
        width: u32,
        /// Requested height in pixels.
        height: u32,
    },
    /// The drawing library or the file system failed (a missing directory, a full disk).
    #[error("cannot write {}: {message}", path.display())]
    Backend {
        /// The file being written.
        path: PathBuf,
        /// The backend's message.
        message: String,
    },
}

fn chain_text(chain: &Option<usize>) -> String {
    chain.map(|c| format!(" in chain {c}")).unwrap_or_default()
}

impl<E: std::error::Error + Send + Sync> From<plotters::drawing::DrawingAreaErrorKind<E>>
    for PlotError
{
    /// The path is filled in by the renderer, which knows it.
    fn from(error: plotters::drawing::DrawingAreaErrorKind<E>) -> Self {
        PlotError::Backend {
            path: PathBuf::new(),
            message: error.to_string(),
        }
    }
}

impl PlotError {
    /// The same error with the file it concerns, for backend errors raised while drawing.
    pub(crate) fn at(self, file: &std::path::Path) -> Self {
        match self {
            PlotError::Backend { message, .. } => PlotError::Backend {
                path: file.to_path_buf(),
                message,
            },
            other => other,
        }
    }
}
