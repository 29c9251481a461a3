//! Chapter 4: a fixed pool of worker threads fed through a bounded queue.
//!
//! The acceptor hands each job (in weft, an accepted connection) to the pool; a fixed number
//! of workers take jobs off one shared queue and run the pool's handler on them. Unlike the
//! Rust Book's pool, the queue carries *values* rather than boxed closures: every job is handled
//! by the same function, and a job the pool cannot take is handed back to the caller, who can
//! still answer it (with a `503`) instead of dropping it.
//!
//! Three decisions shape this module, each explained in chapter 4:
//! - the queue is **bounded**, so overload shows up as a refusal at the door rather than as
//!   memory and latency growing without limit;
//! - a **panicking job** is caught and logged, and the worker carries on, so one bad request
//!   cannot shrink the pool;
//! - **shutdown** closes the queue, lets the workers finish what they hold *and* what is
//!   queued, and waits for them no longer than a grace period.

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TrySendError};

/// A fixed set of worker threads running one handler over jobs of type `T`.
///
/// A pool dropped without [`Pool::shutdown`] closes its queue all the same (dropping it drops
/// the queue's sender); its workers finish what is queued and exit on their own, but nothing
/// waits for them.
pub struct Pool<T: Send + 'static> {
    /// `None` once the pool is shutting down: dropping the sender is what closes the queue.
    sender: Option<Sender<T>>,
    workers: Vec<Option<JoinHandle<()>>>,
    /// Each worker sends its index here as it exits, so shutdown can wait with a deadline
    /// (`JoinHandle::join` itself cannot time out).
    exited: Receiver<usize>,
    /// Another end of `exited`, for [`Pool::abandoner`]: it sends [`ABANDON`] there.
    exit_tx: Sender<usize>,
    busy: Arc<AtomicUsize>,
    // > ch10
    /// The workers' end of the queue, kept to hand out [`Backlog`]s.
    receiver: Receiver<T>,
    // < ch10
}

// > ch10
/// Chapter 10: queues jobs for a [`Pool`] from another thread than the pool's owner.
pub(crate) struct Submitter<T>(Sender<T>);

impl<T> Submitter<T> {
    /// Queues `job` if there is room, as [`Pool::try_submit`] does.
    pub(crate) fn try_submit(&self, job: T) -> Result<(), QueueFull<T>> {
        match self.0.try_send(job) {
            Ok(()) => Ok(()),
            // This sender keeps the workers running, so the queue cannot be disconnected; if
            // it were, nobody could serve the job, and "try again later" is still the answer.
            Err(TrySendError::Full(job) | TrySendError::Disconnected(job)) => Err(QueueFull(job)),
        }
    }
}

/// Chapter 10: how many jobs are waiting in a [`Pool`]'s queue, seen from the workers' side.
pub(crate) struct Backlog<T>(Receiver<T>);

impl<T> Backlog<T> {
    /// How many jobs are waiting now.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}
// < ch10

impl Drain {
    /// Whether every job finished within the grace period.
    pub fn is_complete(&self) -> bool {
        *self == Drain::Complete
    }
}

/// A program that served until a shutdown exits with success if the drain completed, and
/// with failure if work was left unfinished: `ExitCode::from(app.run(addr)?)`.
impl From<Drain> for std::process::ExitCode {
    fn from(drain: Drain) -> std::process::ExitCode {
        if drain.is_complete() {
            std::process::ExitCode::SUCCESS
        } else {
            std::process::ExitCode::FAILURE
        }
    }
}

/// A job the pool refused because its queue was full; the job is handed back.
#[derive(Debug)]
pub struct QueueFull<T>(pub T);

/// How a pool's shutdown ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a drain that timed out left work unfinished; say so in the exit code"]
pub enum Drain {
    /// Every worker finished its jobs, the queue was emptied, and all threads were joined.
    Complete,
    /// The grace period ran out first; this many workers were still running a job.
    TimedOut {
        /// Workers that had not exited when the deadline passed.
        unfinished: usize,
    },
}

impl<T: Send + 'static> Pool<T> {
    /// Starts `workers` threads that run `handler` on each job, with room for `queue` jobs
    /// waiting.
    ///
    /// # Panics
    /// If `workers` is zero: a pool that can run nothing would accept jobs and never finish them.
    pub fn new<F>(workers: usize, queue: usize, handler: F) -> Pool<T>
    where
        F: Fn(T) + Send + Sync + 'static,
    {
        assert!(workers > 0, "a pool needs at least one worker");
        // ANCHOR: new
        let (sender, receiver) = crossbeam_channel::bounded::<T>(queue);
        let (exit_tx, exited) = crossbeam_channel::unbounded();
        let handler = Arc::new(handler);
        let busy = Arc::new(AtomicUsize::new(0));
        let workers = (0..workers)
            .map(|id| {
                let jobs = receiver.clone();
                let handler = Arc::clone(&handler);
                let busy = Arc::clone(&busy);
                let exit_tx = exit_tx.clone();
                let thread = thread::Builder::new()
                    .name(format!("weft-worker-{id}"))
                    .spawn(move || {
                        let _report = ExitReport { id, to: exit_tx };
                        work(id, &jobs, &*handler, &busy);
                    })
                    .expect("failed to spawn a worker thread");
                Some(thread)
            })
            .collect();
        // ANCHOR_END: new
        Pool {
            sender: Some(sender),
            workers,
            exited,
            exit_tx,
            busy,
            receiver, // > ch10
        }
    }

    // ANCHOR: try_submit
    /// Queues `job` if there is room, or hands it back at once if the queue is full.
    ///
    /// This never blocks, which is what an acceptor needs: it must get back to `accept()`.
    pub fn try_submit(&self, job: T) -> Result<(), QueueFull<T>> {
        let sender = self.sender.as_ref().expect("pool is shutting down");
        match sender.try_send(job) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(job)) => Err(QueueFull(job)),
            // The receivers live as long as the workers, and the workers only exit once the
            // sender is dropped, which `shutdown` does after this pool stops taking jobs.
            Err(TrySendError::Disconnected(_)) => unreachable!("workers exited early"),
        }
    }
    // ANCHOR_END: try_submit

    /// Queues `job`, waiting for room if the queue is full.
    pub fn submit(&self, job: T) {
        let sender = self.sender.as_ref().expect("pool is shutting down");
        sender.send(job).expect("workers exited early");
    }

    /// The number of worker threads.
    pub fn size(&self) -> usize {
        self.workers.len()
    }

    /// How many workers are running a job right now.
    pub fn busy(&self) -> usize {
        self.busy.load(Ordering::SeqCst)
    }

    /// How many jobs are waiting in the queue.
    pub fn queued(&self) -> usize {
        self.sender.as_ref().map_or(0, Sender::len)
    }

    // > ch10
    /// Chapter 10: a way for another thread (the poller) to queue jobs too.
    ///
    /// A submitter keeps the queue open, as the pool's own sender does: drop every one before
    /// [`Pool::shutdown`], or the workers wait for its jobs until the grace period ends.
    pub(crate) fn submitter(&self) -> Submitter<T> {
        let sender = self.sender.as_ref().expect("pool is shutting down");
        Submitter(sender.clone())
    }

    /// Chapter 10: a way for the workers themselves to see how many jobs are queued.
    ///
    /// It reads the queue from the receiving side, so unlike a [`Submitter`] it never keeps
    /// the queue open: a worker may hold one for as long as it likes.
    pub(crate) fn backlog(&self) -> Backlog<T> {
        Backlog(self.receiver.clone())
    }
    // < ch10

    // ANCHOR: shutdown
    /// Closes the queue, lets the workers finish every job they hold or that is queued, and
    /// joins them, waiting at most `grace`.
    pub fn shutdown(mut self, grace: Duration) -> Drain {
        // Dropping the only sender closes the channel: each worker's `recv` keeps returning
        // queued jobs and then fails, and the worker's loop ends.
        drop(self.sender.take());
        let deadline = Instant::now() + grace;
        let mut running = self.workers.len();
        while running > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.exited.recv_timeout(left) {
                Ok(ABANDON) => break,
                Ok(id) => {
                    if let Some(thread) = self.workers[id].take() {
                        // The worker caught every job's panic, so join cannot fail here.
                        let _ = thread.join();
                    }
                    running -= 1;
                }
                Err(_) => break,
            }
        }
        if running == 0 {
            Drain::Complete
        } else {
            Drain::TimedOut {
                unfinished: running,
            }
        }
    }
    // ANCHOR_END: shutdown

    /// A handle that makes a [`Pool::shutdown`] in progress stop waiting at once, as if its
    /// grace period had run out: what a second Ctrl-C asks for.
    pub fn abandoner(&self) -> Abandoner {
        Abandoner(self.exit_tx.clone())
    }
}

/// What a pool's drain hears instead of a worker's index when it must stop waiting.
const ABANDON: usize = usize::MAX;

/// Stops a pool's drain from waiting any longer: see [`Pool::abandoner`].
#[derive(Debug, Clone)]
pub struct Abandoner(Sender<usize>);

impl Abandoner {
    /// Makes the drain return now, with the workers still busy counted as unfinished.
    pub fn abandon(&self) {
        // The pool may be gone already, and then there is nothing to stop.
        let _ = self.0.send(ABANDON);
    }
}

// ANCHOR: work
/// A worker's life: take a job, run the handler, catch a panic, repeat until the queue closes.
fn work<T>(id: usize, jobs: &Receiver<T>, handler: &(dyn Fn(T) + Sync), busy: &AtomicUsize) {
    while let Ok(job) = jobs.recv() {
        busy.fetch_add(1, Ordering::SeqCst);
        // AssertUnwindSafe: the handler is shared and takes `&self`, so a panic cannot leave
        // it half-updated through this call; shared state it reaches through a `Mutex` is
        // poisoned by the panic, which is how std reports the damage.
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| handler(job)));
        busy.fetch_sub(1, Ordering::SeqCst);
        if let Err(payload) = outcome {
            log::error!("worker {id}: job panicked: {}", panic_message(&*payload));
        }
    }
    log::debug!("worker {id}: queue closed, exiting");
}
// ANCHOR_END: work

/// Tells the pool a worker has exited, even if the worker thread itself is unwinding.
struct ExitReport {
    id: usize,
    to: Sender<usize>,
}

impl Drop for ExitReport {
    fn drop(&mut self) {
        // The pool may already be gone (dropped without shutdown); then nobody is listening.
        let _ = self.to.send(self.id);
    }
}

/// The text of a panic payload: `panic!` carries a `&str` or a `String`.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text
    } else {
        "(a panic with a non-string payload)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossbeam_channel::RecvTimeoutError;

    const WAIT: Duration = Duration::from_secs(5);

    #[test]
    fn runs_every_job() {
        let (done_tx, done_rx) = crossbeam_channel::unbounded();
        let pool = Pool::new(4, 16, move |n: u32| done_tx.send(n * 2).unwrap());
        for n in 0..10 {
            pool.submit(n);
        }
        let mut results: Vec<u32> = (0..10)
            .map(|_| done_rx.recv_timeout(WAIT).unwrap())
            .collect();
        results.sort_unstable();
        assert_eq!(results, (0..10).map(|n| n * 2).collect::<Vec<_>>());
        assert_eq!(pool.shutdown(WAIT), Drain::Complete);
    }

    #[test]
    fn full_queue_hands_the_job_back() {
        // One worker held on a gate, one job queued: the third job must come back.
        let (gate_tx, gate_rx) = crossbeam_channel::unbounded::<()>();
        let (started_tx, started_rx) = crossbeam_channel::unbounded();
        let pool = Pool::new(1, 1, move |_: u32| {
            started_tx.send(()).unwrap();
            gate_rx.recv().unwrap();
        });
        pool.submit(1);
        started_rx.recv_timeout(WAIT).unwrap(); // the worker holds job 1
        pool.try_submit(2).unwrap(); // job 2 waits in the queue
        let QueueFull(refused) = pool.try_submit(3).unwrap_err();
        assert_eq!(refused, 3);
        assert_eq!((pool.busy(), pool.queued()), (1, 1));
        gate_tx.send(()).unwrap();
        gate_tx.send(()).unwrap();
        assert_eq!(pool.shutdown(WAIT), Drain::Complete);
    }

    #[test]
    fn panicking_jobs_do_not_shrink_the_pool() {
        let (done_tx, done_rx) = crossbeam_channel::unbounded();
        let pool = Pool::new(2, 64, move |n: u32| {
            if n % 2 == 0 {
                panic!("job {n} fails");
            }
            done_tx.send(n).unwrap();
        });
        // Far more panics than workers: if a panic killed its worker, the odd jobs would
        // never run and the receive below would time out.
        for n in 0..40 {
            pool.submit(n);
        }
        for _ in 0..20 {
            assert_eq!(done_rx.recv_timeout(WAIT).unwrap() % 2, 1);
        }
        // The last job's worker may not have counted itself idle yet when its result arrives:
        // `busy` is decremented after the handler returns.
        let deadline = Instant::now() + WAIT;
        while pool.busy() != 0 {
            assert!(Instant::now() < deadline, "busy never returned to 0");
            thread::yield_now();
        }
        assert_eq!(pool.shutdown(WAIT), Drain::Complete);
    }

    #[test]
    fn shutdown_finishes_queued_jobs() {
        let (done_tx, done_rx) = crossbeam_channel::unbounded();
        let pool = Pool::new(1, 8, move |n: u32| done_tx.send(n).unwrap());
        for n in 0..8 {
            pool.submit(n);
        }
        assert_eq!(pool.shutdown(WAIT), Drain::Complete);
        let done: Vec<u32> = done_rx.try_iter().collect();
        assert_eq!(done, (0..8).collect::<Vec<_>>());
    }

    #[test]
    fn shutdown_gives_up_after_the_grace_period() {
        let (gate_tx, gate_rx) = crossbeam_channel::unbounded::<()>();
        let (started_tx, started_rx) = crossbeam_channel::unbounded();
        let pool = Pool::new(1, 1, move |_: u32| {
            started_tx.send(()).unwrap();
            // Held until the test releases it, after shutdown has given up.
            let _ = gate_rx.recv();
        });
        pool.submit(1);
        started_rx.recv_timeout(WAIT).unwrap();
        let drain = pool.shutdown(Duration::from_millis(50));
        assert_eq!(drain, Drain::TimedOut { unfinished: 1 });
        drop(gate_tx);
        assert!(matches!(
            started_rx.recv_timeout(WAIT),
            Err(RecvTimeoutError::Disconnected)
        ));
    }

    /// A pool of one worker holding a job until `release` is dropped or sent to, with the
    /// job's start reported on `started`.
    fn held_pool(queue: usize) -> (Pool<u32>, Receiver<()>, crossbeam_channel::Sender<()>) {
        let (release, gate) = crossbeam_channel::unbounded::<()>();
        let (started_tx, started) = crossbeam_channel::unbounded();
        let pool = Pool::new(1, queue, move |_: u32| {
            started_tx.send(()).unwrap();
            let _ = gate.recv();
        });
        (pool, started, release)
    }

    // > ch10
    #[test]
    fn the_side_doors_see_and_fill_the_same_queue() {
        let (pool, started, release) = held_pool(2);
        assert_eq!(pool.size(), 1);
        let (submitter, backlog) = (pool.submitter(), pool.backlog());
        assert_eq!((pool.queued(), backlog.len()), (0, 0));
        pool.submit(1);
        started.recv_timeout(WAIT).unwrap(); // the worker holds job 1
        submitter.try_submit(2).unwrap();
        assert_eq!((pool.queued(), backlog.len()), (1, 1));
        pool.try_submit(3).unwrap();
        assert_eq!((pool.queued(), backlog.len()), (2, 2));
        let QueueFull(refused) = submitter.try_submit(4).unwrap_err();
        assert_eq!(refused, 4);
        drop(submitter);
        for _ in 0..3 {
            release.send(()).unwrap();
        }
        assert_eq!(pool.shutdown(WAIT), Drain::Complete);
    }
    // < ch10

    #[test]
    fn pools_of_several_workers_say_their_size() {
        let pool = Pool::new(3, 1, |_: u32| {});
        assert_eq!(pool.size(), 3);
        assert_eq!(pool.shutdown(WAIT), Drain::Complete);
    }

    #[test]
    fn shutdown_waits_for_a_job_that_finishes_within_the_grace_period() {
        let (pool, started, release) = held_pool(1);
        pool.submit(1);
        started.recv_timeout(WAIT).unwrap();
        // The job is released only once shutdown is waiting for it; a drain that gave up at
        // once, or never waited, would not see it finish.
        let drain = thread::scope(|scope| {
            let draining = scope.spawn(|| pool.shutdown(Duration::from_secs(3600)));
            release.send(()).unwrap();
            draining.join().unwrap()
        });
        assert_eq!(drain, Drain::Complete);
    }

    #[test]
    fn a_dropped_pool_lets_its_workers_finish_and_go() {
        let handler_alive = Arc::new(());
        let watch = Arc::downgrade(&handler_alive);
        let (done_tx, done) = crossbeam_channel::unbounded::<()>();
        let keep = Pool::new(1, 4, move |_: u32| {
            let _alive = &handler_alive;
            done_tx.send(()).unwrap();
        });
        keep.submit(1);
        done.recv_timeout(WAIT).unwrap();
        // Dropping the pool closes its queue: its worker leaves its loop and drops the
        // handler, and with it the last strong reference to `handler_alive`.
        drop(keep);
        let deadline = Instant::now() + WAIT;
        while watch.upgrade().is_some() {
            assert!(
                Instant::now() < deadline,
                "the worker never let go of its handler"
            );
            thread::yield_now();
        }
    }

    #[test]
    fn an_abandoned_drain_stops_waiting_before_its_grace_period() {
        let (pool, started, release) = held_pool(1);
        pool.submit(1);
        started.recv_timeout(WAIT).unwrap();
        pool.abandoner().abandon();
        // A grace period far longer than any test: only the abandon can end this wait.
        assert_eq!(
            pool.shutdown(Duration::from_secs(3600)),
            Drain::TimedOut { unfinished: 1 }
        );
        drop(release);
    }

    #[test]
    fn a_drain_becomes_an_exit_code() {
        use std::process::ExitCode;
        assert!(Drain::Complete.is_complete());
        assert!(!Drain::TimedOut { unfinished: 2 }.is_complete());
        assert_eq!(ExitCode::from(Drain::Complete), ExitCode::SUCCESS);
        assert_eq!(
            ExitCode::from(Drain::TimedOut { unfinished: 2 }),
            ExitCode::FAILURE
        );
    }

    #[test]
    fn panic_message_reads_both_payload_kinds() {
        let literal = panic::catch_unwind(|| panic!("plain")).unwrap_err();
        let formatted = panic::catch_unwind(|| panic!("n = {}", 7)).unwrap_err();
        assert_eq!(panic_message(&*literal), "plain");
        assert_eq!(panic_message(&*formatted), "n = 7");
    }
}
