//! The parse budget: no file may hold a run hostage. swc cannot be
//! interrupted (and some inputs make its TypeScript type-argument
//! backtracking run for seconds or more), so a parse that overruns is
//! abandoned: its file becomes a parse-error ("took longer than N s to
//! parse; not checked"), the thread doing it is replaced, and the abandoned
//! thread is never waited for: the process exits when the run is done,
//! whatever it is still doing.
//!
//! Two ways to hold work to the budget:
//! - [`Supervised`], for a scan's many files: threads of cronlock's own take
//!   files one after another and parse them in place, and a supervisor
//!   looks at the clock now and then, so a file costs no thread handoff;
//! - [`with_module_in_budget`], for a file parsed on its own (a fix's new
//!   text, a file outside the scan): the parse runs on a helper thread owned
//!   by the calling thread, which waits at most the budget.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

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
    /// Set on a [`Supervised`] thread: its supervisor holds each item to the
    /// budget, so parses run in place.
    static SUPERVISED: Cell<bool> = const { Cell::new(false) };
}

/// Parses `source` and hands the module to `use_module`, within the budget.
/// `Err` with [`timed_out`] when the parse did not finish in time.
pub fn with_module_in_budget<R: Send + 'static>(
    source: &Arc<SourceText>,
    use_module: impl FnOnce(&Module, &SourceText) -> R + Send + 'static,
) -> Result<R, SyntaxError> {
    if SUPERVISED.with(Cell::get) {
        return with_module(source.code(), |module| use_module(module, source));
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

/// No item on a thread's hands.
const IDLE: usize = usize::MAX;

/// What a [`Supervised`] thread is doing, for its supervisor to see.
struct Slot {
    /// The item it works on, or [`IDLE`].
    item: AtomicUsize,
    /// When it started that item, in microseconds since the run began.
    started: AtomicU64,
    /// Replaced after an overrun: it takes no more items.
    abandoned: AtomicBool,
}

/// What the threads of a [`Supervised`] run share.
struct Shared<T, R> {
    items: Arc<Vec<T>>,
    work: Box<dyn Fn(&T) -> R + Send + Sync>,
    /// The next item nobody has taken.
    next: AtomicUsize,
    /// Each item's outcome, set once (by its thread, or by the supervisor
    /// when the thread overran).
    results: Vec<Mutex<Option<std::thread::Result<R>>>>,
    /// Items without an outcome; the supervisor is woken when none are left.
    left: AtomicUsize,
    all_done: (Mutex<()>, Condvar),
    began: Instant,
}

impl<T, R> Shared<T, R> {
    fn micros_since_start(&self) -> u64 {
        u64::try_from(self.began.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    /// Records item `index`'s outcome unless it has one already.
    fn complete(&self, index: usize, outcome: std::thread::Result<R>) {
        let Some(slot) = self.results.get(index) else {
            return;
        };
        let mut result = slot
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if result.is_some() {
            return;
        }
        *result = Some(outcome);
        drop(result);
        if self.left.fetch_sub(1, Ordering::AcqRel) == 1 {
            let _guard = self.all_done.0.lock();
            self.all_done.1.notify_all();
        }
    }

    /// Takes items until none are left or the supervisor gives up on this
    /// thread.
    fn take_items(&self, slot: &Slot) {
        let was = SUPERVISED.with(|s| s.replace(true));
        while !slot.abandoned.load(Ordering::Acquire) {
            let index = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = self.items.get(index) else {
                break;
            };
            slot.started
                .store(self.micros_since_start(), Ordering::Relaxed);
            slot.item.store(index, Ordering::Release);
            let outcome =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (self.work)(item)));
            slot.item.store(IDLE, Ordering::Release);
            self.complete(index, outcome);
        }
        SUPERVISED.with(|s| s.set(was));
    }
}

/// A thread of a [`Supervised`] run.
struct Worker {
    slot: Arc<Slot>,
    handle: Option<JoinHandle<()>>,
}

/// `work` done on every item of a list by threads of cronlock's own, each
/// item held to the budget: [`Supervised::start`] sets the threads going,
/// the caller may do something else meanwhile, and [`Supervised::finish`]
/// supervises until every item has an outcome.
pub struct Supervised<T, R> {
    shared: Arc<Shared<T, R>>,
    workers: Vec<Worker>,
}

impl<T: Send + Sync + 'static, R: Send + 'static> Supervised<T, R> {
    /// Starts `threads` threads (with deep stacks, see [`WORKER_STACK`]) on
    /// `items`.
    pub fn start(
        items: Arc<Vec<T>>,
        threads: usize,
        work: impl Fn(&T) -> R + Send + Sync + 'static,
    ) -> Supervised<T, R> {
        let count = items.len();
        let shared = Arc::new(Shared {
            items,
            work: Box::new(work),
            next: AtomicUsize::new(0),
            results: (0..count).map(|_| Mutex::new(None)).collect(),
            left: AtomicUsize::new(count),
            all_done: (Mutex::new(()), Condvar::new()),
            began: Instant::now(),
        });
        let mut run = Supervised {
            shared,
            workers: Vec::new(),
        };
        for _ in 0..threads.clamp(1, count.max(1)) {
            run.add_worker();
        }
        run
    }

    /// One more thread taking items (none when the system refuses one).
    fn add_worker(&mut self) {
        let slot = Arc::new(Slot {
            item: AtomicUsize::new(IDLE),
            started: AtomicU64::new(0),
            abandoned: AtomicBool::new(false),
        });
        let (shared, own) = (Arc::clone(&self.shared), Arc::clone(&slot));
        let handle = std::thread::Builder::new()
            .name("cronlock-scan".to_string())
            .stack_size(WORKER_STACK)
            .spawn(move || shared.take_items(&own))
            .ok();
        if handle.is_some() {
            self.workers.push(Worker { slot, handle });
        }
    }

    /// Waits for every item's outcome, giving `overran(item)` to any item
    /// still worked on after the budget and replacing its thread; calls
    /// `progress` with the number of items done now and then. A panic in
    /// `work` is raised here once the others are done.
    pub fn finish(mut self, overran: impl Fn(&T) -> R, progress: &dyn Fn(usize)) -> Vec<R> {
        let budget = timeout();
        let look_every = (budget / 4).clamp(Duration::from_millis(1), Duration::from_millis(100));
        let total = self.shared.results.len();
        loop {
            {
                let guard = self
                    .shared
                    .all_done
                    .0
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if self.shared.left.load(Ordering::Acquire) == 0 {
                    break;
                }
                let _ = self.shared.all_done.1.wait_timeout(guard, look_every);
            }
            progress(total - self.shared.left.load(Ordering::Acquire));
            self.replace_overrunning(budget, &overran);
            if !self
                .workers
                .iter()
                .any(|w| !w.slot.abandoned.load(Ordering::Acquire))
            {
                // No thread could be started: the rest is done here,
                // without a budget.
                let slot = Slot {
                    item: AtomicUsize::new(IDLE),
                    started: AtomicU64::new(0),
                    abandoned: AtomicBool::new(false),
                };
                self.shared.take_items(&slot);
            }
        }
        progress(total);
        for worker in &mut self.workers {
            if !worker.slot.abandoned.load(Ordering::Acquire)
                && let Some(handle) = worker.handle.take()
            {
                let _ = handle.join();
            }
        }
        let shared = &self.shared;
        let outcomes = shared.results.iter().zip(shared.items.iter());
        outcomes
            .map(|(slot, item)| {
                let outcome = slot
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .take();
                match outcome {
                    Some(Ok(result)) => result,
                    Some(Err(panic)) => std::panic::resume_unwind(panic),
                    // Every item has an outcome when none are left.
                    None => overran(item),
                }
            })
            .collect()
    }

    /// Gives up on every thread whose item has run past `budget`.
    fn replace_overrunning(&mut self, budget: Duration, overran: &impl Fn(&T) -> R) {
        let now = self.shared.micros_since_start();
        let budget = u64::try_from(budget.as_micros()).unwrap_or(u64::MAX);
        let mut overrun = Vec::new();
        for worker in &self.workers {
            let slot = &worker.slot;
            let index = slot.item.load(Ordering::Acquire);
            if index == IDLE || slot.abandoned.load(Ordering::Acquire) {
                continue;
            }
            let started = slot.started.load(Ordering::Relaxed);
            if now.saturating_sub(started) > budget {
                slot.abandoned.store(true, Ordering::Release);
                overrun.push(index);
            }
        }
        for index in overrun {
            if let Some(item) = self.shared.items.get(index) {
                self.shared.complete(index, Ok(overran(item)));
            }
            self.add_worker();
        }
    }
}
