//! The console's one route table: dispatch and the `Allow` header of a 405 both read it, so
//! a path cannot be answered without being listed, nor listed without being answered.

use super::layout::Reply;
use super::{admin, customers, detail, forms, runs, runway, tasks, SCRIPT, STYLE};
use crate::tasks::holdings::Holding;
use crate::web::app::App;
use crate::web::http::{Method, Request, Response};

/// One segment of a route's path.
#[derive(Clone, Copy, Debug)]
pub enum Seg {
    /// Exactly this word.
    Word(&'static str),
    /// Any segment, handed to the handler (the name is for the table's text form).
    Var(&'static str),
    /// One of these words, handed to the handler.
    OneOf(&'static [&'static str]),
    /// `{name}` followed by this ending, handed to the handler whole.
    File(&'static str, &'static str),
}

/// `GET` routes answer `HEAD` too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
}

/// A handler gets the segments its path hands on, in order.
type Handler = fn(&App, &Request, &[&str]) -> Reply;

pub struct Route {
    pub verb: Verb,
    pub path: &'static [Seg],
    handler: Handler,
}

impl Route {
    /// The route's answer: the page, or the page its handler stopped at.
    pub fn answer(&self, app: &App, req: &Request, args: &[&str]) -> Response {
        (self.handler)(app, req, args).unwrap_or_else(|stop| stop)
    }

    /// The segments handed on, when `segments` is this route's path.
    fn captures<'s>(&self, segments: &[&'s str]) -> Option<Vec<&'s str>> {
        if segments.len() != self.path.len() {
            return None;
        }
        let mut out = Vec::new();
        for (seg, s) in self.path.iter().zip(segments) {
            match *seg {
                Seg::Word(w) if w == *s => {}
                Seg::Var(_) => out.push(*s),
                Seg::OneOf(words) if words.contains(s) => out.push(*s),
                Seg::File(_, ending) if s.ends_with(ending) => out.push(*s),
                _ => return None,
            }
        }
        Some(out)
    }

    /// The path as the documentation writes it: `/customers/{id}/{suspend|reactivate}`.
    pub fn pattern(&self) -> String {
        let parts: Vec<String> = self
            .path
            .iter()
            .map(|seg| match seg {
                Seg::Word(w) => w.to_string(),
                Seg::Var(name) => format!("{{{name}}}"),
                Seg::OneOf(words) => format!("{{{}}}", words.join("|")),
                Seg::File(name, ending) => format!("{{{name}}}{ending}"),
            })
            .collect();
        format!("/{}", parts.join("/"))
    }
}

const fn get(path: &'static [Seg], handler: Handler) -> Route {
    Route {
        verb: Verb::Get,
        path,
        handler,
    }
}

const fn post(path: &'static [Seg], handler: Handler) -> Route {
    Route {
        verb: Verb::Post,
        path,
        handler,
    }
}

use Seg::{File, OneOf, Var, Word};

/// The path words of a customer's holdings.
const HOLDINGS: &[&str] = &["licenses", "devices", "events"];

/// The holding a path word of `HOLDINGS` names.
fn holding(word: &str) -> Holding {
    match word {
        "licenses" => Holding::Licence,
        "devices" => Holding::Device,
        _ => Holding::Event,
    }
}

/// Every console route. The first whose path and verb fit answers, so `/customers/new`
/// stands before `/customers/{id}`.
pub static ROUTES: &[Route] = &[
    get(&[], |app, req, _| customers::list(app, req)),
    get(&[Word("customers")], |app, req, _| {
        customers::list(app, req)
    }),
    post(&[Word("customers")], |app, req, _| forms::create(app, req)),
    get(&[Word("customers"), Word("new")], |app, _, _| {
        forms::new_form(app)
    }),
    get(&[Word("customers"), Var("id")], |app, req, a| {
        detail::page(app, req, a[0])
    }),
    post(&[Word("customers"), Var("id")], |app, req, a| {
        forms::update(app, req, a[0])
    }),
    get(
        &[Word("customers"), Var("id"), Word("edit")],
        |app, _, a| forms::edit_form(app, a[0]),
    ),
    post(
        &[
            Word("customers"),
            Var("id"),
            OneOf(&["suspend", "reactivate"]),
        ],
        |app, _, a| detail::set_status(app, a[0], a[1]),
    ),
    post(
        &[Word("customers"), Var("id"), OneOf(HOLDINGS)],
        |app, req, a| detail::add(app, req, a[0], holding(a[1])),
    ),
    post(
        &[Word("customers"), Var("id"), Word("licenses"), Var("lid")],
        |app, req, a| detail::edit_license(app, req, a[0], a[1]),
    ),
    post(
        &[Word("customers"), Var("id"), Word("devices"), Var("did")],
        |app, req, a| detail::edit_device(app, req, a[0], a[1]),
    ),
    post(
        &[
            Word("customers"),
            Var("id"),
            OneOf(&["licenses", "devices"]),
            Var("item"),
            Word("remove"),
        ],
        |app, _, a| detail::act(app, a[0], holding(a[1]), a[2], "remove"),
    ),
    post(
        &[
            Word("customers"),
            Var("id"),
            Word("events"),
            Var("eid"),
            OneOf(&["resolve", "reopen", "remove"]),
        ],
        |app, _, a| detail::act(app, a[0], Holding::Event, a[1], a[2]),
    ),
    post(&[Word("tasks"), Var("name")], |app, req, a| {
        tasks::preview(app, req, a[0])
    }),
    post(&[Word("tasks"), Var("name"), Word("run")], |app, req, a| {
        tasks::run(app, req, a[0])
    }),
    post(&[Word("export")], |app, req, _| {
        customers::export_selected(app, req)
    }),
    get(&[Word("export.csv")], |app, req, _| {
        customers::export_all(app, req)
    }),
    get(&[Word("runway")], |app, _, _| runway::page(app)),
    get(&[Word("runs")], |app, req, _| runs::list(app, req)),
    get(&[Word("runs"), Var("id")], |app, req, a| {
        runs::page(app, req, a[0])
    }),
    get(&[Word("settings")], |app, req, _| admin::settings(app, req)),
    post(&[Word("settings")], |app, req, _| {
        admin::save_settings(app, req)
    }),
    get(&[Word("plans")], |app, req, _| admin::plans(app, req)),
    post(&[Word("plans")], |app, req, _| admin::add_plan(app, req)),
    get(&[Word("plans"), Var("id")], |app, req, a| {
        admin::plan_page(app, req, a[0])
    }),
    post(&[Word("plans"), Var("id")], |app, req, a| {
        admin::save_plan(app, req, a[0])
    }),
    post(&[Word("plans"), Var("id"), Word("remove")], |app, _, a| {
        admin::remove_plan(app, a[0])
    }),
    get(&[Word("templates")], |app, req, _| {
        admin::templates(app, req)
    }),
    post(&[Word("templates")], |app, req, _| {
        admin::add_template(app, req)
    }),
    get(&[Word("templates"), Word("edit")], |app, req, _| {
        admin::template_page(app, req)
    }),
    post(&[Word("templates"), Word("edit")], |app, req, _| {
        admin::save_template(app, req)
    }),
    post(&[Word("templates"), Word("remove")], |app, req, _| {
        admin::remove_template(app, req)
    }),
    get(&[Word("firmware")], |app, req, _| admin::firmware(app, req)),
    post(&[Word("firmware")], |app, req, _| {
        admin::set_firmware(app, req)
    }),
    post(&[Word("firmware"), Word("remove")], |app, req, _| {
        admin::remove_firmware(app, req)
    }),
    get(&[Word("outbox")], |app, req, _| admin::outbox(app, req)),
    get(&[Word("outbox"), File("id", ".eml")], |app, _, a| {
        admin::eml(app, a[0])
    }),
    post(&[Word("outbox"), Var("id"), Word("remove")], |app, _, a| {
        admin::remove_outbox(app, a[0])
    }),
    get(&[Word("audit")], |app, req, _| admin::audit(app, req)),
    get(&[Word("check")], |app, req, _| admin::check(app, req)),
    get(&[Word("import")], |app, req, _| {
        admin::import_page(app, req)
    }),
    post(&[Word("import")], |app, req, _| admin::import(app, req)),
    get(&[Word("import"), Var("job")], |app, req, a| {
        admin::import_job(app, req, a[0])
    }),
    get(&[Word("static"), Word("style.css")], |_, _, _| {
        Ok(Response::new(
            200,
            "text/css; charset=utf-8",
            STYLE.as_bytes().to_vec(),
        ))
    }),
    get(&[Word("static"), Word("app.js")], |_, _, _| {
        Ok(Response::new(
            200,
            "text/javascript; charset=utf-8",
            SCRIPT.as_bytes().to_vec(),
        ))
    }),
];

/// What the table makes of a request.
pub enum Found<'r> {
    /// The route that answers, with the segments it hands on.
    Route(&'static Route, Vec<&'r str>),
    /// The path is known but not for this method: the fixed `Allow` value.
    Allow(&'static str),
    /// No route has this path.
    Unknown,
}

pub fn find<'r>(method: Method, segments: &[&'r str]) -> Found<'r> {
    let verb = match method {
        Method::Get | Method::Head => Some(Verb::Get),
        Method::Post => Some(Verb::Post),
        _ => None,
    };
    let (mut get, mut post) = (false, false);
    for route in ROUTES {
        if let Some(args) = route.captures(segments) {
            if Some(route.verb) == verb {
                return Found::Route(route, args);
            }
            match route.verb {
                Verb::Get => get = true,
                Verb::Post => post = true,
            }
        }
    }
    match (get, post) {
        (true, true) => Found::Allow("GET, HEAD, POST"),
        (true, false) => Found::Allow("GET, HEAD"),
        (false, true) => Found::Allow("POST"),
        (false, false) => Found::Unknown,
    }
}
