//! gzip compression of responses worth compressing (RFC 9110 §8.4 `Content-Encoding`,
//! §12.5.3 `Accept-Encoding`).
//!
//! A response is compressed when all of these hold:
//! - the client accepts `gzip` with a weight above 0 (`gzip;q=0` and `*;q=0` refuse it);
//! - the request is not `HEAD`, and the status has a body (not 1xx, 204, 304) and is not a
//!   `206` (its `Content-Range` counts bytes of the uncompressed body);
//! - the body is not encoded already (no `Content-Encoding`);
//! - its type compresses well: `text/*`, JSON, JavaScript, XML, SVG;
//! - it is in memory and at least `min_size` bytes (smaller bodies gain less than the
//!   header costs), or it is streamed (a file, a reader, chunks), which is compressed as it
//!   is sent and goes out `chunked`.
//!
//! Every response of a compressible type gets `Vary: Accept-Encoding`, compressed or not,
//! because what a client gets depends on that header. A strong `ETag` becomes weak
//! (`W/"…"`) on a compressed response: the bytes differ from the uncompressed ones that
//! carry the same tag.

use std::io::{self, Read, Write};

use flate2::read::GzEncoder as ReadEncoder;
use flate2::write::GzEncoder;
use flate2::Compression;

use super::{add_vary, Middleware, Next};
use crate::http::rules;
use crate::negotiate::coding_quality;
use crate::request::Request;
use crate::response::{Content, Response};

// ANCHOR: gzip
/// The compression layer.
#[derive(Debug, Clone)]
pub struct Gzip {
    /// In-memory bodies shorter than this are sent as they are.
    pub min_size: usize,
    /// 0 (fastest) to 9 (smallest); 6 is zlib's default and a good trade.
    pub level: u32,
}

impl Default for Gzip {
    /// 1 KiB and level 6.
    fn default() -> Gzip {
        Gzip {
            min_size: 1024,
            level: 6,
        }
    }
}

impl<S> Middleware<S> for Gzip {
    fn call(&self, request: &mut Request<'_>, next: Next<'_, S>) -> Response {
        let accepts = coding_quality(request.header("accept-encoding"), "gzip") > 0.0;
        let head = request.method() == "HEAD";
        let mut response = next.run(request);
        if !compressible(&response) {
            return response;
        }
        response = add_vary(response, "Accept-Encoding");
        if !accepts || head {
            return response;
        }
        let level = Compression::new(self.level);
        let content = match response.take_content() {
            Content::Bytes(bytes) if bytes.len() < self.min_size => {
                return response.with_content(Content::Bytes(bytes));
            }
            Content::Bytes(bytes) => match compress(&bytes, level) {
                Ok(packed) => Content::Bytes(packed),
                Err(_) => return response.with_content(Content::Bytes(bytes)),
            },
            // > ch11
            Content::Static(bytes) if bytes.len() < self.min_size => {
                return response.with_content(Content::Static(bytes));
            }
            Content::Static(bytes) => match compress(bytes, level) {
                Ok(packed) => Content::Bytes(packed),
                Err(_) => return response.with_content(Content::Static(bytes)),
            },
            // < ch11
            Content::Empty => return response,
            Content::File(file, _) => Content::Reader(Box::new(ReadEncoder::new(file, level))),
            Content::Reader(reader) => Content::Reader(Box::new(ReadEncoder::new(reader, level))),
            Content::Chunks(chunks) => {
                let reader = ChunkReader {
                    chunks,
                    piece: Vec::new(),
                    at: 0,
                };
                Content::Reader(Box::new(ReadEncoder::new(reader, level)))
            }
        };
        let etag = response.header("etag").map(weak);
        let mut response = response
            .with_content(content)
            .with_header("Content-Encoding", "gzip");
        if let Some(etag) = etag {
            response = response.with_header("ETag", etag);
        }
        response
    }
}
// ANCHOR_END: gzip

// ANCHOR: compressible
/// Whether `response` is one this layer would compress for a client that accepts gzip.
fn compressible(response: &Response) -> bool {
    let status = response.status();
    // A 206 is part of a representation: compressing it would change what its range means.
    if !rules::status_has_body(status)
        || status == 206
        || response.header("content-encoding").is_some()
    {
        return false;
    }
    let Some(content_type) = response.header("content-type") else {
        return false;
    };
    // Compared without regard to case, in place: lowering a copy would allocate for every
    // response that goes through this layer, compressed or not.
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let is = |name: &str| essence.eq_ignore_ascii_case(name);
    starts_with_ignoring_case(essence, "text/")
        || ends_with_ignoring_case(essence, "+json")
        || ends_with_ignoring_case(essence, "+xml")
        || is("application/json")
        || is("application/javascript")
        || is("application/xml")
}
// ANCHOR_END: compressible

/// Whether `text` starts with the ASCII `prefix`, in any case.
fn starts_with_ignoring_case(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// Whether `text` ends with the ASCII `suffix`, in any case.
fn ends_with_ignoring_case(text: &str, suffix: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= suffix.len()
        && bytes[bytes.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// `bytes`, gzipped.
fn compress(bytes: &[u8], level: Compression) -> io::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 3 + 64), level);
    encoder.write_all(bytes)?;
    encoder.finish()
}

/// A strong entity tag made weak: `"abc"` → `W/"abc"`.
fn weak(etag: &str) -> String {
    match etag.starts_with("W/") {
        true => etag.to_string(),
        false => format!("W/{etag}"),
    }
}

/// A body of chunks read as one stream, for the encoder.
struct ChunkReader {
    chunks: Box<dyn Iterator<Item = Vec<u8>>>,
    piece: Vec<u8>,
    at: usize,
}

impl Read for ChunkReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.at == self.piece.len() {
            match self.chunks.next() {
                Some(piece) => (self.piece, self.at) = (piece, 0),
                None => return Ok(0),
            }
        }
        let n = out.len().min(self.piece.len() - self.at);
        out[..n].copy_from_slice(&self.piece[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressible_types() {
        let typed = |t: &str| Response::new(200).with_header("Content-Type", t.to_string());
        for yes in [
            "text/html; charset=utf-8",
            "application/json",
            "image/svg+xml",
            "application/ld+json",
            "Text/Plain",
            " APPLICATION/JSON ; charset=utf-8",
            "application/javascript",
            "application/XML",
            "application/atom+xml",
        ] {
            assert!(compressible(&typed(yes)), "{yes}");
        }
        for no in [
            "image/png",
            "application/octet-stream",
            "font/woff2",
            "",
            "json",
            "text",
            "application/jsonx",
        ] {
            assert!(!compressible(&typed(no)), "{no}");
        }
        assert!(!compressible(&typed("text/plain").with_status(206)));
        assert!(!compressible(
            &typed("text/plain").with_header("Content-Encoding", "br")
        ));
    }

    #[test]
    fn etags_become_weak() {
        assert_eq!(weak("\"abc\""), "W/\"abc\"");
        assert_eq!(weak("W/\"abc\""), "W/\"abc\"");
    }
}
