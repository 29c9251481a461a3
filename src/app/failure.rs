//! Chapter 8: when handlers fail. The application catches what the handler (or a layer)
//! threw, and turns every failure into one kind of answer.
//!
//! - A panic is caught around the handler and again around the whole chain of layers, and
//!   becomes `500` for that request only. It is logged once, here, naming the request; the
//!   process-wide panic hook stays quiet while a handler runs (see
//!   [`quiet_hook`]), so the default "thread panicked at" message is not printed as well.
//! - An [`HttpError`] (returned, or made from a panic) is rendered into its body here,
//!   where the request is known: a custom page from [`App::on_status`] or
//!   [`App::on_error`], else plain text or JSON as the client's `Accept` prefers.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use crate::error::HttpError;
use crate::negotiate::media_quality;
use crate::pool::panic_message;
/* ch08 < ch09
use crate::request::Request;
*/
use crate::request::{Request, RequestId}; // > ch09
use crate::response::{reason, Response};

use super::App;

thread_local! {
    /// How many `catching` calls this thread is inside: above 0, a panic is ours to report.
    static CATCHING: Cell<u32> = const { Cell::new(0) };
    /// Where the last panic caught here happened, recorded by the hook for the log line.
    static LOCATION: Cell<Option<String>> = const { Cell::new(None) };
}

// ANCHOR: quiet_hook
/// Installs, once per process, a panic hook that stays quiet for panics this module will
/// catch and log, and hands every other panic to the hook that was there before (the
/// default one prints "thread '…' panicked at …").
///
/// The hook runs at the panic, before unwinding; it is the only place the panic's location
/// (file and line) is known, so it records that for [`App::catching`]'s log line.
///
/// One consequence: a handler that catches a panic of its own with `catch_unwind` gets no
/// message from the hook either, since its thread is inside `catching`.
pub(crate) fn quiet_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CATCHING.with(Cell::get) > 0 {
                let location = info.location().map(|l| l.to_string());
                LOCATION.with(|cell| cell.set(location));
            } else {
                previous(info);
            }
        }));
    });
}
// ANCHOR_END: quiet_hook

impl<S> App<S> {
    // ANCHOR: catching
    /// Runs `f` on `request`; a panic becomes a `500` response carrying an [`HttpError`]
    /// whose detail (the panic's message and place) is logged here, once.
    pub(crate) fn catching(
        &self,
        request: &mut Request<'_>,
        f: impl FnOnce(&mut Request<'_>) -> Response,
    ) -> Response {
        quiet_hook();
        CATCHING.with(|n| n.set(n.get() + 1));
        // AssertUnwindSafe: after a panic the request is only read (for the log line) and the
        // handler's half-done work is dropped. State the handler shares with others is the
        // exception: a `Mutex` it held is poisoned, which the next user of it will see.
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| f(request)));
        CATCHING.with(|n| n.set(n.get() - 1));
        let payload = match outcome {
            Ok(response) => return response,
            Err(payload) => payload,
        };
        let location = LOCATION.with(Cell::take).unwrap_or_else(|| "?".to_string());
        let message = panic_message(&*payload);
        log::error!(
            "{}: handler panicked at {location}: {message}",
            named(request)
        );
        let mut error = HttpError::internal(format_args!("panicked at {location}: {message}"));
        error.logged = true;
        // Dropping a payload can itself panic (a payload whose `Drop` panics); do it here,
        // caught, rather than let it escape.
        let _ = panic::catch_unwind(AssertUnwindSafe(move || drop(payload)));
        Response::from_error(error)
    }
    // ANCHOR_END: catching

    // ANCHOR: finish
    /// Renders the error `response` stands for, if any, into its final body: the custom
    /// handler for its status, else the fallback handler, else the built-in page. A custom
    /// handler that panics or fails itself falls back to the built-in page.
    pub(crate) fn finish(&self, request: &mut Request<'_>, mut response: Response) -> Response {
        let Some(error) = response.take_error() else {
            return response;
        };
        self.log_error(request, &error);
        let custom = self
            .on_status
            .iter()
            .find(|(status, _)| *status == error.status())
            .map(|(_, handler)| handler)
            .or(self.on_error.as_ref());
        let mut page = None;
        if let Some(handler) = custom {
            let attempt = self.catching(request, |request| handler(request, &error));
            match attempt.error() {
                None => page = Some(attempt),
                Some(failed) => {
                    log::error!(
                        "{}: the error handler for {} failed: {failed}",
                        named(request),
                        error.status(),
                    );
                }
            }
        }
        let page = page.unwrap_or_else(|| self.built_in(request, &error));
        merge(response, page, error.status())
    }
    // ANCHOR_END: finish

    // ANCHOR: built_in
    /// The built-in error page: JSON when the client's `Accept` prefers it to plain text
    /// (RFC 9110 §12.5.1), plain text otherwise. The detail only in debug mode.
    fn built_in(&self, request: &Request<'_>, error: &HttpError) -> Response {
        let accept = request.header("accept");
        let json = media_quality(accept, "application/json") > media_quality(accept, "text/plain");
        let detail = error.detail().filter(|_| self.debug);
        if json {
            // Written out by hand so that the keys keep this order (a `json!` map sorts them).
            let quote = |text: &str| serde_json::Value::from(text).to_string();
            let mut body = format!(
                r#"{{"error":{{"status":{},"message":{}"#,
                error.status(),
                quote(error.message())
            );
            if let Some(detail) = detail {
                body.push_str(&format!(r#","detail":{}"#, quote(detail)));
            }
            body.push_str("}}");
            return Response::bytes(body).with_header("Content-Type", "application/json");
        }
        let status = error.status();
        let mut text = format!("{status} {}", reason(status));
        if error.message() != reason(status) {
            text = format!("{text}: {}", error.message());
        }
        if let Some(detail) = detail {
            text = format!("{text}\n{detail}");
        }
        Response::text(text + "\n")
    }
    // ANCHOR_END: built_in

    /// Logs what the client is not told: a server error's detail at `error`, a client
    /// error's at `debug` (the access log has the status already).
    fn log_error(&self, request: &mut Request<'_>, error: &HttpError) {
        let Some(detail) = error.detail().filter(|_| !error.logged) else {
            return;
        };
        let request = named(request);
        if error.status() >= 500 {
            log::error!("{request}: {} {detail}", error.status());
        } else {
            log::debug!("{request}: {} {detail}", error.status());
        }
    }
}

// ANCHOR: named
/* ch08 < ch09
/// How a log line names a request: its method and target.
fn named(request: &Request<'_>) -> String {
    format!("{} {}", request.method(), request.target())
}
*/
// > ch09
/// How a log line names a request: its method, target and id, so that every line about one
/// request can be found by the id the client was given.
fn named(request: &mut Request<'_>) -> String {
    let id = id_of(request);
    format!("{} {} (request {id})", request.method(), request.target())
}

/// The request's id for a log line: the one a layer gave it (the request id layer, say), or
/// a new one (attached, so that every line about this request names the same id). The id's
/// type is the request's, so the application names it without knowing any layer.
fn id_of(request: &mut Request<'_>) -> RequestId {
    if let Some(id) = request.extensions().get::<RequestId>() {
        return *id;
    }
    let id = RequestId::generate();
    request.extensions_mut().insert(id);
    id
}
// < ch09
// ANCHOR_END: named

/// The error response with `page`'s body and content headers, and `status` whatever the
/// page said (a 404 page is a 404). Headers the error response had that the page does not
/// (such as `Allow` on a 405) are kept; its `Content-Encoding` is not, as its body is gone.
fn merge(response: Response, page: Response, status: u16) -> Response {
    let (_, headers, _) = response.into_parts();
    let mut page = page.with_status(status);
    for (name, value) in headers {
        let content = ["content-type", "content-encoding"]
            .iter()
            .any(|h| name.eq_ignore_ascii_case(h));
        if !content && page.header(&name).is_none() {
            page = page.with_added_header(name, value);
        }
    }
    page
}
