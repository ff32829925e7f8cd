//! The policy loader on arbitrary text: no panic, and an accepted policy
//! compiles into a guard that can judge a request. `from_toml_all`, which
//! collects every error, agrees with `from_toml`: the same policy, or the
//! same first error, and every error it lists has a place inside the text.
#![no_main]

use input_guard::{Guard, Policy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Policy::from_toml(text) {
        Ok(policy) => {
            let guard = Guard::new(policy).expect("every policy the loader accepts builds a guard");
            let _ = guard.class_filter().check("java.util.List<com.acme.Order>");
            if let Ok(req) = http::Request::post("/x")
                .header("content-type", "application/json")
                .body(())
            {
                let (head, ()) = req.into_parts();
                let _ = guard.check(&head, b"{}");
            }
        }
        Err(e) => {
            // Every error renders, with a position inside the text when it has one.
            let _ = e.to_string();
            if let Some(line) = e.line() {
                assert!(line >= 1 && line <= text.lines().count().max(1) + 1);
            }
        }
    }
    let lines = text.lines().count().max(1) + 1;
    match (Policy::from_toml(text), Policy::from_toml_all(text)) {
        (Ok(one), Ok(all)) => assert_eq!(one, all),
        (Err(one), Err(all)) => {
            assert_eq!(one.to_string(), all.first().to_string());
            for e in all.iter() {
                let _ = e.to_string();
                if let Some(line) = e.line() {
                    assert!(line >= 1 && line <= lines, "{e}");
                }
            }
        }
        (one, all) => panic!("from_toml {:?} but from_toml_all {:?}", one.is_ok(), all.is_ok()),
    }
});
