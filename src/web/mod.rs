//! The web interface: the only code that knows HTTP.
//!
//! `server` owns the socket, the worker threads and every check that comes before a handler
//! (limits, Host, cross-origin, token and sessions, security headers); `http` holds the small
//! request and response types the router and handlers work with.

pub mod api;
pub mod app;
pub mod http;
pub mod imports;
pub mod pages;
pub mod serve;
pub mod server;

pub use serve::{serve_command, ServeOptions, Tuning};
