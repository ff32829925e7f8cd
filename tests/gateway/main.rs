//! The guard meets real traffic, on 127.0.0.1 only; one test binary
//! (`cargo test --test gateway`):
//!
//! | module | what it holds |
//! |---|---|
//! | [`axum_app`] | an axum app with [`GuardLayer`], driven over `TcpStream`: clean requests arrive byte-identical, every rejection class is a problem+json response, report mode lets requests through, clamped queries are rewritten |
//! | [`edge`] | route network allowlists through the gateway (the client as trusted proxies say), each request-filtering limit with a trigger and a near miss |
//! | [`hygiene`] | proxy hygiene on raw sockets: `Expect` answered at the gateway and `HTTP2-Settings` dropped, an upstream's unrequested `101` never relayed, a header section that never ends closed and logged |
//! | [`oneshot`] | the same layer through `tower::ServiceExt::oneshot` (no network): rejections are `ResponseBody::is_rejection` and never call the inner service, clean requests reach it with the very same bytes, audit events |
//! | [`serve`] | the `input-guard serve` gateway (feature `cli`) in front of a real upstream and with its demo engine: forwarding, hop-by-hop headers, `X-Forwarded-*`, rejections that never reach the upstream, 502s, oversized, endless, truncated and slow uploads, graceful shutdown |
//! | [`operations`] | the gateway as operators run it: the admin listener (`/healthz`, `/readyz`, `/metrics` read with a Prometheus parser), audit and access logs with client addresses and class rules, 408 and 502 logged, the buffered-body budget (503 `overloaded`), reload counters |
//! | [`tls`] | TLS with real clients: `openssl s_client` (1.2 and 1.3 accepted, 1.1 refused), `curl` through the TLS gateway to a plain and to an HTTPS upstream (verified with `--upstream-ca`, refused without), certificates reloaded on SIGHUP |
//! | [`wire`] | the hand-written HTTP/1.1 client the tests talk with |
//! | [`requests`] | one request per rejection class and what must come back; requests that pass unchanged |
//!
//! Every test is bounded in time; gateway children are killed on drop.

#[path = "../common/mod.rs"]
mod common;

mod axum_app;
#[cfg(feature = "cli")]
mod edge;
#[cfg(feature = "cli")]
mod hygiene;
mod oneshot;
#[cfg(feature = "cli")]
mod operations;
#[cfg(feature = "cli")]
mod pool;
mod requests;
#[cfg(feature = "cli")]
mod serve;
#[cfg(feature = "cli")]
mod tls;
mod wire;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::routing::any;
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use input_guard::layer::GuardLayer;
use input_guard::{Guard, Policy};
use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use requests::*;
use wire::*;

/// The whole of one test, at most.
const TEST_LIMIT: Duration = Duration::from_secs(25);
/// One request and its answer, at most.
const IO_LIMIT: Duration = Duration::from_secs(5);
/// The body limit of the policies the in-process tests use.
const SMALL_LIMIT: u64 = 64 * 1024;
/// `Content-Length: 1 GiB`.
const ONE_GIB: u64 = 1 << 30;
/// The body limit of the bundled Camunda policy.
const CAMUNDA_BODY_LIMIT: u64 = 10_485_760;

/// Runs `test`, failing it if it takes longer than [`TEST_LIMIT`].
async fn bounded<F: Future<Output = ()>>(test: F) {
    tokio::time::timeout(TEST_LIMIT, test)
        .await
        .expect("the test did not finish within its time bound");
}

/// The bundled Camunda policy with some text replaced.
fn camunda_with(edits: &[(&str, &str)]) -> Policy {
    common::policy::from_toml(&common::policy::camunda_edited(edits))
}

/// The Camunda policy with a 64 KiB body limit.
fn small_policy() -> Policy {
    camunda_with(&[(
        "max_bytes = 10485760",
        &format!("max_bytes = {SMALL_LIMIT}"),
    )])
}

fn guard(policy: Policy) -> Arc<Guard> {
    Arc::new(Guard::new(policy).expect("a valid policy"))
}
