//! The test client itself: each shortcut sends its method, and a failing check panics at the
//! test's line with a message that shows the response (status, headers, start of the body).

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use weft::prelude::*;
use weft::testing::{TestClient, TestRequest};

/// An application that answers every request (routed or not) with its method in `X-Method`,
/// and has a few routes for the failure tests.
fn app() -> App {
    let mut app = App::new();
    app.wrap(from_fn(|request: &mut Request<'_>, next: Next<'_>| {
        let method = request.method().to_string();
        next.run(request).with_header("X-Method", method)
    }));
    app.get("/hello", |_, _| "Hello, World!");
    app.get("/long", |_, _| "é".repeat(1000));
    app.get("/latin1", |_, _| {
        Response::bytes(vec![b'c', b'a', b'f', 0xE9])
    });
    app
}

type Shortcut = for<'a, 'b> fn(&'a TestClient, &'b str) -> TestRequest<'a, ()>;

#[test]
fn each_shortcut_sends_its_method() {
    let client = TestClient::new(app());
    let table: [(Shortcut, &str); 7] = [
        (TestClient::get, "GET"),
        (TestClient::post, "POST"),
        (TestClient::put, "PUT"),
        (TestClient::patch, "PATCH"),
        (TestClient::delete, "DELETE"),
        (TestClient::head, "HEAD"),
        (TestClient::options, "OPTIONS"),
    ];
    for (shortcut, method) in table {
        let response = shortcut(&client, "/hello").send();
        assert_eq!(response.header("x-method"), Some(method), "{response}");
    }
}

thread_local! {
    /// Whether this thread expects a panic: the hook then records it instead of printing it.
    static EXPECTING: Cell<bool> = const { Cell::new(false) };
    /// Where the expected panic happened: file and line.
    static LOCATION: RefCell<Option<(String, u32)>> = const { RefCell::new(None) };
}

/// A panic's message and the place the hook saw it at.
struct Caught {
    message: String,
    file: String,
    line: u32,
}

/// Runs `f`, which must panic, and returns the panic's message and location. The location
/// is only known to a panic hook; this one is installed once and hands every panic it does
/// not expect to the hook that was there before (the application installs one too).
fn panic_of(f: impl FnOnce()) -> Caught {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if EXPECTING.with(Cell::get) {
                let place = info.location().map(|l| (l.file().to_string(), l.line()));
                LOCATION.with(|slot| *slot.borrow_mut() = place);
            } else {
                previous(info);
            }
        }));
    });
    EXPECTING.with(|flag| flag.set(true));
    // Nothing `f` touches is used again after a panic but to read it.
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    EXPECTING.with(|flag| flag.set(false));
    let payload = result.expect_err("the call panics");
    let (file, line) = LOCATION
        .with(|slot| slot.borrow_mut().take())
        .expect("the hook saw the panic");
    Caught {
        message: message_of(&*payload),
        file,
        line,
    }
}

fn message_of(payload: &(dyn Any + Send)) -> String {
    match payload.downcast_ref::<String>() {
        Some(message) => message.clone(),
        None => payload.downcast_ref::<&str>().unwrap_or(&"").to_string(),
    }
}

#[test]
fn a_failing_json_shows_the_response_and_the_callers_line() {
    let client = TestClient::new(app());
    let response = client.get("/nowhere").header("Accept", "text/plain").send();
    let line = line!() + 2; // the line of the call to `json`
    let caught = panic_of(|| {
        let _ = response.json::<serde_json::Value>();
    });
    assert!(
        caught
            .message
            .starts_with("expected a JSON body as serde_json::value::Value ("),
        "{}",
        caught.message
    );
    assert!(
        caught.message.contains("), got 404 Not Found\n"),
        "{}",
        caught.message
    );
    assert!(
        caught.message.contains("\nX-Method: GET\n"),
        "{}",
        caught.message
    );
    assert!(
        caught.message.ends_with("\n\n404 Not Found\n"),
        "{}",
        caught.message
    );
    assert_eq!((caught.file.as_str(), caught.line), (file!(), line));
}

#[test]
fn each_check_panics_at_the_callers_line_with_the_response() {
    let client = TestClient::new(app());
    let hello = || client.get("/hello").send();
    let latin1 = client.get("/latin1").send();
    type Check<'a> = Box<dyn FnOnce() + 'a>;
    // (the check, the line of its call, how its message starts)
    let table: [(Check<'_>, u32, &str); 4] = [
        (
            Box::new(|| {
                let _ = hello().assert_status(201);
            }),
            line!() - 2,
            "expected status 201, got 200 OK\n",
        ),
        (
            Box::new(|| {
                let _ = hello().assert_header("X-Method", "POST");
            }),
            line!() - 2,
            "expected header X-Method: POST, got 200 OK\n",
        ),
        (
            Box::new(|| {
                let _ = hello().json::<u32>();
            }),
            line!() - 2,
            "expected a JSON body as u32 (",
        ),
        (
            Box::new(|| {
                let _ = latin1.text();
            }),
            line!() - 2,
            "expected a UTF-8 body (",
        ),
    ];
    for (check, line, start) in table {
        let caught = panic_of(check);
        assert!(caught.message.starts_with(start), "{}", caught.message);
        assert!(caught.message.contains(" 200 OK\n"), "{}", caught.message);
        assert_eq!((caught.file.as_str(), caught.line), (file!(), line));
    }
}

#[test]
fn passing_checks_return_the_response_for_more_checks() {
    let client = TestClient::new(app());
    let response = client
        .get("/hello")
        .send()
        .assert_status(200)
        .assert_header("x-method", "GET");
    assert_eq!(response.text(), "Hello, World!");
}

#[test]
fn the_message_shows_the_first_512_bytes_of_the_body_and_marks_the_cut() {
    let client = TestClient::new(app());
    let shown = client.get("/long").send().to_string();
    let body = shown
        .split_once("\n\n")
        .expect("a blank line before the body")
        .1;
    // 512 bytes hold 256 two-byte "é"s: the cut falls between characters.
    assert_eq!(body, format!("{}…", "é".repeat(256)));

    let shown = client.get("/latin1").send().to_string();
    assert!(shown.ends_with("\n\ncaf\u{FFFD}"), "{shown}");

    let shown = client.delete("/hello").send().to_string();
    assert!(shown.ends_with("\n\n405 Method Not Allowed\n"), "{shown}");
}
