//! The JSON inspector on arbitrary bytes under a policy that allows the
//! classes seeds use and one that allows nothing: no panic, no hang, and
//! never more lenient than serde_json — what the inspector accepts as
//! UTF-8 JSON, serde_json parses too.
#![no_main]

use std::sync::OnceLock;

use input_guard::{Guard, Policy};
use libfuzzer_sys::fuzz_target;

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
        [Guard::new(open), Guard::new(Policy::default())]
    })
}

fuzz_target!(|data: &[u8]| {
    for guard in guards() {
        let verdict = guard.json().inspect(data, None);
        let _ = guard.json().inspect(data, Some("utf-16"));
        if let Err(v) = &verdict {
            assert!(v.location().starts_with('/'), "{v}");
        }
        let utf8 = !matches!(data, [0, ..] | [_, 0, ..] | [0xFE, 0xFF, ..] | [0xFF, 0xFE, ..]);
        if verdict.is_ok() && utf8 {
            let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
            assert!(
                serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok(),
                "accepted what serde_json rejects"
            );
        }
    }
});
