//! The parse budget: no file may hold a run hostage. swc cannot be
//! interrupted (and some inputs make its TypeScript type-argument
//! backtracking run for seconds or more), so each parse runs on a helper
//! thread owned by the calling worker while the worker watches it. A parse
//! that overruns is abandoned: its file becomes a parse-error ("took longer
//! than N s to parse; not checked"), the worker gets a fresh helper, and the
//! abandoned thread is never waited for: the process exits when the run is
//! done, whatever it is still doing.
//!
//! The budget counts the helper thread's CPU time, not wall-clock time, and
//! grows with the file's size (one budget per started MiB): a loaded machine
//! or a slow CI runner gives the same answer as an idle one, and a large
//! generated file is not cut short for being large. Where a thread's CPU
//! clock cannot be read, wall-clock time stands in.
//!
//! The budget is a value, [`ParseBudget`], held by each
//! [`Project`](crate::project::Project) (from `parse-timeout` in its
//! configuration, which `--parse-timeout` overrides) and handed to every
//! parse it makes: two projects in one process (two roots of the language
//! server, two tests) each parse within their own. Only the helper threads
//! are per thread, and they carry no budget.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use swc_ecma_ast::Module;

use crate::parse::{SyntaxError, WORKER_STACK, with_module};
use crate::source::SourceText;

/// The budget when none is given: generous for any real file (they parse
/// in milliseconds), short enough that CI does not stall.
pub const DEFAULT_SECS: f64 = 5.0;

/// Whether `secs` is a budget cronlock accepts: more than 0, at most a day.
pub fn is_valid(secs: f64) -> bool {
    secs.is_finite() && secs > 0.0 && secs <= 86_400.0
}

/// The size one unit of budget covers.
const BYTES_PER_UNIT: usize = 1 << 20;

/// The CPU time one file's parse may take, per started MiB of the file
/// (`--parse-timeout`, `parse-timeout` in cronlock.toml).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParseBudget {
    per_mib: Duration,
}

impl Default for ParseBudget {
    fn default() -> ParseBudget {
        ParseBudget::from_secs(DEFAULT_SECS)
    }
}

impl ParseBudget {
    /// A budget of `secs` seconds per started MiB (at least a microsecond).
    pub fn from_secs(secs: f64) -> ParseBudget {
        let micros = if secs.is_nan() {
            DEFAULT_SECS * 1e6
        } else {
            (secs * 1e6).clamp(1.0, u64::MAX as f64)
        };
        ParseBudget {
            per_mib: Duration::from_micros(micros as u64),
        }
    }

    /// The CPU time a parse of one MiB (or less) may take.
    pub fn per_mib(self) -> Duration {
        self.per_mib
    }

    /// The CPU time the parse of a `len`-byte file may take: the budget once
    /// per started MiB, so a 10 MiB file gets ten times the budget of a
    /// small one.
    pub fn for_len(self, len: usize) -> Duration {
        let units = len.div_ceil(BYTES_PER_UNIT).max(1);
        self.per_mib
            .saturating_mul(u32::try_from(units).unwrap_or(u32::MAX))
    }
}

/// The error of a file whose parse overran `budget`.
pub fn timed_out(budget: Duration) -> SyntaxError {
    SyntaxError {
        offset: 0,
        message: format!(
            "took longer than {} s to parse; not checked",
            budget.as_secs_f64()
        ),
        timed_out: true,
    }
}

/// The CPU time a thread has used so far.
#[derive(Clone, Copy)]
struct CpuClock {
    #[cfg(unix)]
    id: libc::clockid_t,
}

impl CpuClock {
    /// The CPU clock of `thread`, where the platform lets it be read.
    #[cfg(unix)]
    fn of(thread: &std::thread::JoinHandle<()>) -> Option<CpuClock> {
        use std::os::unix::thread::JoinHandleExt;
        let mut id: libc::clockid_t = 0;
        // SAFETY: the thread is alive (its handle is held and it never ends
        // while its job queue is open), and `id` is a valid out-pointer.
        let status = unsafe { libc::pthread_getcpuclockid(thread.as_pthread_t(), &mut id) };
        let clock = CpuClock { id };
        (status == 0 && clock.elapsed().is_some()).then_some(clock)
    }

    #[cfg(not(unix))]
    fn of(_thread: &std::thread::JoinHandle<()>) -> Option<CpuClock> {
        None
    }

    /// The CPU time used, or `None` if the clock cannot be read.
    #[cfg(unix)]
    fn elapsed(self) -> Option<Duration> {
        let mut now = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `now` is a valid out-pointer; a stale clock id is an error
        // return, never undefined behaviour.
        let status = unsafe { libc::clock_gettime(self.id, &mut now) };
        if status != 0 {
            return None;
        }
        let secs = u64::try_from(now.tv_sec).ok()?;
        let nanos = u32::try_from(now.tv_nsec).ok()?;
        Some(Duration::new(secs, nanos))
    }

    #[cfg(not(unix))]
    fn elapsed(self) -> Option<Duration> {
        None
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// A worker's parse thread.
struct Helper {
    jobs: mpsc::Sender<Job>,
    /// Its CPU clock; `None` where it cannot be read (wall time then).
    clock: Option<CpuClock>,
    /// Kept so that the thread's id stays valid; never joined.
    _thread: std::thread::JoinHandle<()>,
}

impl Helper {
    fn spawn() -> Option<Helper> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("cronlock-parse".to_string())
            .stack_size(WORKER_STACK)
            .spawn(move || {
                while let Ok(job) = queue.recv() {
                    job();
                }
            })
            .ok()?;
        Some(Helper {
            jobs,
            clock: CpuClock::of(&thread),
            _thread: thread,
        })
    }
}

thread_local! {
    static HELPER: RefCell<Option<Helper>> = const { RefCell::new(None) };
}

/// Parses `source` and hands the module to `use_module`, within `budget`.
/// `Err` with [`timed_out`] when the parse did not finish in time.
pub fn with_module_in_budget<R: Send + 'static>(
    budget: ParseBudget,
    source: &Arc<SourceText>,
    use_module: impl FnOnce(&Module, &SourceText) -> R + Send + 'static,
) -> Result<R, SyntaxError> {
    let budget = budget.for_len(source.code().len());
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
            Some(h) => {
                // The clock is read before the job is sent: whatever the
                // helper does from then on counts, however soon it starts.
                let start = h.clock.and_then(CpuClock::elapsed);
                h.jobs
                    .send(job)
                    .map(|()| h.clock.zip(start))
                    .map_err(|e| e.0)
            }
            None => Err(job),
        }
    });
    let clock = match sent {
        Ok(clock) => clock,
        Err(job) => {
            // No thread could be started: parse here, without a budget.
            HELPER.with(|cell| cell.borrow_mut().take());
            job();
            None
        }
    };
    match wait_within(&result, clock, budget) {
        Some(Ok(outcome)) => outcome,
        Some(Err(panic)) => std::panic::resume_unwind(panic),
        None => {
            // Abandon the helper: it exits once swc lets go of it.
            HELPER.with(|cell| cell.borrow_mut().take());
            Err(timed_out(budget))
        }
    }
}

/// Waits for the helper's answer until it has used `budget` of CPU time
/// since its clock read `start` (of wall time without a clock); `None` when
/// it overran.
///
/// A thread uses at most one second of CPU time per second of wall time, so
/// waiting for what is left of the budget can never let it overrun unseen:
/// the wait ends early only with an answer, and each timeout re-reads the
/// clock.
fn wait_within<T>(
    result: &mpsc::Receiver<T>,
    clock: Option<(CpuClock, Duration)>,
    budget: Duration,
) -> Option<T> {
    let Some((clock, start)) = clock else {
        return result.recv_timeout(budget).ok();
    };
    loop {
        let used = clock.elapsed()?.saturating_sub(start);
        let left = budget.checked_sub(used).filter(|left| !left.is_zero());
        let Some(left) = left else {
            // The answer may have arrived just as the budget ran out.
            return result.try_recv().ok();
        };
        match result.recv_timeout(left) {
            Ok(answer) => return Some(answer),
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `job` on a fresh helper and waits for it within `budget`.
    fn run_on_helper(budget: Duration, job: impl FnOnce() + Send + 'static) -> Option<()> {
        let helper = Helper::spawn().expect("a helper thread");
        let clock = helper
            .clock
            .and_then(|clock| clock.elapsed().map(|start| (clock, start)));
        let (done, result) = mpsc::sync_channel(1);
        let sent = helper.jobs.send(Box::new(move || {
            job();
            let _ = done.send(());
        }));
        assert!(sent.is_ok());
        wait_within(&result, clock, budget)
    }

    #[test]
    fn the_budget_grows_with_the_size_of_the_file() {
        let budget = ParseBudget::default();
        let unit = budget.per_mib();
        assert_eq!(unit, Duration::from_secs(5));
        assert_eq!(budget.for_len(0), unit);
        assert_eq!(budget.for_len(1 << 20), unit);
        assert_eq!(budget.for_len((1 << 20) + 1), unit * 2);
        assert_eq!(budget.for_len(10 << 20), unit * 10);
    }

    #[test]
    fn a_budget_is_at_least_a_microsecond() {
        let tiny = ParseBudget::from_secs(1e-9);
        assert_eq!(tiny.per_mib(), Duration::from_micros(1));
        assert_eq!(
            ParseBudget::from_secs(0.2).per_mib(),
            Duration::from_millis(200)
        );
    }

    #[cfg(unix)]
    #[test]
    fn waiting_is_not_counted_only_work_is() {
        // Sleeps ten times the budget but uses almost no CPU: not an overrun.
        let slept = run_on_helper(Duration::from_millis(30), || {
            std::thread::sleep(Duration::from_millis(300));
        });
        assert_eq!(slept, Some(()));
    }

    #[cfg(unix)]
    #[test]
    fn work_beyond_the_budget_is_an_overrun() {
        // Spins until its own CPU clock shows 20 times the budget.
        let spun = run_on_helper(Duration::from_millis(10), || {
            let clock = HELPER_CLOCK.with(|c| *c);
            let start = clock.and_then(CpuClock::elapsed).unwrap_or_default();
            while clock
                .and_then(CpuClock::elapsed)
                .is_some_and(|now| now.saturating_sub(start) < Duration::from_millis(200))
            {
                std::hint::black_box(0u64);
            }
        });
        assert_eq!(spun, None);
    }

    thread_local! {
        /// The calling thread's own CPU clock, for the spinning job.
        static HELPER_CLOCK: Option<CpuClock> = own_clock();
    }

    #[cfg(unix)]
    fn own_clock() -> Option<CpuClock> {
        let clock = CpuClock {
            id: libc::CLOCK_THREAD_CPUTIME_ID,
        };
        clock.elapsed().map(|_| clock)
    }
}
