//! The shipped policies and guards built from policy text.

use input_guard::{Guard, Policy};

/// The path of a shipped policy, `policies/<name>`.
pub fn shipped_path(name: &str) -> String {
    format!("{}/policies/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The path of the bundled Camunda 7 policy, `policies/camunda.toml`.
pub const CAMUNDA_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/policies/camunda.toml");

/// A shipped policy, loaded from its file as a user would load it.
#[track_caller]
pub fn shipped(name: &str) -> Policy {
    let path = shipped_path(name);
    Policy::load(&path).unwrap_or_else(|e| panic!("policies/{name}: {e}"))
}

/// The bundled Camunda 7 policy, loaded from `policies/camunda.toml`.
#[track_caller]
pub fn camunda() -> Policy {
    shipped("camunda.toml")
}

/// A guard for the bundled Camunda 7 policy.
#[track_caller]
pub fn camunda_guard() -> Guard {
    Guard::new(camunda()).expect("a valid policy")
}

/// The text of `policies/camunda.toml`.
pub fn camunda_text() -> String {
    std::fs::read_to_string(CAMUNDA_PATH).unwrap_or_else(|e| panic!("{CAMUNDA_PATH}: {e}"))
}

/// The bundled policy text with each `(from, to)` replaced. `from` must occur
/// exactly once, so that an edit of the bundled file cannot silently turn a
/// test into a no-op.
#[track_caller]
pub fn camunda_edited(edits: &[(&str, &str)]) -> String {
    let mut text = camunda_text();
    for (from, to) in edits {
        assert_eq!(
            text.matches(from).count(),
            1,
            "`{from}` should occur once in camunda.toml"
        );
        text = text.replace(from, to);
    }
    text
}

/// A policy from TOML text; a policy that does not load fails the test,
/// printing the text.
#[track_caller]
pub fn from_toml(text: &str) -> Policy {
    Policy::from_toml(text).unwrap_or_else(|e| panic!("{e}\n--- policy ---\n{text}"))
}

/// A guard for policy text (see [`from_toml`]).
#[track_caller]
pub fn guard(text: &str) -> Guard {
    Guard::new(from_toml(text)).expect("a valid policy")
}
