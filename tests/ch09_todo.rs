//! The todo service of `examples/ch09_todo.rs`: in-process through the test client (the way a
//! reader tests a service of their own), then once over a real socket.

mod support;
#[allow(dead_code)]
#[path = "../examples/ch09_todo.rs"]
mod todo;

use std::io::Write;

use serde_json::{json, Value};
use todo::Todo;
use weft::testing::TestClient;

const KEY: &str = "test-key";

fn client() -> TestClient<todo::Todos> {
    TestClient::new(todo::app(KEY))
}

/// Creates a todo titled `title` and returns it.
fn create(client: &TestClient<todo::Todos>, title: &str) -> Todo {
    client
        .post("/todos")
        .header("X-Api-Key", KEY)
        .json(&json!({ "title": title }))
        .send()
        .assert_status(201)
        .json()
}

#[test]
fn a_todo_is_created_read_changed_listed_and_deleted() {
    let client = client();
    let created = client
        .post("/todos")
        .header("X-Api-Key", KEY)
        .json(&json!({ "title": "  write the book  " }))
        .send()
        .assert_status(201)
        .assert_header("location", "/todos/1");
    let todo: Todo = created.json();
    assert_eq!(
        (todo.id, todo.title.as_str(), todo.done),
        (1, "write the book", false)
    );
    create(&client, "measure it");

    let shown: Todo = client.get("/todos/1").send().assert_status(200).json();
    assert_eq!(shown, todo);

    let changed: Todo = client
        .patch("/todos/1")
        .header("X-Api-Key", KEY)
        .json(&json!({ "done": true }))
        .send()
        .assert_status(200)
        .json();
    assert!(changed.done);

    let done: Vec<Todo> = client.get("/todos?done=true").send().json();
    let open: Vec<Todo> = client.get("/todos?done=false").send().json();
    let all: Vec<Todo> = client.get("/todos").send().json();
    assert_eq!(done.iter().map(|t| t.id).collect::<Vec<_>>(), [1]);
    assert_eq!(open.iter().map(|t| t.id).collect::<Vec<_>>(), [2]);
    assert_eq!(all.len(), 2);

    let deleted = client.delete("/todos/1").header("X-Api-Key", KEY).send();
    assert_eq!((deleted.status(), deleted.text()), (204, ""));
    client.get("/todos/1").send().assert_status(404);
}

/// A request that goes wrong: method, target, whether it carries the key, its JSON body, the
/// status it gets, and a word its error message must contain.
type Mistake = (
    &'static str,
    &'static str,
    bool,
    Option<&'static str>,
    u16,
    &'static str,
);

#[test]
fn every_mistake_gets_a_json_error_naming_it() {
    let client = client();
    create(&client, "one");
    // (method, target, key?, body, status, a word the error must contain)
    #[rustfmt::skip]
    let cases: &[Mistake] = &[
        ("GET", "/todos/seven", false, None, 400, "\"id\""),
        ("GET", "/todos/99", false, None, 404, "no todo 99"),
        ("GET", "/todos?done=maybe", false, None, 400, "\"done\""),
        ("POST", "/todos", false, Some(r#"{"title":"x"}"#), 401, "X-Api-Key"),
        ("POST", "/todos", true, Some("not json"), 400, ""),
        ("POST", "/todos", true, Some(r#"{"name":"x"}"#), 422, "title"),
        ("POST", "/todos", true, Some(r#"{"title":"   "}"#), 422, "needs a title"),
        ("PATCH", "/todos/99", true, Some(r#"{"done":true}"#), 404, "no todo 99"),
        ("DELETE", "/todos/1", false, None, 401, "X-Api-Key"),
        ("PUT", "/todos/1", true, None, 405, ""),
    ];
    for &(method, target, key, body, status, word) in cases {
        let mut request = client.request(method, target).header("Accept", "*/*");
        if key {
            request = request.header("X-Api-Key", KEY);
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body);
        }
        let response = request.send();
        let what = format!("{method} {target}: {response}");
        assert_eq!(response.status(), status, "{what}");
        let error: Value = response.json();
        assert_eq!(error["status"], status, "{what}");
        let message = error["error"].as_str().unwrap_or_default();
        assert!(message.contains(word), "{what}");
    }
}

#[test]
fn a_body_over_the_limit_gets_a_json_413_over_the_wire() {
    let server = support::Server::start("ch09_todo", &["--workers", "2", "--api-key", KEY]);
    let mut stream = server.connect();
    let body = format!(r#"{{"title":"{}"}}"#, "x".repeat(20 * 1024));
    write!(
        stream,
        "POST /todos HTTP/1.1\r\nHost: t\r\nAccept: */*\r\nX-Api-Key: {KEY}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let response = support::read_to_close(&mut stream);
    assert_eq!(support::status_of(&response), 413, "{response}");
    assert!(
        response
            .to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{response}"
    );
    let (_, body) = response.split_once("\r\n\r\n").expect("a head and a body");
    let error: Value = serde_json::from_str(body).expect("a JSON error");
    assert_eq!(error["status"], 413);
}
