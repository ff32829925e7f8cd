//! The built `input-guard` executable (feature `cli`): one-shot runs of
//! `check` and `check-class`, policy files for it, and what `serve` tests
//! need (a free port, its output collected).

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use serde_json::Value;

/// The executable cargo built for this test run.
pub const BIN: &str = env!("CARGO_BIN_EXE_input-guard");

/// One finished run of the executable.
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output as printed.
    pub stdout: String,
    /// Standard output, one JSON value a line.
    pub lines: Vec<Value>,
    pub stderr: String,
}

/// Runs `input-guard ARGS` with `stdin` as its standard input and waits for
/// it. Every line it prints must be JSON.
#[track_caller]
pub fn run<S: AsRef<OsStr>>(args: &[S], stdin: &[u8]) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn input-guard");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8(out.stdout).expect("utf-8 stdout");
    Run {
        code: out.status.code().expect("exit code"),
        lines: stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
            .collect(),
        stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Writes `text` to a file `name` in a temporary folder of this test process
/// and returns its path (for `--policy`).
pub fn write_temp(name: &str, text: &str) -> PathBuf {
    let dir = temp_dir();
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write policy");
    path
}

/// The temporary folder of this test process.
pub fn temp_dir() -> PathBuf {
    std::env::temp_dir().join(format!("input-guard-tests-{}", std::process::id()))
}

/// A port on 127.0.0.1 nobody listens on right now.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("local addr").port()
}

/// Collects everything `from` yields, on a thread of its own, into the
/// buffer returned (a child's stdout or stderr, read while it runs).
pub fn drain(mut from: impl Read + Send + 'static) -> Arc<Mutex<Vec<u8>>> {
    let out = Arc::new(Mutex::new(Vec::new()));
    let sink = out.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().expect("log lock").extend_from_slice(&buf[..n]);
        }
    });
    out
}
