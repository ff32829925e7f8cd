//! TLS with real clients: `openssl s_client` and `curl` against the
//! gateway's rustls listener, and the gateway against an HTTPS upstream.
//! Certificates are made for each test with the `openssl` command.
//
// Unwraps here are test failures, not request paths.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use super::*;
use crate::serve::{Gateway, start_upstream};
use common::bin::temp_dir;

/// A test CA and a server certificate for 127.0.0.1 and localhost.
struct Pki {
    dir: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("openssl (Debian package openssl)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Pki {
    fn new(name: &str) -> Pki {
        let dir = temp_dir().join(format!("tls-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        openssl(
            &dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "2",
                "-subj",
                "/CN=input-guard test CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        );
        let pki = Pki { dir };
        pki.issue("server", "gateway");
        pki
    }

    /// Issues `NAME.pem` and `NAME.key` for 127.0.0.1 with common name `cn`.
    fn issue(&self, name: &str, cn: &str) {
        std::fs::write(
            self.dir.join("server.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        let key = format!("{name}.key");
        let csr = format!("{name}.csr");
        let pem = format!("{name}.pem");
        openssl(
            &self.dir,
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                &key,
                "-out",
                &csr,
                "-subj",
                &format!("/CN={cn}"),
            ],
        );
        openssl(
            &self.dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &pem,
                "-days",
                "2",
                "-extfile",
                "server.ext",
            ],
        );
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_str().unwrap().to_owned()
    }

    fn serve_args(&self) -> Vec<String> {
        vec![
            "--tls-cert".into(),
            self.path("server.pem"),
            "--tls-key".into(),
            self.path("server.key"),
        ]
    }
}

/// `openssl s_client` to `addr` with `extra` options; its output and
/// whether the handshake succeeded and verified.
fn s_client(addr: SocketAddr, ca: &str, extra: &[&str]) -> (bool, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new("openssl")
        .args(["s_client", "-connect", &addr.to_string(), "-CAfile", ca])
        .args(["-verify_return_error", "-servername", "localhost"])
        .args(extra)
        .stdin(Stdio::null())
        .output()
        .expect("openssl s_client");
    let text = String::from_utf8_lossy(&stdout).into_owned() + &String::from_utf8_lossy(&stderr);
    (status.success(), text)
}

/// `curl` over HTTPS; status code and body.
fn curl(url: &str, ca: &str) -> (u16, String) {
    let out = Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "5",
            "--cacert",
            ca,
            "-w",
            "\n%{http_code}",
            url,
        ])
        .stdin(Stdio::null())
        .output()
        .expect("curl (Debian package curl)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
    (code.trim().parse().unwrap_or(0), body.to_owned())
}

/// [`curl`] off the test's async threads.
async fn curl_async(url: String, ca: &str) -> (u16, String) {
    let ca = ca.to_owned();
    tokio::task::spawn_blocking(move || curl(&url, &ca))
        .await
        .unwrap()
}

fn run_blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> tokio::task::JoinHandle<T> {
    tokio::task::spawn_blocking(f)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_speaks_tls_1_2_and_1_3_only() {
    bounded(async {
        let pki = Pki::new("versions");
        let args = pki.serve_args();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let gateway = Gateway::start_with(None, &args).await;
        let addr = gateway.addr;
        let ca = pki.path("ca.pem");
        let (ok12, out12, ok13, out13, ok11, out11) = run_blocking(move || {
            let (ok12, out12) = s_client(addr, &ca, &["-tls1_2"]);
            let (ok13, out13) = s_client(addr, &ca, &["-tls1_3"]);
            // The client is told it may speak TLS 1.1 at any security
            // level, so a refusal is the server's.
            let (ok11, out11) = s_client(addr, &ca, &["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"]);
            (ok12, out12, ok13, out13, ok11, out11)
        })
        .await
        .unwrap();
        assert!(ok12 && out12.contains("TLSv1.2"), "{out12}");
        assert!(out12.contains("Verify return code: 0 (ok)"), "{out12}");
        assert!(ok13 && out13.contains("TLSv1.3"), "{out13}");
        assert!(!ok11, "TLS 1.1 accepted: {out11}");
        assert!(out11.contains("Cipher is (NONE)"), "no session: {out11}");
    })
    .await;
}

/// curl over HTTPS through the gateway: to a plain upstream (which is told
/// `X-Forwarded-Proto: https`), and to an HTTPS upstream verified against
/// `--upstream-ca`; without it the test CA is not trusted and the
/// gateway answers 502.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_reaches_plain_and_https_upstreams_through_the_tls_gateway() {
    bounded(async {
        let pki = Pki::new("upstreams");
        let tls_args = pki.serve_args();
        let tls: Vec<&str> = tls_args.iter().map(String::as_str).collect();
        let ca = pki.path("ca.pem");

        let upstream = start_upstream().await;
        let front = Gateway::start_with(Some(upstream.addr), &tls).await;
        let url = format!(
            "https://127.0.0.1:{}/engine-rest/task?maxResults=1",
            front.addr.port()
        );
        let (status, _) = curl_async(url, &ca).await;
        assert_eq!(status, 200);
        let seen = upstream.seen();
        assert_eq!(seen[0].one("x-forwarded-proto"), Some("https"));
        assert!(
            seen[0]
                .one("forwarded")
                .is_some_and(|f| f.contains("proto=https")),
            "{seen:?}"
        );
        // The guard judges what arrives over TLS as any other request.
        let url = format!("https://127.0.0.1:{}/engine-rest/task", front.addr.port());
        let (status, body) = curl_async(url, &ca).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("query-unbounded"), "{body}");

        // An HTTPS engine (a second gateway, TLS, with its demo engine).
        let engine = Gateway::start_with(None, &tls).await;
        let engine_url = format!("https://127.0.0.1:{}", engine.addr.port());
        let mut args = tls.clone();
        args.extend(["--upstream-ca", ca.as_str()]);
        let verified = Gateway::start_with_upstream_url(&engine_url, &args).await;
        let url = format!(
            "https://127.0.0.1:{}/engine-rest/task?maxResults=1",
            verified.addr.port()
        );
        let (status, body) = curl_async(url, &ca).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("input-guard demo engine"), "{body}");

        // The near miss: the system's roots do not know the test CA.
        let unverified = Gateway::start_with_upstream_url(&engine_url, &tls).await;
        let url = format!(
            "https://127.0.0.1:{}/engine-rest/task?maxResults=1",
            unverified.addr.port()
        );
        let (status, body) = curl_async(url, &ca).await;
        assert_eq!(status, 502, "{body}");
    })
    .await;
}

/// SIGHUP reloads the certificate with the policy: new connections get the
/// new one; a broken key leaves the running certificate in use.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_the_certificate_and_keeps_it_when_the_new_one_is_broken() {
    bounded(async {
        let pki = Pki::new("reload");
        let args = pki.serve_args();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let gateway = Gateway::start_with(None, &args).await;
        let addr = gateway.addr;
        let subject = |ca: String| {
            run_blocking(move || {
                let (ok, out) = s_client(addr, &ca, &["-tls1_3"]);
                assert!(ok, "{out}");
                out.lines()
                    .find(|l| l.trim_start().starts_with("subject="))
                    .unwrap_or_default()
                    .to_owned()
            })
        };
        let ca = pki.path("ca.pem");
        assert!(subject(ca.clone()).await.unwrap().contains("CN = gateway"));
        let hup = |pid: u32| {
            let status = Command::new("kill")
                .args(["-HUP", &pid.to_string()])
                .status()
                .unwrap();
            assert!(status.success());
        };
        pki.issue("server", "renewed");
        hup(gateway.pid());
        let start = Instant::now();
        while !subject(ca.clone()).await.unwrap().contains("CN = renewed") {
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "{}",
                gateway.stderr()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        std::fs::write(
            pki.dir.join("server.key"),
            "-----BEGIN PRIVATE KEY-----\nbroken\n",
        )
        .unwrap();
        hup(gateway.pid());
        let start = Instant::now();
        while !gateway.stderr().contains("TLS certificate reload failed") {
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "{}",
                gateway.stderr()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(subject(ca).await.unwrap().contains("CN = renewed"));
    })
    .await;
}
