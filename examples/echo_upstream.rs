//! A minimal upstream for load tests: answers every request with 200 and
//! the size of the body it read (counted as it streams, never held), optionally after a delay that stands in
//! for an engine's own work (a Camunda REST call is milliseconds of
//! database time). Usage: `echo_upstream 127.0.0.1:18081 [DELAY_MS]`.

use std::convert::Infallible;

use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

async fn echo(request: Request<Incoming>, delay: u64) -> Result<Response<Full<Bytes>>, Infallible> {
    // Counted frame by frame, never held: uploads of any size cost the
    // upstream nothing, so what a memory measurement sees is the gateway.
    let mut body = request.into_body();
    let mut len = 0usize;
    while let Some(Ok(frame)) = body.frame().await {
        len += frame.data_ref().map_or(0, |d| d.len());
    }
    if delay > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
    Ok(Response::new(Full::new(Bytes::from(format!(
        "{{\"received\":{len}}}"
    )))))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18081".into());
    let delay: u64 = std::env::args()
        .nth(2)
        .and_then(|d| d.parse().ok())
        .unwrap_or(0);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service_fn(move |r| echo(r, delay)))
                .await;
        });
    }
}
