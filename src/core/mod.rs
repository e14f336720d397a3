//! The core: domain, rules and every task, once. It knows nothing of HTTP, argh or bincode.

pub mod date;
pub mod derive;
pub mod error;
pub mod filter;
pub mod model;
pub mod summary;
pub mod validate;
