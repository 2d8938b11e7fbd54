//! `shopaudit schema`: the JSON Schema of the JSON report, for dashboards and validators.

use crate::report::Report;

/// The JSON Schema (draft 2020-12) of [`Report`], pretty-printed.
pub fn report_schema() -> String {
    let mut schema = schemars::schema_for!(Report);
    schema.insert(
        "$id".into(),
        format!("urn:shopaudit:report:v{}", crate::report::SCHEMA_VERSION).into(),
    );
    let mut out = serde_json::to_string_pretty(&schema).expect("a schema is plain JSON");
    out.push('\n');
    out
}
