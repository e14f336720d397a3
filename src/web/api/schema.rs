//! The component schemas of every answer, derived from the types serde writes (the read
//! models of `domain::view`, the reports of the tasks) by `schemars`, so the document
//! cannot drift from the answers. Request bodies are described in [`super::openapi`].

use crate::domain::check::CheckReport;
use crate::domain::runway::Runway;
use crate::domain::view::{
    AuditView, DeviceView, EventView, FirmwareView, LicenseView, OutboxView, PlanView, TemplateView,
};
use crate::domain::view::{CustomerDetail, Page};
use crate::tasks::bulk::BulkReport;
use crate::tasks::csv::ImportReport;
use crate::tasks::runs::RunView;
use schemars::generate::{Contract, SchemaSettings};
use serde_json::{Map, Value};

/// Where the document keeps its schemas; every derived `$ref` points there.
const COMPONENTS: &str = "/components/schemas/";

/// The schema of each answer type and of every type it holds, by component name.
pub fn answers() -> Map<String, Value> {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = COMPONENTS.into();
            // Answers: a field serde always writes (even as null) is required.
            s.contract = Contract::Serialize;
            s.meta_schema = None;
        })
        .into_generator();
    macro_rules! answers {
        ($($answer:ty),*) => { $(generator.subschema_for::<$answer>();)* };
    }
    answers!(
        Page,
        CustomerDetail,
        LicenseView,
        DeviceView,
        EventView,
        PlanView,
        TemplateView,
        FirmwareView,
        OutboxView,
        AuditView,
        BulkReport,
        ImportReport,
        CheckReport,
        RunView,
        Runway
    );
    let mut schemas = generator.take_definitions(true);
    schemas.values_mut().for_each(close);
    schemas
}

/// Answers hold exactly their declared fields: every object schema refuses others.
fn close(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            map.values_mut().for_each(close);
        }
        Value::Array(items) => items.iter_mut().for_each(close),
        _ => {}
    }
}
