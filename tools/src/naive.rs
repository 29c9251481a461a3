//! Chapter 2's connection handler: just enough HTTP to be measured.
//!
//! Chapters 2, 3 and 4 change only *how many connections are served at once*; they all serve
//! each connection with this one function, so that the step-comparison tool measures the
//! concurrency model and nothing else. It is deliberately naive: it reads until the blank line
//! that ends a request head, looks at the path, writes one response and closes the connection.
//! It sets no timeouts, so a client that never finishes its head holds it forever. Chapter 5
//! replaces it with a real HTTP/1.1 connection loop.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

/// The most bytes of request head this handler reads before giving up with a 431.
pub const MAX_HEAD: usize = 8 * 1024;

/// How long `GET /slow` pretends to work when the query gives no `ms=`.
pub const SLOW_DEFAULT: Duration = Duration::from_millis(10);

// ANCHOR: handle
/// Serves one request on `stream` and closes it.
///
/// Routes: `/slow` (or `/slow?ms=N`) blocks for 10 ms (or N ms) before answering, to stand in
/// for a handler that does real work; `/panic` panics, to show what a failing handler does to
/// the server around it; every other path answers `Hello, World!`.
pub fn handle(mut stream: TcpStream) -> io::Result<()> {
    let head = match read_head(&mut stream)? {
        Some(head) => head,
        // The client closed before sending a whole head: nothing to answer.
        None => return Ok(()),
    };
    let path = request_path(&head);
    log::debug!("naive: {path}");
    let response: &[u8] = if head.len() > MAX_HEAD {
        TOO_LARGE
    } else {
        match path.split('?').next().unwrap_or("") {
            "" => BAD_REQUEST,
            "/slow" => {
                thread::sleep(slow_duration(path));
                HELLO
            }
            "/panic" => panic!("the handler for {path} panicked"),
            _ => HELLO,
        }
    };
    stream.write_all(response)?;
    stream.flush()
}
// ANCHOR_END: handle

// ANCHOR: responses
const HELLO: &[u8] = b"HTTP/1.1 200 OK\r\n\
Content-Type: text/plain\r\n\
Content-Length: 13\r\n\
Connection: close\r\n\
\r\n\
Hello, World!";

const BAD_REQUEST: &[u8] = b"HTTP/1.1 400 Bad Request\r\n\
Content-Length: 0\r\n\
Connection: close\r\n\
\r\n";

const TOO_LARGE: &[u8] = b"HTTP/1.1 431 Request Header Fields Too Large\r\n\
Content-Length: 0\r\n\
Connection: close\r\n\
\r\n";
// ANCHOR_END: responses

// ANCHOR: read_head
/// Reads from `stream` until the blank line that ends a request head.
///
/// Returns `None` if the client closes first. Stops after [`MAX_HEAD`] bytes, returning what it
/// has (one byte over the limit), so a client cannot make it buffer without end.
fn read_head(stream: &mut TcpStream) -> io::Result<Option<Vec<u8>>> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(None);
        }
        head.extend_from_slice(&chunk[..n]);
        if head.windows(4).any(|w| w == b"\r\n\r\n") {
            return Ok(Some(head));
        }
        if head.len() > MAX_HEAD {
            head.truncate(MAX_HEAD + 1);
            return Ok(Some(head));
        }
    }
}
// ANCHOR_END: read_head

/// The request target of the first line (`GET /path HTTP/1.1` → `/path`), or `""`.
fn request_path(head: &[u8]) -> &str {
    let line_end = head.iter().position(|&b| b == b'\r').unwrap_or(head.len());
    let line = std::str::from_utf8(&head[..line_end]).unwrap_or("");
    let mut parts = line.split(' ');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(_method), Some(target), Some(_version)) => target,
        _ => "",
    }
}

/// The `ms=N` of `/slow?ms=N`, or [`SLOW_DEFAULT`].
fn slow_duration(target: &str) -> Duration {
    target
        .split_once("?ms=")
        .and_then(|(_, ms)| ms.parse().ok())
        .map(Duration::from_millis)
        .unwrap_or(SLOW_DEFAULT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_path_table() {
        let cases: &[(&[u8], &str)] = &[
            (b"GET / HTTP/1.1\r\n\r\n", "/"),
            (b"GET /slow?ms=5 HTTP/1.1\r\nHost: x\r\n\r\n", "/slow?ms=5"),
            (b"GET\r\n\r\n", ""),
            (b"\xff\xfe /x HTTP/1.1\r\n\r\n", ""),
        ];
        for (head, path) in cases {
            assert_eq!(request_path(head), *path, "head {head:?}");
        }
    }

    #[test]
    fn slow_duration_table() {
        assert_eq!(slow_duration("/slow"), SLOW_DEFAULT);
        assert_eq!(slow_duration("/slow?ms=250"), Duration::from_millis(250));
        assert_eq!(slow_duration("/slow?ms=lots"), SLOW_DEFAULT);
    }
}
