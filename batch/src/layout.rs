//! Where a study's workers run: threads of this process, or processes on several machines,
//! and the command-line flags that say which.

use crate::BatchError;
use std::path::{Path, PathBuf};
use timely::CommunicationConfig;

/// How a study's workers are laid out. The layout never changes a number in the results
/// (seeds depend on keys only); it changes only how fast they arrive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `n` worker threads in this process, rows passed by pointer (timely's `Process(n)`).
    Threads(usize),
    /// `n` worker threads in this process whose rows are serialized between them as between
    /// processes (timely's `ProcessBinary(n)`): a one-process check that the rows survive
    /// serde, cheaper to run than a cluster.
    SerializedThreads(usize),
    /// This process is `process` of `processes`, each with `threads` workers, connected by
    /// TCP. Every process runs the same binary with the same keys and flags except
    /// `process`.
    Cluster {
        /// How many processes take part.
        processes: usize,
        /// This process's index, 0..`processes`; process 0 collects the rows.
        process: usize,
        /// Worker threads per process (the same in all).
        threads: usize,
        /// Line i is `host:port` of process i; without one, `127.0.0.1:2101+i` (one machine).
        hostfile: Option<PathBuf>,
    },
}

/// A flag that could not be read (see [`Layout::from_args`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArgsError {
    /// A flag given without its value.
    #[error("{flag} needs a value")]
    MissingValue {
        /// The flag.
        flag: String,
    },
    /// A value that is not a number of the right kind.
    #[error("{flag} {value}: expected {expected}")]
    BadValue {
        /// The flag.
        flag: String,
        /// What was given.
        value: String,
        /// What it must be.
        expected: &'static str,
    },
    /// `--process` outside 0..`--processes`.
    #[error(
        "--process {process} is not below --processes {processes} (processes are numbered from 0)"
    )]
    ProcessOutOfRange {
        /// The index given.
        process: usize,
        /// The count given.
        processes: usize,
    },
}

/// The value after `flag` as a count of at least `min`.
fn count(flag: &str, value: Option<String>, min: usize) -> Result<usize, ArgsError> {
    let value = value.ok_or_else(|| ArgsError::MissingValue {
        flag: flag.to_string(),
    })?;
    match value.parse::<usize>() {
        Ok(n) if n >= min => Ok(n),
        _ => Err(ArgsError::BadValue {
            flag: flag.to_string(),
            expected: if min == 0 {
                "a whole number"
            } else {
                "a whole number of at least 1"
            },
            value,
        }),
    }
}

impl Layout {
    /// Takes the layout flags out of a command line and returns the layout and every other
    /// argument (for the program's own parser), so that one binary serves both roles:
    /// `--processes N` (default 1), `--process P` (default 0), `--threads W` (default 1) and
    /// `--hostfile FILE`. One process is [`Layout::Threads`]; more is [`Layout::Cluster`].
    ///
    /// ```
    /// use doppl_batch::Layout;
    /// let args = ["--quick", "--processes", "2", "--process", "1", "--hostfile", "h.txt"];
    /// let (layout, rest) = Layout::from_args(args.iter().map(|s| s.to_string())).unwrap();
    /// assert_eq!(rest, ["--quick"]);
    /// assert!(matches!(layout, Layout::Cluster { processes: 2, process: 1, threads: 1, .. }));
    /// assert!(Layout::from_args(["--process".to_string(), "2".to_string()]).is_err());
    /// ```
    pub fn from_args(
        args: impl IntoIterator<Item = String>,
    ) -> Result<(Layout, Vec<String>), ArgsError> {
        let (mut processes, mut process, mut threads, mut hostfile) = (1, 0, 1, None);
        let mut rest = Vec::new();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--processes" => processes = count(&arg, args.next(), 1)?,
                "--process" => process = count(&arg, args.next(), 0)?,
                "--threads" => threads = count(&arg, args.next(), 1)?,
                "--hostfile" => {
                    let path = args
                        .next()
                        .ok_or_else(|| ArgsError::MissingValue { flag: arg.clone() })?;
                    hostfile = Some(PathBuf::from(path));
                }
                _ => rest.push(arg),
            }
        }
        if process >= processes {
            return Err(ArgsError::ProcessOutOfRange { process, processes });
        }
        let layout = if processes == 1 {
            Layout::Threads(threads)
        } else {
            Layout::Cluster {
                processes,
                process,
                threads,
                hostfile,
            }
        };
        Ok((layout, rest))
    }

    /// This process's index: 0 unless a cluster says otherwise. Only process 0 gets the rows.
    pub fn process(&self) -> usize {
        match self {
            Layout::Cluster { process, .. } => *process,
            _ => 0,
        }
    }

    /// Workers in all processes together.
    pub fn peers(&self) -> usize {
        match self {
            Layout::Threads(n) | Layout::SerializedThreads(n) => *n,
            Layout::Cluster {
                processes, threads, ..
            } => processes * threads,
        }
    }

    /// Timely's configuration for this layout, with the hostfile read.
    pub(crate) fn communication(&self) -> Result<CommunicationConfig, BatchError> {
        Ok(match self {
            Layout::Threads(n) => CommunicationConfig::Process((*n).max(1)),
            Layout::SerializedThreads(n) => CommunicationConfig::ProcessBinary((*n).max(1)),
            Layout::Cluster {
                processes,
                process,
                threads,
                hostfile,
            } => {
                if process >= processes {
                    return Err(BatchError::Args(ArgsError::ProcessOutOfRange {
                        process: *process,
                        processes: *processes,
                    }));
                }
                let addresses = match hostfile {
                    Some(path) => read_hostfile(path, *processes)?,
                    None => (0..*processes)
                        .map(|i| format!("127.0.0.1:{}", 2101 + i))
                        .collect(),
                };
                CommunicationConfig::Cluster {
                    threads: (*threads).max(1),
                    process: *process,
                    addresses,
                    report: false,
                    zerocopy: false,
                }
            }
        })
    }
}

/// The first `processes` addresses of a hostfile, one `host:port` a line; blank lines and
/// lines starting with `#` are skipped (timely itself would take them as addresses).
pub fn read_hostfile(path: &Path, processes: usize) -> Result<Vec<String>, BatchError> {
    let text = std::fs::read_to_string(path).map_err(|source| BatchError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let addresses: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .take(processes)
        .map(str::to_string)
        .collect();
    if addresses.len() < processes {
        return Err(BatchError::Hostfile {
            path: path.to_path_buf(),
            found: addresses.len(),
            processes,
        });
    }
    Ok(addresses)
}
