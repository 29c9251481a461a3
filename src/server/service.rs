//! What the connection loop calls: the service, which answers requests and the server's own
//! refusals.

use crate::http::ProtocolError;
use crate::request::Request;
use crate::response::Response;

// ANCHOR: service
/// What the server runs for each request: chapter 5's handler, and the answer to the
/// requests the server itself refuses once it has their head.
///
/// A refusal happens after the head has been read, when the body breaks a rule: it is
/// announced over [`Limits::max_body`](crate::http::Limits::max_body) (`413`, before any
/// of it is read), it grows past the limit or breaks its chunked framing while it is read
/// or drained (`413`, `400`), or it arrives too slowly (`408`). The request is then
/// complete but for its body, so the service answers it like any other, and an
/// application can render it as it renders its own errors (its error pages, JSON for a JSON
/// client, its middleware and access log). [`App`](crate::app::App) does; the default is
/// [`Response::for_protocol_error`]. The connection closes after a refusal whatever the
/// answer says, and the body reads as the refusal's error.
///
/// A head that cannot be parsed, or whose target is malformed, never becomes a `Request`:
/// there is nothing to hand a service, and the connection loop answers it itself with
/// [`Response::for_protocol_error`].
///
/// A plain function or closure is a service that only responds, so chapter 5's examples
/// pass `fn route(request: &mut Request<'_>) -> Response` as it is. A type can do both:
///
/// ```
/// use weft::http::{Limits, ProtocolError};
/// use weft::request::Request;
/// use weft::response::Response;
/// use weft::server::Service;
///
/// struct Polite;
///
/// impl Service for Polite {
///     fn respond(&self, _: &mut Request<'_>) -> Response {
///         Response::text("Hello!")
///     }
///
///     fn refuse(&self, _: &mut Request<'_>, error: ProtocolError) -> Response {
///         Response::text(format!("Sorry: {error}.")).with_status(error.status())
///     }
/// }
///
/// let head = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi";
/// let mut request = Request::from_bytes(head, &Limits::default()).unwrap();
/// assert_eq!(Polite.respond(&mut request).status(), 200);
/// let refused = Polite.refuse(&mut request, ProtocolError::BodyTooLarge);
/// assert_eq!(refused.status(), 413);
/// ```
pub trait Service: Send + Sync + 'static {
    /// Answers `request`: the handler.
    fn respond(&self, request: &mut Request<'_>) -> Response;

    /// Answers `request`, which the server refuses for `error`; by default, with the
    /// error's status and its description as plain text.
    fn refuse(&self, request: &mut Request<'_>, error: ProtocolError) -> Response {
        let _ = request;
        Response::for_protocol_error(error)
    }
}

impl<F> Service for F
where
    F: Fn(&mut Request<'_>) -> Response + Send + Sync + 'static,
{
    fn respond(&self, request: &mut Request<'_>) -> Response {
        self(request)
    }
}
// ANCHOR_END: service
