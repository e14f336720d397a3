//! Every face against `domain::fields::PROFILE`: the CLI's flags and help (from the real
//! binary), the console's customer form, the OpenAPI request bodies, the CSV header and the
//! validation messages. The faces that are built from the table are checked too, so a face
//! that stops using it, or one that cannot (argh's flags, the CSV header), fails here.
//! Likewise for the input tables of `domain::inputs` (plans, licences, devices, events): the
//! serde inputs, the CLI's flags and the OpenAPI bodies.

mod common;

use clientele::domain::date::Date;
use clientele::domain::fields::{FieldSpec, Group, Rule, PROFILE};
use clientele::domain::inputs::{self, device, event, license, plan, Input, Type};
use clientele::domain::model::{Actor, Profile};
use clientele::domain::validate::{self, CustomerInput};
use clientele::domain::view::CustomerView;
use clientele::store::Access;
use clientele::tasks::catalogs::PlanInput;
use clientele::tasks::csv::HEADER;
use clientele::tasks::desk::Desk;
use clientele::tasks::holdings::{DeviceInput, EventInput, LicenseChange};
use clientele::web::api::openapi;
use clientele::web::app::App;
use clientele::web::http::{Method, Request};
use clientele::web::pages::handle;
use scraper::{Html, Selector};
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Command;

/// A value each field's rule accepts, distinct per field where the rule allows.
fn sample(spec: &FieldSpec) -> String {
    match spec.rule {
        Rule::Text | Rule::Notes => spec.name.chars().take(spec.max.min(8)).collect(),
        Rule::AccountName => "acct-01".into(),
        Rule::Email => "ana@example.com".into(),
        Rule::Phone => "+351 21 000".into(),
        Rule::Country => "PT".into(),
        Rule::TimeZone => "Europe/Lisbon".into(),
        Rule::Language => "pt-PT".into(),
    }
}

/// The help's first letter as the console writes it (argh wants it lower case).
fn capitalised(help: &str) -> String {
    let mut chars = help.chars();
    let first = chars.next().unwrap().to_uppercase();
    first.chain(chars).collect()
}

/// `--flag` → its help text, from argh's help output (wrapped lines joined again).
fn options(help: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut current: Option<String> = None;
    let section = help
        .split("\nOptions:\n")
        .nth(1)
        .expect("an Options section");
    for line in section.lines().take_while(|l| !l.is_empty()) {
        let rest = line.trim_start();
        let indent = line.len() - rest.len();
        if indent == 2 && rest.starts_with("--") {
            let (flag, text) = rest.split_once(' ').unwrap_or((rest, ""));
            current = Some(flag.to_string());
            out.insert(flag.to_string(), text.trim().to_string());
        } else if let Some(flag) = &current {
            let text = out.get_mut(flag).unwrap();
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(rest);
        }
    }
    out
}

#[test]
fn cli_add_and_edit_offer_every_field_with_its_help() {
    for command in ["add", "edit"] {
        let out = Command::new(common::bin())
            .args([command, "--help"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{command} --help");
        let help = String::from_utf8(out.stdout).unwrap();
        let flags = options(&help);
        for spec in PROFILE {
            assert_eq!(
                flags.get(spec.flag).map(String::as_str),
                Some(spec.help),
                "`{command} {}` in\n{help}",
                spec.flag
            );
        }
    }
}

#[test]
fn cli_add_names_exactly_the_required_fields() {
    let out = Command::new(common::bin())
        .args(["add", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    let note = help
        .split("Required: ")
        .nth(1)
        .and_then(|n| n.split('.').next())
        .expect("a note listing the required flags");
    let named: Vec<&str> = note
        .split([',', ' ', '\n'])
        .filter(|w| w.starts_with("--"))
        .collect();
    for spec in PROFILE {
        assert_eq!(
            named.contains(&spec.flag),
            spec.required,
            "{} in `Required: {note}`",
            spec.flag
        );
    }
}

#[test]
fn by_name_accessors_know_exactly_the_table() {
    let names: Vec<&str> = PROFILE.iter().map(|f| f.name).collect();
    assert_eq!(CustomerInput::TEXT_FIELDS, names);
    assert_eq!(CustomerView::TEXT_FIELDS, names);
    assert_eq!(Profile::TEXT_FIELDS, names);
}

#[test]
fn csv_header_holds_every_field() {
    for spec in PROFILE {
        assert!(
            HEADER.contains(&spec.name),
            "{} not in {HEADER:?}",
            spec.name
        );
    }
}

#[test]
fn openapi_customer_bodies_take_their_rules_from_the_table() {
    let schemas = &openapi::document()["components"]["schemas"];
    for (name, create) in [("CustomerCreate", true), ("CustomerPatch", false)] {
        let body = &schemas[name];
        let keys: Vec<&str> = body["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(sorted(keys), sorted(members::<CustomerInput>()), "{name}");
        let required: Vec<&str> = body["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for spec in PROFILE {
            let p = &body["properties"][spec.name];
            let at = format!("{name}.{}", spec.name);
            assert_eq!(p["maxLength"], spec.max, "{at}");
            match spec.min {
                0 => assert!(p.get("minLength").is_none(), "{at}"),
                min => assert_eq!(p["minLength"], min, "{at}"),
            }
            assert_eq!(p["pattern"].as_str(), spec.pattern, "{at}");
            assert_eq!(p["description"], spec.help, "{at}");
            assert_eq!(
                required.contains(&spec.name),
                create && spec.required,
                "{at} required"
            );
            // Only a field a create must have refuses null there.
            let nullable = p["type"]
                .as_array()
                .is_some_and(|t| t.contains(&"null".into()));
            assert_eq!(nullable, !(create && spec.required), "{at} type");
        }
    }
}

#[test]
fn validation_takes_lengths_and_required_from_the_table() {
    for spec in PROFILE {
        let refused = |value: String| -> Option<String> {
            let mut input = CustomerInput::default();
            *input.text_mut(spec.name).expect(spec.name) = Some(value);
            let errors = validate::profile(&input, None).unwrap_err();
            errors
                .into_iter()
                .find(|e| e.field == spec.name)
                .map(|e| e.message)
        };
        assert_eq!(refused(sample(spec)), None, "{}", spec.name);
        let empty = refused(String::new());
        assert_eq!(empty.is_some(), spec.required, "{}: {empty:?}", spec.name);
        if let Some(message) = empty.filter(|_| spec.rule == Rule::AccountName) {
            assert!(message.contains(&spec.length()), "{message}");
        }
        let long = refused("7".repeat(spec.max + 1)).expect(spec.name);
        let digits = spec.max.to_string();
        let grouped = clientele::domain::limits::n(spec.max);
        assert!(
            [Rule::Country, Rule::Language].contains(&spec.rule)
                || long.contains(&digits)
                || long.contains(&grouped),
            "{}: {long}",
            spec.name
        );
    }
}

#[test]
fn errors_come_in_form_order() {
    let errors = validate::profile(&CustomerInput::default(), None).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    let mut expected: Vec<&str> = PROFILE
        .iter()
        .filter(|f| f.required)
        .map(|f| f.name)
        .collect();
    let profile_group = PROFILE
        .iter()
        .filter(|f| f.required && f.group == Group::Profile)
        .count();
    expected.insert(profile_group, "account_type");
    assert_eq!(fields, expected);
}

#[test]
fn console_form_builds_every_field_from_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(
        &dir.path().join("fields.redb"),
        Access::Write,
        Some(Date::parse("2026-11-27").unwrap()),
    )
    .unwrap();
    let mut input = CustomerInput {
        account_type: Some("CLP".into()),
        ..CustomerInput::default()
    };
    for spec in PROFILE {
        *input.text_mut(spec.name).unwrap() = Some(sample(spec));
    }
    let id = desk.add_customer(desk.ctx(Actor::Cli), &input).unwrap().id;
    let app = App::new(desk);
    let sel = |s: &str| Selector::parse(s).unwrap();
    for (target, filled) in [
        ("/customers/new".to_string(), false),
        (format!("/customers/{id}/edit"), true),
    ] {
        let r = handle(&app, &Request::new(Method::Get, &target).unwrap());
        assert_eq!(r.status, 200, "{target}");
        let page = Html::parse_document(std::str::from_utf8(&r.body).unwrap());
        let form = page.select(&sel("#customer-form")).next().unwrap();
        for spec in PROFILE {
            let at = format!("{target} {}", spec.name);
            let control = form
                .select(&sel(&format!("[name={}]", spec.name)))
                .next()
                .unwrap_or_else(|| panic!("{at}: no control"));
            let attr = |a: &str| control.value().attr(a);
            assert_eq!(attr("id"), Some(spec.name), "{at}");
            assert_eq!(attr("required").is_some(), spec.required, "{at}");
            assert_eq!(attr("autocomplete"), spec.autofill, "{at}");
            assert_eq!(
                attr("maxlength"),
                None,
                "{at}: the server counts characters"
            );
            let label = form
                .select(&sel(&format!("label[for={}]", spec.name)))
                .next()
                .unwrap_or_else(|| panic!("{at}: no label"));
            let label: String = label.text().collect();
            assert_eq!(label.trim_end_matches(" *"), spec.label, "{at}");
            let hint = form
                .select(&sel(&format!("#{}-hint", spec.name)))
                .next()
                .unwrap_or_else(|| panic!("{at}: no hint"));
            assert_eq!(
                hint.text().collect::<String>(),
                capitalised(spec.help),
                "{at}"
            );
            let value = match control.value().name() {
                "textarea" => control.text().collect::<String>(),
                _ => attr("value").unwrap_or_default().to_string(),
            };
            let expected = if filled { sample(spec) } else { String::new() };
            assert_eq!(value.trim_start_matches('\n'), expected, "{at}");
        }
        // An editable text control the table does not know is a profile field added beside it.
        let others = ["account_type", "wfbs_template", "cloud_edge_template"];
        let texts = sel(
            ":is(input[type=text], input[type=email], input[type=tel], textarea):not([readonly])",
        );
        for control in form.select(&texts) {
            let name = control.value().attr("name").unwrap_or_default();
            let plan_row = ["plan-", "units-", "start-"]
                .iter()
                .any(|p| name.starts_with(p));
            assert!(
                plan_row || others.contains(&name) || PROFILE.iter().any(|f| f.name == name),
                "{target}: `{name}` is not in the field table"
            );
        }
    }
}

// ---- the input tables of plans, licences, devices and events ---------------------------

/// The members a serde input reads, as `Deserialize` names them to a deserializer.
fn members<'de, T: serde::Deserialize<'de>>() -> Vec<&'static str> {
    use serde::de::{value::Error, Error as _, Visitor};
    struct Probe<'a>(&'a mut Vec<&'static str>);
    impl<'de> serde::Deserializer<'de> for Probe<'_> {
        type Error = Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
            Err(Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Error> {
            self.0.extend_from_slice(fields);
            Err(Error::custom("probed"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 u8 u16 u32 u64 f32 f64 char str string bytes byte_buf option
            unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
    let mut out = Vec::new();
    let _ = T::deserialize(Probe(&mut out));
    out
}

/// A JSON value of the field's type that serde reads.
fn json_sample(f: &Input) -> Value {
    match f.ty {
        Type::Text => Value::from("x"),
        Type::Integer => Value::from(f.min.max(1)),
        Type::Date => Value::from("2026-01-01"),
        Type::DateTime => Value::from("2026-01-01T00:00:00Z"),
        Type::Boolean => Value::from(true),
        Type::Codes(codes) => Value::from(codes()[0]),
    }
}

/// Every field of the table and every read-only key, with values of their types.
fn full_body(fields: &[Input], read_only: &[&str]) -> Value {
    let mut body = serde_json::Map::new();
    for f in fields {
        body.insert(f.name.into(), json_sample(f));
    }
    for key in read_only {
        body.insert((*key).into(), Value::from(1));
    }
    Value::Object(body)
}

fn sorted(mut names: Vec<&str>) -> Vec<&str> {
    names.sort_unstable();
    names
}

/// The table's names and the read-only keys: what a body may hold.
fn keys<'a>(fields: &[Input], read_only: &[&'a str]) -> Vec<&'a str> {
    sorted(
        inputs::names(fields)
            .into_iter()
            .chain(read_only.iter().copied())
            .collect(),
    )
}

#[test]
fn serde_inputs_read_exactly_their_tables() {
    fn check<T: serde::de::DeserializeOwned>(what: &str, fields: &[Input], read_only: &[&str]) {
        assert_eq!(sorted(members::<T>()), keys(fields, read_only), "{what}");
        let body = full_body(fields, read_only);
        if let Err(e) = serde_json::from_value::<T>(body.clone()) {
            panic!("{what} refuses {body}: {e}");
        }
        let mut unknown = body;
        unknown["no_such_field"] = Value::from(1);
        assert!(serde_json::from_value::<T>(unknown).is_err(), "{what}");
    }
    check::<PlanInput>("PlanInput", plan::FIELDS, plan::READ_ONLY);
    check::<LicenseChange>("LicenseChange", license::CHANGE, &[]);
    check::<DeviceInput>("DeviceInput", device::FIELDS, &[]);
    check::<EventInput>("EventInput", event::FIELDS, &[]);
    // A customer body: the profile table, the other fields, the derived keys it ignores.
    let others = [
        "account_type",
        "status",
        "wfbs_template",
        "cloud_edge_template",
        "licenses",
    ];
    let customer: Vec<&str> = PROFILE.iter().map(|f| f.name).chain(others).collect();
    assert_eq!(
        sorted(members::<CustomerInput>()),
        sorted(
            customer
                .into_iter()
                .chain(validate::CUSTOMER_READ_ONLY.iter().copied())
                .collect()
        )
    );
    // A licence entry leaves unknown keys to the API, which names the entry (below).
    let entry = members::<validate::LicenseInput>();
    assert_eq!(sorted(entry), keys(license::ENTRY, license::READ_ONLY));
}

#[test]
fn the_api_takes_licences_with_exactly_the_table_keys() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(&dir.path().join("licences.redb"), Access::Write, None).unwrap();
    let app = App::new(desk);
    let post = |target: &str, body: &Value| {
        let req = Request::new(Method::Post, target)
            .unwrap()
            .with_header("Content-Type", "application/json")
            .with_body(body.to_string());
        let r = app.handle(&req);
        let v: Value = serde_json::from_slice(&r.body).unwrap_or_default();
        (
            r.status,
            v["error"]["code"].as_str().unwrap_or_default().to_string(),
        )
    };
    let entry = full_body(license::ENTRY, license::READ_ONLY);
    let customer = |entry: &Value| serde_json::json!({ "licenses": [entry] });
    let added = full_body(license::ADD, &[]);
    for (target, body, unknown) in [
        ("/api/customers", customer(&entry), {
            let mut e = entry.clone();
            e["no_such_field"] = Value::from(1);
            customer(&e)
        }),
        ("/api/customers/1/licenses", added.clone(), {
            let mut e = added.clone();
            e["no_such_field"] = Value::from(1);
            e
        }),
    ] {
        let (status, code) = post(target, &body);
        assert!(
            code != "unknown_field" && code != "bad_json",
            "{target}: {status} {code}"
        );
        let (status, code) = post(target, &unknown);
        assert_eq!(code, "unknown_field", "{target}: {status}");
    }
}

#[test]
fn cli_holding_and_plan_commands_offer_the_table_flags() {
    let add = |t: &[Input]| t.iter().filter_map(Input::add_flag).collect::<Vec<_>>();
    let edit = |t: &[Input]| t.iter().map(|f| f.flag).collect::<Vec<_>>();
    for (command, expected) in [
        (["plan", "add"], add(plan::FIELDS)),
        (["plan", "edit"], edit(plan::FIELDS)),
        (["license", "add"], add(license::ADD)),
        (["license", "edit"], edit(license::CHANGE)),
        (["device", "add"], add(device::FIELDS)),
        (["device", "edit"], edit(device::FIELDS)),
        (["event", "add"], add(event::FIELDS)),
    ] {
        let out = Command::new(common::bin())
            .args(command)
            .arg("--help")
            .output()
            .unwrap();
        assert!(out.status.success(), "{command:?} --help");
        let help = String::from_utf8(out.stdout).unwrap();
        let flags = options(&help);
        let flags: Vec<&str> = flags
            .keys()
            .map(String::as_str)
            .filter(|f| !["--help", "--format"].contains(f))
            .collect();
        assert_eq!(sorted(flags), sorted(expected), "{command:?} in\n{help}");
    }
}

#[test]
fn openapi_bodies_of_holdings_and_plans_are_their_tables() {
    let schemas = &openapi::document()["components"]["schemas"];
    for (name, fields, read_only, create) in [
        ("PlanCreate", plan::FIELDS, plan::READ_ONLY, true),
        ("PlanPatch", plan::FIELDS, plan::READ_ONLY, false),
        ("LicenseInput", license::ENTRY, license::READ_ONLY, true),
        ("LicenseCreate", license::ADD, &[][..], true),
        ("LicensePatch", license::CHANGE, &[], false),
        ("DeviceCreate", device::FIELDS, &[], true),
        ("DevicePatch", device::FIELDS, &[], false),
        ("EventCreate", event::FIELDS, &[], true),
    ] {
        let body = &schemas[name];
        let properties = body["properties"].as_object().unwrap();
        let names: Vec<&str> = properties.keys().map(String::as_str).collect();
        assert_eq!(sorted(names), keys(fields, read_only), "{name}");
        assert_eq!(body["additionalProperties"], false, "{name}");
        let required: Vec<&str> = body["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for key in read_only {
            let d = properties[*key]["description"].as_str().unwrap();
            assert!(d.starts_with("read-only"), "{name}.{key}: {d}");
        }
        for f in fields {
            let p = &properties[f.name];
            let at = format!("{name}.{}", f.name);
            assert_eq!(p["description"], f.help, "{at}");
            assert_eq!(required.contains(&f.name), create && f.required, "{at}");
            let nullable = p["type"]
                .as_array()
                .is_some_and(|t| t.contains(&"null".into()));
            assert_eq!(nullable, !create || f.null_on_create, "{at}");
            match f.ty {
                Type::Text => {
                    assert_eq!(p["maxLength"], f.max, "{at}");
                    assert_eq!(p["minLength"], f.min, "{at}");
                    assert_eq!(p["pattern"].as_str(), f.pattern, "{at}");
                }
                Type::Integer => {
                    assert_eq!(
                        (&p["minimum"], &p["maximum"]),
                        (&f.min.into(), &f.max.into()),
                        "{at}"
                    );
                }
                Type::Date => assert_eq!(p["format"], "date", "{at}"),
                Type::DateTime => assert_eq!(p["format"], "date-time", "{at}"),
                Type::Boolean => assert!(p["type"].to_string().contains("boolean"), "{at}"),
                Type::Codes(codes) => {
                    for code in codes() {
                        assert!(p["enum"].as_array().unwrap().contains(&code.into()), "{at}");
                    }
                }
            }
        }
    }
}
