//! The `pos-host` command line.

mod cli;

use std::process::ExitCode;

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
