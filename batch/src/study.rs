//! A study: keys, a seed and a replicate function, run on timely workers.

use crate::BatchError;
use crate::hash::{owner, replicate_seed};
use crate::journal::{JournalWriter, journaled_rows};
use crate::layout::Layout;
use crate::progress::Progress;
use doppl_runtime::quiet_panic::{QuietPanics, catch_quietly};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::hash::Hash;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use timely::dataflow::InputHandleVec;
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::generic::Operator;
use timely::dataflow::operators::vec::Input;

/// What a replicate key must be: sent between processes (serde), sorted (`Ord`: rows come
/// back in key order whatever worker ran them), hashed stably (`Hash`, fed to
/// [`crate::Fnv1a`]) and named in errors (`Debug`).
pub trait Key:
    Serialize + DeserializeOwned + Ord + Hash + Clone + Debug + Send + Sync + 'static
{
}
impl<K: Serialize + DeserializeOwned + Ord + Hash + Clone + Debug + Send + Sync + 'static> Key
    for K
{
}

/// What a replicate returns: sent between processes (serde) and kept in rows.
pub trait Value: Serialize + DeserializeOwned + Clone + Send + 'static {}
impl<R: Serialize + DeserializeOwned + Clone + Send + 'static> Value for R {}

/// How one replicate ended. Externally tagged, as bincode (timely's wire format) needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Outcome<R> {
    /// The replicate's result.
    Ok(R),
    /// The replicate returned `Err(message)` or panicked with `message`: kept, counted,
    /// never dropped, so a study's summary says how many replicates it lost and why.
    Failed(String),
}

/// One replicate: its key, the seed it ran with (to rerun it alone) and its outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row<K, R> {
    /// The replicate's key.
    pub key: K,
    /// The seed derived from the study seed and the key ([`replicate_seed`]).
    pub seed: u64,
    /// Its result or failure.
    pub outcome: Outcome<R>,
}

/// The replicate function: key and seed to a result or a message.
pub type Replicate<K, R> = dyn Fn(&K, u64) -> Result<R, String> + Send + Sync;

/// A study: replicate keys, a study seed and what to do per key (simulate and fit). Each
/// replicate's seed is derived from the study seed and its key only, so its row is the same
/// whichever worker, thread or process runs it.
///
/// ```
/// use doppl_batch::{Layout, Outcome, Study};
/// // Key k: the sum of 0..k, failing for k = 3.
/// let study = Study::new((0..5u64).collect(), 7, |k: &u64, _seed| {
///     if *k == 3 { Err("three".to_string()) } else { Ok((0..*k).sum::<u64>()) }
/// });
/// let rows = study.run(&Layout::Threads(2)).unwrap().expect("process 0 gets the rows");
/// let sums: Vec<_> = rows.iter().map(|r| r.outcome.clone()).collect();
/// assert_eq!(sums[2], Outcome::Ok(1));
/// assert_eq!(sums[3], Outcome::Failed("three".to_string()));
/// assert_eq!(sums[4], Outcome::Ok(6));
/// ```
pub struct Study<K, R> {
    keys: Arc<Vec<K>>,
    seed: u64,
    replicate: Arc<Replicate<K, R>>,
    progress: bool,
    journal: Option<PathBuf>,
}

impl<K: Key, R: Value> Study<K, R> {
    /// A study of `keys` seeded with `seed`; `replicate(key, seed)` runs one replicate.
    /// Progress is shown (on a terminal only) unless [`Study::progress`] turns it off.
    pub fn new(
        keys: Vec<K>,
        seed: u64,
        replicate: impl Fn(&K, u64) -> Result<R, String> + Send + Sync + 'static,
    ) -> Self {
        Study {
            keys: Arc::new(keys),
            seed,
            replicate: Arc::new(replicate),
            progress: true,
            journal: None,
        }
    }

    /// Journals every finished replicate in `dir` (one file per worker,
    /// [the crate docs](crate#resuming-a-study)), and skips the replicates already
    /// journaled there: a study stopped half-way resumes where it stopped, with the rows an
    /// uninterrupted run gives, bit for bit. Across processes, `dir` must be one directory
    /// every process sees (a shared file system); otherwise resume on one process.
    pub fn journal(mut self, dir: impl Into<PathBuf>) -> Self {
        self.journal = Some(dir.into());
        self
    }

    /// Whether process 0 shows replicates done / total with an ETA on a terminal.
    pub fn progress(mut self, show: bool) -> Self {
        self.progress = show;
        self
    }

    /// The keys, in the order given.
    pub fn keys(&self) -> &[K] {
        &self.keys
    }

    /// Runs every replicate once on `layout`'s workers. Process 0 gets `Some(rows)`, sorted
    /// by key and checked against the keys (none lost, none twice); other processes `None`
    /// once the study is done. A replicate that fails is a row; a worker or connection that
    /// fails is the study's error (timely has no partial recovery).
    pub fn run(&self, layout: &Layout) -> Result<Option<Vec<Row<K, R>>>, BatchError> {
        let mut expected: Vec<K> = self.keys.to_vec();
        expected.sort();
        if let Some(pair) = expected.windows(2).find(|w| w[0] == w[1]) {
            return Err(BatchError::DuplicateKey {
                key: format!("{:?}", pair[0]),
            });
        }
        let config = timely::Config {
            communication: layout.communication()?,
            worker: timely::WorkerConfig::default(),
        };
        let done: BTreeMap<K, Row<K, R>> = match &self.journal {
            Some(dir) => journaled_rows(dir, &self.keys, self.seed)?,
            None => BTreeMap::new(),
        };
        let to_run = self.keys.len() - done.len();
        let progress = Progress::new(to_run, self.progress && layout.process() == 0);
        let _quiet = QuietPanics::new();
        let plan = Arc::new(WorkerPlan {
            keys: self.keys.clone(),
            done: done.keys().cloned().collect(),
            seed: self.seed,
            replicate: self.replicate.clone(),
            journal: self.journal.clone(),
        });
        let counter = progress.clone();
        let guards = timely::execute(config, move |worker| run_worker(worker, &plan, &counter))
            .map_err(BatchError::Start)?;
        let mut results = guards.join().into_iter();
        progress.finish();
        let mine = results.next();
        if let Some(failed) = results.find_map(|r| r.and_then(|rows| rows).err()) {
            return Err(BatchError::Worker { message: failed });
        }
        let mut rows = mine
            .ok_or_else(|| BatchError::Worker {
                message: "no local worker".to_string(),
            })?
            .and_then(|rows| rows)
            .map_err(|message| BatchError::Worker { message })?;
        if layout.process() != 0 {
            return Ok(None);
        }
        rows.extend(done.into_values());
        check_complete(rows, &expected).map(Some)
    }
}

/// One replicate under `catch_unwind`: an `Err` or a panic is a failed row.
pub fn run_replicate<K: Key, R: Value>(
    key: &K,
    study_seed: u64,
    replicate: &Replicate<K, R>,
) -> Row<K, R> {
    let seed = replicate_seed(study_seed, key);
    let outcome = match catch_quietly(|| replicate(key, seed)) {
        Ok(Ok(result)) => Outcome::Ok(result),
        Ok(Err(message)) => Outcome::Failed(message),
        Err(panic) => Outcome::Failed(format!("panicked: {panic}")),
    };
    Row {
        key: key.clone(),
        seed,
        outcome,
    }
}

/// What every worker needs to know: the keys, those already journaled, and how to run one.
struct WorkerPlan<K, R> {
    keys: Arc<Vec<K>>,
    done: BTreeSet<K>,
    seed: u64,
    replicate: Arc<Replicate<K, R>>,
    journal: Option<PathBuf>,
}

/// What every worker does: run its own keys not yet journaled (journaling each row), send
/// each row to worker 0 as soon as it is done (so that the progress there counts all
/// workers), and drain. Returns the rows that reached this worker: all of them on worker 0,
/// none elsewhere; or why its journal could not be written.
fn run_worker<K: Key, R: Value>(
    worker: &mut timely::worker::Worker,
    plan: &WorkerPlan<K, R>,
    progress: &Progress,
) -> Result<Vec<Row<K, R>>, String> {
    let (index, peers) = (worker.index(), worker.peers());
    let mut journal = match &plan.journal {
        Some(dir) => Some(JournalWriter::open(dir, index).map_err(|e| e.to_string())?),
        None => None,
    };
    let collected: Rc<RefCell<Vec<Row<K, R>>>> = Rc::default();
    let mut input: InputHandleVec<u64, Row<K, R>> = InputHandleVec::new();
    let sink = collected.clone();
    let counter = progress.clone();
    worker.dataflow::<u64, _, _>(|scope| {
        scope.input_from(&mut input).sink(
            Exchange::new(|_row: &Row<K, R>| 0),
            "CollectRows",
            move |(rows, _frontier)| {
                rows.for_each(|_time, batch| {
                    counter.advance(batch.len());
                    sink.borrow_mut().append(batch);
                });
            },
        );
    });
    let mine = plan.keys.iter().filter(|k| owner(*k, peers) == index);
    for (sent, key) in mine.filter(|k| !plan.done.contains(*k)).enumerate() {
        let row = run_replicate(key, plan.seed, &*plan.replicate);
        if let Some(journal) = &mut journal {
            journal.append(&row).map_err(|e| e.to_string())?;
        }
        input.send(row);
        // A new epoch flushes the row to worker 0 now rather than at the end.
        input.advance_to(sent as u64 + 1);
        worker.step();
    }
    drop(input);
    while worker.step_or_park(None) {}
    Ok(collected.take())
}

/// Sorts the rows by key and checks that they are exactly the (sorted) keys.
fn check_complete<K: Key, R: Value>(
    mut rows: Vec<Row<K, R>>,
    expected: &[K],
) -> Result<Vec<Row<K, R>>, BatchError> {
    rows.sort_by(|a, b| a.key.cmp(&b.key));
    let same = rows.len() == expected.len() && rows.iter().zip(expected).all(|(r, k)| &r.key == k);
    if !same {
        return Err(BatchError::Incomplete {
            expected: expected.len(),
            received: rows.len(),
        });
    }
    Ok(rows)
}
