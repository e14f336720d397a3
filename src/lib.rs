//! clientele: an offline customer desk for managed service providers.

pub mod cli;
pub mod core;
pub mod csv_io;
pub mod store;
pub mod web;

#[doc(hidden)]
pub mod fuzzing;
