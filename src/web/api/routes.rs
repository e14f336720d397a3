//! The API's one route table: each row is a path template, a method, the handler and the
//! operation's description. The router ([`super::handle`]), the `Allow` header of a 405 and
//! the paths of the OpenAPI document all read it, so they cannot disagree.

use super::openapi::{
    cid, customer_id_param, export_params, filter_params, gone, id, json_content, list, one, op,
    paging, path_param, query_param, task_op, yes_no_param, Op,
};
use super::*;
use crate::web::http::Method::{self, Delete, Get, Head, Patch, Post, Put};

/// A handler gets the path's `{param}` segments in template order.
type Handler = fn(&App, &Request, &[&str]) -> Answer;

/// One operation of the API.
pub struct Route {
    /// The path in OpenAPI template form, e.g. `/api/customers/{id}`.
    pub path: &'static str,
    pub method: Method,
    handler: Handler,
    /// The OpenAPI operation (built when the document is).
    doc: fn() -> Op,
}

const fn route(path: &'static str, method: Method, handler: Handler, doc: fn() -> Op) -> Route {
    Route {
        path,
        method,
        handler,
        doc,
    }
}

/// `POST /api/tasks/{name}` for one bulk task.
macro_rules! task {
    ($name:literal) => {
        route(
            concat!("/api/tasks/", $name),
            Post,
            |a, r, _| run_task(a, r, $name),
            || task_op($name),
        )
    };
}

/// Every operation of the API. A path's rows are adjacent; where two templates match the same
/// path (`{id}.eml` and `{id}`), the earlier one wins.
pub static ROUTES: &[Route] = &[
    route(
        "/api/customers",
        Get,
        |a, r, _| list_customers(a, r),
        || {
            op(
                "List customers (filters of SPEC §3, under the view setting)",
                (
                    200,
                    "a page of customers and the number of all matches",
                    one("Page"),
                ),
            )
            .params(filter_params())
        },
    ),
    route(
        "/api/customers",
        Post,
        |a, r, _| add_customer(a, r),
        || {
            op("Add a customer", (201, "the new customer", one("Customer")))
                .json_body("CustomerCreate")
                .errors(&[409])
        },
    ),
    route(
        "/api/customers.csv",
        Get,
        |a, r, _| export_csv(a, r),
        || {
            op(
            "Export customers as CSV (SPEC §4): the given ids, or every match of the filters under the view setting, in id order",
            (200, "the CSV file, downloaded as customers-YYYY-MM-DD.csv (the desk's today)", Some(("text/csv", json!({ "type": "string" })))),
        )
        .params(export_params())
        .errors(&[404])
        },
    ),
    route(
        "/api/customers/{id}",
        Get,
        |a, r, p| customer_detail(a, r, p[0]),
        || {
            op(
                "A customer with devices, events, policy lists and history",
                (200, "the customer", one("CustomerDetail")),
            )
            .params(cid())
            .errors(&[404])
        },
    ),
    route(
        "/api/customers/{id}",
        Patch,
        |a, r, p| edit_customer(a, r, p[0]),
        || {
            op(
                "Edit a customer: given fields change, others keep their value",
                (200, "the customer as stored", one("Customer")),
            )
            .params(cid())
            .json_body("CustomerPatch")
            .errors(&[404, 409])
        },
    ),
    route(
        "/api/customers/{id}",
        Delete,
        |a, r, p| delete_customer(a, r, p[0]),
        || {
            op(
                "Delete a CLP customer without licences (the bulk delete task on one id)",
                gone(),
            )
            .params(cid())
            .errors(&[404, 409])
        },
    ),
    route(
        "/api/customers/{id}/licenses",
        Get,
        |a, r, p| customer_licenses(a, r, p[0]),
        || {
            op(
                "A customer's licences",
                (200, "the licences", list("License")),
            )
            .params(cid())
            .errors(&[404])
        },
    ),
    route(
        "/api/customers/{id}/licenses",
        Post,
        |a, r, p| add_license(a, r, p[0]),
        || {
            op(
                "Assign a plan to a customer",
                (201, "the new licence", one("License")),
            )
            .params(cid())
            .json_body("LicenseCreate")
            .errors(&[404, 409])
        },
    ),
    route(
        "/api/customers/{id}/devices",
        Get,
        |a, r, p| customer_devices(a, r, p[0]),
        || {
            op(
                "A customer's Cloud Edge devices",
                (200, "the devices", list("Device")),
            )
            .params(cid())
            .errors(&[404])
        },
    ),
    route(
        "/api/customers/{id}/devices",
        Post,
        |a, r, p| add_device(a, r, p[0]),
        || {
            op(
                "Add a Cloud Edge device",
                (201, "the new device", one("Device")),
            )
            .params(cid())
            .json_body("DeviceCreate")
            .errors(&[404, 409])
        },
    ),
    route(
        "/api/customers/{id}/events",
        Get,
        |a, r, p| customer_events(a, r, p[0]),
        || {
            op(
                "A customer's events, newest first",
                (200, "the events", list("Event")),
            )
            .params(vec![
                customer_id_param(),
                yes_no_param("open", "yes: only open events"),
            ])
            .errors(&[404])
        },
    ),
    route(
        "/api/customers/{id}/events",
        Post,
        |a, r, p| add_event(a, r, p[0]),
        || {
            op("Record an event", (201, "the new event", one("Event")))
                .params(cid())
                .json_body("EventCreate")
                .errors(&[404, 409])
        },
    ),
    task!("delete"),
    task!("assign-template"),
    task!("deploy-policy"),
    task!("update-firmware"),
    task!("renew"),
    task!("suspend"),
    task!("reactivate"),
    route(
        "/api/import",
        Post,
        |a, r, _| import_csv(a, r),
        || {
            op(
                "Import customers from CSV (SPEC §4): upsert by account_name, all rows or none",
                (200, "what was (or, in a dry run, would be) created, updated, left unchanged; a dry run also lists rejected rows", one("ImportReport")),
            )
            .csv_body()
        .params(vec![
            yes_no_param("dry_run", "report what would happen and write nothing"),
            yes_no_param("raw", "take cells exactly as written (a leading ' stays), for files exported with raw=yes"),
            ])
            .errors(&[409])
        },
    ),
    route(
        "/api/settings",
        Get,
        |a, r, _| settings(a, r),
        || op("The view setting", (200, "the settings", one("Settings"))),
    ),
    route(
        "/api/settings",
        Put,
        |a, r, _| set_settings(a, r),
        || {
            op(
                "Change the view setting (all, or managed customers only)",
                (200, "the settings", one("Settings")),
            )
            .json_body("SettingsUpdate")
            .errors(&[409])
        },
    ),
    route(
        "/api/plans",
        Get,
        |a, r, _| no_query(r).and_then(|()| ok(&a.desk.plans()?)),
        || op("Service plans, by name", (200, "the plans", list("Plan"))),
    ),
    route(
        "/api/plans",
        Post,
        |a, r, _| add_plan(a, r),
        || {
            op("Add a service plan", (201, "the new plan", one("Plan")))
                .json_body("PlanCreate")
                .errors(&[409])
        },
    ),
    route(
        "/api/plans/{id}",
        Get,
        |a, r, p| plan(a, r, p[0]),
        || {
            op("A service plan", (200, "the plan", one("Plan")))
                .params(id("the plan's id"))
                .errors(&[404])
        },
    ),
    route(
        "/api/plans/{id}",
        Patch,
        |a, r, p| edit_plan(a, r, p[0]),
        || {
            op(
                "Edit a service plan",
                (200, "the plan as stored", one("Plan")),
            )
            .params(id("the plan's id"))
            .json_body("PlanPatch")
            .errors(&[404, 409])
        },
    ),
    route(
        "/api/plans/{id}",
        Delete,
        |a, r, p| remove_plan(a, r, p[0]),
        || {
            op("Remove a plan no customer holds", gone())
                .params(id("the plan's id"))
                .errors(&[404, 409])
        },
    ),
    route(
        "/api/templates",
        Get,
        |a, r, _| no_query(r).and_then(|()| ok(&a.desk.templates()?)),
        || {
            op(
                "Product templates",
                (200, "the templates", list("Template")),
            )
        },
    ),
    route(
        "/api/templates",
        Post,
        |a, r, _| add_template(a, r),
        || {
            op(
                "Add a product template",
                (201, "the new template", one("Template")),
            )
            .json_body("TemplateCreate")
            .errors(&[409])
        },
    ),
    route(
        "/api/templates/{name}",
        Get,
        |a, r, p| no_query(r).and_then(|()| ok(&a.desk.template(p[0])?)),
        || {
            op("A product template", (200, "the template", one("Template")))
                .params(vec![path_param("name", "the template's name")])
                .errors(&[404])
        },
    ),
    route(
        "/api/templates/{name}",
        Patch,
        |a, r, p| edit_template(a, r, p[0]),
        || {
            op(
                "Change a template's settings",
                (200, "the template as stored", one("Template")),
            )
            .params(vec![path_param("name", "the template's name")])
            .json_body("TemplatePatch")
            .errors(&[404, 409])
        },
    ),
    route(
        "/api/templates/{name}",
        Delete,
        |a, r, p| remove_template(a, r, p[0]),
        || {
            op("Remove a template no customer uses", gone())
                .params(vec![path_param("name", "the template's name")])
                .errors(&[404, 409])
        },
    ),
    route(
        "/api/licenses/{id}",
        Patch,
        |a, r, p| edit_license(a, r, p[0]),
        || {
            op(
                "Edit a licence",
                (200, "the licence as stored", one("License")),
            )
            .params(id("the licence's id"))
            .json_body("LicensePatch")
            .errors(&[404, 409])
        },
    ),
    route(
        "/api/licenses/{id}",
        Delete,
        |a, r, p| remove_license(a, r, p[0]),
        || {
            op("Remove a licence", gone())
                .params(id("the licence's id"))
                .errors(&[404, 409])
        },
    ),
    route(
        "/api/devices",
        Get,
        |a, r, _| devices(a, r),
        || {
            op("Cloud Edge devices", (200, "the devices", list("Device")))
                .params(vec![query_param(
                    "customer",
                    json!({ "type": "integer", "minimum": 0, "maximum": u64::MAX }),
                    "only this customer's devices",
                )])
                .errors(&[404])
        },
    ),
    route(
        "/api/devices/{id}",
        Patch,
        |a, r, p| edit_device(a, r, p[0]),
        || {
            op(
                "Edit a device",
                (200, "the device as stored", one("Device")),
            )
            .params(id("the device's id"))
            .json_body("DevicePatch")
            .errors(&[404, 409])
        },
    ),
    route(
        "/api/devices/{id}",
        Delete,
        |a, r, p| remove_device(a, r, p[0]),
        || {
            op("Remove a device", gone())
                .params(id("the device's id"))
                .errors(&[404, 409])
        },
    ),
    route(
        "/api/events",
        Get,
        |a, r, _| events(a, r),
        || {
            op("Events, newest first", (200, "the events", list("Event")))
                .params(vec![
                    query_param(
                        "customer",
                        json!({ "type": "integer", "minimum": 0, "maximum": u64::MAX }),
                        "only this customer's events",
                    ),
                    yes_no_param("open", "yes: only open events"),
                ])
                .errors(&[404])
        },
    ),
    route(
        "/api/events/{id}",
        Delete,
        |a, r, p| remove_event(a, r, p[0]),
        || {
            op("Remove an event", gone())
                .params(id("the event's id"))
                .errors(&[404, 409])
        },
    ),
    route(
        "/api/events/{id}/resolve",
        Post,
        |a, r, p| set_event_open(a, r, p[0], false),
        || {
            op("Resolve an event", (200, "the event", one("Event")))
                .params(id("the event's id"))
                .errors(&[404, 409])
        },
    ),
    route(
        "/api/events/{id}/reopen",
        Post,
        |a, r, p| set_event_open(a, r, p[0], true),
        || {
            op("Reopen a resolved event", (200, "the event", one("Event")))
                .params(id("the event's id"))
                .errors(&[404, 409])
        },
    ),
    route(
        "/api/firmware",
        Get,
        |a, r, _| no_query(r).and_then(|()| ok(&a.desk.firmware()?)),
        || {
            op(
                "The latest firmware per device model",
                (200, "the catalogue", list("Firmware")),
            )
        },
    ),
    route(
        "/api/firmware/{model}",
        Put,
        |a, r, p| set_firmware(a, r, p[0]),
        || {
            op(
                "Set the latest firmware of a model",
                (200, "the entry", one("Firmware")),
            )
            .params(vec![path_param(
                "model",
                "the device model (1–64 characters)",
            )])
            .json_body("FirmwareSet")
            .errors(&[409])
        },
    ),
    route(
        "/api/firmware/{model}",
        Delete,
        |a, r, p| remove_firmware(a, r, p[0]),
        || {
            op("Remove a model from the catalogue", gone())
                .params(vec![path_param("model", "the device model")])
                .errors(&[404, 409])
        },
    ),
    route(
        "/api/outbox",
        Get,
        |a, r, _| no_query(r).and_then(|()| ok(&a.desk.outbox()?)),
        || {
            op(
                "Notifications waiting to be sent",
                (200, "the messages", list("OutboxMessage")),
            )
        },
    ),
    route(
        "/api/outbox/{id}.eml",
        Get,
        |a, r, p| outbox_eml(a, r, p[0]),
        || {
            op(
                "A notification as an RFC 5322 .eml file, downloaded as COMPANY-firmware-YYYY-MM-DD.eml (the company made file-name safe; RFC 6266 filename* keeps its own spelling)",
                (
                    200,
                    "the message",
                    Some(("message/rfc822", json!({ "type": "string" }))),
                ),
            )
            .params(id("the message's id"))
            .errors(&[404])
        },
    ),
    route(
        "/api/outbox/{id}",
        Get,
        |a, r, p| outbox_message(a, r, p[0]),
        || {
            op("A notification", (200, "the message", one("OutboxMessage")))
                .params(id("the message's id"))
                .errors(&[404])
        },
    ),
    route(
        "/api/outbox/{id}",
        Delete,
        |a, r, p| remove_outbox(a, r, p[0]),
        || {
            op("Remove a notification (once sent)", gone())
                .params(id("the message's id"))
                .errors(&[404, 409])
        },
    ),
    route(
        "/api/audit",
        Get,
        |a, r, _| audit(a, r),
        || {
            op(
                "The audit log, newest first",
                (200, "the entries", list("AuditEntry")),
            )
            .params(
                [
                    paging("entries", AUDIT_LIMIT, AUDIT_MAX),
                    vec![
                        query_param("customer", json!({ "type": "string", "minLength": 1 }), "only entries touching this customer: its id (also of a deleted customer) or its account name"),
                        query_param("task", json!({ "type": "string", "examples": crate::tasks::desk::audit_tasks() }), "only entries of this task, by the name the entries give (a name no entry has matches nothing)"),
                        query_param("from", json!({ "type": "string", "format": "date" }), "only entries from this UTC day on (YYYY-MM-DD, inclusive)"),
                        query_param("to", json!({ "type": "string", "format": "date" }), "only entries up to this UTC day (YYYY-MM-DD, inclusive; not before `from`)"),
                    ],
                ]
                .concat(),
            )
            .errors(&[404])
        },
    ),
    route(
        "/api/runs",
        Get,
        |a, r, _| task_runs(a, r),
        || {
            op(
                "Stored task runs, newest first",
                (200, "the runs", list("TaskRun")),
            )
            .params(paging("runs", RUNS_LIMIT, RUNS_MAX))
        },
    ),
    route(
        "/api/runs/{id}",
        Get,
        |a, r, p| task_run(a, r, p[0]),
        || {
            op(
                "A stored task run: what a confirmed bulk task did, customer by customer",
                (200, "the run", one("TaskRun")),
            )
            .params(id("the run's id (`run` of the task's answer)"))
            .errors(&[404])
        },
    ),
    route(
        "/api/runway",
        Get,
        |a, r, _| runway(a, r),
        || {
            op(
                "The renewal runway: licences expired and expiring in each of the next 12 months, and customers per attention category, each with the filter listing them",
                (200, "the runway", one("Runway")),
            )
        },
    ),
    route(
        "/api/check",
        Get,
        |a, r, _| check(a, r),
        || {
            op(
                "Read every stored record once and list those that cannot be read",
                (
                    200,
                    "the report (ok is false when any record cannot be read)",
                    one("CheckReport"),
                ),
            )
        },
    ),
    route(
        "/api/openapi.json",
        Get,
        |_, r, _| openapi_json(r),
        || {
            op(
                "This document",
                (
                    200,
                    "the OpenAPI 3.1 document",
                    json_content(json!({ "type": "object" })),
                ),
            )
        },
    ),
];

impl Route {
    /// The path parameters if the template matches the path segments (after `api`). A
    /// `{param}` segment matches any segment; `{param}.ext` any segment ending in `.ext`, and
    /// its parameter is the segment without the extension (possibly empty: the handler then
    /// names the missing id).
    fn params<'a>(&self, segments: &[&'a str]) -> Option<Vec<&'a str>> {
        let template: Vec<&str> = self.path.split('/').filter(|s| !s.is_empty()).collect();
        if template.len() != segments.len() + 1 {
            return None;
        }
        let mut params = Vec::new();
        for (t, s) in template[1..].iter().zip(segments) {
            match t.strip_prefix('{').and_then(|t| t.split_once('}')) {
                Some((_, "")) => params.push(*s),
                Some((_, suffix)) => params.push(s.strip_suffix(suffix)?),
                None if t == s => {}
                None => return None,
            }
        }
        Some(params)
    }

    /// The method as the OpenAPI document names it.
    pub fn openapi_method(&self) -> String {
        self.method.as_str().to_ascii_lowercase()
    }

    /// The operation's description.
    pub(super) fn operation(&self) -> Op {
        (self.doc)()
    }

    /// Runs the handler.
    pub(super) fn call(&self, app: &App, req: &Request, params: &[&str]) -> Answer {
        (self.handler)(app, req, params)
    }
}

/// What a path and method lead to.
pub(super) enum Found<'a> {
    Route(&'static Route, Vec<&'a str>),
    /// The path exists, with other methods: the `Allow` header's value.
    OtherMethods(String),
    NoPath,
}

/// Finds the route of a request: the first template matching the path, then its row for the
/// method (`HEAD` is answered wherever `GET` is; the server sends no body).
pub(super) fn find<'a>(method: Method, segments: &[&'a str]) -> Found<'a> {
    let method = match method {
        Method::Head => Get,
        m => m,
    };
    let Some((path, params)) = ROUTES
        .iter()
        .find_map(|r| r.params(segments).map(|p| (r.path, p)))
    else {
        return Found::NoPath;
    };
    match ROUTES.iter().find(|r| r.path == path && r.method == method) {
        Some(route) => Found::Route(route, params),
        None => Found::OtherMethods(allow(path)),
    }
}

/// The methods a path answers, as the `Allow` header lists them.
pub fn allow(path: &str) -> String {
    let mut methods = Vec::new();
    for m in [Get, Head, Post, Put, Patch, Delete] {
        let routed = |m: Method| ROUTES.iter().any(|r| r.path == path && r.method == m);
        if routed(m) || (m == Head && routed(Get)) {
            methods.push(m.as_str());
        }
    }
    methods.join(", ")
}
