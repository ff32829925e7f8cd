//! Outcomes as short strings, so that a table's expected column and a
//! failure message read the same: `"ok"`, `"<code> at <location>"`,
//! `"allow"`, `"reject <code> at <location>"`, `"rewrite <uri>"`.

use input_guard::{Verdict, Violation};

/// What an inspector's `Ok(())` reads as.
pub const OK: &str = "ok";

/// What `Verdict::Allow` reads as.
pub const ALLOW: &str = "allow";

/// A violation as `"<code> at <location>"`.
pub fn code_at(code: &str, location: &str) -> String {
    format!("{code} at {location}")
}

/// An inspector's result: [`OK`], or `"<code> at <location>"`.
pub fn inspected(result: &Result<(), Violation>) -> String {
    match result {
        Ok(()) => OK.to_owned(),
        Err(v) => code_at(v.code().as_str(), v.location()),
    }
}

/// A guard's verdict: [`ALLOW`], `"rewrite <uri>"`,
/// `"reject <code> at <location>"` or `"report <code> at <location>"`.
pub fn verdict(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Allow => ALLOW.to_owned(),
        Verdict::Rewrite(uri) => format!("rewrite {uri}"),
        Verdict::Reject(v) => format!("reject {}", code_at(v.code().as_str(), v.location())),
        Verdict::Report(v) => format!("report {}", code_at(v.code().as_str(), v.location())),
    }
}

/// Fails, listing every failure, unless `failures` is empty; `total` is the
/// number of cases the table ran. Tables collect every case that disagrees
/// before they call this, so one failing case does not hide the others.
#[track_caller]
pub fn assert_all_passed(failures: &[String], total: usize) {
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        total,
        failures.join("\n")
    );
}
