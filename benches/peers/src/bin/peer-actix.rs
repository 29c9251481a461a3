//! actix-web 4: an async framework on a thread-per-core design. Each of its workers (default:
//! one per core, or `--workers`) runs its own single-threaded Tokio runtime and owns the
//! connections it accepts.

use actix_web::http::header::ContentType;
use actix_web::{web, App, HttpResponse, HttpServer};
use weft_peers::app::{self, Message};
use weft_peers::args::{self, Args};

async fn plaintext() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::plaintext().essence_str())
        .body(app::HELLO)
}

async fn json() -> web::Json<Message> {
    // actix serializes this with serde_json on every request.
    web::Json(Message {
        message: app::HELLO,
    })
}

fn main() -> std::io::Result<()> {
    let args = Args::from_env();
    // Binding here (not with `HttpServer::bind`) lets us print the real port when given port 0.
    let listener = std::net::TcpListener::bind(args.addr)?;
    let bound = listener.local_addr()?;

    actix_web::rt::System::new().block_on(async move {
        let mut server = HttpServer::new(|| {
            App::new()
                .route("/", web::get().to(plaintext))
                .route("/plaintext", web::get().to(plaintext))
                .route("/json", web::get().to(json))
        });
        if let Some(workers) = args.workers {
            server = server.workers(workers);
        }
        let server = server.listen(listener)?.run();
        args::announce(bound);
        server.await
    })
}
