//! Chapter 9: middleware. `GET /` answers through `--layers N` empty layers (default 0), to
//! measure what a layer costs; the other routes show the built-in layers and two of our own.
//!
//! Run: `cargo run --release --example ch09_middleware -- --layers 5`
//!
//! Routes: `GET /` → `Hello, World!` (through the N empty layers only);
//! `GET /api/report` → a long JSON report, behind CORS for `http://localhost:3000`,
//! gzip, `Server-Timing`, request ids and a layer that counts the reports in the
//! application's state; `GET /admin/stats` → `401` without
//! `Authorization: Bearer let-me-in`, else the count, with `Cache-Control: no-store`.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

use weft::app::{App, Ctx, HttpError, IntoResponse, Json};
use weft::middleware::access_log::AccessLog;
use weft::middleware::cors::Cors;
use weft::middleware::gzip::Gzip;
use weft::middleware::request_id::{AssignRequestId, RequestId};
use weft::middleware::timing::ServerTiming;
use weft::middleware::{from_fn, Middleware, Next};
use weft::request::Request;
use weft::response::Response;
use weft::server::Config;
use weft_tools::cli::{self, Flags};

fn main() -> ExitCode {
    cli::init_logging();
    let flags = Flags::from_env(&["--addr", "--workers", "--queue", "--layers"]);
    let defaults = Config::default();
    let workers = flags.value_or_exit("--workers", defaults.workers);
    let queue = flags.value_or_exit("--queue", defaults.queue);
    let layers = flags.value_or_exit("--layers", 0usize);

    let mut app = app(layers);
    app.set_config(Config {
        workers,
        queue,
        ..defaults
    });
    cli::serve(app, flags.addr())
}

/// The application's state: how many reports have been asked for.
#[derive(Default)]
struct Stats {
    reports: AtomicU64,
}

// ANCHOR: app
/// The chapter's application, with `layers` empty layers around everything.
fn app(layers: usize) -> App<Stats> {
    let mut app = App::with_state(Stats::default());
    // ANCHOR: empty
    for _ in 0..layers {
        app.wrap(from_fn(|request, next| next.run(request)));
    }
    // ANCHOR_END: empty
    app.get("/", |_, _| "Hello, World!");
    app.group("/api", |api| {
        api.wrap(AccessLog)
            .wrap(AssignRequestId)
            .wrap(Cors::origins(&["http://localhost:3000"]).allow_methods(&["GET", "POST"]))
            .wrap(ServerTiming)
            .wrap(Gzip::default())
            .wrap(from_fn(count_reports));
        api.get("/report", report);
    });
    app.group("/admin", |admin| {
        admin
            .wrap(RequireToken("let-me-in"))
            .wrap(from_fn(no_store));
        admin.get("/stats", |request, cx| {
            format!(
                "{} reports; this is request {}\n",
                cx.state().reports.load(Ordering::Relaxed),
                RequestId::of(request).unwrap_or("-")
            )
        });
    });
    app
}
// ANCHOR_END: app

/// A report long enough to be worth compressing.
fn report(_: &mut Request<'_>, _: &Ctx<'_, Stats>) -> Json<Vec<String>> {
    Json(
        (1..=100)
            .map(|n| format!("line {n} of the report"))
            .collect(),
    )
}

// ANCHOR: auth
/// A layer that lets through only requests with `Authorization: Bearer <token>`: the others
/// get `401` without reaching the handler (RFC 9110 §11.6.1, §15.5.2). It does not look at
/// the application's state, so it is a layer for any state `S`.
struct RequireToken(&'static str);

impl<S> Middleware<S> for RequireToken {
    fn call(&self, request: &mut Request<'_>, next: Next<'_, S>) -> Response {
        let presented = request
            .header("authorization")
            .and_then(|value| value.strip_prefix("Bearer "));
        if presented != Some(self.0) {
            return HttpError::new(401, "a valid bearer token is required")
                .into_response()
                .with_header("WWW-Authenticate", "Bearer");
        }
        next.run(request)
    }
}
// ANCHOR_END: auth

// ANCHOR: no_store
/// A layer as a function: changes the response on its way out.
fn no_store<S>(request: &mut Request<'_>, next: Next<'_, S>) -> Response {
    next.run(request).with_header("Cache-Control", "no-store")
}
// ANCHOR_END: no_store

// ANCHOR: count
/// A layer that reaches the application's state through `next`: it counts the reports
/// served. The application's own `405` and `OPTIONS` answers on the route pass through it
/// too (the `/api` group alone registered it), and are not reports.
fn count_reports(request: &mut Request<'_>, next: Next<'_, Stats>) -> Response {
    let stats = next.state();
    let response = next.run(request);
    if response.status() == 200 {
        stats.reports.fetch_add(1, Ordering::Relaxed);
    }
    response
}
// ANCHOR_END: count
