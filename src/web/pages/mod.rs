//! The web console of SPEC §5.3: server-rendered maud pages over the same `Desk` the API and
//! the CLI use.
//!
//! **Architecture Invariant:** no rule lives here. Pages read the domain's read models and call
//! the tasks; every decision (validation, which customers a task affects and why, what a filter
//! means, whether a number was typed) comes from `domain` or `tasks`, with their wording.
//!
//! Conventions:
//! - every state change is a `POST` form (the server refuses cross-origin POSTs); a successful
//!   change answers `303 See Other` to a `GET` page with a flash *code* in the query
//!   (`?done=saved`), which the page turns into a fixed sentence, so no request text is echoed;
//! - a rejected form is rendered again with the status of `app::status_of`, each field error
//!   next to its field and every typed value kept;
//! - `Location` headers are only ever paths built here from ids and fixed words;
//! - no inline script or style (the CSP forbids them): `/static/style.css` and
//!   `/static/app.js` are embedded files, and the script is progressive enhancement only.
//!
//! Routes: the table in `routes.rs` (`HEAD` is answered wherever `GET` is).

mod admin;
mod customers;
mod detail;
mod forms;
mod layout;
pub(crate) mod multipart;
mod routes;
mod runs;
mod runway;
mod tasks;

use super::app::App;
use super::http::{Request, Response};
use routes::Found;
pub use routes::{Route, Seg, Verb, ROUTES};

const STYLE: &str = include_str!("style.css");
const SCRIPT: &str = include_str!("app.js");

/// Answers every console request (everything outside `/api/`).
pub fn handle(app: &App, req: &Request) -> Response {
    let segments = req.segments();
    match routes::find(req.method, &segments) {
        Found::Route(route, args) => route.answer(app, req, &args),
        Found::Allow(allow) => layout::message_page(
            app,
            405,
            "Method not allowed",
            &format!("This address answers {allow} only."),
            ("/", "Back to the customer list"),
        )
        .with_header("Allow", allow),
        Found::Unknown => layout::message_page(
            app,
            404,
            "Page not found",
            "There is no page at this address. It may have been removed, or the link is mistyped.",
            ("/", "Back to the customer list"),
        ),
    }
}
