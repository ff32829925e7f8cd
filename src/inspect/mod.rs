//! Inspectors: pure functions over request bytes.
//!
//! Each inspector reads one kind of input in a single pass and reports the
//! first [`Violation`](crate::Violation) it finds. The [`Guard`](crate::Guard)
//! picks the inspector from the request's `Content-Type`.

pub mod compression;
pub mod json;
pub mod media_type;
pub mod multipart;
pub mod path;
pub mod query;
pub mod xml;
