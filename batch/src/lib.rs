//! Many independent fits at scale: Bayesian power analysis, simulation-based calibration,
//! sensitivity sweeps, on [timely dataflow](https://docs.rs/timely/0.32.0) workers: threads
//! of one process, or processes on several machines.
//!
//! A [`Study`] is a list of replicate keys (say (sample size, simulation index)), a study
//! seed and a function `(key, seed) → result` that simulates and fits. Each replicate's seed
//! is derived from the study seed and its key alone ([`replicate_seed`]), each worker runs
//! the keys that hash to it ([`owner`]), and the rows are gathered on worker 0 and sorted by
//! key: the rows, and so the CSV ([`write_csv`]), the power curve ([`power_by`]) and the
//! calibration summary ([`sbc_summary`]), are bitwise the same for 1 worker, 2 threads or 2
//! processes. A replicate that returns `Err`
//! or panics is a [`Outcome::Failed`] row with its message, and the study completes.
//!
//! ```
//! use doppl_batch::{Layout, Outcome, Study, power_by};
//! // Keys (n, simulation); "success" when a seeded coin lands below n / 1000.
//! let keys: Vec<(u64, u64)> = [100, 900].iter().flat_map(|&n| (0..50).map(move |s| (n, s))).collect();
//! let study = Study::new(keys, 1, |&(n, _): &(u64, u64), seed| {
//!     Ok((doppl_batch::splitmix64(seed) as f64 / u64::MAX as f64) < n as f64 / 1000.0)
//! });
//! let one = study.run(&Layout::Threads(1)).unwrap().unwrap();
//! let two = study.run(&Layout::Threads(2)).unwrap().unwrap();
//! assert_eq!(one, two);                       // the layout changes no row
//! let power = power_by(&one, |k| k.0, |hit: &bool| *hit);
//! assert!(power[&100].power < power[&900].power);
//! ```
//!
//! Across processes every process runs the same binary with the same keys, and
//! [`Layout::from_args`] reads `--processes N --process P --threads W --hostfile FILE`;
//! process 0 gets the rows. Timely is fail-stop: a process that dies stops the study; rerun
//! it, with a journal to skip what was done. The timely version is pinned (`=0.32.0`):
//! 0.27–0.29 each broke its API.
//!
//! # Resuming a study
//!
//! [`Study::journal`] appends every finished replicate to its worker's file in a directory;
//! a rerun of the same study with the same directory skips the journaled replicates and
//! returns the rows an uninterrupted run gives, bit for bit (a row depends only on the study
//! seed and its key). A record cut short by a crash is ignored and its replicate reruns; a
//! journal written by a study with another seed is an error ([`BatchError::Journal`]).
//!
//! ```
//! use doppl_batch::{Layout, Study};
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! let dir = std::env::temp_dir().join(format!("doppl-resume-doc-{}", std::process::id()));
//! let runs = Arc::new(AtomicUsize::new(0));
//! let study = |keys: std::ops::Range<u64>| {
//!     let runs = runs.clone();
//!     Study::new(keys.collect(), 5, move |k: &u64, seed| {
//!         runs.fetch_add(1, Ordering::Relaxed);
//!         Ok((seed % 1000) as f64 / 1000.0 + *k as f64)
//!     })
//!     .progress(false)
//! };
//! // The first 6 of 10 replicates ran before the study was stopped.
//! study(0..6).journal(&dir).run(&Layout::Threads(2)).unwrap();
//! let resumed = study(0..10).journal(&dir).run(&Layout::Threads(2)).unwrap().unwrap();
//! assert_eq!(runs.load(Ordering::Relaxed), 6 + 4); // only the 4 missing ones ran again
//! let fresh = study(0..10).run(&Layout::Threads(1)).unwrap().unwrap();
//! assert_eq!(resumed, fresh);
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

mod band;
mod hash;
mod journal;
mod layout;
mod output;
mod power;
mod progress;
mod sbc;
mod study;

pub use band::EcdfBand;
pub use hash::{Fnv1a, owner, replicate_seed, splitmix64, stable_hash};
pub use layout::{ArgsError, Layout, read_hostfile};
pub use output::{Columns, csv_bytes, format_f64, write_csv};
pub use power::{Power, failures_by, power_by};
pub use sbc::{
    Calibration, ChiSquare, SbcError, SbcOptions, SbcSummary, calibrate, chi_square, rank_of,
    sbc_summary,
};
/// Keys and results cross processes through serde; re-exported so that a crate that derives
/// them needs no serde of its own (`#[serde(crate = "doppl_batch::serde")]`).
pub use serde;
pub use study::{Key, Outcome, Replicate, Row, Study, Value, run_replicate};

use std::path::PathBuf;

/// What can stop a study (a replicate's own failure is a row, not an error).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// The same key twice: its replicate would run twice with the same seed.
    #[error("the key {key} appears more than once in the study")]
    DuplicateKey {
        /// The key, as `Debug` prints it.
        key: String,
    },
    /// A layout flag that could not be read.
    #[error(transparent)]
    Args(#[from] ArgsError),
    /// A hostfile with fewer addresses than processes.
    #[error("{path}: {found} address(es) for {processes} processes (one host:port a line)")]
    Hostfile {
        /// The hostfile.
        path: PathBuf,
        /// Addresses found.
        found: usize,
        /// Processes asked for.
        processes: usize,
    },
    /// Timely could not start (a port already taken, an unreachable peer).
    #[error("the workers could not start: {0}")]
    Start(String),
    /// A worker stopped (a peer process died: timely stops the whole study).
    #[error("a worker failed: {message}")]
    Worker {
        /// Timely's message.
        message: String,
    },
    /// Rows lost or duplicated on the way to process 0.
    #[error("{received} rows reached process 0 for {expected} keys")]
    Incomplete {
        /// Keys in the study.
        expected: usize,
        /// Rows received.
        received: usize,
    },
    /// A file that could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A journal that cannot be read back, or that belongs to another study.
    #[error("journal {path}: {message}")]
    Journal {
        /// The journal file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The CSV writer failed.
    #[error("writing the CSV: {0}")]
    Csv(#[from] csv::Error),
}
