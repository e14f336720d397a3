//! The `clientele` executable: everything lives in the library; see `cli::run`.

use std::process::ExitCode;

/// mimalloc (see Cargo.toml for why). Set here, not in the library, so that the fuzz targets
/// keep the allocator their sanitizer watches.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    no_huge_pages();
    // args_os: a file name that is not UTF-8 gets a clear message instead of a panic.
    clientele::cli::run(std::env::args_os())
}

/// Memory is taken in 4 KiB pages whatever the system's transparent huge page setting: with
/// "always", the allocator's arenas would be backed by 2 MiB pages and a million-row import
/// would pass its 256 MiB. (mimalloc's `no_thp` only stops it asking for them.)
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE only sets a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
