//! JSON text: string literals and Camunda's typed variables.

/// A JSON string literal holding `text` (for documents carried in strings).
pub fn js(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

/// A Camunda typed variable (`VariableValueDto`) with all three members, in
/// this order: `value` (JSON text, put in as is), `type`, and a `valueInfo`
/// with `objectTypeName` and `serializationDataFormat`.
pub fn typed(value: &str, type_name: &str, class: &str, format: &str) -> String {
    format!(
        r#"{{"value":{value},"type":"{type_name}","valueInfo":{{"objectTypeName":"{class}","serializationDataFormat":"{format}"}}}}"#
    )
}
