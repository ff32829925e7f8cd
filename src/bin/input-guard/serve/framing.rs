//! HTTP/1.1 message framing held to what the engine's container (Tomcat)
//! accepts, on the bytes as they arrive, before hyper reads them.
//!
//! hyper is lenient where Tomcat is strict: it reads a chunk size followed
//! by blanks (`5 \r\n`), and it waits patiently for a chunk that declares
//! 2^48 bytes. The gateway re-frames what it forwards, so the upstream never
//! sees the original framing; but a gateway that accepts what the engine's
//! own server refuses invites the parser differentials request smuggling
//! is built on, and a chunk larger than any route allows can only be an
//! attack on the gateway's patience. [`FramedIo`] follows each request's
//! framing (head, `Content-Length` body or chunks, trailers) and fails the
//! read, ending the connection, at the first byte that breaks it.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How long a request head may be before it is refused (hyper's own bound
/// answers first; this one only keeps the tracker's buffer bounded).
const MAX_HEAD: usize = 64 * 1024;
/// A chunk-size line: at most 16 hex digits (2^64), then an extension.
const MAX_CHUNK_LINE: usize = 4096;

/// Where in a request the next byte falls.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// The request line and headers, collected until the blank line.
    Head,
    /// A body of this many more bytes (`Content-Length`).
    Body(u64),
    /// A chunk-size line, collected until its LF.
    ChunkSize,
    /// This many more bytes of chunk data.
    ChunkData(u64),
    /// The CR LF after chunk data (`true`: the CR was seen).
    ChunkEnd(bool),
    /// Trailer lines after the last chunk, until a blank one.
    Trailers,
    /// Not HTTP/1 framing this tracker follows (an HTTP/2 connection, an
    /// upgraded one): bytes pass unread.
    Opaque,
}

/// The framing of a connection's requests, fed its bytes in order.
#[derive(Debug)]
pub(super) struct Framing {
    state: State,
    line: Vec<u8>,
    /// The largest body any route allows: a chunk declared larger can
    /// never be accepted.
    max_body: Arc<AtomicU64>,
}

/// Why the framing is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Refused(pub(super) &'static str);

impl Framing {
    pub(super) fn new(max_body: Arc<AtomicU64>) -> Framing {
        Framing {
            state: State::Head,
            line: Vec::new(),
            max_body,
        }
    }

    /// Follows `bytes`, the next bytes of the connection.
    pub(super) fn feed(&mut self, mut bytes: &[u8]) -> Result<(), Refused> {
        while !bytes.is_empty() {
            match &mut self.state {
                State::Opaque => return Ok(()),
                State::Body(left) | State::ChunkData(left) => {
                    let take = usize::try_from(*left)
                        .unwrap_or(usize::MAX)
                        .min(bytes.len());
                    *left -= take as u64;
                    bytes = &bytes[take..];
                    if *left == 0 {
                        self.state = match self.state {
                            State::Body(_) => State::Head,
                            _ => State::ChunkEnd(false),
                        };
                    }
                }
                State::ChunkEnd(cr) => {
                    let byte = bytes[0];
                    bytes = &bytes[1..];
                    match (byte, *cr) {
                        (b'\r', false) => *cr = true,
                        (b'\n', true) => self.state = State::ChunkSize,
                        _ => return Err(Refused("chunk data not followed by CR LF")),
                    }
                }
                State::Head | State::ChunkSize | State::Trailers => {
                    let Some(end) = memchr::memchr(b'\n', bytes) else {
                        self.collect(bytes)?;
                        return Ok(());
                    };
                    self.collect(&bytes[..=end])?;
                    bytes = &bytes[end + 1..];
                    self.line_done()?;
                }
            }
        }
        Ok(())
    }

    fn collect(&mut self, bytes: &[u8]) -> Result<(), Refused> {
        let bound = match self.state {
            State::Head => MAX_HEAD,
            _ => MAX_CHUNK_LINE,
        };
        if self.line.len() + bytes.len() > bound {
            return Err(Refused("a head or chunk line too long"));
        }
        self.line.extend_from_slice(bytes);
        Ok(())
    }

    /// A line (with its LF) is complete in `self.line`.
    fn line_done(&mut self) -> Result<(), Refused> {
        match self.state {
            State::Head => {
                // The head ends at an empty line; until then it grows.
                let head = &self.line;
                let ended = head.ends_with(b"\r\n\r\n") || head.ends_with(b"\n\n");
                let empty = head == b"\r\n" || head == b"\n";
                if empty {
                    // Blank lines before a request are tolerated (RFC 9112 2.2).
                    self.line.clear();
                } else if ended {
                    self.state = body_of(&self.line)?;
                    self.line.clear();
                }
            }
            State::ChunkSize => {
                let size = chunk_size(&self.line)?;
                self.line.clear();
                if size > self.max_body.load(Ordering::Relaxed) {
                    return Err(Refused("a chunk larger than any route's body limit"));
                }
                self.state = if size == 0 {
                    State::Trailers
                } else {
                    State::ChunkData(size)
                };
            }
            State::Trailers => {
                let blank = self.line == b"\r\n" || self.line == b"\n";
                self.line.clear();
                if blank {
                    self.state = State::Head;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// What follows a request head: its body's framing. Heads hyper will
/// refuse anyway (two lengths, bad values) are left to it; what is
/// followed here is what the engine would read differently.
fn body_of(head: &[u8]) -> Result<State, Refused> {
    let mut lines = head.split(|&b| b == b'\n');
    let request_line = lines.next().unwrap_or_default();
    // The HTTP/2 connection preface (prior knowledge, as hyper's auto
    // builder serves it) reads as a head `PRI * HTTP/2.0`; what follows
    // is HTTP/2 frames.
    if request_line.starts_with(b"PRI ") {
        return Ok(State::Opaque);
    }
    let mut chunked = false;
    let mut length = None;
    let mut upgrade = false;
    for line in lines {
        let Some(colon) = memchr::memchr(b':', line) else {
            continue;
        };
        let name = line[..colon].trim_ascii();
        let value = line[colon + 1..].trim_ascii();
        if name.eq_ignore_ascii_case(b"transfer-encoding") {
            chunked = true;
        } else if name.eq_ignore_ascii_case(b"content-length") {
            // hyper folds two equal lengths (`2` and `2`, or `2, 2`) into one;
            // Tomcat refuses both, and so does the gateway.
            if length.is_some() {
                return Err(Refused("two Content-Length headers"));
            }
            if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
                return Err(Refused("a Content-Length that is not one number"));
            }
            // All digits: only overflow fails, and hyper refuses that.
            let digits = std::str::from_utf8(value).unwrap_or("0");
            length = Some(digits.parse::<u64>().unwrap_or(u64::MAX));
        } else if name.eq_ignore_ascii_case(b"upgrade") {
            upgrade = true;
        }
    }
    Ok(if upgrade {
        // A protocol switch is not forwarded, but hyper may still answer
        // it; what follows is not this tracker's to read.
        State::Opaque
    } else if chunked {
        // hyper refuses a `Transfer-Encoding` that does not end in
        // `chunked`; the guard refuses the rest of what is odd about it.
        State::ChunkSize
    } else {
        match length {
            Some(0) | None => State::Head,
            Some(n) => State::Body(n),
        }
    })
}

/// A chunk-size line as Tomcat reads it: hex digits, an optional
/// extension after `;`, CR LF. No blanks around the size.
fn chunk_size(line: &[u8]) -> Result<u64, Refused> {
    let line = line
        .strip_suffix(b"\r\n")
        .ok_or(Refused("a chunk-size line not ended by CR LF"))?;
    let digits = match memchr::memchr(b';', line) {
        Some(at) => &line[..at],
        None => line,
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_hexdigit) {
        return Err(Refused("a chunk size that is not only hex digits"));
    }
    let digits =
        std::str::from_utf8(digits).map_err(|_| Refused("a chunk size that is not ASCII"))?;
    u64::from_str_radix(digits, 16).map_err(|_| Refused("a chunk size past 64 bits"))
}

/// A connection whose incoming bytes are held to [`Framing`].
pub(super) struct FramedIo<T> {
    inner: T,
    framing: Framing,
    peer: std::net::SocketAddr,
}

impl<T> FramedIo<T> {
    pub(super) fn new(inner: T, max_body: Arc<AtomicU64>, peer: std::net::SocketAddr) -> Self {
        FramedIo {
            inner,
            framing: Framing::new(max_body),
            peer,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for FramedIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let new = &buf.filled()[before..];
                match this.framing.feed(new) {
                    Ok(()) => Poll::Ready(Ok(())),
                    Err(Refused(why)) => {
                        tracing::warn!(target: "input_guard::gateway", peer = %this.peer, why, "closed a connection whose message framing the engine's server would refuse");
                        // The bytes that broke the framing are not handed on.
                        buf.set_filled(before);
                        Poll::Ready(Err(io::Error::new(io::ErrorKind::InvalidData, why)))
                    }
                }
            }
            other => other,
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for FramedIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    // Unwraps here are test failures, not request paths.
    use super::*;

    fn framing() -> Framing {
        Framing::new(Arc::new(AtomicU64::new(10 * 1024 * 1024)))
    }

    /// Feeds `bytes` one at a time and whole: the answer must not depend on
    /// how the network cut them.
    fn verdict(bytes: &[u8]) -> Result<(), Refused> {
        let whole = framing().feed(bytes);
        let mut split = framing();
        let bytewise = bytes
            .iter()
            .try_for_each(|b| split.feed(std::slice::from_ref(b)));
        assert_eq!(whole, bytewise, "{}", String::from_utf8_lossy(bytes));
        whole
    }

    const CHUNKED: &str = "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";

    #[test]
    fn strict_chunks_pass_and_requests_follow_each_other() {
        let pipelined = format!(
            "{CHUNKED}5\r\nhello\r\n3;ext=1\r\nabc\r\n0\r\nTrailer: x\r\n\r\nPOST /y HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcdGET /z HTTP/1.1\r\n\r\n{CHUNKED}0\r\n\r\n"
        );
        assert_eq!(verdict(pipelined.as_bytes()), Ok(()));
        // A Content-Length body may hold what looks like a chunk line.
        let body = "POST /y HTTP/1.1\r\nContent-Length: 5\r\n\r\n5 \r\nx";
        assert_eq!(verdict(body.as_bytes()), Ok(()));
    }

    #[test]
    fn what_tomcat_refuses_is_refused() {
        for bad in [
            "5 \r\nhello\r\n0\r\n\r\n",
            " 5\r\nhello\r\n0\r\n\r\n",
            "5\t\r\nhello\r\n0\r\n\r\n",
            "0x5\r\nhello\r\n0\r\n\r\n",
            "5\nhello\r\n0\r\n\r\n",
            "5\r\nhelloX\r\n0\r\n\r\n",
            "+5\r\nhello\r\n0\r\n\r\n",
            "\r\n",
            "10000000000000000\r\n",
        ] {
            let request = format!("{CHUNKED}{bad}");
            assert!(verdict(request.as_bytes()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn content_lengths_are_one_number_once() {
        for bad in [
            "POST /x HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
            "POST /x HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\n{}",
            "POST /x HTTP/1.1\r\nContent-Length: +2\r\n\r\n{}",
        ] {
            assert!(verdict(bad.as_bytes()).is_err(), "{bad:?}");
        }
        let good = "POST /x HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}";
        assert_eq!(verdict(good.as_bytes()), Ok(()));
    }

    #[test]
    fn a_chunk_larger_than_any_route_allows_is_refused_at_once() {
        let huge = format!("{CHUNKED}1000000000000\r\n");
        assert_eq!(
            verdict(huge.as_bytes()),
            Err(Refused("a chunk larger than any route's body limit"))
        );
        // The near miss: exactly the limit is read on (and judged later).
        let limit = format!("{CHUNKED}a00000\r\nabc");
        assert_eq!(verdict(limit.as_bytes()), Ok(()));
    }

    #[test]
    fn http2_and_upgrades_are_not_read_as_http1() {
        assert_eq!(
            verdict(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12 5 \r\n"),
            Ok(())
        );
        let upgrade = "GET /x HTTP/1.1\r\nUpgrade: h2c\r\n\r\n\x00garbage 5 \r\n";
        assert_eq!(verdict(upgrade.as_bytes()), Ok(()));
    }
}
