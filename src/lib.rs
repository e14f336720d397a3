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
