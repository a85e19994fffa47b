//! Resuming a study from its journal: a child process running the study with a journal
//! aborts half-way (as a killed machine would: `std::process::abort`, no unwinding, no
//! clean-up), and the study rerun with the same journal runs only what is missing and
//! returns the rows of an uninterrupted run, byte for byte in CSV.

mod common;

use common::{Fit, Sim, keys, replicate};
use doppl_batch::{Layout, Study, csv_bytes};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The child's journal directory.
const CHILD_ENV: &str = "DOPPL_BATCH_ABORTING_CHILD";
/// The replicate at which the child aborts.
const ABORT_AT: Sim = Sim { n: 50, sim: 9 };

fn sizes() -> [u64; 2] {
    [20, 50]
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("doppl-batch-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The test study, counting the replicates it runs.
fn counted_study(runs: Arc<AtomicUsize>) -> Study<Sim, Fit> {
    Study::new(keys(&sizes(), 20), 2024, move |key: &Sim, seed| {
        runs.fetch_add(1, Ordering::Relaxed);
        replicate(key, seed)
    })
    .progress(false)
}

fn run_child(journal: &Path) -> std::process::ExitStatus {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "aborting_child", "--ignored", "--nocapture"])
        .env(CHILD_ENV, journal)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the child did not end in 60 s");
}

#[test]
fn a_study_resumes_from_the_journal_of_an_aborted_process() {
    let journal = temp_dir("resume");
    let status = run_child(&journal);
    assert!(
        !status.success(),
        "the child was meant to abort: {status:?}"
    );
    let runs = Arc::new(AtomicUsize::new(0));
    let resumed = counted_study(runs.clone())
        .journal(&journal)
        .run(&Layout::Threads(2))
        .unwrap()
        .unwrap();
    let total = keys(&sizes(), 20).len();
    let rerun = runs.load(Ordering::Relaxed);
    // The child (one worker) ran the keys in order up to ABORT_AT, the 30th of 40; the
    // journal kept the 29 before it.
    assert_eq!(rerun, total - 29, "replicates run again");
    let fresh = counted_study(Arc::default())
        .run(&Layout::Threads(1))
        .unwrap()
        .unwrap();
    assert_eq!(csv_bytes(&resumed).unwrap(), csv_bytes(&fresh).unwrap());
    // A second resume has nothing left to run.
    let idle = Arc::new(AtomicUsize::new(0));
    let again = counted_study(idle.clone())
        .journal(&journal)
        .run(&Layout::Threads(2))
        .unwrap()
        .unwrap();
    assert_eq!(idle.load(Ordering::Relaxed), 0);
    assert_eq!(again, fresh);
    std::fs::remove_dir_all(&journal).unwrap();
}

/// The aborting process; does nothing unless started by the test above.
#[test]
#[ignore = "started by a_study_resumes_from_the_journal_of_an_aborted_process"]
fn aborting_child() {
    let Some(journal) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let study = Study::new(keys(&sizes(), 20), 2024, |key: &Sim, seed| {
        if *key == ABORT_AT {
            std::process::abort();
        }
        replicate(key, seed)
    })
    .progress(false);
    let _ = study
        .journal(PathBuf::from(journal))
        .run(&Layout::Threads(1));
}
