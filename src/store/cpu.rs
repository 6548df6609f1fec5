//! One thread in the process for the store's heavy work: reading a policy whole, applying
//! rows to a copy of it, compiling it.
//!
//! A policy is many small allocations. Made on whichever of the async runtime's threads a
//! step happens to run on, each copy is freed into that thread's allocator arena, and a
//! process that catches up often keeps several copies' worth of memory resident (an
//! instance at 100,000 users grew to 440 MiB for a 57 MiB policy and a 12 MiB authorizer).
//! On one thread, every copy reuses one arena; and the runtime is not held up by a
//! compile of hundreds of milliseconds.

use std::sync::OnceLock;
use std::sync::mpsc::Sender;

type Job = Box<dyn FnOnce() + Send>;

/// The thread's queue; `None` if the operating system refused the thread.
fn queue() -> Option<&'static Sender<Job>> {
    static QUEUE: OnceLock<Option<Sender<Job>>> = OnceLock::new();
    QUEUE
        .get_or_init(|| {
            let (jobs, queue) = std::sync::mpsc::channel::<Job>();
            std::thread::Builder::new()
                .name("permatrix-store".to_string())
                .spawn(move || {
                    for job in queue {
                        job();
                    }
                })
                .ok()?;
            Some(jobs)
        })
        .as_ref()
}

/// Runs `job` on the store's thread and waits for its result, without holding up the
/// async runtime; where the operating system refused the thread, runs it here. `None` if
/// the job was lost (it panicked, and the thread with it).
pub(crate) async fn run<T: Send + 'static>(job: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let Some(jobs) = queue() else {
        return Some(job());
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    jobs.send(Box::new(move || {
        let _ = tx.send(job());
    }))
    .ok()?;
    rx.await.ok()
}
