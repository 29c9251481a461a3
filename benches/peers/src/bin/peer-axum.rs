//! axum 0.8 on hyper 1 and Tokio's multi-threaded, work-stealing runtime (worker threads:
//! one per core, or `--workers`).

use std::time::Duration;

use axum::http::header::CONTENT_TYPE;
use axum::http::Uri;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use weft_peers::app::{self, Message};
use weft_peers::args::{self, Args};

async fn plaintext() -> impl IntoResponse {
    ([(CONTENT_TYPE, app::TEXT_PLAIN)], app::HELLO)
}

async fn json() -> Json<Message> {
    // axum serializes this with serde_json on every request.
    Json(Message {
        message: app::HELLO,
    })
}

// ANCHOR: slow
/// `GET /slow?ms=N` (chapter 12): waits N ms on Tokio's timer. At the `.await` the task
/// returns `Pending` to the runtime and gives its thread back; the timer wakes it later.
async fn slow(uri: Uri) -> &'static str {
    let ms = app::slow_ms(uri.query().unwrap_or(""));
    tokio::time::sleep(Duration::from_millis(ms)).await;
    app::HELLO
}

/// `GET /slow-blocking?ms=N` (chapter 12): the classic mistake. `std::thread::sleep` inside an
/// `async fn` compiles and works, but it never returns to the runtime: the worker thread it
/// runs on sleeps with it, and so does every task queued behind it on that thread.
async fn slow_blocking(uri: Uri) -> &'static str {
    let ms = app::slow_ms(uri.query().unwrap_or(""));
    std::thread::sleep(Duration::from_millis(ms));
    app::HELLO
}
// ANCHOR_END: slow

// ANCHOR: main
fn main() -> std::io::Result<()> {
    let args = Args::from_env();
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = args.workers {
        runtime.worker_threads(workers);
    }
    runtime.enable_all().build()?.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr).await?;
        args::announce(listener.local_addr()?);
        let app = Router::new()
            .route("/", get(plaintext))
            .route("/plaintext", get(plaintext))
            .route("/json", get(json))
            .route("/slow", get(slow))
            .route("/slow-blocking", get(slow_blocking));
        axum::serve(listener, app).await
    })
}
// ANCHOR_END: main
