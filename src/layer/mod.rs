//! The Tower layer: [`GuardLayer`] in front of any service that takes
//! `http::Request`s, in the style of tower-http's `RequestBodyLimit`.
//!
//! For every request the service:
//!
//! 1. checks the head ([`Guard::check_head`](crate::Guard::check_head)):
//!    an oversized `Content-Length`, an unreadable path or header is
//!    answered at once, before a byte of the body is read;
//! 2. collects the body up to the route's limit (413 past it);
//! 3. asks the sans-IO [`Guard`](crate::Guard) once;
//! 4. on a rejection answers `application/problem+json` (RFC 9457) and
//!    records an audit event (`tracing` target `input_guard::audit`); in
//!    `report` mode records the event and lets the request through;
//! 5. otherwise hands the inner service the request with the *same*
//!    `Bytes` it read (no copy, no re-serialisation), and the rewritten URI
//!    if the query was clamped.
//!
//! ```
//! use std::sync::Arc;
//! use bytes::Bytes;
//! use http::{Request, Response, StatusCode};
//! use http_body_util::{BodyExt, Full};
//! use input_guard::{Guard, Policy, layer::GuardLayer};
//! use tower::{ServiceBuilder, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let guard = Arc::new(Guard::new(Policy::from_toml("[body]\nmax_bytes = 16")?));
//! let echo = service_fn(|req: Request<Full<Bytes>>| async move {
//!     Ok::<_, std::convert::Infallible>(Response::new(req.into_body()))
//! });
//! let service = ServiceBuilder::new().layer(GuardLayer::new(guard)).service(echo);
//!
//! let request = Request::post("/x")
//!     .header("content-type", "application/json")
//!     .body(Full::new(Bytes::from_static(b"{\"too\": \"large for 16 bytes\"}")))?;
//! let response = service.oneshot(request).await?;
//! assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
//! let body = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
//! assert!(std::str::from_utf8(&body)?.contains("\"code\":\"body-too-large\""));
//! # Ok(())
//! # }
//! ```

mod guard_layer;
mod problem;
mod service;

pub use guard_layer::GuardLayer;
pub use problem::{problem_body, problem_response};
pub use service::{GuardBody, GuardService};
