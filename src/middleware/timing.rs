//! A `Server-Timing` header (W3C Server Timing) with the time the rest of the chain took:
//! `Server-Timing: app;dur=1.23`, in milliseconds. Browsers show it in their developer
//! tools next to the network timings.
//!
//! The time covers the layers inside this one and the handler; a streamed body is produced
//! after the headers are sent, so its time cannot be in them.

use std::time::Instant;

use super::{Middleware, Next};
use crate::request::Request;
/* ch09 < ch11
use crate::response::Response;
*/
use crate::response::{HeaderText, Response}; // > ch11

// ANCHOR: timing
/// The layer that adds `Server-Timing: app;dur=…`.
#[derive(Debug, Default)]
pub struct ServerTiming;

impl<S> Middleware<S> for ServerTiming {
    fn call(&self, request: &mut Request<'_>, next: Next<'_, S>) -> Response {
        let start = Instant::now();
        let response = next.run(request);
        // Milliseconds with two decimals, written as two integers: formatting a float
        // exactly costs more.
        let hundredths = (start.elapsed().as_micros() + 5) / 10;
        let (ms, fraction) = (hundredths / 100, hundredths % 100);
        /* ch09 < ch11
        let value = format!("app;dur={ms}.{fraction:02}");
        */
        // > ch11
        // Up to 99999.99 ms the value fits inline, with no `String`.
        let value = HeaderText::formatted(format_args!("app;dur={ms}.{fraction:02}"));
        // < ch11
        response.with_added_header("Server-Timing", value)
    }
}
// ANCHOR_END: timing
