//! What the integration tests share, written once.
//!
//! Every test binary includes this folder: a single-file test with
//! `mod common;`, a test folder (`tests/json/main.rs` and the like) with
//! `#[path = "../common/mod.rs"] mod common;`. Each binary uses only part of
//! it, hence the `dead_code` allowance.
//!
//! | module | what it gives |
//! |---|---|
//! | [`policy`] | the shipped policies (`policies/*.toml`), edited copies, guards from TOML text |
//! | [`request`] | `http::request::Parts` for a method, a URI and headers |
//! | [`outcome`] | verdicts and violations as short strings (`"reject <code> at <location>"`), and the one failure report every table prints |
//! | [`text`] | bodies in UTF-16 and UTF-32, shortened input for messages |
//! | [`json`] | JSON string literals and Camunda typed variables |
//! | [`bin`] | the built `input-guard` executable: run it, write a policy file for it, ports and logs for `serve` (feature `cli`) |
//! | [`java`] | the Java oracles of the engine-agreement suite (`tests/engine/*.java`) |
//! | [`xerces`] | the one-byte documents of the legacy-encoding comparison with the JDK |
// Test support: panics here are test failures, never request paths.
#![allow(dead_code)]

#[cfg(feature = "cli")]
pub mod bin;
pub mod java;
pub mod json;
pub mod outcome;
pub mod policy;
pub mod request;
pub mod text;
pub mod xerces;
