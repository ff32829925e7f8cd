//! The bare JSON scanner (`scan_only`: strict RFC 8259 and no duplicate
//! keys, no typed-variable rules) against serde_json on arbitrary bytes.
//!
//! For UTF-8 input the scanner accepts exactly the documents serde_json
//! parses that have no duplicate key (serde_json's `Value` keeps the last
//! copy silently, so a visitor here looks for them) and keep within the
//! limits. Two differences of serde_json's are kept out of the way rather
//! than papered over:
//!
//! * its recursion limit (128 levels): the limits tried here stay below
//!   it, so a document serde_json refuses for depth is too deep for the
//!   scanner as well;
//! * numbers beyond `f64` (`1e400`): valid JSON that serde_json refuses
//!   when it reads values; for those only "the scanner accepts no more than
//!   serde_json's `IgnoredAny`" is checked.
//!
//! Lengths as written (of strings and numbers) are what the scanner
//! limits, and serde_json does not report them, so those two limits are
//! set out of reach; depth and members per container are tried, loose and
//! tight. Non-UTF-8 input must merely be refused without a panic.
#![no_main]

use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

use input_guard::__fuzz::json_scan as scan_only;
use input_guard::policy::JsonPolicy;
use libfuzzer_sys::fuzz_target;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// What serde_json saw of a document: how deep its containers nest (0 for
/// a scalar), the most members or elements in one of them, and whether an
/// object repeats a key (compared decoded, as serde_json reads keys).
#[derive(Debug, Default, Clone, Copy)]
struct Shape {
    depth: usize,
    widest: usize,
    duplicate: bool,
}

impl Shape {
    fn absorb(&mut self, inner: Shape) {
        self.depth = self.depth.max(inner.depth);
        self.widest = self.widest.max(inner.widest);
        self.duplicate |= inner.duplicate;
    }

    /// This container, holding `count` values whose shapes it absorbed.
    fn container(mut self, count: usize) -> Shape {
        self.depth += 1;
        self.widest = self.widest.max(count);
        self
    }
}

impl<'de> Deserialize<'de> for Shape {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ShapeVisitor)
    }
}

struct ShapeVisitor;

impl<'de> Visitor<'de> for ShapeVisitor {
    type Value = Shape;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Shape, E> {
        Ok(Shape::default())
    }

    fn visit_i64<E>(self, _: i64) -> Result<Shape, E> {
        Ok(Shape::default())
    }

    fn visit_u64<E>(self, _: u64) -> Result<Shape, E> {
        Ok(Shape::default())
    }

    fn visit_f64<E>(self, _: f64) -> Result<Shape, E> {
        Ok(Shape::default())
    }

    fn visit_str<E>(self, _: &str) -> Result<Shape, E> {
        Ok(Shape::default())
    }

    fn visit_unit<E>(self) -> Result<Shape, E> {
        Ok(Shape::default())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
        let mut shape = Shape::default();
        let mut count = 0;
        while let Some(inner) = seq.next_element::<Shape>()? {
            shape.absorb(inner);
            count += 1;
        }
        Ok(shape.container(count))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        let mut shape = Shape::default();
        let mut keys = HashSet::new();
        let mut count = 0;
        while let Some(key) = map.next_key::<String>()? {
            shape.duplicate |= !keys.insert(key);
            shape.absorb(map.next_value::<Shape>()?);
            count += 1;
        }
        Ok(shape.container(count))
    }
}

/// Limits under which the scanner must agree with serde_json exactly.
fn limits() -> &'static [JsonPolicy; 2] {
    static LIMITS: OnceLock<[JsonPolicy; 2]> = OnceLock::new();
    LIMITS.get_or_init(|| {
        let mut loose = JsonPolicy::default();
        loose.max_depth = 100;
        loose.max_string_bytes = usize::MAX;
        loose.max_number_length = usize::MAX;
        let mut tight = loose.clone();
        tight.max_depth = 3;
        tight.max_members = 4;
        [loose, tight]
    })
}

fuzz_target!(|data: &[u8]| {
    let by_default = scan_only(data, &JsonPolicy::default());
    if let Err(v) = &by_default {
        assert!(v.location().starts_with('/'), "{v}");
    }
    if std::str::from_utf8(data).is_err() {
        assert!(by_default.is_err(), "accepted bytes that are not UTF-8");
        return;
    }
    // Never more lenient than serde_json skimming the bytes (which has no
    // depth limit and reads numbers as grammar only).
    assert!(
        by_default.is_err() || serde_json::from_slice::<serde::de::IgnoredAny>(data).is_ok(),
        "accepted what serde_json rejects"
    );
    let shape = match serde_json::from_slice::<Shape>(data) {
        Ok(shape) => shape,
        // Valid JSON serde_json will not read as values: the property
        // above is all that can be checked.
        Err(e) if e.to_string().starts_with("number out of range") => return,
        Err(e) => {
            // Invalid, or 128 levels deep: past every limit tried here,
            // and past the default one unless exactly at it.
            let too_deep = e.to_string().starts_with("recursion limit exceeded");
            assert!(
                too_deep || by_default.is_err(),
                "accepted what serde_json rejects: {e}"
            );
            for policy in limits() {
                let ours = scan_only(data, policy);
                assert!(ours.is_err(), "accepted what serde_json rejects: {e}");
            }
            return;
        }
    };
    assert!(
        by_default.is_err() || !shape.duplicate,
        "accepted a duplicate key"
    );
    for policy in limits() {
        let ours = scan_only(data, policy);
        let expected = !shape.duplicate
            && shape.depth <= policy.max_depth
            && shape.widest <= policy.max_members;
        assert_eq!(
            ours.is_ok(),
            expected,
            "scanner: {ours:?}; serde_json: {shape:?}; limits: depth {}, members {}",
            policy.max_depth,
            policy.max_members
        );
    }
});
