//! Work that must not compete with the calls serving the operator runs on threads of its
//! own at a lower CPU priority: compiling a component (a cold compile keeps both cores busy
//! for a fraction of a second), and releasing a retired plugin version (freeing its code
//! and resetting the pooled memories it used takes long enough to stall a call if done in
//! one). When nothing else runs, the lower priority costs nothing.

use std::sync::OnceLock;

/// How much lower than the host's other threads (Linux `nice`).
const NICENESS: i32 = 5;

static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();

/// Runs `work`, and the parallel compilation inside it, on the background threads.
pub fn run<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    match POOL.get_or_init(build) {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

/// Drops `value` on a background thread.
pub fn release<T: Send + 'static>(value: T) {
    match POOL.get_or_init(build) {
        Some(pool) => pool.spawn(move || drop(value)),
        None => drop(value),
    }
}

fn build() -> Option<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("pos-host-background-{i}"))
        .start_handler(|_| lower_priority())
        .build()
        .map_err(|error| tracing::warn!("background work runs on the calling thread: {error}"))
        .ok()
}

fn lower_priority() {
    // On Linux the nice value belongs to the thread, and `who = 0` is the calling thread.
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only changes the scheduling weight of the calling thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, NICENESS);
    }
}
