//! axum 0.8 on hyper 1 and Tokio's multi-threaded, work-stealing runtime (worker threads:
//! one per core, or `--workers`).

use axum::http::header::CONTENT_TYPE;
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
            .route("/json", get(json));
        axum::serve(listener, app).await
    })
}
