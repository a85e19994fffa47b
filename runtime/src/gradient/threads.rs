//! The threads that run a pass's blocks: the caller's own and workers kept for the whole
//! fit, and the choice of how many of them pay.
//!
//! Blocks are shared out from a counter, each block's output is kept apart and the caller
//! adds them in block order, so which thread ran a block never changes a result.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// The threads a pass's blocks run on: the caller's and up to `most − 1` workers kept for
/// as long as the engines that hold them (clones share them).
///
/// Starting a scoped thread per pass and joining it cost 56–59 µs on the 2-vCPU machines
/// measured, waking a kept worker 9–10 µs (BENCHMARKS.md, twenty-first session); an SVI
/// step runs one to three such passes. The workers are a `rayon` pool of this value's own
/// (never the process-wide one), started by the first pass that runs on more than one
/// thread (a fit whose passes all run whole starts none); if the system refuses to start
/// them, the blocks run on the caller's thread alone.
#[derive(Clone, Debug)]
pub struct BlockThreads {
    workers: Arc<OnceLock<Option<rayon::ThreadPool>>>,
    most: usize,
}

impl BlockThreads {
    /// Up to `most` threads (at least one: the caller's).
    pub fn new(most: usize) -> Self {
        BlockThreads {
            workers: Arc::default(),
            most: most.max(1),
        }
    }

    /// The kept workers, started at the first call.
    fn pool(&self) -> Option<&rayon::ThreadPool> {
        let start = || {
            rayon::ThreadPoolBuilder::new()
                .num_threads(self.most - 1)
                .thread_name(|i| format!("doppl-blocks-{i}"))
                .build()
                .ok()
        };
        self.workers.get_or_init(start).as_ref()
    }

    /// The caller's thread alone.
    pub fn one() -> Self {
        BlockThreads::new(1)
    }

    /// How many threads can run blocks at once.
    pub fn most(&self) -> usize {
        self.most
    }

    /// Runs `run(worker, k, output)` for every block `k` and its `outputs[k]`, the first
    /// of `workers` on the caller's thread and each other on a kept worker thread, each
    /// taking the next block from a shared counter: a thread that wakes late leaves its
    /// blocks to the others. A panic in a block goes on in the caller once every block has
    /// run, as without threads.
    pub fn share<W: Send, O: Send>(
        &self,
        workers: &mut [W],
        outputs: &[Mutex<O>],
        run: impl Fn(&mut W, usize, &mut O) + Sync,
    ) {
        let next = AtomicUsize::new(0);
        let work = |worker: &mut W| {
            loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(output) = outputs.get(k) else {
                    return;
                };
                let mut output = output.lock().unwrap_or_else(|e| e.into_inner());
                run(worker, k, &mut output);
            }
        };
        let Some((mine, others)) = workers.split_first_mut() else {
            return;
        };
        let pool = (self.most > 1 && !others.is_empty()).then(|| self.pool());
        match pool.flatten() {
            Some(pool) => pool.in_place_scope(|scope| {
                let work = &work;
                for worker in others.iter_mut().take(self.most - 1) {
                    scope.spawn(move |_| work(worker));
                }
                work(mine);
            }),
            _ => work(mine),
        }
    }
}

/// How many threads run the blocks: one and all of them alternately for a few
/// evaluations, then whichever was faster, timed again every 512 evaluations. Workers
/// wake late on a busy or virtual machine (tens of µs and more), which a cheap pass does
/// not pay back; each count is judged by the median of its timed evaluations, which a
/// late wake inflates if it is the rule and another process taking a core for a moment
/// does not. The choice cannot change a result (blocks are added in block order whoever
/// ran them).
#[derive(Clone, Debug)]
pub struct ThreadChoice {
    most: usize,
    /// Evaluations timed in this round, and their times with one thread and with `most`.
    timed: usize,
    one: Vec<Duration>,
    all: Vec<Duration>,
    chosen: Option<usize>,
    /// Evaluations since the choice.
    since: usize,
}

/// Evaluations timed with each thread count before choosing (after one of each untimed
/// in the first round, which fills the workers' buffers).
const TIMED_EACH: usize = 8;

/// Evaluations after which the choice is timed again: the machine's load changes during a
/// long fit. At most `TIMED_EACH` of every `RECHOOSE_AFTER` run with the slower count.
const RECHOOSE_AFTER: usize = 512;

impl ThreadChoice {
    /// Up to `most` threads (one: no choice to make).
    pub fn new(most: usize) -> Self {
        ThreadChoice {
            most,
            timed: 0,
            one: Vec::with_capacity(TIMED_EACH),
            all: Vec::with_capacity(TIMED_EACH),
            chosen: (most == 1).then_some(1),
            since: 0,
        }
    }
    /// The threads of the next evaluation.
    pub fn next(&self) -> usize {
        match self.chosen {
            Some(threads) => threads,
            None if self.timed.is_multiple_of(2) => 1,
            None => self.most,
        }
    }
    /// Records an evaluation with `threads` that took `took`.
    pub fn record(&mut self, threads: usize, took: Duration) {
        if self.chosen.is_some() {
            self.since += 1;
            if self.since == RECHOOSE_AFTER && self.most > 1 {
                // A new round, without the untimed pair: the buffers are there.
                (self.chosen, self.timed, self.since) = (None, 2, 0);
                self.one.clear();
                self.all.clear();
            }
            return;
        }
        if self.timed >= 2 {
            let times = if threads == 1 {
                &mut self.one
            } else {
                &mut self.all
            };
            times.push(took);
        }
        self.timed += 1;
        if self.timed == 2 * (TIMED_EACH + 1) {
            let faster = median(&mut self.all) < median(&mut self.one);
            self.chosen = Some(if faster { self.most } else { 1 });
        }
    }
}

/// The median of `times` (the lower of the middle two).
fn median(times: &mut [Duration]) -> Duration {
    times.sort_unstable();
    let middle = times.len().saturating_sub(1) / 2;
    times.get(middle).copied().unwrap_or(Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::{BlockThreads, ThreadChoice};
    use std::sync::Mutex;
    use std::time::Duration;

    /// Block `k`'s output: which worker ran it and `k²`.
    fn run_squares(threads: &BlockThreads, workers: usize, blocks: usize) -> Vec<(usize, usize)> {
        let mut ids: Vec<usize> = (0..workers).collect();
        let outputs: Vec<Mutex<(usize, usize)>> = (0..blocks).map(|_| Mutex::default()).collect();
        threads.share(&mut ids, &outputs, |id, k, out| *out = (*id, k * k));
        outputs
            .into_iter()
            .map(|o| o.into_inner().unwrap())
            .collect()
    }

    #[test]
    fn every_block_runs_once_on_any_number_of_threads() {
        for most in [1, 2, 4] {
            let threads = BlockThreads::new(most);
            assert_eq!(threads.most(), most);
            let outputs = run_squares(&threads, most, 37);
            let squares: Vec<usize> = outputs.iter().map(|o| o.1).collect();
            assert_eq!(squares, (0..37).map(|k| k * k).collect::<Vec<_>>());
            assert!(outputs.iter().all(|o| o.0 < most));
        }
        // More workers than threads: the extra ones stay idle.
        let outputs = run_squares(&BlockThreads::new(2), 5, 9);
        assert!(outputs.iter().all(|o| o.0 < 2));
        // A pass on the caller's thread alone starts no workers.
        let threads = BlockThreads::new(2);
        run_squares(&threads, 1, 9);
        assert!(threads.workers.get().is_none());
        run_squares(&threads, 2, 9);
        assert!(threads.workers.get().is_some_and(Option::is_some));
    }

    #[test]
    fn a_panic_in_a_block_reaches_the_caller_after_the_others_ran() {
        let threads = BlockThreads::new(2);
        let outputs: Vec<Mutex<bool>> = (0..8).map(|_| Mutex::default()).collect();
        let mut workers = [(), ()];
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            threads.share(&mut workers, &outputs, |_, k, ran| {
                *ran = true;
                assert_ne!(k, 3, "block three fails");
            })
        }));
        assert!(caught.is_err());
        let ran = outputs
            .iter()
            .filter(|o| *o.lock().unwrap_or_else(|e| e.into_inner()));
        assert_eq!(ran.count(), 8);
    }

    /// Feeds `choice` evaluations taking `one` on one thread and `all` on all, after a
    /// first pair that took the opposite (it fills buffers and is not counted).
    fn settle(mut choice: ThreadChoice, one: u64, all: u64) -> ThreadChoice {
        let ms = Duration::from_millis;
        choice.record(1, ms(all));
        choice.record(choice.most, ms(one));
        while choice.chosen.is_none() {
            let threads = choice.next();
            choice.record(threads, ms(if threads == 1 { one } else { all }));
        }
        choice
    }

    #[test]
    fn the_faster_thread_count_is_kept_after_the_timed_evaluations() {
        assert_eq!(settle(ThreadChoice::new(2), 10, 6).next(), 2);
        assert_eq!(settle(ThreadChoice::new(2), 6, 10).next(), 1);
        let settled = settle(ThreadChoice::new(4), 10, 6);
        assert_eq!(
            (settled.next(), settled.timed),
            (4, 2 * (super::TIMED_EACH + 1))
        );
        assert_eq!(ThreadChoice::new(1).next(), 1);
    }

    #[test]
    fn the_choice_is_timed_again_after_a_while_and_can_change() {
        let mut choice = settle(ThreadChoice::new(2), 10, 6);
        for _ in 0..super::RECHOOSE_AFTER - 1 {
            choice.record(2, Duration::from_millis(6));
        }
        assert_eq!(choice.next(), 2);
        choice.record(2, Duration::from_millis(6));
        // The load changed: two threads now take longer, one spike aside.
        let ms = Duration::from_millis;
        let mut spiked = false;
        while choice.chosen.is_none() {
            let threads = choice.next();
            let took = match threads {
                1 if !spiked => {
                    spiked = true;
                    ms(100)
                }
                1 => ms(10),
                _ => ms(14),
            };
            choice.record(threads, took);
        }
        assert_eq!(choice.next(), 1);
    }

    #[test]
    fn a_thread_that_starts_late_as_a_rule_counts_against_it() {
        // Two threads are faster once started, but start late two evaluations in three.
        let ms = Duration::from_millis;
        let mut choice = ThreadChoice::new(2);
        let mut runs = 0;
        while choice.chosen.is_none() {
            let threads = choice.next();
            let took = match threads {
                1 => ms(10),
                _ => {
                    runs += 1;
                    if runs % 3 == 0 { ms(7) } else { ms(20) }
                }
            };
            choice.record(threads, took);
        }
        assert_eq!(choice.next(), 1);
    }
}
