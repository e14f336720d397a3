//! The web console of SPEC §5.3: server-rendered maud pages over the same `Desk` the API and
//! the CLI use.
//!
//! **Architecture Invariant:** no rule lives here. Pages read the core's read models and call
//! its tasks; every decision (validation, which customers a task affects and why, what a filter
//! means) comes from `core`, and every error message is the core's own wording.
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
//! Routes (`HEAD` is answered wherever `GET` is):
//! `GET /` and `GET /customers` (list) · `GET /customers/new` · `POST /customers` ·
//! `GET|POST /customers/{id}` · `GET /customers/{id}/edit` ·
//! `POST /customers/{id}/{suspend|reactivate}` · `POST /customers/{id}/licenses[/{lid}[/remove]]` ·
//! `POST /customers/{id}/devices[/{did}[/remove]]` ·
//! `POST /customers/{id}/events[/{eid}/{resolve|reopen|remove}]` ·
//! `POST /tasks/{name}` (preview) · `POST /tasks/{name}/run` · `POST /export` ·
//! `GET /export.csv` · `GET|POST /settings` · `GET|POST /plans` · `GET|POST /plans/{id}` ·
//! `POST /plans/{id}/remove` · `GET|POST /templates` · `GET|POST /templates/edit` ·
//! `POST /templates/remove` · `GET|POST /firmware` · `POST /firmware/remove` · `GET /outbox` ·
//! `GET /outbox/{id}.eml` · `POST /outbox/{id}/remove` · `GET /audit` · `GET|POST /import` ·
//! `GET /static/style.css` · `GET /static/app.js`.

mod admin;
mod customers;
mod detail;
mod forms;
mod layout;
pub(crate) mod multipart;
mod tasks;

use super::app::App;
use super::http::{Method, Request, Response};

const STYLE: &str = include_str!("style.css");
const SCRIPT: &str = include_str!("app.js");

/// Answers every console request (everything outside `/api/`).
pub fn handle(app: &App, req: &Request) -> Response {
    let segments = req.segments();
    let get = matches!(req.method, Method::Get | Method::Head);
    let post = req.method == Method::Post;
    let answer = match (segments.as_slice(), get, post) {
        ([], true, _) | (["customers"], true, _) => Some(customers::list(app, req)),
        (["customers"], _, true) => Some(forms::create(app, req)),
        (["customers", "new"], true, _) => Some(forms::new_form(app)),
        (["customers", id], true, _) => Some(detail::page(app, req, id)),
        (["customers", id], _, true) => Some(forms::update(app, req, id)),
        (["customers", id, "edit"], true, _) => Some(forms::edit_form(app, id)),
        (["customers", id, action @ ("suspend" | "reactivate")], _, true) => {
            Some(detail::set_status(app, id, action))
        }
        (["customers", id, "licenses"], _, true) => Some(detail::add_license(app, req, id)),
        (["customers", id, "licenses", lid], _, true) => {
            Some(detail::edit_license(app, req, id, lid))
        }
        (["customers", id, "licenses", lid, "remove"], _, true) => {
            Some(detail::remove_license(app, id, lid))
        }
        (["customers", id, "devices"], _, true) => Some(detail::add_device(app, req, id)),
        (["customers", id, "devices", did], _, true) => {
            Some(detail::edit_device(app, req, id, did))
        }
        (["customers", id, "devices", did, "remove"], _, true) => {
            Some(detail::remove_device(app, id, did))
        }
        (["customers", id, "events"], _, true) => Some(detail::add_event(app, req, id)),
        (["customers", id, "events", eid, action @ ("resolve" | "reopen" | "remove")], _, true) => {
            Some(detail::event_action(app, id, eid, action))
        }
        (["tasks", name], _, true) => Some(tasks::preview(app, req, name)),
        (["tasks", name, "run"], _, true) => Some(tasks::run(app, req, name)),
        (["export"], _, true) => Some(customers::export_selected(app, req)),
        (["export.csv"], true, _) => Some(customers::export_all(app, req)),
        (["settings"], true, _) => Some(admin::settings(app, req)),
        (["settings"], _, true) => Some(admin::save_settings(app, req)),
        (["plans"], true, _) => Some(admin::plans(app, req)),
        (["plans"], _, true) => Some(admin::add_plan(app, req)),
        (["plans", id], true, _) => Some(admin::plan_page(app, req, id)),
        (["plans", id], _, true) => Some(admin::save_plan(app, req, id)),
        (["plans", id, "remove"], _, true) => Some(admin::remove_plan(app, id)),
        (["templates"], true, _) => Some(admin::templates(app, req)),
        (["templates"], _, true) => Some(admin::add_template(app, req)),
        (["templates", "edit"], true, _) => Some(admin::template_page(app, req)),
        (["templates", "edit"], _, true) => Some(admin::save_template(app, req)),
        (["templates", "remove"], _, true) => Some(admin::remove_template(app, req)),
        (["firmware"], true, _) => Some(admin::firmware(app, req)),
        (["firmware"], _, true) => Some(admin::set_firmware(app, req)),
        (["firmware", "remove"], _, true) => Some(admin::remove_firmware(app, req)),
        (["outbox"], true, _) => Some(admin::outbox(app, req)),
        (["outbox", file], true, _) if file.ends_with(".eml") => Some(admin::eml(app, file)),
        (["outbox", id, "remove"], _, true) => Some(admin::remove_outbox(app, id)),
        (["audit"], true, _) => Some(admin::audit(app, req)),
        (["import"], true, _) => Some(admin::import_page(app, req)),
        (["import"], _, true) => Some(admin::import(app, req)),
        (["static", "style.css"], true, _) => Some(Response::new(
            200,
            "text/css; charset=utf-8",
            STYLE.as_bytes().to_vec(),
        )),
        (["static", "app.js"], true, _) => Some(Response::new(
            200,
            "text/javascript; charset=utf-8",
            SCRIPT.as_bytes().to_vec(),
        )),
        _ => None,
    };
    match answer {
        Some(response) => response,
        None => match allowed(&segments) {
            Some(allow) => layout::message_page(
                app,
                405,
                "Method not allowed",
                &format!("This address answers {allow} only."),
                ("/", "Back to the customer list"),
            )
            .with_header("Allow", allow),
            None => layout::message_page(
                app,
                404,
                "Page not found",
                "There is no page at this address. It may have been removed, or the link is mistyped.",
                ("/", "Back to the customer list"),
            ),
        },
    }
}

/// The methods a known path answers, for a 405 with a fixed `Allow` header.
fn allowed(segments: &[&str]) -> Option<&'static str> {
    const GET: &str = "GET, HEAD";
    const POST: &str = "POST";
    const BOTH: &str = "GET, HEAD, POST";
    Some(match segments {
        []
        | ["customers", "new"]
        | ["customers", _, "edit"]
        | ["export.csv"]
        | ["outbox"]
        | ["audit"]
        | ["static", "style.css" | "app.js"] => GET,
        ["customers"]
        | ["customers", _]
        | ["settings"]
        | ["plans"]
        | ["plans", _]
        | ["templates"]
        | ["templates", "edit"]
        | ["firmware"]
        | ["import"] => BOTH,
        ["customers", _, "suspend" | "reactivate" | "licenses" | "devices" | "events"]
        | ["customers", _, "licenses" | "devices", _]
        | ["customers", _, "licenses" | "devices", _, "remove"]
        | ["customers", _, "events", _, "resolve" | "reopen" | "remove"]
        | ["tasks", _]
        | ["tasks", _, "run"]
        | ["export"]
        | ["plans", _, "remove"]
        | ["templates", "remove"]
        | ["firmware", "remove"]
        | ["outbox", _, "remove"] => POST,
        ["outbox", file] if file.ends_with(".eml") => GET,
        _ => return None,
    })
}
