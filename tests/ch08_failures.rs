//! Chapter 8 in process, through `weft::testing::TestClient`: how the application renders
//! errors (plain or JSON, detail or not), catches panics in handlers, and falls back when a custom error handler fails itself.

use weft::app::{App, HttpError, IntoResponse, Json};
use weft::http::Limits;
use weft::response::Response;
use weft::testing::TestClient;

/// An application with one route per kind of failure.
fn app() -> App {
    let mut app = App::new();
    app.get("/io", |_, _| -> Result<String, HttpError> {
        Ok(std::fs::read_to_string("/nonexistent/secret.txt")?)
    });
    app.get("/teapot", |_, _| -> Result<&str, HttpError> {
        Err(HttpError::new(418, "short and stout"))
    });
    app.get("/panic", |_, _| -> &'static str {
        panic!("secret panic message")
    });
    app.get("/none", |_, _| None::<String>);
    app.post("/json", |request, _| -> Result<Json<u32>, HttpError> {
        let Json(n) = Json::<u32>::read(request)?;
        Ok(Json(n + 1))
    });
    app
}

// ANCHOR: testing
#[test]
fn errors_are_plain_text_or_json_as_the_client_prefers() {
    let client = TestClient::new(app());
    let plain = client.get("/teapot").send();
    assert_eq!(plain.status(), 418);
    assert_eq!(plain.text(), "418 I'm a teapot: short and stout\n");

    let json = client
        .get("/teapot")
        .header("Accept", "application/json")
        .send();
    assert_eq!(json.header("content-type"), Some("application/json"));
    let body: serde_json::Value = json.json();
    assert_eq!(body["error"]["status"], 418);
    assert_eq!(body["error"]["message"], "short and stout");
}
// ANCHOR_END: testing

#[test]
fn accept_weights_decide_between_plain_and_json() {
    let client = TestClient::new(app());
    #[rustfmt::skip]
    let cases = [
        ("application/json", true),
        ("text/plain", false),
        ("text/html,application/xhtml+xml,*/*;q=0.8", false),
        ("application/json;q=0.5, text/plain", false),
        ("text/*;q=0.2, application/json", true),
        ("*/*", false),
    ];
    for (accept, json) in cases {
        let response = client.get("/none").header("Accept", accept).send();
        assert_eq!(response.status(), 404);
        let is_json = response.header("content-type") == Some("application/json");
        assert_eq!(is_json, json, "{accept}");
    }
}

#[test]
fn internal_details_stay_in_the_log_unless_debug_is_on() {
    let client = TestClient::new(app());
    for target in ["/io", "/panic"] {
        let response = client.get(target).send();
        assert_eq!(response.status(), 500);
        assert_eq!(response.text(), "500 Internal Server Error\n", "{target}");
    }
    let mut app = app();
    app.set_debug(true);
    let client = TestClient::new(app);
    assert!(client.get("/io").send().text().contains("No such file"));
    let panic = client
        .get("/panic")
        .header("Accept", "application/json")
        .send();
    let body: serde_json::Value = panic.json();
    let detail = body["error"]["detail"].as_str().unwrap();
    assert!(detail.contains("secret panic message") && detail.contains("ch08_failures.rs:"));
}

#[test]
fn json_bodies_are_checked() {
    let client = TestClient::new(app());
    let post = |body: &str, content_type: &str| {
        let request = client.post("/json").body(body);
        let request = match content_type {
            "" => request,
            _ => request.header("Content-Type", content_type),
        };
        request.send().status()
    };
    assert_eq!(post("41", "application/json"), 200);
    assert_eq!(post("41", ""), 200);
    assert_eq!(post("4x", "application/json"), 400);
    assert_eq!(post("\"41\"", "application/json"), 422);
    assert_eq!(post("41", "text/plain"), 415);
    assert_eq!(client.post("/json").json(&7).send().json::<u32>(), 8);
}

// ANCHOR: custom_pages
#[test]
fn custom_pages_per_status_and_for_every_error() {
    let mut app = app();
    app.on_status(404, |request, _| format!("no page at {}\n", request.path()));
    app.on_error(|_, err| Json(serde_json::json!({"oops": err.status()})));
    let client = TestClient::new(app);

    let missing = client.get("/nowhere").send();
    assert_eq!(
        (missing.status(), missing.text()),
        (404, "no page at /nowhere\n")
    );
    let teapot = client.get("/teapot").send();
    assert_eq!(teapot.status(), 418);
    assert_eq!(teapot.json::<serde_json::Value>()["oops"], 418);
    // The 405's Allow header survives the custom page.
    let wrong = client.request("DELETE", "/teapot").send();
    assert_eq!(wrong.status(), 405);
    assert_eq!(wrong.header("allow"), Some("GET, HEAD, OPTIONS"));
}
// ANCHOR_END: custom_pages

#[test]
fn a_failing_error_handler_falls_back_to_the_built_in_page() {
    let mut app = app();
    app.on_status(404, |_, _| -> Response { panic!("the 404 page is broken") });
    app.on_status(418, |_, _| Err::<&str, _>(HttpError::from_status(500)));
    app.on_error(|_, _| HttpError::from_status(503).into_response());
    let client = TestClient::new(app);
    let missing = client.get("/nowhere").send();
    assert_eq!((missing.status(), missing.text()), (404, "404 Not Found\n"));
    let teapot = client.get("/teapot").send();
    assert_eq!(
        (teapot.status(), teapot.text()),
        (418, "418 I'm a teapot: short and stout\n")
    );
    let io = client.get("/io").send();
    assert_eq!(
        (io.status(), io.text()),
        (500, "500 Internal Server Error\n")
    );
}

#[test]
fn a_body_over_the_limit_is_the_applications_error_in_process_too() {
    let mut app = app();
    app.set_limits(Limits {
        max_body: 8,
        ..Limits::default()
    });
    let client = TestClient::new(app);
    let json = client
        .post("/json")
        .header("Accept", "application/json")
        .body("123456789")
        .send();
    assert_eq!(json.status(), 413);
    assert_eq!(json.header("content-type"), Some("application/json"));
    let expected = r#"{"error":{"status":413,"message":"request body larger than the limit"}}"#;
    assert_eq!(json.text(), expected);
    let plain = client.post("/json").body("123456789").send();
    assert_eq!(
        (plain.status(), plain.text()),
        (
            413,
            "413 Content Too Large: request body larger than the limit\n"
        )
    );
    assert_eq!(client.post("/json").body("41").send().text(), "42");
}
