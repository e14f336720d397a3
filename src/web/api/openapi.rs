//! `GET /api/openapi.json`: the OpenAPI 3.1 description of exactly what the API accepts and
//! answers, built once (on first use) from the same tables the router and the core use:
//! [`super::ROUTES`], [`super::TASK_OPTIONS`], the filter keys and every code list's `ALL`.
//!
//! Answer schemas are derived from the types serde writes ([`super::schema`]). Request
//! schemas follow what the server reads: `additionalProperties: false` where unknown fields
//! are refused, `null` where the server reads it as "not given", enums from the domain's code
//! lists, and the domain's field rules ([`field_rules`]: lengths from `domain::limits`,
//! patterns, date formats) as keywords, so that what a generator builds from the schema is
//! what the server accepts, short of rules no keyword states (uniqueness, the country and
//! time-zone lists). The server trims text before it checks it; the keywords describe the
//! trimmed value.

use super::{EXPORT_KEYS, IDEMPOTENCY_KEY, REPLAYED, ROUTES, TASK_OPTIONS};
use crate::domain::error::Thing;
use crate::domain::fields::{self, FieldSpec};
use crate::domain::filter::{SortKey, DEFAULT_LIMIT, FILTER_KEYS, MAX_LIMIT};
use crate::domain::inputs::{self, Input, Type};
use crate::domain::limits;
use crate::domain::model::{
    AccountType, Category, CustomerStatus, LicenseFilter, PolicyAction, PolicyList, Product, View,
};
use crate::domain::validate;
use crate::tasks::bulk::BulkTask;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

/// The document as a JSON value.
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(build)
}

/// The document serialised, as served.
pub fn document_bytes() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| serde_json::to_vec(document()).unwrap_or_default())
}

/// Every (path, method) the document describes, for comparison with [`ROUTES`].
pub fn operations() -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(paths) = document()["paths"].as_object() {
        for (path, item) in paths {
            if let Some(item) = item.as_object() {
                for method in item.keys().filter(|k| *k != "parameters") {
                    out.push((path.clone(), method.clone()));
                }
            }
        }
    }
    out
}

fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Vec<Value> {
    all.iter().map(|v| json!(code(*v))).collect()
}

fn enumeration<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Value {
    json!({ "type": "string", "enum": codes(all, code) })
}

/// The same enum, also accepting `null` ("not given").
fn nullable_enumeration<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Value {
    let mut values = codes(all, code);
    values.push(Value::Null);
    json!({ "type": ["string", "null"], "enum": values })
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn array_of(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}

fn string(description: &str) -> Value {
    json!({ "type": "string", "description": description })
}

/// A string the server refuses when empty (it may still refuse one that is blank).
fn text(description: &str) -> Value {
    json!({ "type": "string", "minLength": 1, "description": description })
}

fn nullable_text(description: &str) -> Value {
    json!({ "type": ["string", "null"], "minLength": 1, "description": description })
}

fn nullable_string(description: &str) -> Value {
    json!({ "type": ["string", "null"], "description": description })
}

/// An object whose every property is always present, and nothing else (response bodies).
fn closed(properties: Map<String, Value>) -> Value {
    let required: Vec<&String> = properties.keys().collect();
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// A request object: the given properties, of which `required` must be present.
fn input(properties: Map<String, Value>, required: &[&str]) -> Value {
    let mut schema = json!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    });
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    schema
}

fn props(list: Vec<(&str, Value)>) -> Map<String, Value> {
    list.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// Keys of a read model that create and patch accept and ignore, so that an item read from
/// the API can be sent back as it is.
fn ignored(props: &mut Map<String, Value>, keys: &[&str]) {
    for key in keys {
        props.insert(
            (*key).to_string(),
            json!({ "description": "read-only: accepted and ignored" }),
        );
    }
}

// ---- schemas ---------------------------------------------------------------------------

/// A profile field's property, with the table's rules as keywords.
fn profile_property(spec: &FieldSpec, create: bool) -> Value {
    let mut schema = json!({
        "type": if create && spec.required { json!("string") } else { json!(["string", "null"]) },
        "maxLength": spec.max,
        "description": spec.help,
    });
    if spec.min > 0 {
        schema["minLength"] = json!(spec.min);
    }
    if let Some(pattern) = spec.pattern {
        schema["pattern"] = json!(pattern);
    }
    schema
}

/// An input field's property, with the table's rules as keywords. A patch may send `null`
/// for any field ("not given"); a create, where the table allows it.
fn input_property(f: &Input, create: bool) -> Value {
    let null = !create || f.null_on_create;
    let ty = |t: &str| if null { json!([t, "null"]) } else { json!(t) };
    let mut schema = json!({ "description": f.help });
    match f.ty {
        Type::Text => {
            schema["type"] = ty("string");
            if f.min > 0 {
                schema["minLength"] = json!(f.min);
            }
            schema["maxLength"] = json!(f.max);
            if let Some(pattern) = f.pattern {
                schema["pattern"] = json!(pattern);
            }
        }
        Type::Integer => {
            schema["type"] = ty("integer");
            schema["minimum"] = json!(f.min);
            schema["maximum"] = json!(f.max);
        }
        Type::Date | Type::DateTime => {
            schema["type"] = ty("string");
            let date = matches!(f.ty, Type::Date);
            schema["format"] = json!(if date { "date" } else { "date-time" });
        }
        Type::Boolean => schema["type"] = ty("boolean"),
        Type::Codes(codes) => {
            let mut values: Vec<Value> = codes().into_iter().map(Value::from).collect();
            if null {
                values.push(Value::Null);
            }
            schema["type"] = ty("string");
            schema["enum"] = json!(values);
        }
    }
    schema
}

/// The request body of an input table: its fields, the read-only keys it ignores, and on
/// create the fields a new entry must have.
fn input_body(fields: &[Input], read_only: &[&str], create: bool) -> Value {
    let mut p: Map<String, Value> = fields
        .iter()
        .map(|f| (f.name.to_string(), input_property(f, create)))
        .collect();
    ignored(&mut p, read_only);
    let required: Vec<&str> = fields
        .iter()
        .filter(|f| create && f.required)
        .map(|f| f.name)
        .collect();
    input(p, &required)
}

fn customer_input(create: bool) -> Value {
    let mut p = Map::new();
    for spec in fields::PROFILE {
        p.insert(spec.name.into(), profile_property(spec, create));
    }
    p.insert(
        "account_type".into(),
        if create {
            enumeration(AccountType::ALL, AccountType::code)
        } else {
            nullable_enumeration(AccountType::ALL, AccountType::code)
        },
    );
    let mut status = codes(CustomerStatus::ALL, CustomerStatus::code);
    status.push(json!(""));
    status.push(Value::Null);
    p.insert(
        "status".into(),
        json!({
            "type": ["string", "null"],
            "enum": status,
            "description": "empty or null keeps the current status (active for a new customer)",
        }),
    );
    p.insert(
        "wfbs_template".into(),
        nullable_string("a wfbss template name (needs a wfbss licence); empty clears"),
    );
    p.insert(
        "cloud_edge_template".into(),
        nullable_string(
            "a cloud-edge template name (needs a cloud-edge licence); only when the customer is created",
        ),
    );
    p.insert(
        "licenses".into(),
        json!({
            "type": ["array", "null"],
            "items": schema_ref("LicenseInput"),
            "description": if create {
                "the plans to assign (each plan enabled and not end of life)"
            } else {
                "the complete new set of licences; unchanged ones (same plan and start) keep their id"
            },
        }),
    );
    ignored(&mut p, validate::CUSTOMER_READ_ONLY);
    let required: Vec<&str> = fields::PROFILE
        .iter()
        .filter(|f| f.required)
        .map(|f| f.name)
        .chain(["account_type"])
        .collect();
    input(p, if create { &required } else { &[] })
}

fn error_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "code": { "type": "string", "description": "machine-readable, e.g. invalid, not_found, conflict, refused, import_rejected, bad_json, unknown_field, unsupported_media_type" },
                    "message": { "type": "string", "description": "what is wrong and how to fix it" },
                    "field": { "type": ["string", "null"], "description": "the field or parameter at fault, where there is one" },
                    "errors": { "type": "array", "items": schema_ref("FieldError"), "description": "every field error (422 invalid)" },
                    "rows": { "type": "array", "items": schema_ref("RowError"), "description": "the rejected CSV rows, with at most 100 errors in all (422 import_rejected)" },
                    "omitted": { "type": "integer", "minimum": 1, "description": "errors of rejected rows beyond those listed (present only when there are any)" },
                    "kind": { "type": "string", "enum": codes(Thing::ALL, Thing::noun), "description": "what was not found (404 not_found)" },
                },
                "required": ["code", "message", "field"],
                "additionalProperties": false,
            }
        },
        "required": ["error"],
        "additionalProperties": false,
    })
}

fn task_filter_schema() -> Value {
    // Typed alternatives (not one untyped enum), so generated clients get a model.
    let yes_no = json!({
        "anyOf": [
            { "type": "string", "enum": ["yes", "no"] },
            { "type": "boolean" },
        ],
    });
    let products = codes(Product::ALL, Product::code);
    input(
        props(vec![
            ("q", string("case-insensitive substring of company, account name, contact names, email, phone")),
            ("account_type", json!({ "type": "string", "enum": ["clp", "lmp"] })),
            ("status", enumeration(CustomerStatus::ALL, CustomerStatus::code)),
            (
                "product",
                json!({
                    "anyOf": [
                        { "type": "string", "enum": products },
                        { "type": "array", "items": { "type": "string", "enum": products } },
                    ],
                    "description": "any of these products",
                }),
            ),
            ("license", enumeration(LicenseFilter::ALL, LicenseFilter::code)),
            ("attention", yes_no.clone()),
            ("managed", yes_no),
            ("expires", with_description(expires_schema(), EXPIRES)),
            ("category", with_description(enumeration(Category::ALL, Category::code), CATEGORY)),
            ("sort", json!({ "type": "string", "enum": sort_values() })),
        ]),
        &[],
    )
}

const EXPIRES: &str = "a licence that has not expired yet expires in this month (YYYY-MM)";
const CATEGORY: &str = "needs attention for a reason of this category";

fn expires_schema() -> Value {
    json!({ "type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$" })
}

fn with_description(mut schema: Value, description: &str) -> Value {
    schema["description"] = json!(description);
    schema
}

fn sort_values() -> Vec<Value> {
    let mut out = Vec::new();
    for k in SortKey::ALL {
        out.push(json!(k.code()));
        out.push(json!(format!("-{}", k.code())));
    }
    out
}

fn task_request(name: &str) -> Value {
    let options = TASK_OPTIONS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(&[][..], |(_, o)| *o);
    let mut p = props(vec![
        (
            "ids",
            json!({
                "type": "array",
                "items": { "type": "integer", "minimum": 0, "maximum": u64::MAX },
                "minItems": 1,
                "description": "the customers to act on (give ids or filter)",
            }),
        ),
        ("filter", schema_ref("TaskFilter")),
        (
            "dry_run",
            json!({ "type": "boolean", "default": false, "description": "report what would happen and write nothing" }),
        ),
    ]);
    let mut required = Vec::new();
    for option in options.iter().copied() {
        let schema = match option {
            "template" => {
                required.push(option);
                json!({ "type": "string", "minLength": 1, "description": "the name of a wfbss template" })
            }
            "list" => {
                required.push(option);
                enumeration(PolicyList::ALL, PolicyList::code)
            }
            "action" => {
                required.push(option);
                json!({
                    "type": "string",
                    "enum": codes(PolicyAction::ALL, PolicyAction::code),
                    "description": "overwrite replaces the list and cannot be undone",
                })
            }
            "entries" => {
                required.push(option);
                json!({
                    "type": "string",
                    "minLength": 1,
                    "description": "entries separated by ; or new lines, checked against the list's format",
                })
            }
            "until" => nullable_string(
                "YYYY-MM-DD: the new expiry, later than today and the old expiry (default: today + plan period)",
            ),
            "include_expiring" => json!({
                "type": ["boolean", "null"],
                "description": "also renew licences that are expiring soon",
            }),
            _ => json!({}),
        };
        p.insert(option.into(), schema);
    }
    let mut schema = input(p, &required);
    // Exactly one of ids and filter, said without `oneOf`, which generated clients read as an
    // untyped union (the body would lose its model).
    schema["if"] = json!({ "not": { "required": ["ids"] } });
    schema["then"] = json!({ "required": ["filter"] });
    schema["not"] = json!({ "required": ["ids", "filter"] });
    schema
}

fn schemas() -> Value {
    let template_products = json!({ "type": "string", "enum": ["wfbss", "cloud-edge"] });

    let template_props = |create: bool| {
        let settings = json!({
            "type": ["object", "null"],
            "additionalProperties": { "type": "string" },
            "description": "setting name (1–64 characters) → value (at most 1,024 characters); replaces all settings",
        });
        if create {
            input(
                props(vec![
                    ("name", text("1–64 characters without : or ;")),
                    ("product", template_products.clone()),
                    ("settings", settings),
                ]),
                &["name", "product"],
            )
        } else {
            input(
                props(vec![
                    (
                        "name",
                        nullable_text("must be the current name (templates cannot be renamed)"),
                    ),
                    (
                        "product",
                        json!({ "type": ["string", "null"], "enum": ["wfbss", "cloud-edge", null], "description": "must be the current product" }),
                    ),
                    ("settings", settings),
                ]),
                &[],
            )
        }
    };

    let mut out = super::schema::answers();
    let mut add = |name: &str, schema: Value| {
        out.insert(name.to_string(), schema);
    };
    add("CustomerCreate", customer_input(true));
    add("CustomerPatch", customer_input(false));
    add(
        "LicenseInput",
        input_body(inputs::license::ENTRY, inputs::license::READ_ONLY, true),
    );
    add("LicenseCreate", input_body(inputs::license::ADD, &[], true));
    add(
        "LicensePatch",
        input_body(inputs::license::CHANGE, &[], false),
    );
    add(
        "DeviceCreate",
        input_body(inputs::device::FIELDS, &[], true),
    );
    add(
        "DevicePatch",
        input_body(inputs::device::FIELDS, &[], false),
    );
    add("EventCreate", input_body(inputs::event::FIELDS, &[], true));
    let plan = |create| input_body(inputs::plan::FIELDS, inputs::plan::READ_ONLY, create);
    add("PlanCreate", plan(true));
    add("PlanPatch", plan(false));
    add("TemplateCreate", template_props(true));
    add("TemplatePatch", template_props(false));
    add(
        "FirmwareSet",
        input(
            props(vec![("version", text("dotted numbers such as 3.2.1"))]),
            &["version"],
        ),
    );
    add(
        "Settings",
        closed(props(vec![("view", enumeration(View::ALL, View::code))])),
    );
    add(
        "SettingsUpdate",
        input(
            props(vec![("view", enumeration(View::ALL, View::code))]),
            &["view"],
        ),
    );
    add("TaskFilter", task_filter_schema());
    for name in BulkTask::NAMES {
        add(&task_schema_name(name), task_request(name));
    }
    add("Error", error_schema());
    for (names, field, rules) in field_rules() {
        for name in names {
            if let Some(Value::Object(schema)) = out
                .get_mut(*name)
                .and_then(|s| s.pointer_mut(&format!("/properties/{field}")))
            {
                if let Value::Object(rules) = &rules {
                    schema.extend(rules.clone());
                }
            }
        }
    }
    Value::Object(out)
}

/// The domain's field rules as JSON Schema keywords: which request schemas, which field.
fn field_rules() -> Vec<(&'static [&'static str], &'static str, Value)> {
    use crate::domain::limits as l;
    const CUSTOMER: &[&str] = &["CustomerCreate", "CustomerPatch"];
    const TEMPLATE: &[&str] = &["TemplateCreate", "TemplatePatch"];
    const TASKS: &[&str] = &[
        "DeleteTask",
        "AssignTemplateTask",
        "DeployPolicyTask",
        "UpdateFirmwareTask",
        "RenewTask",
        "SuspendTask",
        "ReactivateTask",
    ];
    let max = |n: usize| json!({ "maxLength": n });
    let date = json!({ "format": "date" });
    let version = json!({ "maxLength": l::VERSION, "pattern": inputs::VERSION_PATTERN });
    vec![
        (CUSTOMER, "licenses", json!({ "maxItems": l::LICENSES })),
        (&["FirmwareSet"], "version", version),
        (
            TEMPLATE,
            "name",
            json!({ "maxLength": inputs::plan::NAME.max, "pattern": inputs::plan::NAME.pattern }),
        ),
        (
            TEMPLATE,
            "settings",
            json!({
                "maxProperties": l::TEMPLATE_SETTINGS,
                "propertyNames": { "minLength": 1, "maxLength": l::SETTING_KEY },
                "additionalProperties": { "type": "string", "maxLength": l::SETTING_VALUE },
            }),
        ),
        (TASKS, "ids", json!({ "maxItems": l::SELECTION_IDS })),
        (&["DeployPolicyTask"], "entries", max(l::POLICY_LIST)),
        (&["RenewTask"], "until", date),
    ]
}

fn task_schema_name(task: &str) -> String {
    let camel: String = task
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    format!("{camel}Task")
}

// ---- operations ------------------------------------------------------------------------

/// Statuses any operation may answer: unreadable request or ambiguous framing (400), token
/// missing (401), another origin (403), a client too slow to send its request (408), body too
/// large (413), request line too long (414), another Host (421), an unknown query parameter or
/// bad value (422), too many wrong tokens (429), head too large (431), a fault (500), a
/// transfer coding other than chunked (501), request bodies over their shared memory budget
/// (503), the disk holding the database is full (507; even a read may need to write to
/// recover the file).
const COMMON_ERRORS: &[u16] = &[
    400, 401, 403, 408, 413, 414, 421, 422, 429, 431, 500, 501, 503, 507,
];

fn error_description(status: u16) -> &'static str {
    match status {
        400 => {
            "the request cannot be read: bad encoding, malformed JSON or a value of the wrong type"
        }
        401 => "an access token is required (only when the server runs with --token)",
        403 => "the request came from another origin",
        404 => "no such thing",
        409 => "the request clashes with what is stored, or a rule refuses it",
        408 => "the request line, headers or body arrived too slowly",
        413 => "the request body is larger than the limit",
        414 => "the request line is longer than 8 KiB; select many customers with a filter",
        429 => "too many wrong access tokens from this address; wait as Retry-After says",
        501 => "a transfer coding other than chunked",
        503 => "the server is busy receiving other large bodies; retry as Retry-After says",
        415 => "the body is not of the accepted media type",
        421 => "the Host header names another server",
        422 => "a field, parameter or row breaks a rule; `field` names it",
        431 => "the request headers are larger than 64 KiB or more than 64 lines",
        507 => "the disk holding the database is full; nothing was changed",
        _ => "internal error",
    }
}

pub(super) struct Op {
    summary: &'static str,
    params: Vec<Value>,
    body: Option<Value>,
    /// Success status, description and content (media type → schema), if any.
    success: (u16, &'static str, Option<(&'static str, Value)>),
    errors: &'static [u16],
    /// Headers of the success answer, by name.
    success_headers: Vec<(&'static str, Value)>,
}

pub(super) fn op(
    summary: &'static str,
    success: (u16, &'static str, Option<(&'static str, Value)>),
) -> Op {
    Op {
        summary,
        params: Vec::new(),
        body: None,
        success,
        errors: &[],
        success_headers: Vec::new(),
    }
}

impl Op {
    pub(super) fn params(mut self, params: Vec<Value>) -> Op {
        self.params = params;
        self
    }
    pub(super) fn json_body(mut self, schema: &str) -> Op {
        self.body = Some(json!({
            "required": true,
            "content": { "application/json": { "schema": schema_ref(schema) } },
        }));
        self
    }
    /// The body is a CSV file.
    pub(super) fn csv_body(mut self) -> Op {
        self.body = Some(json!({
            "required": true,
            "content": { "text/csv": { "schema": { "type": "string" } } },
        }));
        self
    }
    pub(super) fn success_header(mut self, name: &'static str, header: Value) -> Op {
        self.success_headers.push((name, header));
        self
    }
    pub(super) fn errors(mut self, errors: &'static [u16]) -> Op {
        self.errors = errors;
        self
    }

    pub(super) fn to_value(&self) -> Value {
        let mut responses = Map::new();
        let (status, description, content) = &self.success;
        let mut ok = json!({ "description": description });
        if let Some((media, schema)) = content {
            ok["content"] = json!({ *media: { "schema": schema } });
        }
        if !self.success_headers.is_empty() {
            let headers: Map<String, Value> = self
                .success_headers
                .iter()
                .map(|(name, header)| (name.to_string(), header.clone()))
                .collect();
            ok["headers"] = Value::Object(headers);
        }
        responses.insert(status.to_string(), ok);
        let mut errors: Vec<u16> = COMMON_ERRORS.iter().chain(self.errors).copied().collect();
        if self.body.is_some() {
            errors.push(415);
        }
        errors.sort_unstable();
        errors.dedup();
        for e in errors {
            responses.insert(
                e.to_string(),
                json!({
                    "description": error_description(e),
                    "content": { "application/json": { "schema": schema_ref("Error") } },
                }),
            );
        }
        let mut v = json!({ "summary": self.summary, "responses": responses });
        if !self.params.is_empty() {
            v["parameters"] = json!(self.params);
        }
        if let Some(body) = &self.body {
            v["requestBody"] = body.clone();
        }
        v
    }
}

pub(super) fn json_content(schema: Value) -> Option<(&'static str, Value)> {
    Some(("application/json", schema))
}

pub(super) fn path_param(name: &str, description: &str) -> Value {
    let schema = if name == "id" {
        json!({ "type": "integer", "minimum": 0, "maximum": u64::MAX })
    } else {
        json!({ "type": "string", "minLength": 1 })
    };
    json!({ "name": name, "in": "path", "required": true, "description": description, "schema": schema })
}

pub(super) fn query_param(name: &str, schema: Value, description: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
}

/// The parameters of a list paged newest first by id (`/api/audit`, `/api/runs`): `limit`,
/// 1 to `max` of the `items` (default `default`), and `before`, the id the next page starts
/// below. The handlers read them with `page_limit` and `number`.
pub(super) fn paging(items: &str, default: u64, max: u64) -> Vec<Value> {
    vec![
        query_param(
            "limit",
            json!({ "type": "integer", "minimum": 1, "maximum": max, "default": default }),
            &format!("the number of {items}"),
        ),
        query_param(
            "before",
            json!({ "type": "integer", "minimum": 0, "maximum": u64::MAX }),
            &format!("only {items} with a smaller id (the next page)"),
        ),
    ]
}

pub(super) fn yes_no_param(name: &str, description: &str) -> Value {
    query_param(
        name,
        json!({ "type": "string", "enum": ["yes", "no"] }),
        description,
    )
}

pub(super) fn filter_params() -> Vec<Value> {
    let products = codes(Product::ALL, Product::code);
    let mut out = Vec::new();
    for key in FILTER_KEYS {
        let (schema, description) = match *key {
            "q" => (
                json!({ "type": "string" }),
                "case-insensitive substring of company, account name, contact names, email or phone",
            ),
            "account_type" => (json!({ "type": "string", "enum": ["clp", "lmp"] }), "the licensing portal"),
            "status" => (enumeration(CustomerStatus::ALL, CustomerStatus::code), ""),
            "product" => (
                json!({ "type": "array", "items": { "type": "string", "enum": products } }),
                "holds any of these products (repeat the parameter)",
            ),
            "license" => (
                enumeration(LicenseFilter::ALL, LicenseFilter::code),
                "the customer's license_status",
            ),
            "attention" => (json!({ "type": "string", "enum": ["yes", "no"] }), "needs attention"),
            "managed" => (json!({ "type": "string", "enum": ["yes", "no"] }), "a licence is on a managed plan"),
            "expires" => (expires_schema(), EXPIRES),
            "category" => (enumeration(Category::ALL, Category::code), CATEGORY),
            "sort" => (
                json!({ "type": "string", "enum": sort_values(), "default": "company" }),
                "prefix - for descending",
            ),
            "limit" => (
                json!({ "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT }),
                "page size",
            ),
            _ => (
                json!({ "type": "integer", "minimum": 0, "maximum": u64::MAX, "default": 0 }),
                "matches to skip",
            ),
        };
        let mut p = query_param(key, schema, description);
        if *key == "product" {
            p["style"] = json!("form");
            p["explode"] = json!(true);
        }
        out.push(p);
    }
    out
}

pub(super) fn export_params() -> Vec<Value> {
    let mut out = filter_params();
    for key in EXPORT_KEYS {
        out.push(match *key {
            "ids" => json!({
                "name": "ids",
                "in": "query",
                "required": false,
                "description": "export exactly these customers (not combined with filters)",
                "style": "form",
                "explode": false,
                "schema": { "type": "array", "items": { "type": "integer", "minimum": 0, "maximum": u64::MAX }, "minItems": 1 },
            }),
            "raw" => yes_no_param("raw", "no spreadsheet guard (no leading ' before = + - @)"),
            _ => yes_no_param("excel", "UTF-8 byte-order mark and CRLF line ends"),
        });
    }
    out
}

pub(super) fn customer_id_param() -> Value {
    path_param("id", "the customer's id")
}

pub(super) fn list(schema: &str) -> Option<(&'static str, Value)> {
    json_content(array_of(schema_ref(schema)))
}

pub(super) fn one(schema: &str) -> Option<(&'static str, Value)> {
    json_content(schema_ref(schema))
}

/// The success of a delete.
pub(super) fn gone() -> (u16, &'static str, Option<(&'static str, Value)>) {
    (204, "deleted", None)
}

pub(super) fn cid() -> Vec<Value> {
    vec![customer_id_param()]
}

/// An `{id}` path parameter naming `what`.
pub(super) fn id(what: &str) -> Vec<Value> {
    vec![path_param("id", what)]
}

/// `POST /api/tasks/{name}`.
pub(super) fn task_op(name: &str) -> Op {
    op(
        task_summary(name),
        (200, "one result per selected customer", one("BulkReport")),
    )
    .json_body(&task_schema_name(name))
    .errors(&[409])
    .params(vec![json!({
        "name": IDEMPOTENCY_KEY,
        "in": "header",
        "required": false,
        "description": format!(
            "run the task at most once for this key (1 to {} printable ASCII characters, e.g. a UUID): \
             a retry of the same request with the same key runs nothing and answers the stored \
             report, with `{REPLAYED}: true`; the key with a different request answers 409, a \
             malformed key 422 (both with field `{IDEMPOTENCY_KEY}`). A dry run ignores the key.",
            limits::IDEMPOTENCY_KEY
        ),
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": limits::IDEMPOTENCY_KEY,
            "pattern": "^[!-~]+$",
        },
    })])
    .success_header(
        REPLAYED,
        json!({
            "description": "`true` when the answer is the stored report of an earlier request with the same Idempotency-Key; nothing ran",
            "schema": { "type": "string", "enum": ["true"] },
        }),
    )
}

fn task_summary(name: &str) -> &'static str {
    match name {
        "delete" => "Delete customers: CLP customers without licences (LMP customers are skipped)",
        "assign-template" => "Assign a wfbss template to LMP customers holding a wfbss licence",
        "deploy-policy" => "Deploy a WFBS-S policy list change to LMP customers holding a wfbss licence",
        "update-firmware" => "Notify LMP customers whose Cloud Edge devices need a firmware update (one outbox message each)",
        "renew" => "Renew the expired (and optionally expiring) licences of LMP customers",
        "suspend" => "Suspend customers",
        _ => "Reactivate customers",
    }
}

/// A stable operation id: the method and the path's words, e.g. `get_customers_id`.
fn operation_id(path: &str, method: &str) -> String {
    let words: String = path
        .trim_start_matches("/api/")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let words: Vec<&str> = words.split('_').filter(|w| !w.is_empty()).collect();
    format!("{method}_{}", words.join("_"))
}

/// An OpenAPI link: where a value a success returns can be used next (for clients and for
/// stateful request generators).
struct Link {
    from: &'static str,
    method: &'static str,
    status: &'static str,
    /// A runtime expression such as `$response.body#/id`.
    value: &'static str,
    /// The path parameter of the targets that takes the value.
    param: &'static str,
    targets: &'static [(&'static str, &'static str)],
}

const LINKS: &[Link] = &[
    Link {
        from: "/api/customers",
        method: "post",
        status: "201",
        value: "$response.body#/id",
        param: "id",
        targets: &[
            ("/api/customers/{id}", "get"),
            ("/api/customers/{id}", "patch"),
            ("/api/customers/{id}", "delete"),
            ("/api/customers/{id}/licenses", "post"),
            ("/api/customers/{id}/devices", "post"),
            ("/api/customers/{id}/events", "post"),
        ],
    },
    Link {
        from: "/api/plans",
        method: "post",
        status: "201",
        value: "$response.body#/id",
        param: "id",
        targets: &[
            ("/api/plans/{id}", "get"),
            ("/api/plans/{id}", "patch"),
            ("/api/plans/{id}", "delete"),
        ],
    },
    Link {
        from: "/api/templates",
        method: "post",
        status: "201",
        value: "$response.body#/name",
        param: "name",
        targets: &[
            ("/api/templates/{name}", "get"),
            ("/api/templates/{name}", "patch"),
            ("/api/templates/{name}", "delete"),
        ],
    },
    Link {
        from: "/api/customers/{id}/licenses",
        method: "post",
        status: "201",
        value: "$response.body#/id",
        param: "id",
        targets: &[
            ("/api/licenses/{id}", "patch"),
            ("/api/licenses/{id}", "delete"),
        ],
    },
    Link {
        from: "/api/customers/{id}/devices",
        method: "post",
        status: "201",
        value: "$response.body#/id",
        param: "id",
        targets: &[
            ("/api/devices/{id}", "patch"),
            ("/api/devices/{id}", "delete"),
        ],
    },
    Link {
        from: "/api/customers/{id}/events",
        method: "post",
        status: "201",
        value: "$response.body#/id",
        param: "id",
        targets: &[
            ("/api/events/{id}/resolve", "post"),
            ("/api/events/{id}/reopen", "post"),
            ("/api/events/{id}", "delete"),
        ],
    },
    Link {
        from: "/api/firmware/{model}",
        method: "put",
        status: "200",
        value: "$response.body#/model",
        param: "model",
        targets: &[("/api/firmware/{model}", "delete")],
    },
    Link {
        from: "/api/outbox",
        method: "get",
        status: "200",
        value: "$response.body#/0/id",
        param: "id",
        targets: &[
            ("/api/outbox/{id}", "get"),
            ("/api/outbox/{id}.eml", "get"),
            ("/api/outbox/{id}", "delete"),
        ],
    },
];

fn build() -> Value {
    let mut paths = Map::new();
    for route in ROUTES {
        let method = route.openapi_method();
        let mut op = route.operation().to_value();
        op["operationId"] = json!(operation_id(route.path, &method));
        if let Value::Object(item) = paths
            .entry(route.path)
            .or_insert_with(|| Value::Object(Map::new()))
        {
            item.insert(method, op);
        }
    }
    for Link {
        from: path,
        method,
        status,
        value: expression,
        param,
        targets,
    } in LINKS
    {
        let links: Map<String, Value> = targets
            .iter()
            .map(|(to, to_method)| {
                let id = operation_id(to, to_method);
                (
                    id.clone(),
                    json!({ "operationId": id, "parameters": { *param: expression } }),
                )
            })
            .collect();
        if let Some(response) = paths
            .get_mut(*path)
            .and_then(|item| item.get_mut(*method))
            .and_then(|op| op["responses"].get_mut(*status))
        {
            response["links"] = Value::Object(links);
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "clientele",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The JSON API of clientele, an offline customer desk for managed service providers. \
                Every task is the same core call the console and the command line make. \
                Errors are {\"error\":{\"code\",\"message\",\"field\"}}. \
                State-changing requests from another origin are refused (403); the Host header must name this server (421).",
        },
        "servers": [{ "url": "/" }],
        "security": [{}, { "bearerAuth": [] }],
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "only when the server was started with --token TOKEN",
                }
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_documented_and_nothing_else() {
        let mut documented = operations();
        documented.sort();
        let mut routed: Vec<(String, String)> = ROUTES
            .iter()
            .map(|r| (r.path.to_string(), r.openapi_method()))
            .collect();
        routed.sort();
        assert_eq!(documented, routed);
        for name in BulkTask::NAMES {
            assert!(
                ROUTES
                    .iter()
                    .any(|r| r.path == format!("/api/tasks/{name}")),
                "{name}"
            );
        }
    }

    #[test]
    fn field_rules_name_fields_of_request_schemas() {
        for (names, field, _) in field_rules() {
            for name in names {
                let schema = &document()["components"]["schemas"][*name];
                assert!(
                    schema["properties"].get(field).is_some(),
                    "{name} has no {field}"
                );
            }
        }
    }

    #[test]
    fn links_name_operations_that_exist() {
        let ids: Vec<String> = operations()
            .iter()
            .map(|(p, m)| operation_id(p, m))
            .collect();
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len());
        for Link {
            from: path,
            method,
            status,
            targets,
            ..
        } in LINKS
        {
            let links = &document()["paths"][*path][*method]["responses"][*status]["links"];
            assert_eq!(
                links.as_object().map(Map::len),
                Some(targets.len()),
                "{path}"
            );
            for link in links.as_object().unwrap().values() {
                assert!(ids.contains(&link["operationId"].as_str().unwrap().to_string()));
            }
        }
    }

    #[test]
    fn references_resolve() {
        fn walk(v: &Value, doc: &Value) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::String(r)) = m.get("$ref") {
                        let name = r.trim_start_matches("#/components/schemas/");
                        assert!(doc["components"]["schemas"].get(name).is_some(), "{r}");
                    }
                    m.values().for_each(|v| walk(v, doc));
                }
                Value::Array(a) => a.iter().for_each(|v| walk(v, doc)),
                _ => {}
            }
        }
        walk(document(), document());
        let text = std::str::from_utf8(document_bytes()).unwrap();
        assert!(text.starts_with("{\""));
    }
}
