//! Chapter 5: the request a handler sees.
//!
/* ch05 < ch11
//! A [`Request`] owns a copy of its head's bytes and remembers where each part sits in them
//! ([`Span`]s from the parser), so building one costs one allocation for the bytes, and one
//! for the list of headers. Its [`Body`] is not read yet: it borrows the connection, and the
//! handler pulls bytes from it through [`std::io::Read`] (or all at once with
//! [`Request::body_bytes`]). That borrow is the lifetime `'c` in `Request<'c>`: a request
//! cannot outlive the connection its body is still arriving on.
*/
// > ch11
//! A [`Request`] reads its head from a copy of the head's bytes and remembers where each part
//! sits in them ([`Span`]s from the parser). The copy is made into a buffer the connection
//! keeps for all its requests, and the request borrows it, so building one allocates nothing,
//! unless the head has more than eight header lines (`INLINE_HEADERS`). Its [`Body`] is not
//! read yet: it borrows the connection, and the handler pulls bytes from it through
//! [`std::io::Read`] (or all at once with [`Request::body_bytes`]). Those borrows are the
//! lifetime `'c` in `Request<'c>`: a request cannot outlive the connection it arrived on.
// < ch11

use std::any::Any; // > ch09
use std::borrow::Cow;
use std::io::{self, Read};
use std::net::{Ipv4Addr, SocketAddr};

use crate::http::body::Decoder;
use crate::http::head::{self, Head, Parsed, Span, Version};
use crate::http::percent;
use crate::http::{Limits, ProtocolError};

/// The body reader, which lives with the protocol in [`crate::http`]; named here too, as part
/// of the request a handler sees.
pub use crate::http::Body;

// ANCHOR: request
/// An HTTP request: its head, parsed and validated, and its body, still to be read.
pub struct Request<'c> {
    /* ch05 < ch11
    /// The head's bytes as they arrived; every `Span` below points into them.
    raw: Vec<u8>,
    */
    // > ch11
    /// The head's bytes as they arrived, in the connection's head buffer (or owned, for a
    /// request made from bytes); every `Span` below points into them.
    raw: Cow<'c, [u8]>,
    // < ch11
    head: Head,
    target: Target,
    peer: SocketAddr,
    body: Body<'c>,
    // > ch09
    /// Values that middleware attached for the layers and the handler after it (chapter 9).
    extensions: Extensions,
    // < ch09
}
// ANCHOR_END: request

/// Where the path and the query sit in the request target, and the decoded path.
struct Target {
    path: Span,
    query: Option<Span>,
    /// The percent-decoded path, when decoding changed it (or when an absolute-form target
    /// had no path and it is `/`); `None` means the raw path is already decoded.
    decoded: Option<String>,
}

impl<'c> Request<'c> {
    /// Builds a request from a parsed head; checks the request target first.
    pub(crate) fn new(
        /* ch05 < ch11
        raw: Vec<u8>,
        */
        raw: Cow<'c, [u8]>, // > ch11
        head: Head,
        peer: SocketAddr,
        body: Body<'c>,
    ) -> Result<Request<'c>, (ProtocolError, Body<'c>)> {
        match Target::parse(&raw, &head) {
            Ok(target) => Ok(Request {
                raw,
                head,
                target,
                peer,
                body,
                extensions: Extensions::default(), // > ch09
            }),
            Err(err) => Err((err, body)),
        }
    }

    /// The method, such as `GET` (methods are case-sensitive: RFC 9110 §9.1).
    pub fn method(&self) -> &str {
        self.text(self.head.method)
    }

    /// The request target exactly as sent, such as `/search?q=rust%20web`.
    pub fn target(&self) -> &str {
        self.text(self.head.target)
    }

    /// The path, percent-decoded: `/a%20b` is `/a b`. For an absolute-form target
    /// (`http://host/x`) it is the path part (`/x`); for `OPTIONS *` it is `*`.
    pub fn path(&self) -> &str {
        match &self.target.decoded {
            Some(decoded) => decoded,
            None => self.text(self.target.path),
        }
    }

    /// The path as sent, before percent-decoding.
    pub fn raw_path(&self) -> &str {
        self.text(self.target.path)
    }

    /// The query string as sent, without the `?`, if there is one.
    pub fn query(&self) -> Option<&str> {
        self.target.query.map(|query| self.text(query))
    }

    /// The query's `name=value` pairs, decoded as an HTML form does (`+` is a space).
    pub fn query_pairs(&self) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
        let pairs = self.query().unwrap_or("").split('&');
        pairs.filter(|pair| !pair.is_empty()).map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent::decode_form(name), percent::decode_form(value))
        })
    }

    /// The value of the first query parameter called `name`.
    pub fn query_param(&self, name: &str) -> Option<Cow<'_, str>> {
        self.query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    /// The protocol version.
    pub fn version(&self) -> Version {
        self.head.version
    }

    /// The headers, looked up case-insensitively, repeats kept.
    pub fn headers(&self) -> Headers<'_> {
        Headers {
            raw: &self.raw,
            entries: &self.head.headers,
        }
    }

    /// The first value of header `name` (case-insensitive), if present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers().get(name)
    }

    /// The address of the client (or of the last proxy before us).
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// The body, to read from as it arrives.
    pub fn body(&mut self) -> &mut Body<'c> {
        &mut self.body
    }

    /// Reads the whole body into memory. The server's [`Limits::max_body`] applies: a longer
    /// body is an error (and the server answers `413`).
    pub fn body_bytes(&mut self) -> io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.body.read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    // > ch09
    /// What middleware attached to this request, such as its request id.
    pub fn extensions(&self) -> &Extensions {
        &self.extensions
    }

    /// What middleware attached to this request, to attach more.
    pub fn extensions_mut(&mut self) -> &mut Extensions {
        &mut self.extensions
    }
    // < ch09

    /// Parses a whole request (head and body) from `bytes`, for tests and tools that have a
    /// request without a connection. The peer address is `0.0.0.0:0`.
    pub fn from_bytes(bytes: &[u8], limits: &Limits) -> Result<Request<'static>, ProtocolError> {
        let head = match head::parse(bytes, limits)? {
            Parsed::Complete(head) => head,
            Parsed::Partial => return Err(ProtocolError::Incomplete),
        };
        let body = Body::from_memory(
            bytes[head.len..].to_vec(),
            Decoder::new(head.framing, limits),
        );
        /* ch05 < ch11
        let raw = bytes[..head.len].to_vec();
        */
        let raw = Cow::Owned(bytes[..head.len].to_vec()); // > ch11
        let peer = SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0));
        Request::new(raw, head, peer, body).map_err(|(err, _)| err)
    }

    /// The text a span covers. The parser only hands out spans of visible ASCII for the
    /// request line, so this never fails there; a header value that is not UTF-8 reads as "".
    fn text(&self, span: Span) -> &str {
        std::str::from_utf8(span.of(&self.raw)).unwrap_or("")
    }
}

// > ch09
// ANCHOR: extensions
/// Values of any type attached to a request, at most one per type: how a middleware layer
/// hands something (a request id, an authenticated user) to the layers and the handler
/// inside it, without the request knowing every type in advance.
///
/// A short list searched by type: a request carries a handful of extensions at most. The
/// [`RequestId`], which nearly every request carries, has a place of its own beside the list
/// (chapter 11), so attaching it boxes nothing and allocates nothing.
#[derive(Default)]
pub struct Extensions {
    request_id: Option<RequestId>,
    values: Vec<Box<dyn Any>>,
}

impl Extensions {
    /// Attaches `value`, replacing a value of the same type.
    pub fn insert<T: 'static>(&mut self, value: T) {
        let mut value = Some(value);
        // `T` is only known to be some type: asking `Any` whether it is `RequestId` is how a
        // generic function finds out, at no cost at run time.
        if let Some(id) = (&mut value as &mut dyn Any).downcast_mut::<Option<RequestId>>() {
            self.request_id = id.take();
            return;
        }
        self.values.retain(|old| !old.is::<T>());
        self.values
            .extend(value.map(|value| Box::new(value) as Box<dyn Any>));
    }

    /// The value of type `T`, if one is attached.
    pub fn get<T: 'static>(&self) -> Option<&T> {
        if let Some(id) = (&self.request_id as &dyn Any).downcast_ref::<Option<T>>() {
            return id.as_ref();
        }
        self.values.iter().find_map(|value| value.downcast_ref())
    }
}

impl std::fmt::Debug for Extensions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let values = self.values.len() + usize::from(self.request_id.is_some());
        write!(f, "Extensions({values} values)")
    }
}
// ANCHOR_END: extensions

// The request id: an extension defined with the request, below both the application and the
// middleware that assigns it, so that either can name it.
mod id;

pub use id::RequestId;
// < ch09

// ANCHOR: headers
/// A request's headers: a list of (name, value), looked up without regard to case.
///
/// A list rather than a hash map: a request has a dozen headers, a linear scan of a dozen is
/// as fast as hashing, and a list keeps their order and their repeats (RFC 9110 §5.3).
#[derive(Clone, Copy)]
pub struct Headers<'a> {
    raw: &'a [u8],
    entries: &'a [(Span, Span)],
}

impl<'a> Headers<'a> {
    /// The first value of `name`, if present and valid UTF-8.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.get_all(name).next()
    }

    /// Every value of `name`, in the order they were sent.
    pub fn get_all<'n>(&self, name: &'n str) -> impl Iterator<Item = &'a str> + 'n
    where
        'a: 'n,
    {
        self.iter()
            .filter(move |(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    }

    /// Every (name, value), in the order they were sent; values that are not UTF-8 read as "".
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        let raw = self.raw;
        self.entries.iter().map(move |(name, value)| {
            let text = |span: &Span| std::str::from_utf8(span.of(raw)).unwrap_or("");
            (text(name), text(value))
        })
    }

    /// How many header lines there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
// ANCHOR_END: headers

impl Target {
    // ANCHOR: target
    /// Splits the target into path and query (RFC 9112 §3.2) and percent-decodes the path,
    /// once per request.
    fn parse(raw: &[u8], head: &Head) -> Result<Target, ProtocolError> {
        let target = head.target.of(raw);
        let start = head.target.start as usize;
        // origin-form, "/path?query", is what nearly every request sends; asterisk-form,
        // "OPTIONS *", addresses the server as a whole.
        let origin_form = target.first() == Some(&b'/');
        let asterisk_form = target == b"*" && head.method.of(raw) == b"OPTIONS";
        let path_start = if origin_form || asterisk_form {
            0
        } else if let Some(rest) = strip_scheme(target) {
            // absolute-form, "http://host/path", which a server MUST accept (§3.2.2):
            // the path starts after the authority.
            let authority = rest
                .iter()
                .position(|&b| b == b'/' || b == b'?')
                .unwrap_or(rest.len());
            target.len() - rest.len() + authority
        } else {
            return Err(ProtocolError::BadTarget);
        };
        let path_end = target
            .iter()
            .position(|&b| b == b'?')
            .unwrap_or(target.len());
        // Offsets within the target are at most its length, so each sum below is at most
        // `head.target.end`, a `u32`: the casts cannot cut anything off.
        let at = |offset: usize| (start + offset) as u32;
        let path = Span {
            start: at(path_start),
            end: at(path_end),
        };
        let query = (path_end < target.len()).then_some(Span {
            start: at(path_end + 1),
            end: at(target.len()),
        });
        // The one decoding of the path (the router and the application reuse it): a broken
        // escape, a NUL or bytes that are not UTF-8 make the whole target bad.
        let text = std::str::from_utf8(path.of(raw)).map_err(|_| ProtocolError::BadTarget)?;
        let decoded = match percent::decode(text).map_err(|_| ProtocolError::BadTarget)? {
            _ if path_start == path_end => Some("/".to_string()),
            Cow::Borrowed(_) => None,
            Cow::Owned(decoded) => Some(decoded),
        };
        Ok(Target {
            path,
            query,
            decoded,
        })
    }
    // ANCHOR_END: target
}

/// The rest of an absolute-form target after `http://` or `https://` (any case).
fn strip_scheme(target: &[u8]) -> Option<&[u8]> {
    ["http://", "https://"].iter().find_map(|scheme| {
        let prefix = target.get(..scheme.len())?;
        prefix
            .eq_ignore_ascii_case(scheme.as_bytes())
            .then(|| &target[scheme.len()..])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(bytes: &[u8]) -> Request<'static> {
        Request::from_bytes(bytes, &Limits::default()).expect("a valid request")
    }

    #[test]
    fn target_table() {
        // (target, path, raw path, query)
        let cases = [
            ("/", "/", "/", None),
            ("/a/b?x=1&y", "/a/b", "/a/b", Some("x=1&y")),
            ("/a%20b/%C3%A9", "/a b/é", "/a%20b/%C3%A9", None),
            ("/?", "/", "/", Some("")),
            ("http://example.com/x?q", "/x", "/x", Some("q")),
            ("HTTPS://example.com", "/", "", None),
            ("http://example.com?q=1", "/", "", Some("q=1")),
        ];
        for (target, path, raw_path, query) in cases {
            let bytes = format!("GET {target} HTTP/1.1\r\nHost: a\r\n\r\n");
            let req = request(bytes.as_bytes());
            assert_eq!(req.target(), target);
            assert_eq!(
                (req.path(), req.raw_path(), req.query()),
                (path, raw_path, query),
                "{target}"
            );
        }
    }

    #[test]
    fn bad_targets_table() {
        #[rustfmt::skip]
        let bad = [
            "/%zz", "/%4", "/a%00b", "/%00", "/users/%00", "/a%2F%00/b", "/%FF", "/%C3%28",
            "http://example.com/%00", "example.com:443", "*",
        ];
        for target in bad {
            let bytes = format!("GET {target} HTTP/1.1\r\nHost: a\r\n\r\n");
            let outcome = Request::from_bytes(bytes.as_bytes(), &Limits::default());
            assert_eq!(outcome.err(), Some(ProtocolError::BadTarget), "{target}");
        }
        let options = request(b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");
        assert_eq!(options.path(), "*");
    }

    #[test]
    fn query_pairs_are_form_decoded() {
        let req = request(
            b"GET /s?q=rust+web&lang=en%2Dgb&flag&x=%zz&n=a%00b&q=2 HTTP/1.1\r\nHost: a\r\n\r\n",
        );
        let pairs: Vec<(String, String)> = req
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let expected = [
            ("q", "rust web"),
            ("lang", "en-gb"),
            ("flag", ""),
            ("x", "%zz"),
            ("n", "a%00b"), // NUL never decodes; a lenient decoder leaves it as written
            ("q", "2"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(pairs, expected);
        assert_eq!(req.query_param("q").as_deref(), Some("rust web"));
        assert_eq!(req.query_param("missing"), None);
    }

    // > ch09
    #[test]
    fn extensions_hold_one_value_per_type() {
        #[derive(Debug, PartialEq)]
        struct User(&'static str);
        let mut extensions = Extensions::default();
        assert_eq!(extensions.get::<User>(), None);
        assert_eq!(extensions.get::<RequestId>(), None);
        extensions.insert(User("ann"));
        extensions.insert(7u32);
        extensions.insert(RequestId::new("r-1").unwrap());
        extensions.insert(User("bob"));
        assert_eq!(extensions.get::<User>(), Some(&User("bob")));
        assert_eq!(extensions.get::<u32>(), Some(&7));
        assert_eq!(
            extensions.get::<RequestId>().map(RequestId::as_str),
            Some("r-1")
        );
        assert_eq!(extensions.get::<Option<RequestId>>(), None);
        assert_eq!(format!("{extensions:?}"), "Extensions(3 values)");
    }
    // < ch09

    #[test]
    fn headers_are_case_insensitive_and_keep_repeats() {
        let req = request(
            b"GET / HTTP/1.1\r\nHost: a\r\nAccept: text/html\r\nX-Tag: one\r\nx-tag: two\r\n\r\n",
        );
        let headers = req.headers();
        assert_eq!(headers.get("ACCEPT"), Some("text/html"));
        assert_eq!(headers.get_all("X-Tag").collect::<Vec<_>>(), ["one", "two"]);
        assert_eq!(headers.len(), 4);
        assert_eq!(req.header("missing"), None);
    }

    #[test]
    fn bodies_read_lazily_or_whole() {
        let mut req = request(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloEXTRA");
        let mut first = [0u8; 2];
        req.body().read_exact(&mut first).unwrap();
        assert_eq!(&first, b"he");
        assert_eq!(req.body_bytes().unwrap(), b"llo");
        assert!(req.body().is_done());

        let mut chunked = request(
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        );
        assert_eq!(chunked.body_bytes().unwrap(), b"abc");
    }

    #[test]
    fn a_broken_body_fails_every_read_after() {
        let mut req =
            request(b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
        let err = req.body_bytes().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert_eq!(req.body().failure(), Some(ProtocolError::BadChunkSize));
        assert!(req.body().read(&mut [0u8; 4]).is_err());
        let mut short = request(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\nabc");
        assert_eq!(
            short.body_bytes().unwrap_err().kind(),
            io::ErrorKind::UnexpectedEof
        );
    }
}
