//! The `pos-host` command line.

mod cli;

use std::process::ExitCode;

// A search's rows become a hundred customers' strings on a blocking thread and are freed
// on a runtime thread; glibc's allocator is at its slowest handing memory across threads
// (a quarter of a search's samples in malloc and free). mimalloc made the whole search step a
// fifth faster (docs/benchmarks.md). SQLite's own allocations stay with glibc
// (`tune_allocator`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    pos_host::store::tune_allocator();
    match cli::try_main() {
        Ok(code) => code,
        Err(error) => {
            // One problem per line, each marked, when there are several (a policy's).
            for line in format!("{error:#}").lines() {
                eprintln!("error: {line}");
            }
            ExitCode::FAILURE
        }
    }
}
