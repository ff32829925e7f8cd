//! What the layer adds per request: the guard layer around an echo service
//! beside the bare echo service, for 1 KiB and 64 KiB benign JSON bodies
//! (a Camunda start request with typed variables). The goal is at most
//! 5 µs added at 1 KiB.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use http::{Request, Response};
use http_body_util::Full;
use input_guard::layer::{GuardLayer, InspectedBody};
use input_guard::{Guard, Policy};
use tower::{ServiceBuilder, ServiceExt, service_fn};

#[path = "common/ratio.rs"]
mod ratio;

fn start_request(target: usize) -> Bytes {
    let mut body = String::from("{\"businessKey\":\"order-4711\",\"variables\":{");
    let mut i = 0;
    while body.len() < target - 120 {
        if i > 0 {
            body.push(',');
        }
        if i % 3 == 0 {
            body.push_str(&format!(
                "\"order{i}\":{{\"value\":\"{{\\\"id\\\":{i},\\\"qty\\\":2}}\",\"type\":\"Object\",\"valueInfo\":{{\"objectTypeName\":\"java.util.HashMap\",\"serializationDataFormat\":\"application/json\"}}}}"
            ));
        } else {
            body.push_str(&format!(
                "\"note{i}\":{{\"value\":\"deliver before noon #{i}\",\"type\":\"String\"}}"
            ));
        }
        i += 1;
    }
    body.push_str("}}");
    Bytes::from(body)
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let policy = Policy::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/camunda.toml"
    ))
    .expect("policy");
    let guard = Arc::new(Guard::new(policy).expect("a valid policy"));
    // The same echo behind the guard (which hands on an `InspectedBody`)
    // and bare (which gets the client's `Full` body).
    let guarded_echo = service_fn(|req: Request<InspectedBody>| async move {
        Ok::<_, Infallible>(Response::new(Full::new(
            req.into_body().into_bytes().unwrap_or_default(),
        )))
    });
    let echo = service_fn(|req: Request<Full<Bytes>>| async move {
        Ok::<_, Infallible>(Response::new(req.into_body()))
    });
    let guarded = ServiceBuilder::new()
        .layer(GuardLayer::new(guard))
        .service(guarded_echo);

    let mut group = c.benchmark_group("layer");
    let mut ratios = Vec::new();
    for (label, size) in [("1KiB", 1024), ("64KiB", 64 * 1024)] {
        let body = start_request(size);
        let request = || {
            Request::post("/engine-rest/process-definition/key/invoice/start")
                .header("content-type", "application/json")
                .header("content-length", body.len())
                .body(Full::new(body.clone()))
                .expect("request")
        };
        let status = runtime
            .block_on(guarded.clone().oneshot(request()))
            .expect("call")
            .status();
        assert_eq!(
            status, 200,
            "the benchmark body must pass the bundled policy"
        );
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(BenchmarkId::new("guarded_echo", label), &(), |b, ()| {
            b.iter(|| runtime.block_on(guarded.clone().oneshot(request())))
        });
        group.bench_with_input(
            BenchmarkId::new("bare_echo_baseline", label),
            &(),
            |b, ()| b.iter(|| runtime.block_on(echo.oneshot(request()))),
        );
        let times = ratio::alternated(
            31,
            21,
            &mut [
                &mut || {
                    let _ = runtime.block_on(guarded.clone().oneshot(request()));
                },
                &mut || {
                    let _ = runtime.block_on(echo.oneshot(request()));
                },
            ],
        );
        ratios.push(format!(
            "{label}: layer {:.2} us, bare {:.2} us, {:.2} us added ({:.1}x)",
            times[0],
            times[1],
            times[0] - times[1],
            times[0] / times[1]
        ));
    }
    group.finish();
    println!("layer ratios: {}", ratios.join("; "));
}

criterion_group!(benches, bench);
criterion_main!(benches);
