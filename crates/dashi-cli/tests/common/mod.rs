//! Helpers shared by the CLI tests: running the binary, and checking metrics files
//! against `docs/metrics.schema.json` (the schema users validate against too).

#![allow(dead_code)] // each test binary uses a subset

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

/// Runs `dashi args…` in `dir`.
pub fn dashi(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dashi")).args(args).current_dir(dir).output().expect("dashi runs")
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A metrics file, parsed.
pub fn metrics(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("metrics file")).expect("metrics JSON")
}

/// The schema of `docs/metrics.schema.json`.
pub fn schema() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/metrics.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("docs/metrics.schema.json")).expect("schema JSON")
}

/// Asserts that `m` is a valid metrics file of `command`: the schema (the subset of JSON
/// Schema it uses: type, required, properties, additionalProperties, enum, const,
/// minimum), the results keys the schema's `x-results` promises, and timing names in
/// seconds (`_s`).
pub fn assert_metrics(m: &Value, command: &str) {
    let schema = schema();
    let mut errors = Vec::new();
    check(m, &schema, "$", &mut errors);
    assert!(errors.is_empty(), "metrics of {command} break docs/metrics.schema.json:\n{}\n{m:#}", errors.join("\n"));
    assert_eq!(m["command"], command);
    assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
    let keys = schema["x-results"][command].as_array().unwrap_or_else(|| panic!("x-results lacks {command}"));
    for key in keys {
        let key = key.as_str().unwrap();
        assert!(m["results"].get(key).is_some(), "{command} results lack {key}: {m:#}");
    }
    for name in m["timings"].as_object().unwrap().keys() {
        assert!(name.ends_with("_s"), "{command} timing {name} is not named in seconds (_s)");
    }
    assert_eq!(
        m["backend_used"].as_object().unwrap().keys().collect::<Vec<_>>(),
        m["device"].as_object().unwrap().keys().collect::<Vec<_>>(),
        "every stage has a device record"
    );
}

fn type_matches(v: &Value, t: &str) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        other => panic!("schema type {other} not supported by this checker"),
    }
}

/// A small JSON Schema checker (the keywords `docs/metrics.schema.json` uses).
pub fn check(v: &Value, s: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(t) = s.get("type") {
        let types: Vec<&str> = match t {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().map(|t| t.as_str().unwrap()).collect(),
            _ => panic!("bad type in schema at {at}"),
        };
        if !types.iter().any(|t| type_matches(v, t)) {
            errors.push(format!("{at}: {v} is not of type {types:?}"));
            return;
        }
    }
    if let Some(allowed) = s.get("enum").and_then(Value::as_array)
        && !allowed.contains(v)
    {
        errors.push(format!("{at}: {v} is not one of {allowed:?}"));
    }
    if let Some(c) = s.get("const")
        && c != v
    {
        errors.push(format!("{at}: {v} is not {c}"));
    }
    if let (Some(min), Some(x)) = (s.get("minimum").and_then(Value::as_f64), v.as_f64())
        && x < min
    {
        errors.push(format!("{at}: {x} < minimum {min}"));
    }
    let Some(object) = v.as_object() else { return };
    for key in s.get("required").and_then(Value::as_array).into_iter().flatten() {
        if !object.contains_key(key.as_str().unwrap()) {
            errors.push(format!("{at}: missing {key}"));
        }
    }
    let properties = s.get("properties").and_then(Value::as_object);
    for (key, value) in object {
        let path = format!("{at}.{key}");
        match (properties.and_then(|p| p.get(key)), s.get("additionalProperties")) {
            (Some(sub), _) => check(value, sub, &path, errors),
            (None, Some(Value::Bool(false))) => errors.push(format!("{path}: not allowed by the schema")),
            (None, Some(sub @ Value::Object(_))) => check(value, sub, &path, errors),
            (None, _) => {}
        }
    }
}
