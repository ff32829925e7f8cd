//! A hand-written HTTP/1.1 client: requests written byte for byte
//! ([`Req`]), responses read byte for byte ([`read_reply`]), uploads that
//! go on until the server answers.

use std::io;
use std::sync::atomic::AtomicU64;

use tokio::io::{AsyncRead, AsyncReadExt};

use super::*;

#[derive(Clone, Debug)]
pub(crate) struct Req {
    pub(crate) method: &'static str,
    pub(crate) target: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    pub(crate) chunked: bool,
}

impl Req {
    pub(crate) fn new(method: &'static str, target: impl Into<String>) -> Self {
        Req {
            method,
            target: target.into(),
            headers: Vec::new(),
            body: Vec::new(),
            chunked: false,
        }
    }

    pub(crate) fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub(crate) fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    pub(crate) fn chunked(mut self) -> Self {
        self.chunked = true;
        self
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// The headers as they go on the wire: the caller's, plus `Host`,
    /// `Content-Length` or `Transfer-Encoding`, as a client would add them.
    pub(crate) fn wire_headers(&self) -> Vec<(String, String)> {
        let mut headers = Vec::new();
        if !self.has("host") {
            headers.push(("Host".to_owned(), "127.0.0.1".to_owned()));
        }
        headers.extend(self.headers.iter().cloned());
        if self.chunked {
            headers.push(("Transfer-Encoding".to_owned(), "chunked".to_owned()));
        } else if !self.body.is_empty() && !self.has("content-length") {
            headers.push(("Content-Length".to_owned(), self.body.len().to_string()));
        }
        headers
    }

    /// The request as HTTP/1.1 bytes.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{} {} HTTP/1.1\r\n", self.method, self.target).into_bytes();
        for (name, value) in self.wire_headers() {
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        if !self.has("connection") {
            out.extend_from_slice(b"Connection: close\r\n");
        }
        out.extend_from_slice(b"\r\n");
        if self.chunked {
            out.extend_from_slice(&chunked(&self.body, 4096));
        } else {
            out.extend_from_slice(&self.body);
        }
        out
    }

    /// The request as an `http::Request`, as a server would hand it on.
    pub(crate) fn to_http(&self) -> Request<Full<Bytes>> {
        let mut builder = Request::builder()
            .method(self.method)
            .uri(self.target.as_str());
        for (name, value) in self.wire_headers() {
            builder = builder.header(name, value);
        }
        builder
            .body(Full::new(Bytes::from(self.body.clone())))
            .expect("valid request")
    }
}

/// `body` in chunked transfer coding, `size` bytes a chunk.
pub(crate) fn chunked(body: &[u8], size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / size * 8 + 8);
    for chunk in body.chunks(size) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

// ---------------------------------------------------------------------------
// Responses, read by hand.

#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    #[cfg(feature = "cli")]
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text()))
    }
}

struct Buffered<'a, R> {
    reader: &'a mut R,
    buf: Vec<u8>,
}

impl<R: AsyncRead + Unpin> Buffered<'_, R> {
    /// Reads more; false at the end of the stream.
    async fn fill(&mut self) -> io::Result<bool> {
        let mut chunk = vec![0; 16 * 1024];
        let n = self.reader.read(&mut chunk).await?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n > 0)
    }

    async fn line(&mut self) -> io::Result<String> {
        loop {
            if let Some(i) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line: Vec<u8> = self.buf.drain(..i + 2).collect();
                return Ok(String::from_utf8_lossy(&line[..i]).into_owned());
            }
            if !self.fill().await? {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    async fn take(&mut self, n: usize) -> io::Result<Vec<u8>> {
        while self.buf.len() < n {
            if !self.fill().await? {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
        Ok(self.buf.drain(..n).collect())
    }

    async fn rest(&mut self) -> io::Result<Vec<u8>> {
        while self.fill().await? {}
        Ok(std::mem::take(&mut self.buf))
    }
}

/// Reads one HTTP/1.1 response (skipping 1xx), its body framed by
/// `Content-Length`, chunked coding or the end of the stream.
pub(crate) async fn read_reply<R: AsyncRead + Unpin>(reader: &mut R) -> io::Result<Reply> {
    let mut r = Buffered {
        reader,
        buf: Vec::new(),
    };
    loop {
        let status_line = r.line().await?;
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse::<u16>().ok())
            .ok_or_else(|| io::Error::other(format!("bad status line {status_line:?}")))?;
        let mut headers = Vec::new();
        loop {
            let line = r.line().await?;
            if line.is_empty() {
                break;
            }
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| io::Error::other(format!("bad header line {line:?}")))?;
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        if (100..200).contains(&status) {
            continue;
        }
        let find = |name: &str| {
            headers
                .iter()
                .find(|(n, _): &&(String, String)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        let body = if find("transfer-encoding").is_some_and(|te| te.contains("chunked")) {
            let mut body = Vec::new();
            loop {
                let size_line = r.line().await?;
                let size =
                    usize::from_str_radix(size_line.split(';').next().unwrap_or("").trim(), 16)
                        .map_err(|_| io::Error::other(format!("bad chunk size {size_line:?}")))?;
                if size == 0 {
                    while !r.line().await?.is_empty() {}
                    break;
                }
                body.extend(r.take(size).await?);
                r.take(2).await?;
            }
            body
        } else if let Some(len) = find("content-length") {
            let len = len
                .parse()
                .map_err(|_| io::Error::other(format!("bad content-length {len:?}")))?;
            r.take(len).await?
        } else if status == 204 || status == 304 {
            Vec::new()
        } else {
            r.rest().await?
        };
        return Ok(Reply {
            status,
            headers,
            body,
        });
    }
}

/// Sends `bytes` on a new connection and reads the answer, writing and
/// reading at once (a server may answer, and close, before it has read
/// everything).
pub(crate) async fn send_raw(addr: SocketAddr, bytes: Vec<u8>) -> io::Result<Reply> {
    let stream = tokio::time::timeout(IO_LIMIT, TcpStream::connect(addr))
        .await
        .map_err(|_| io::Error::other("connect timed out"))??;
    let (mut rd, mut wr) = stream.into_split();
    let writer = tokio::spawn(async move {
        let _ = wr.write_all(&bytes).await;
        // Keep the write half open until the answer is read.
        wr
    });
    let reply = tokio::time::timeout(IO_LIMIT, read_reply(&mut rd))
        .await
        .map_err(|_| io::Error::other("no answer within the I/O limit"))?;
    writer.abort();
    reply
}

pub(crate) async fn send(addr: SocketAddr, req: &Req) -> Reply {
    send_raw(addr, req.to_bytes())
        .await
        .unwrap_or_else(|e| panic!("{} {}: {e}", req.method, req.target))
}

/// Sends `head`, then zeros (raw or as 64 KiB chunks) until the server
/// answers or `total` bytes are out. Returns the answer and how many body
/// bytes had been written when it was read.
pub(crate) async fn upload_until_answered(
    addr: SocketAddr,
    head: Vec<u8>,
    as_chunks: bool,
    total: u64,
) -> (io::Result<Reply>, u64) {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut rd, mut wr) = stream.into_split();
    wr.write_all(&head).await.expect("write the head");
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    let writer = tokio::spawn(async move {
        let zeros = vec![0u8; 64 * 1024];
        let piece = if as_chunks {
            let mut piece = format!("{:x}\r\n", zeros.len()).into_bytes();
            piece.extend_from_slice(&zeros);
            piece.extend_from_slice(b"\r\n");
            piece
        } else {
            zeros.clone()
        };
        while counter.load(Ordering::SeqCst) < total {
            if wr.write_all(&piece).await.is_err() {
                break;
            }
            counter.fetch_add(zeros.len() as u64, Ordering::SeqCst);
        }
        wr
    });
    let reply = match tokio::time::timeout(IO_LIMIT, read_reply(&mut rd)).await {
        Ok(reply) => reply,
        Err(_) => Err(io::Error::other("no answer within the I/O limit")),
    };
    let at_reply = sent.load(Ordering::SeqCst);
    writer.abort();
    eprintln!(
        "upload to {addr} (chunked: {as_chunks}): answer {:?} after {at_reply} body bytes",
        reply.as_ref().map(|r| r.status)
    );
    (reply, at_reply)
}
