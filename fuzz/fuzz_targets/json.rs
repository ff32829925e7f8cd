//! The JSON inspector on arbitrary bytes under a policy that allows the
//! classes seeds use and one that allows nothing: no panic, no hang, and
//! never more lenient than serde_json — what the inspector accepts as
//! UTF-8 JSON, serde_json parses too. A list query's body is inspected the
//! same way, and the paging members read from it in the same pass are the
//! ones serde_json finds.
//!
//! And a carried document is judged as itself: the input, written into a
//! `Json` variable's string (as serializers write it, read in place when
//! its only escapes are `\"`; and with every quote as `\u0022`, decoded),
//! gets the code and location it gets inspected directly.
#![no_main]

use std::sync::OnceLock;

use input_guard::inspect::json::PagingMember;
use input_guard::{Guard, Policy};
use libfuzzer_sys::fuzz_target;

/// The default policy, with room for the one extra level of carrying.
fn carrying_guard() -> &'static Guard {
    static GUARD: OnceLock<Guard> = OnceLock::new();
    GUARD.get_or_init(|| {
        let mut policy = Policy::default();
        policy.json.max_embedded_depth = 64;
        Guard::new(policy).expect("a valid policy")
    })
}

/// `"code at location"` or `"ok"`, the location under `prefix`.
fn verdict(result: Result<(), input_guard::Violation>, prefix: &str) -> String {
    match result {
        Ok(()) => "ok".to_owned(),
        Err(v) => {
            let inner = v.location().trim_start_matches('/');
            let location = if inner.is_empty() {
                prefix.to_owned()
            } else {
                format!("{prefix}/{inner}")
            };
            format!("{} at {location}", v.code().as_str())
        }
    }
}

fn carried_is_judged_as_itself(data: &[u8]) {
    // The body's own encoding sniffing does not apply to carried text.
    let sniffed = matches!(
        data,
        [0, ..] | [_, 0, ..] | [0xFE, 0xFF, ..] | [0xFF, 0xFE, ..]
    ) || data.starts_with(b"\xEF\xBB\xBF");
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if sniffed {
        return;
    }
    let guard = carrying_guard();
    let direct = verdict(guard.json().inspect(data, None), "/v/value");
    let Ok(quoted) = serde_json::to_string(text) else {
        return;
    };
    let written = &quoted[1..quoted.len() - 1];
    for written in [written.to_owned(), written.replace("\\\"", "\\u0022")] {
        let body = format!(r#"{{"v":{{"type":"Json","value":"{written}"}}}}"#);
        let carried = verdict(guard.json().inspect(body.as_bytes(), None), "");
        assert_eq!(carried, direct, "carried as {written:?}");
    }
}

fn guards() -> &'static [Guard; 2] {
    static GUARDS: OnceLock<[Guard; 2]> = OnceLock::new();
    GUARDS.get_or_init(|| {
        let open = Policy::from_toml(
            r#"
            [classes]
            allow = ["java.util.*", "java.lang.String", "com.acme.**", "Acme.**"]
            [json]
            max_depth = 16
            max_members = 64
            max_string_bytes = 4096
            max_embedded_depth = 3
            wrapper_arrays = true
            "#,
        )
        .unwrap_or_default();
        [Guard::new(open).expect("a valid policy"), Guard::new(Policy::default()).expect("a valid policy")]
    })
}

fuzz_target!(|data: &[u8]| {
    carried_is_judged_as_itself(data);
    for guard in guards() {
        let verdict = guard.json().inspect(data, None);
        let _ = guard.json().inspect(data, Some("utf-16"));
        if let Err(v) = &verdict {
            assert!(v.location().starts_with('/'), "{v}");
        }
        let listed = guard.json().inspect_list_query(data, None);
        assert_eq!(
            listed.as_ref().err(),
            verdict.as_ref().err(),
            "a list query's body gets the verdict any body gets"
        );
        let utf8 = !matches!(
            data,
            [0, ..] | [_, 0, ..] | [0xFE, 0xFF, ..] | [0xFF, 0xFE, ..]
        );
        if verdict.is_ok() && utf8 {
            let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
            assert!(
                serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok(),
                "accepted what serde_json rejects"
            );
            if let Ok(members) = listed {
                paging_agrees_with_serde_json(body, members);
            }
        }
    }
});

/// The paging members read from an accepted body are the top-level
/// `maxResults`/`firstResult` serde_json sees, strings read as strings.
fn paging_agrees_with_serde_json(body: &[u8], ours: Vec<PagingMember>) {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(body) else {
        assert!(ours.is_empty(), "paging found outside an object");
        return;
    };
    let theirs: Vec<(&str, Option<String>)> = map
        .iter()
        .filter(|(k, v)| {
            (k.as_str() == "maxResults" || k.as_str() == "firstResult") && !v.is_null()
        })
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(_) => Some(String::new()),
                _ => None,
            };
            (k.as_str(), text)
        })
        .collect();
    let mut ours: Vec<(&str, Option<String>)> = ours
        .into_iter()
        .map(|(k, v)| {
            // Numbers as written differ from serde_json's rendering.
            let number = v.as_deref().is_some_and(|t| {
                t.starts_with(['-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
            });
            let is_string_in_body = map.get(k).is_some_and(serde_json::Value::is_string);
            (
                k,
                if number && !is_string_in_body {
                    Some(String::new())
                } else {
                    v
                },
            )
        })
        .collect();
    ours.sort();
    let mut theirs = theirs;
    theirs.sort();
    assert_eq!(ours, theirs, "paging members disagree with serde_json");
}
