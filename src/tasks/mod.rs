//! The tasks: every job of the Customers screen, once, over the store. The faces (CLI, API,
//! console) only translate their input into these calls and the answers into their output.

pub mod bulk;
pub mod catalogs;
pub mod check;
pub mod csv;
pub mod customers;
pub mod desk;
pub mod hits;
pub mod holdings;
mod import_rows;
pub mod in_order;
pub mod load;
pub mod outbox;
pub mod runs;
