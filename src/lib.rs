//! clientele: an offline customer desk for managed service providers.
//!
//! Layers, each importing only those below it: `domain` → `store` → `tasks` → `demo` →
//! the faces `cli` and `web`. `tests/layers.rs` keeps it so.

pub mod cli;
pub mod demo;
pub mod domain;
pub mod store;
pub mod tasks;
pub mod web;

#[doc(hidden)]
pub mod fuzzing;

/// The allocator of the executable and of every test: mimalloc (see Cargo.toml for why).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
