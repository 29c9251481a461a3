//! Chapter 11: how many heap allocations one request costs on the showcase's fast paths.
//!
//! A counting global allocator wraps the system's; the showcase App is served in this
//! process over a real loopback socket; after a warm-up, a client that itself never
//! allocates sends requests one at a time on a kept-alive connection, and the count of
//! allocations while they are served, divided by the number of requests, is the cost.
//!
//! The bare application (the showcase's routes, no middleware) is measured, then the showcase
//! as `cargo run --release` serves it, with chapter 9's default layers around those routes.
//! The test asks for no more than the count last measured, zero, plus half an allocation: a
//! new allocation per request is caught, while the odd allocation that is not per request
//! (the cached `Date` reformatted once a second) is not. Run it with `--nocapture` to see the
//! counts. Only one test lives in this file: every thread in the process is counted, and a
//! second test running beside it would be counted too.

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};

use support::app::Running;
use weft::app::App;
use weft_tools::showcase::{self, Options};

// ANCHOR: counter
/// The system allocator, counting every allocation (`alloc`, `alloc_zeroed`, `realloc`).
struct Counting;

/// Allocations made by any thread of this process so far.
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: each method passes its arguments unchanged to the same method of `System`, which
// implements `GlobalAlloc` soundly, and returns `System`'s result unchanged; so every block
// handed out is one `System` allocated for exactly that layout, and every block given back
// to `System` is one it handed out, with the layout it was allocated with. The one thing
// added, a relaxed atomic increment, neither allocates (no re-entry into the allocator) nor
// panics (no unwinding out of an allocator method, which `GlobalAlloc` forbids).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: our caller meets `alloc`'s contract, which is `System.alloc`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: `ptr` came from this allocator, that is from `System`, with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, that is from `System`, with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;
// ANCHOR_END: counter

/// Requests before counting starts: buffers sized, thread-locals set, the `Date` cached.
const WARM_UP: u64 = 500;
/// Requests counted.
const COUNTED: u64 = 5_000;

// ANCHOR: measured
/// The allocations per request last measured, per application and path: none. Chapter 11
/// says where each one used to come from and which cut removed it. The test fails above
/// these plus a half.
const MEASURED: &[(&str, &str, f64)] = &[
    ("bare", "/plaintext", 0.0),
    ("bare", "/json", 0.0),
    ("showcase", "/plaintext", 0.0),
    ("showcase", "/json", 0.0),
];
/// Slack for allocations that are not per request, such as the `Date` reformatted each second.
const SLACK: f64 = 0.5;
// ANCHOR_END: measured

// ANCHOR: per_request
/// Sends `GET path` `count` times on `stream`, one at a time, reading each whole response,
/// without allocating: the request is a constant, the response lands in a stack buffer and
/// is parsed by `httparse` into a stack array.
fn requests(stream: &mut TcpStream, request: &[u8], count: u64) {
    for _ in 0..count {
        stream.write_all(request).expect("send a request");
        let mut buf = [0u8; 4096];
        let mut len = 0;
        loop {
            let n = stream.read(&mut buf[len..]).expect("read a response");
            assert!(n > 0, "the server closed the connection");
            len += n;
            let mut headers = [httparse::EMPTY_HEADER; 16];
            let mut response = httparse::Response::new(&mut headers);
            if let httparse::Status::Complete(head) = response.parse(&buf[..len]).unwrap() {
                assert_eq!(response.code, Some(200));
                let length = response
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                    .and_then(|h| std::str::from_utf8(h.value).ok()?.parse::<usize>().ok())
                    .expect("a Content-Length");
                if len >= head + length {
                    assert_eq!(len, head + length, "one response, nothing after it");
                    break;
                }
            }
        }
    }
}

/// Allocations per request for `GET path`, counted after a warm-up.
fn allocations_per_request(app: &Running, path: &str) -> f64 {
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n");
    let mut stream = support::connect(app.addr);
    requests(&mut stream, request.as_bytes(), WARM_UP);
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    requests(&mut stream, request.as_bytes(), COUNTED);
    let after = ALLOCATIONS.load(Ordering::SeqCst);
    (after - before) as f64 / COUNTED as f64
}
// ANCHOR_END: per_request

/// The showcase's routes alone, without its middleware.
fn bare() -> App {
    let mut app = App::new();
    showcase::routes(&mut app, &Options::default());
    app
}

#[test]
fn allocations_per_request_stay_below_the_measured_bound() {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    drop(std::hint::black_box(Box::new(1u64)));
    assert!(
        ALLOCATIONS.load(Ordering::SeqCst) > before,
        "the counting allocator is not installed"
    );
    let bare = Running::start(bare());
    let showcase = Running::start(showcase::app(&Options::default()));
    for &(name, path, measured) in MEASURED {
        let app = if name == "bare" { &bare } else { &showcase };
        let per_request = allocations_per_request(app, path);
        println!("{name} GET {path}: {per_request:.2} allocations per request");
        assert!(
            per_request <= measured + SLACK,
            "{name} GET {path}: {per_request:.2} allocations per request, more than the \
             {measured} last measured; find the new one (chapter 11 shows how) or, if it is \
             deliberate, update MEASURED"
        );
    }
}
