//! The parse budget: no file may hold a run hostage. swc cannot be
//! interrupted (and some inputs make its TypeScript type-argument
//! backtracking run for seconds or more), so every parse must run on a
//! thread that the run can walk away from. There are two ways:
//!
//! - **A scan's load, watched** ([`Watch`]). While a command loads its scan
//!   (`Workers::run_watched`), the workers parse inline and a thread
//!   outside the pool watches their CPU clocks. A parse that overruns is
//!   abandoned with the whole pool: the watcher notes its text, starts a
//!   fresh pool and runs the load again, which reports that text as a
//!   parse-error at once ("took longer than N s to parse; not checked").
//!   The abandoned thread is never waited for. A parse costs nothing extra
//!   here: handing each file to another thread cost a tenth of `check`'s
//!   time on real repositories (two thread switches each way).
//! - **Any other parse, on a helper.** Outside a watched load (the language
//!   server, a fix's re-parse, a file read on demand), each parse runs on a
//!   helper thread owned by the calling worker while the worker waits. A
//!   parse that overruns is abandoned: its file becomes a parse-error and
//!   the worker gets a fresh helper.
//!
//! Either way the budget counts the parsing thread's CPU time, not
//! wall-clock time, and grows with the file's size (one budget per started
//! MiB): a loaded machine or a slow CI runner gives the same answer as an
//! idle one, and a large generated file is not cut short for being large.
//! Where a thread's CPU clock cannot be read, wall-clock time stands in.
//!
//! The budget is a value, [`ParseBudget`], held by each
//! [`Project`](crate::project::Project) (from `parse-timeout` in its
//! configuration, which `--parse-timeout` overrides) and handed to every
//! parse it makes: two projects in one process (two roots of the language
//! server, two tests) each parse within their own. Only the helper threads
//! are per thread, and they carry no budget.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

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
        // The thread is alive: its handle is held, and it never ends while
        // its job queue is open.
        CpuClock::of_pthread(thread.as_pthread_t())
    }

    #[cfg(not(unix))]
    fn of(_thread: &std::thread::JoinHandle<()>) -> Option<CpuClock> {
        None
    }

    /// The CPU clock of the calling thread, which other threads can read.
    #[cfg(unix)]
    fn current() -> Option<CpuClock> {
        // SAFETY: `pthread_self` is the calling thread, alive while this runs.
        CpuClock::of_pthread(unsafe { libc::pthread_self() })
    }

    /// The CPU clock of the live thread `thread`, if it can be read.
    #[cfg(unix)]
    fn of_pthread(thread: libc::pthread_t) -> Option<CpuClock> {
        let mut id: libc::clockid_t = 0;
        // SAFETY: both callers pass a thread that is alive, and `id` is a
        // valid out-pointer.
        let status = unsafe { libc::pthread_getcpuclockid(thread, &mut id) };
        let clock = CpuClock { id };
        (status == 0 && clock.elapsed().is_some()).then_some(clock)
    }

    #[cfg(not(unix))]
    fn current() -> Option<CpuClock> {
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
    if let Some((watch, slot)) = watched_here() {
        let parse = || with_module(source.code(), |module| use_module(module, source));
        return watch.run(&slot, budget, source, parse);
    }
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

/// The watch over the parses that a pool's workers make inline while a
/// scan loads (see the module's documentation and
/// `Workers::run_watched`): one [`Slot`] per worker, the texts that overran
/// in an earlier attempt, and whether the watcher still counts on the pool.
pub struct Watch {
    /// Whether the workers parse inline, watched (during a watched load);
    /// otherwise they hand each parse to a helper.
    armed: AtomicBool,
    /// Set once the watcher gave up on the pool: the parses still asked of
    /// it end at once, so that what is left of the attempt winds down.
    abandoned: AtomicBool,
    /// Every worker's slot, in the order the workers started.
    slots: Mutex<Vec<Arc<Slot>>>,
    /// The texts whose parse overran in an earlier attempt: parse errors at
    /// once.
    overran_before: Arc<[Box<str>]>,
}

/// One worker's part of a [`Watch`]: its CPU clock and the parse it is
/// making, if any.
struct Slot {
    /// `None` where the thread's CPU clock cannot be read (wall time then).
    clock: Option<CpuClock>,
    running: Mutex<Option<Running>>,
}

/// A parse under way on a watched worker.
struct Running {
    source: Arc<SourceText>,
    budget: Duration,
    /// The worker's CPU clock when the parse began.
    cpu_at_start: Option<Duration>,
    /// The wall clock when the parse began, where there is no CPU clock.
    wall_at_start: Instant,
}

impl Running {
    /// What is left of this parse's budget by now (zero once it overran).
    fn left(&self, clock: Option<CpuClock>) -> Duration {
        let used = used_since(clock, self.cpu_at_start, self.wall_at_start);
        self.budget.saturating_sub(used)
    }

    /// Whether this parse has used more than its budget by now.
    fn overran(&self, clock: Option<CpuClock>) -> bool {
        used_since(clock, self.cpu_at_start, self.wall_at_start) > self.budget
    }
}

/// The time a parse begun at `cpu_at_start` (on `clock`) has used: CPU
/// time, or wall time since `wall_at_start` where the clock cannot be read.
fn used_since(
    clock: Option<CpuClock>,
    cpu_at_start: Option<Duration>,
    wall_at_start: Instant,
) -> Duration {
    match (clock.and_then(CpuClock::elapsed), cpu_at_start) {
        (Some(now), Some(start)) => now.saturating_sub(start),
        _ => wall_at_start.elapsed(),
    }
}

thread_local! {
    /// The watch of the pool this thread works for, and the thread's slot.
    static WATCHED: RefCell<Option<(Arc<Watch>, Arc<Slot>)>> = const { RefCell::new(None) };
}

/// This thread's watch and slot, when it is a worker of a pool whose load
/// is being watched.
fn watched_here() -> Option<(Arc<Watch>, Arc<Slot>)> {
    WATCHED
        .with(|watched| watched.borrow().clone())
        .filter(|(watch, _)| watch.armed.load(Ordering::Acquire))
}

/// Whether this thread works for a pool the watcher gave up on: what it is
/// still asked to do belongs to an attempt whose answer nobody will read.
pub fn given_up_here() -> bool {
    WATCHED.with(|watched| {
        watched
            .borrow()
            .as_ref()
            .is_some_and(|(watch, _)| watch.abandoned.load(Ordering::Acquire))
    })
}

/// How often the watcher looks at the workers when no parse is close to
/// its budget.
const LONGEST_TICK: Duration = Duration::from_millis(100);

impl Watch {
    /// The watch of a new pool, for which the texts of `overran_before`
    /// overran in an earlier attempt.
    pub fn new(overran_before: Arc<[Box<str>]>) -> Watch {
        Watch {
            armed: AtomicBool::new(false),
            abandoned: AtomicBool::new(false),
            slots: Mutex::new(Vec::new()),
            overran_before,
        }
    }

    /// Makes the calling thread one of the watched workers (called as each
    /// worker starts).
    pub fn enter(self: &Arc<Watch>) {
        let slot = Arc::new(Slot {
            clock: CpuClock::current(),
            running: Mutex::new(None),
        });
        if let Ok(mut slots) = self.slots.lock() {
            slots.push(Arc::clone(&slot));
        }
        WATCHED.with(|watched| *watched.borrow_mut() = Some((Arc::clone(self), slot)));
    }

    /// Turns inline, watched parsing on (`true`) or off.
    pub fn arm(&self, on: bool) {
        self.armed.store(on, Ordering::Release);
    }

    /// Gives up on the pool: the parses still asked of it end at once.
    pub fn abandon(&self) {
        self.abandoned.store(true, Ordering::Release);
    }

    /// The texts that overran in earlier attempts.
    pub fn overran_before(&self) -> &Arc<[Box<str>]> {
        &self.overran_before
    }

    /// The texts being parsed that have used more than their budget.
    pub fn overruns(&self) -> Vec<Box<str>> {
        let Ok(slots) = self.slots.lock() else {
            return Vec::new();
        };
        slots
            .iter()
            .filter_map(|slot| {
                let running = slot.running.lock().ok()?;
                let running = running.as_ref()?;
                running
                    .overran(slot.clock)
                    .then(|| Box::from(running.source.code()))
            })
            .collect()
    }

    /// How long the watcher may wait before it looks again: until the
    /// parse closest to its budget could overrun, at most [`LONGEST_TICK`]
    /// and at least a millisecond.
    pub fn tick(&self) -> Duration {
        let Ok(slots) = self.slots.lock() else {
            return LONGEST_TICK;
        };
        let closest = slots.iter().filter_map(|slot| {
            let running = slot.running.lock().ok()?;
            Some(running.as_ref()?.left(slot.clock))
        });
        closest
            .min()
            .unwrap_or(LONGEST_TICK)
            .clamp(Duration::from_millis(1), LONGEST_TICK)
    }

    /// Runs `parse` (of `source`) on this thread, in `slot`, where the
    /// watcher sees it. A text that overran in an earlier attempt, and any
    /// parse once the pool is abandoned, is [`timed_out`] at once; so is a
    /// parse that ends having used more than `budget`, as a helper's would
    /// be.
    fn run<R>(
        &self,
        slot: &Slot,
        budget: Duration,
        source: &Arc<SourceText>,
        parse: impl FnOnce() -> Result<R, SyntaxError>,
    ) -> Result<R, SyntaxError> {
        let text = source.code();
        if self.abandoned.load(Ordering::Acquire)
            || self.overran_before.iter().any(|t| **t == *text)
        {
            return Err(timed_out(budget));
        }
        let cpu_at_start = slot.clock.and_then(CpuClock::elapsed);
        let wall_at_start = Instant::now();
        let result = {
            let _running = slot.begin(Running {
                source: Arc::clone(source),
                budget,
                cpu_at_start,
                wall_at_start,
            });
            parse()
        };
        if used_since(slot.clock, cpu_at_start, wall_at_start) > budget {
            return Err(timed_out(budget));
        }
        result
    }
}

impl Slot {
    /// Shows `running` to the watcher until the guard is dropped (also when
    /// the parse panics), which lets go of its text.
    fn begin(&self, running: Running) -> impl Drop + '_ {
        struct Ended<'a>(&'a Slot);
        impl Drop for Ended<'_> {
            fn drop(&mut self) {
                if let Ok(mut running) = self.0.running.lock() {
                    running.take();
                }
            }
        }
        if let Ok(mut slot) = self.running.lock() {
            *slot = Some(running);
        }
        Ended(self)
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

    /// Spins until `clock` (this thread's) shows `cpu` more CPU time.
    fn spin(clock: Option<CpuClock>, cpu: Duration) {
        let start = clock.and_then(CpuClock::elapsed).unwrap_or_default();
        while clock
            .and_then(CpuClock::elapsed)
            .is_some_and(|now| now.saturating_sub(start) < cpu)
        {
            std::hint::black_box(0u64);
        }
    }

    /// `work` run watched on two fresh workers: its answer, how many times
    /// it ran, and the workers.
    fn watched<R: Send + 'static>(
        work: impl Fn() -> R + Send + Sync + 'static,
    ) -> (R, usize, crate::workers::Workers) {
        use std::sync::atomic::AtomicUsize;
        let workers = crate::workers::Workers::new(Some(2)).expect("worker threads");
        let attempts = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&attempts);
        let answer = workers
            .run_watched(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                work()
            })
            .expect("a load");
        (answer, attempts.load(Ordering::SeqCst), workers)
    }

    #[cfg(unix)]
    #[test]
    fn a_watched_parse_that_overruns_gives_up_the_pool_and_the_load_runs_again() {
        let (answer, attempts, workers) = watched(|| {
            let (watch, slot) = watched_here().expect("a watched worker");
            let source = Arc::new(SourceText::new("slow".to_string()));
            // Ten times the budget, then done: the watcher must not wait.
            watch.run(&slot, Duration::from_millis(30), &source, || {
                spin(slot.clock, Duration::from_millis(300));
                Ok(())
            })
        });
        assert!(answer.is_err_and(|e| e.timed_out));
        // Once on the first pool, once more on its replacement, where the
        // text that overran is a parse-error at once.
        assert_eq!(attempts, 2);
        // Outside a watched load, parses go to helpers.
        assert!(workers.install(watched_here).is_none());
    }

    #[test]
    fn a_watched_parse_within_its_budget_runs_inline_once() {
        let (parsed, attempts, _) = watched(|| {
            let inline = watched_here().is_some();
            let source = Arc::new(SourceText::new("export class A {}".to_string()));
            let items = with_module_in_budget(ParseBudget::default(), &source, |module, _| {
                module.body.len()
            });
            (inline, items.ok())
        });
        assert_eq!(parsed, (true, Some(1)));
        assert_eq!(attempts, 1);
    }

    thread_local! {
        /// The calling thread's own CPU clock, for the spinning job.
        static HELPER_CLOCK: Option<CpuClock> = CpuClock::current();
    }
}
