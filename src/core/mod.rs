//! The core: domain, rules and every task, once. It knows nothing of HTTP, argh or bincode.

pub mod bulk;
pub mod catalogs;
pub mod check;
pub mod customers;
pub mod date;
pub mod demo;
pub mod derive;
pub mod desk;
pub mod error;
pub mod filter;
pub mod holdings;
pub mod limits;
pub mod model;
pub mod outbox;
pub mod summary;
pub mod time_zones;
pub mod validate;
pub mod view;
