//! The worker threads of one engine instance: a `cronlock check` or `fix`
//! run has its own, the language server one that all its roots share. The
//! engine's parallel work (reading, parsing, the file stage, fixes) runs on
//! rayon's parallel iterators, which use the pool of the thread they are
//! called from: each front end calls the engine inside
//! [`Workers::install`], so no work lands on rayon's process-wide pool and
//! nothing about the threads is set for the whole process.

use std::sync::Arc;

use anyhow::{Context, Result};

/// A pool of worker threads, with the deep stacks parsing wants (see
/// [`crate::parse::WORKER_STACK`]). Clones share the pool.
#[derive(Clone)]
pub struct Workers {
    pool: Arc<rayon::ThreadPool>,
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
        // Workers get deep stacks (reserved, not committed) so that most
        // files are parsed in place rather than on a stack set up for each.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.map_or(0, |n| n.max(1)))
            .stack_size(crate::parse::WORKER_STACK)
            .build()
            .context("starting the worker threads")?;
        Ok(Workers {
            pool: Arc::new(pool),
        })
    }

    /// Runs `work` on one of the workers, where every parallel iterator it
    /// calls runs on this pool; waits for it and gives its result.
    pub fn install<R: Send>(&self, work: impl FnOnce() -> R + Send) -> R {
        self.pool.install(work)
    }

    /// How many workers the pool has.
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
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
