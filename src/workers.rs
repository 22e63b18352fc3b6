//! The worker threads of one engine instance: a `cronlock check` or `fix`
//! run has its own, the language server one that all its roots share. The
//! engine's parallel work (reading, parsing, the file stage, fixes) runs on
//! rayon's parallel iterators, which use the pool of the thread they are
//! called from: each front end calls the engine inside
//! [`Workers::install`], so no work lands on rayon's process-wide pool and
//! nothing about the threads is set for the whole process.
//!
//! A command's load runs in [`Workers::run_watched`] instead: the workers
//! parse inline while the calling thread watches their parse budgets (see
//! [`crate::budget`]), and the pool is replaced when a parse overruns.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{Context, Result};

use crate::budget::Watch;

/// A pool of worker threads, with the deep stacks parsing wants (see
/// [`crate::parse::WORKER_STACK`]). Clones share the pool, and the pool
/// that replaces it after an overrun.
#[derive(Clone)]
pub struct Workers {
    /// How many threads were asked for (`None`: one per core).
    threads: Option<usize>,
    current: Arc<Mutex<Pool>>,
}

/// A rayon pool and the watch over its parses.
#[derive(Clone)]
struct Pool {
    pool: Arc<rayon::ThreadPool>,
    watch: Arc<Watch>,
}

impl Pool {
    /// A pool of `threads` workers, for which the texts of `overran_before`
    /// overran in an earlier attempt.
    fn new(threads: Option<usize>, overran_before: Arc<[Box<str>]>) -> Result<Pool> {
        let watch = Arc::new(Watch::new(overran_before));
        let entering = Arc::clone(&watch);
        // Workers get deep stacks (reserved, not committed) so that most
        // files are parsed in place rather than on a stack set up for each.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.map_or(0, |n| n.max(1)))
            .stack_size(crate::parse::WORKER_STACK)
            .start_handler(move |_| entering.enter())
            .build()
            .context("starting the worker threads")?;
        Ok(Pool {
            pool: Arc::new(pool),
            watch,
        })
    }
}

impl std::fmt::Debug for Workers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workers")
            .field("threads", &self.threads())
            .finish()
    }
}

impl Workers {
    /// A pool of `threads` workers (`None`: one per core, or as many as
    /// `RAYON_NUM_THREADS` says).
    pub fn new(threads: Option<usize>) -> Result<Workers> {
        Ok(Workers {
            threads,
            current: Arc::new(Mutex::new(Pool::new(threads, Arc::from(Vec::new()))?)),
        })
    }

    /// The pool in use.
    fn pool(&self) -> Pool {
        self.current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Runs `work` on one of the workers, where every parallel iterator it
    /// calls runs on this pool; waits for it and gives its result.
    pub fn install<R: Send>(&self, work: impl FnOnce() -> R + Send) -> R {
        self.pool().pool.install(work)
    }

    /// Runs `work` on the workers, as [`Workers::install`] does, while this
    /// thread (which must not be one of them) watches the parses it makes:
    /// they run inline on the workers, each within its budget. When one
    /// overruns, its worker cannot be stopped, so the pool is given up: a
    /// fresh pool replaces it for every clone of these workers, and `work`
    /// runs again from the start, this time with the text that overran as
    /// a parse-error at once (see [`crate::budget`]). `work` should
    /// therefore only read: a load, never a write. The pool should do
    /// nothing else meanwhile: any parse on it is watched, and an overrun
    /// gives it up.
    pub fn run_watched<R: Send + 'static>(
        &self,
        work: impl Fn() -> R + Send + Sync + 'static,
    ) -> Result<R> {
        let work = Arc::new(work);
        loop {
            let pool = self.pool();
            let (done, answer) = mpsc::channel();
            let job = Arc::clone(&work);
            pool.watch.arm(true);
            pool.pool.spawn(move || {
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job()));
                let _ = done.send(result);
            });
            let overran = loop {
                match answer.recv_timeout(pool.watch.tick()) {
                    Ok(result) => {
                        pool.watch.arm(false);
                        return Ok(result.unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        let overran = pool.watch.overruns();
                        if !overran.is_empty() {
                            break overran;
                        }
                    }
                    // The job was dropped unrun: the pool ended under it.
                    Err(RecvTimeoutError::Disconnected) => break Vec::new(),
                }
            };
            self.replace(&pool, overran)?;
        }
    }

    /// Gives up on `old` (a parse on it overran, as `overran` says) and puts
    /// a fresh pool in its place, which knows every text that overran.
    fn replace(&self, old: &Pool, overran: Vec<Box<str>>) -> Result<()> {
        old.watch.abandon();
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if Arc::ptr_eq(&current.pool, &old.pool) {
            let texts: Vec<Box<str>> = old
                .watch
                .overran_before()
                .iter()
                .cloned()
                .chain(overran)
                .collect();
            *current = Pool::new(self.threads, Arc::from(texts))?;
        }
        Ok(())
    }

    /// How many workers the pool has.
    pub fn threads(&self) -> usize {
        self.pool().pool.current_num_threads()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    #[test]
    fn work_runs_on_the_pool_it_is_installed_in() {
        let one = Workers::new(Some(1)).expect("a pool");
        let three = Workers::new(Some(3)).expect("a pool");
        assert_eq!(one.threads(), 1);
        assert_eq!(three.threads(), 3);
        assert_eq!(one.install(rayon::current_num_threads), 1);
        assert_eq!(three.install(rayon::current_num_threads), 3);
        // A parallel iterator inside `install` uses only that pool's threads.
        let sizes: std::collections::BTreeSet<usize> = three.install(|| {
            (0..64)
                .into_par_iter()
                .map(|_| rayon::current_num_threads())
                .collect()
        });
        assert_eq!(sizes, std::collections::BTreeSet::from([3]));
    }

    #[test]
    fn zero_threads_is_one() {
        let workers = Workers::new(Some(0)).expect("a pool");
        assert_eq!(workers.threads(), 1);
    }
}
