//! The Tower layer: [`GuardLayer`] in front of any service that takes
//! `http::Request`s, in the style of tower-http's `RequestBodyLimit`.
//!
//! For every request the service:
//!
//! 1. reads the head once ([`Guard::head`](crate::Guard::head)): a method
//!    the policy does not allow (405, with `Allow`), an oversized URL or
//!    header section, a client outside a route's networks (judged on the
//!    [`ClientAddr`] extension), an oversized `Content-Length`, an
//!    unreadable path or header is answered at once, before a byte of the
//!    body is read;
//! 2. collects the body up to the route's limit (413 past it; in report
//!    mode the body streams on uninspected and the violation is recorded);
//! 3. asks the sans-IO [`Guard`](crate::Guard) once
//!    ([`HeadCheck::check`](crate::HeadCheck::check));
//! 4. on a rejection answers `application/problem+json` (RFC 9457) and
//!    records an audit event ([`AuditEvent`]; by default with `tracing`,
//!    target `input_guard::audit`, which goes nowhere without a
//!    subscriber); in `report` mode records the event and lets the request
//!    through;
//! 5. otherwise hands the inner service the request with the *same*
//!    `Bytes` it read ([`InspectedBody`]: no copy, no re-serialisation),
//!    and the rewritten URI if the query was clamped.
//!
//! The inner service takes `Request<InspectedBody>` whatever body the
//! layer was given, and answers `Response<B>` with `B: Body<Data = Bytes>`;
//! the layer answers [`ResponseBody<B>`].
//!
//! # Order with other layers
//!
//! Put `GuardLayer` *outside* body-limiting layers such as tower-http's
//! `RequestBodyLimitLayer` (before them in a `ServiceBuilder`): the guard
//! enforces the policy's per-route limits itself and answers with
//! problem+json, and the service it wraps receives an [`InspectedBody`]
//! of known length. Inside such a layer it works too, but that layer then
//! answers an oversized `Content-Length` itself, in its own format.
//!
//! ```
//! use std::sync::Arc;
//! use bytes::Bytes;
//! use http::{Request, Response, StatusCode};
//! use http_body_util::{BodyExt, Full};
//! use input_guard::{Guard, Policy, layer::{GuardLayer, InspectedBody}};
//! use tower::{ServiceBuilder, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let guard = Arc::new(Guard::new(Policy::from_toml("[body]\nmax_bytes = 16")?)?);
//! let echo = service_fn(|req: Request<InspectedBody>| async move {
//!     Ok::<_, std::convert::Infallible>(Response::new(Full::new(req.into_body().into_bytes().unwrap_or_default())))
//! });
//! let service = ServiceBuilder::new().layer(GuardLayer::new(guard)).service(echo);
//!
//! let request = Request::post("/x")
//!     .header("content-type", "application/json")
//!     .body(Full::new(Bytes::from_static(b"{\"too\": \"large for 16 bytes\"}")))?;
//! let response = service.oneshot(request).await?;
//! assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
//! let body = response.into_body().collect().await?.to_bytes();
//! assert!(std::str::from_utf8(&body)?.contains("\"code\":\"body-too-large\""));
//! # Ok(())
//! # }
//! ```

mod body;
mod budget;
mod future;
// tower-http's layout: one folder per layer, `layer.rs` holding the layer.
#[allow(clippy::module_inception)]
mod layer;
mod problem;
mod service;
#[cfg(test)]
mod tests;

pub use body::{InspectedBody, ResponseBody};
pub use budget::BufferBudget;
// Defined beside the guard, which judges route allowlists on it.
pub use crate::guard::ClientAddr;
pub use future::ResponseFuture;
pub use layer::{AuditEvent, GuardLayer, GuardLayerBuilder, Inspection};
pub use problem::{problem_body, problem_response, problem_response_for, request_id};
pub use service::GuardService;
