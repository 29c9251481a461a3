//! An [`App`] served in the test process, on `127.0.0.1:0`, stopped when dropped: for tests
//! that build their own routes rather than start an example.

use std::net::{SocketAddr, TcpListener};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/* ch07 < ch08
use weft::app::App;
*/
use weft::app::{App, HttpError}; // > ch08
use weft::http::Limits; // > ch08
use weft::pool::Drain;
use weft::server::Config;
use weft::shutdown::Shutdown;

use super::{Client, Reply};

/// A running application.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    shutdown: Shutdown,
    thread: Option<JoinHandle<Drain>>,
}

impl Running {
    /// Serves `app` with a few workers until the returned value is dropped.
    pub fn start<S: Send + Sync + 'static>(mut app: App<S>) -> Running {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        app.set_config(Config {
            workers: 4,
            queue: 64,
            grace: Duration::from_secs(2),
            reuse_port: false, // > ch13
        });
        let shutdown = Shutdown::new();
        let stop = shutdown.clone();
        let thread = thread::spawn(move || app.serve(listener, &stop));
        Running {
            addr,
            shutdown,
            thread: Some(thread),
        }
    }

    /// Sends `request` (raw bytes, head and body) on a new connection and reads the answer.
    /// A `HEAD` request's answer is read as a head alone.
    pub fn send(&self, request: &str) -> Reply {
        let mut client = Client::connect(self.addr);
        client.send(request);
        if request.starts_with("HEAD ") {
            client.head_response()
        } else {
            client.response()
        }
    }

    /// `method path` with no body and no other header than `Host`.
    pub fn call(&self, method: &str, path: &str) -> Reply {
        self.send(&format!("{method} {path} HTTP/1.1\r\nHost: test\r\n\r\n"))
    }

    /// `method path` with extra header lines (each ending in `\r\n`).
    pub fn call_with(&self, method: &str, path: &str, headers: &str) -> Reply {
        self.send(&format!(
            "{method} {path} HTTP/1.1\r\nHost: test\r\n{headers}\r\n"
        ))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown.trigger();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

// > ch08
/// `app` with a 64-byte body limit and a short body timeout, and two routes for the server's
/// refusals (chapter 8): `POST /read` reads the body, `POST /ignore` does not.
pub fn refusing<S: Send + Sync + 'static>(mut app: App<S>) -> App<S> {
    app.set_limits(Limits {
        max_body: 64,
        body_timeout: Duration::from_millis(300),
        min_body_rate: 0, // > ch10
        ..Limits::default()
    });
    app.post("/read", |request, _| -> Result<String, HttpError> {
        Ok(format!("{} bytes", request.body_bytes()?.len()))
    });
    app.post("/ignore", |_, _| "ignored");
    app
}
// < ch08
