//! The type-name parser and the class filter on arbitrary strings: no panic,
//! no hang, and the two agree (a malformed name is never allowed; an allowed
//! name's classes each pass `check_class`).
#![no_main]

use std::sync::OnceLock;

use input_guard::classes::{ClassFilter, TypeDecision, parse_type_name};
use libfuzzer_sys::fuzz_target;

fn filter() -> &'static ClassFilter {
    static FILTER: OnceLock<ClassFilter> = OnceLock::new();
    FILTER.get_or_init(|| {
        let allow = ["java.util.*", "java.lang.**", "com.acme.**", "a.B", "a$b.C"];
        let deny = ["com.acme.internal.**", "java.util.Secret"];
        ClassFilter::new(
            allow.iter().filter_map(|p| p.parse().ok()),
            deny.iter().filter_map(|p| p.parse().ok()),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(name) = std::str::from_utf8(data) else {
        return;
    };
    let filter = filter();
    let mut classes = Vec::new();
    let parsed = parse_type_name(name, |c| classes.push(c));
    let decision = filter.check(name);
    match (&parsed, decision) {
        (Err(_), TypeDecision::Malformed(_)) => {}
        (Ok(()), TypeDecision::Allowed) => {
            assert!(classes.iter().all(|c| filter.check_class(c).is_allowed()));
        }
        (Ok(()), TypeDecision::Denied { class, decision }) => {
            assert!(classes.contains(&class));
            assert!(!decision.is_allowed());
        }
        (parsed, decision) => panic!("parser said {parsed:?}, filter said {decision:?}"),
    }
    // Arbitrary strings straight into the matcher, too.
    let _ = filter.check_class(name);
});
