//! An access log: one line per request through [`log`] at `info`, with target
//! `weft::access`, so it can be turned up or down on its own
//! (`RUST_LOG=info,weft::access=off`).
//!
//! ```text
//! [INFO  weft::access] GET /users/42 200 8 0.05ms id=3f1c0e9a7b2d4e61
//! ```
//!
//! The fields: method, request target, status, body bytes (`-` for a streamed body, whose
//! length is not known when the line is written), time the application took, and the
//! request id when a [`request_id`](super::request_id) layer inside this one set it.

use std::fmt;
use std::time::Instant;

use super::{Middleware, Next};
use crate::request::{Request, RequestId};
use crate::response::{Content, Response};

// ANCHOR: access_log
/// The layer that writes the access log.
#[derive(Debug, Default)]
pub struct AccessLog;

impl<S> Middleware<S> for AccessLog {
    fn call(&self, request: &mut Request<'_>, next: Next<'_, S>) -> Response {
        let start = Instant::now();
        let response = next.run(request);
        // At `RUST_LOG=warn` the line is not wanted: skip formatting its parts too.
        if !log::log_enabled!(target: "weft::access", log::Level::Info) {
            return response;
        }
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        let bytes = match response.content() {
            Content::Empty => Size(Some(0)),
            Content::Bytes(bytes) => Size(Some(bytes.len() as u64)),
            Content::Static(bytes) => Size(Some(bytes.len() as u64)), // > ch11
            Content::File(_, len) => Size(Some(*len)),
            Content::Chunks(_) | Content::Reader(_) => Size(None),
        };
        log::info!(
            target: "weft::access",
            "{} {} {} {bytes} {ms:.2}ms id={}",
            request.method(),
            request.target(),
            response.status(),
            RequestId::of(request).unwrap_or("-"),
        );
        response
    }
}
// ANCHOR_END: access_log

/// A body's length for the log line, `-` when it is not known: formatted straight into the
/// line, never into a `String` of its own.
struct Size(Option<u64>);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(len) => write!(f, "{len}"),
            None => f.write_str("-"),
        }
    }
}
