//! The thread pool of the Rust Book's final design: a fixed set of workers, each looping on a
//! shared `mpsc::Receiver` behind a `Mutex`, running boxed closures. Dropping the pool closes
//! the channel and joins every worker.

use std::sync::{mpsc, Arc, Mutex};
use std::thread;

/// A unit of work: any closure that can move to another thread and run once.
type Job = Box<dyn FnOnce() + Send + 'static>;

/// A fixed number of threads running jobs sent to them through one channel.
pub struct ThreadPool {
    workers: Vec<Worker>,
    // An `Option` so that `drop` can close the channel before it joins the workers.
    sender: Option<mpsc::Sender<Job>>,
}

impl ThreadPool {
    /// Starts `size` workers.
    ///
    /// # Panics
    ///
    /// If `size` is zero: a pool with no threads would accept jobs and never run them.
    pub fn new(size: usize) -> ThreadPool {
        assert!(size > 0, "a thread pool needs at least one thread");
        let (sender, receiver) = mpsc::channel();
        // Every worker takes jobs from the same receiver, so they share it behind a lock.
        let receiver = Arc::new(Mutex::new(receiver));
        let workers = (0..size)
            .map(|id| Worker::new(id, Arc::clone(&receiver)))
            .collect();
        ThreadPool {
            workers,
            sender: Some(sender),
        }
    }

    /// Queues `f` for the next free worker.
    pub fn execute<F>(&self, f: F)
    where
        F: FnOnce() + Send + 'static,
    {
        let job: Job = Box::new(f);
        if let Some(sender) = &self.sender {
            // Sending fails only when every worker has exited, and they exit only on drop.
            let _ = sender.send(job);
        }
    }
}

impl Drop for ThreadPool {
    fn drop(&mut self) {
        // Closing the channel makes each worker's `recv` fail, which ends its loop.
        drop(self.sender.take());
        for worker in &mut self.workers {
            if let Some(thread) = worker.thread.take() {
                let _ = thread.join();
            }
        }
    }
}

/// One thread of the pool and the handle to join it by.
struct Worker {
    thread: Option<thread::JoinHandle<()>>,
}

impl Worker {
    fn new(id: usize, receiver: Arc<Mutex<mpsc::Receiver<Job>>>) -> Worker {
        let thread = thread::Builder::new()
            .name(format!("worker-{id}"))
            .spawn(move || loop {
                // The lock guard is a temporary of this statement, so it is released before
                // the job runs and the other workers can wait for the next job meanwhile.
                let message = receiver
                    .lock()
                    .expect("no job panics while holding the lock")
                    .recv();
                match message {
                    Ok(job) => job(),
                    Err(_) => break,
                }
            })
            .expect("spawn a worker thread");
        Worker {
            thread: Some(thread),
        }
    }
}
