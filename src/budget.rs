//! The parse budget: no file may hold a run hostage. swc cannot be
//! interrupted (and some inputs make its TypeScript type-argument
//! backtracking run for seconds or more), so each parse runs on a helper
//! thread owned by the calling worker while the worker waits at most the
//! budget. A parse that overruns is abandoned: its file becomes a
//! parse-error ("took longer than N s to parse; not checked"), the worker
//! gets a fresh helper, and the abandoned thread is never waited for: the
//! process exits when the run is done, whatever it is still doing.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use swc_ecma_ast::Module;

use crate::parse::{SyntaxError, WORKER_STACK, with_module};
use crate::source::SourceText;

/// The budget when none is given: generous for any real file (they parse
/// in milliseconds), short enough that CI does not stall.
pub const DEFAULT_SECS: f64 = 5.0;

/// The budget in force, in microseconds.
static BUDGET_MICROS: AtomicU64 = AtomicU64::new((DEFAULT_SECS * 1e6) as u64);

/// Whether `secs` is a budget cronlock accepts: more than 0, at most a day.
pub fn is_valid(secs: f64) -> bool {
    secs.is_finite() && secs > 0.0 && secs <= 86_400.0
}

/// Sets the time one file's parse may take (`--parse-timeout`).
pub fn set_timeout(secs: f64) {
    let micros = (secs * 1e6).clamp(1.0, u64::MAX as f64);
    BUDGET_MICROS.store(micros as u64, Ordering::Relaxed);
}

/// The time one file's parse may take.
pub fn timeout() -> Duration {
    Duration::from_micros(BUDGET_MICROS.load(Ordering::Relaxed))
}

/// The error of a file whose parse overran the budget.
pub fn timed_out() -> SyntaxError {
    SyntaxError {
        offset: 0,
        message: format!(
            "took longer than {} s to parse; not checked",
            timeout().as_secs_f64()
        ),
        timed_out: true,
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// A worker's parse thread.
struct Helper {
    jobs: mpsc::Sender<Job>,
}

impl Helper {
    fn spawn() -> Option<Helper> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("cronlock-parse".to_string())
            .stack_size(WORKER_STACK)
            .spawn(move || {
                while let Ok(job) = queue.recv() {
                    job();
                }
            })
            .ok()?;
        Some(Helper { jobs })
    }
}

thread_local! {
    static HELPER: RefCell<Option<Helper>> = const { RefCell::new(None) };
}

/// Parses `source` and hands the module to `use_module`, within the budget.
/// `Err` with [`timed_out`] when the parse did not finish in time.
pub fn with_module_in_budget<R: Send + 'static>(
    source: &Arc<SourceText>,
    use_module: impl FnOnce(&Module, &SourceText) -> R + Send + 'static,
) -> Result<R, SyntaxError> {
    let shared = Arc::clone(source);
    let (done, result) = mpsc::sync_channel(1);
    let job: Job = Box::new(move || {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            with_module(shared.code(), |module| use_module(module, &shared))
        }));
        // The text goes back to its owner's sole keeping before the answer.
        drop(shared);
        let _ = done.send(outcome);
    });
    let sent = HELPER.with(|cell| {
        let mut helper = cell.borrow_mut();
        if helper.is_none() {
            *helper = Helper::spawn();
        }
        match helper.as_ref() {
            Some(h) => h.jobs.send(job).map_err(|e| e.0),
            None => Err(job),
        }
    });
    if let Err(job) = sent {
        // No thread could be started: parse here, without a budget.
        HELPER.with(|cell| cell.borrow_mut().take());
        job();
    }
    match result.recv_timeout(timeout()) {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => {
            // Abandon the helper: it exits once swc lets go of it.
            HELPER.with(|cell| cell.borrow_mut().take());
            Err(timed_out())
        }
    }
}
