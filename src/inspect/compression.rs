//! `Content-Encoding: gzip` and `deflate`, inflated under a cap.
//!
//! # Security
//!
//! A compressed body is a carrier: the engine (or a filter in front of it)
//! inflates it and parses what comes out, so the guard must inspect what
//! comes out too. Inflation is where decompression bombs go off, so it
//! stops as soon as the output passes the smaller of `max_inflated_bytes`
//! and `max_inflate_ratio` times the compressed size; it never allocates
//! past that. Every gzip member is read (as `GZIPInputStream` does), and a
//! stream that does not decode is refused, not passed through.

use std::io::Read;

use flate2::read::{MultiGzDecoder, ZlibDecoder};

use crate::violation::{Code, Violation};

/// A content coding the guard can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Coding {
    /// No coding.
    Identity,
    /// `gzip` / `x-gzip`.
    Gzip,
    /// `deflate`: the zlib format (RFC 9110 section 8.4.1.2).
    Deflate,
}

/// Reads a `Content-Encoding` value. One coding only: stacked codings
/// (`gzip, gzip`) are refused, like every coding but these three.
pub(crate) fn coding(value: &str) -> Result<Coding, Violation> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "identity" => Ok(Coding::Identity),
        "gzip" | "x-gzip" => Ok(Coding::Gzip),
        "deflate" => Ok(Coding::Deflate),
        _ => Err(Violation::new(
            Code::UnsupportedContentEncoding,
            "header:content-encoding",
            "this content encoding is not accepted",
        )),
    }
}

/// Inflates `body`. The output may be at most `max_bytes`, and at most
/// `max_ratio` times the input.
pub(crate) fn inflate(
    body: &[u8],
    coding: Coding,
    max_bytes: u64,
    max_ratio: u64,
) -> Result<Vec<u8>, Violation> {
    let by_ratio = (body.len() as u64).saturating_mul(max_ratio).max(1024);
    let cap = max_bytes.min(by_ratio);
    let reader: Box<dyn Read + '_> = match coding {
        Coding::Identity => return Ok(body.to_vec()),
        Coding::Gzip => Box::new(MultiGzDecoder::new(body)),
        Coding::Deflate => Box::new(ZlibDecoder::new(body)),
    };
    // One byte past the cap tells "exactly at the cap" from "over it".
    let mut out = Vec::with_capacity(usize::try_from(cap.min(body.len() as u64 * 4)).unwrap_or(0));
    match reader.take(cap.saturating_add(1)).read_to_end(&mut out) {
        Ok(_) if out.len() as u64 > cap => Err(Violation::new(
            Code::BodyTooLarge,
            "body",
            format!("the body inflates past {cap} bytes"),
        )),
        Ok(_) => Ok(out),
        Err(_) => Err(Violation::new(
            Code::ContentEncodingInvalid,
            "body",
            "the compressed body does not decode",
        )),
    }
}

#[cfg(test)]
mod tests {
    //! Unit tests only (never compiled into the library): an `unwrap` or
    //! `expect` here is a test assertion on fixed inputs, not a path a
    //! request can reach.

    use super::*;
    use flate2::Compression;
    use flate2::write::{GzEncoder, ZlibEncoder};
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn inflates_under_caps() {
        let data = b"{\"a\":1}".repeat(100);
        assert_eq!(
            inflate(&gzip(&data), Coding::Gzip, 1 << 20, 100).unwrap(),
            data
        );
        let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
        z.write_all(&data).unwrap();
        assert_eq!(
            inflate(&z.finish().unwrap(), Coding::Deflate, 1 << 20, 100).unwrap(),
            data
        );
        // Two gzip members: both are read.
        let two = [gzip(b"[1,"), gzip(b"2]")].concat();
        assert_eq!(inflate(&two, Coding::Gzip, 1 << 20, 100).unwrap(), b"[1,2]");
    }

    #[test]
    fn bombs_and_garbage() {
        let bomb = gzip(&vec![b' '; 10 << 20]);
        let v = inflate(&bomb, Coding::Gzip, 100 << 20, 100).unwrap_err();
        assert_eq!(v.code(), Code::BodyTooLarge);
        let v = inflate(&gzip(&[b'x'; 5000]), Coding::Gzip, 4096, 1000).unwrap_err();
        assert_eq!(v.code(), Code::BodyTooLarge);
        assert_eq!(
            inflate(&gzip(&[b'x'; 4096]), Coding::Gzip, 4096, 1000)
                .unwrap()
                .len(),
            4096
        );
        let v = inflate(b"not gzip", Coding::Gzip, 4096, 100).unwrap_err();
        assert_eq!(v.code(), Code::ContentEncodingInvalid);
        let v = inflate(
            &[gzip(b"{}"), b"junk".to_vec()].concat(),
            Coding::Gzip,
            4096,
            100,
        )
        .unwrap_err();
        assert_eq!(v.code(), Code::ContentEncodingInvalid);
    }

    #[test]
    fn codings() {
        assert_eq!(coding("GZIP"), Ok(Coding::Gzip));
        assert_eq!(coding("x-gzip"), Ok(Coding::Gzip));
        assert_eq!(coding(" deflate "), Ok(Coding::Deflate));
        assert_eq!(coding("identity"), Ok(Coding::Identity));
        for bad in ["br", "zstd", "gzip, gzip", "compress", "gzip;q=1"] {
            assert!(coding(bad).is_err(), "{bad}");
        }
    }
}
