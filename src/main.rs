//! The `clientele` executable: everything lives in the library; see `cli::run`.

use std::process::ExitCode;

fn main() -> ExitCode {
    // args_os: a file name that is not UTF-8 gets a clear message instead of a panic.
    clientele::cli::run(std::env::args_os())
}
