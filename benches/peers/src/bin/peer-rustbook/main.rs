//! The Rust Book's chapter-20 web server, final design: the main thread accepts connections and
//! hands each one to a [`ThreadPool`] of boxed closures; a worker reads the request head line by
//! line with a `BufReader`, answers it, and closes the connection (`Connection: close`, so one
//! request per connection and no keep-alive). Written here in the book's style, with one change:
//! the book unwraps every I/O result, and under load a client that hangs up early would then
//! panic a worker and shrink the pool for good, so here an I/O error just ends that connection.
//!
//! `--workers` sets the pool size; the default is the book's 4.

mod pool;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};

use pool::ThreadPool;
use weft_peers::app::{self, Route};
use weft_peers::args::{self, Args};

/// The pool size the book chose.
const BOOK_WORKERS: usize = 4;

fn main() {
    let args = Args::from_env();
    let listener = match TcpListener::bind(args.addr) {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("error: cannot listen on {}: {err}", args.addr);
            std::process::exit(1);
        }
    };
    let bound = listener
        .local_addr()
        .expect("a bound listener has an address");
    args::announce(bound);

    let pool = ThreadPool::new(args.workers.unwrap_or(BOOK_WORKERS));
    for stream in listener.incoming() {
        // A failed accept (say, out of file descriptors) loses that one connection only.
        let Ok(stream) = stream else { continue };
        pool.execute(|| {
            let _ = handle_connection(stream);
        });
    }
}

/// Reads one request head and writes one response; the connection closes when `stream` drops.
fn handle_connection(mut stream: TcpStream) -> std::io::Result<()> {
    let reader = BufReader::new(&stream);
    let mut lines = reader.lines();
    let request_line = match lines.next() {
        Some(line) => line?,
        None => return Ok(()),
    };
    // Read the rest of the head up to the blank line, so that no request bytes are left
    // unread when we close (unread bytes would make the close a reset).
    for line in lines {
        if line?.is_empty() {
            break;
        }
    }

    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("");
    let (status_line, content_type, body) = match app::route(method, target) {
        Route::Plaintext => (
            "HTTP/1.1 200 OK",
            app::TEXT_PLAIN,
            app::HELLO.as_bytes().to_vec(),
        ),
        Route::Json => ("HTTP/1.1 200 OK", app::APPLICATION_JSON, app::json_body()),
        Route::NotFound => ("HTTP/1.1 404 NOT FOUND", app::TEXT_PLAIN, Vec::new()),
    };
    let length = body.len();
    let head = format!(
        "{status_line}\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    );
    let mut response = head.into_bytes();
    response.extend_from_slice(&body);
    stream.write_all(&response)
}
