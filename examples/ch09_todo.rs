//! A small service on weft, to copy: a JSON todo list with typed parameters, one error path,
//! an API key on the routes that change things, and its tests (`tests/ch09_todo.rs`).
//!
//! Run: `cargo run --release --example ch09_todo -- --api-key secret`
//!
//! | route | answer |
//! |---|---|
//! | `GET /todos?done=true` | the todos, all of them or those with `done` as asked |
//! | `GET /todos/:id` | one todo, or a JSON `404` |
//! | `POST /todos` `{"title": …}` | `201 Created` with the todo and its `Location` (API key) |
//! | `PATCH /todos/:id` `{"title"?: …, "done"?: …}` | the changed todo (API key) |
//! | `DELETE /todos/:id` | `204 No Content` (API key) |
//!
//! Every error is JSON, `{"error": …, "status": …}`, whatever the client accepts: a bad id, a
//! bad query, a body that is not JSON or too large, a missing key.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::json;
use weft::middleware::access_log::AccessLog;
use weft::prelude::*;
use weft::response::Status;
use weft_tools::cli::{self, Flags};

// ANCHOR: state
/// The service's state: the todos, and the key that guards the changes.
pub struct Todos {
    items: Mutex<BTreeMap<u64, Todo>>,
    api_key: String,
}

/// One todo, as stored and as sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Todo {
    /// Given by the service, from 1.
    pub id: u64,
    /// What to do; never empty.
    pub title: String,
    /// Whether it is done.
    pub done: bool,
}
// ANCHOR_END: state

/// The body of `POST /todos`.
#[derive(Deserialize)]
struct NewTodo {
    title: String,
}

/// The body of `PATCH /todos/:id`: what to change.
#[derive(Deserialize)]
struct Change {
    title: Option<String>,
    done: Option<bool>,
}

/// The query of `GET /todos`.
#[derive(Deserialize)]
struct Filter {
    done: Option<bool>,
}

// ANCHOR: app
/// The whole service, with `api_key` guarding the routes that change things.
pub fn app(api_key: &str) -> App<Todos> {
    let mut app = App::with_state(Todos {
        items: Mutex::new(BTreeMap::new()),
        api_key: api_key.to_string(),
    });
    app.wrap(AccessLog);
    // Every error as JSON, whatever the client accepts.
    app.on_error(|_, err| Json(json!({ "error": err.message(), "status": err.status() })));
    app.set_limits(Limits {
        max_body: 16 * 1024,
        ..Limits::default()
    });
    app.get("/todos", list);
    app.get("/todos/:id", show);
    // The same paths, other methods, behind the key: a group without a prefix.
    app.group("", |keyed| {
        keyed.wrap(from_fn(require_key));
        keyed.post("/todos", create);
        keyed.patch("/todos/:id", change);
        keyed.delete("/todos/:id", remove);
    });
    app
}
// ANCHOR_END: app

// ANCHOR: handlers
fn list(request: &mut Request<'_>, cx: &Ctx<'_, Todos>) -> Result<Json<Vec<Todo>>, HttpError> {
    let filter: Filter = request.query_as()?;
    let items = cx.state().items.lock().map_err(HttpError::internal)?;
    let wanted = |todo: &&Todo| filter.done.map_or(true, |done| todo.done == done);
    Ok(Json(items.values().filter(wanted).cloned().collect()))
}

fn show(_: &mut Request<'_>, cx: &Ctx<'_, Todos>) -> Result<Json<Todo>, HttpError> {
    let id: u64 = cx.param_as("id")?;
    let items = cx.state().items.lock().map_err(HttpError::internal)?;
    let todo = items.get(&id).ok_or_else(|| missing(id))?;
    Ok(Json(todo.clone()))
}

type Created = (u16, [(&'static str, String); 1], Json<Todo>);

fn create(request: &mut Request<'_>, cx: &Ctx<'_, Todos>) -> Result<Created, HttpError> {
    let Json(new) = Json::<NewTodo>::read(request)?;
    let title = valid_title(new.title)?;
    let mut items = cx.state().items.lock().map_err(HttpError::internal)?;
    let id = items.keys().next_back().map_or(1, |last| last + 1);
    let todo = Todo {
        id,
        title,
        done: false,
    };
    items.insert(id, todo.clone());
    let location = [("Location", format!("/todos/{id}"))];
    Ok((Status::CREATED, location, Json(todo)))
}

fn change(request: &mut Request<'_>, cx: &Ctx<'_, Todos>) -> Result<Json<Todo>, HttpError> {
    let id: u64 = cx.param_as("id")?;
    let Json(change) = Json::<Change>::read(request)?;
    let title = change.title.map(valid_title).transpose()?;
    let mut items = cx.state().items.lock().map_err(HttpError::internal)?;
    let todo = items.get_mut(&id).ok_or_else(|| missing(id))?;
    if let Some(title) = title {
        todo.title = title;
    }
    if let Some(done) = change.done {
        todo.done = done;
    }
    Ok(Json(todo.clone()))
}

fn remove(_: &mut Request<'_>, cx: &Ctx<'_, Todos>) -> Result<(), HttpError> {
    let id: u64 = cx.param_as("id")?;
    let mut items = cx.state().items.lock().map_err(HttpError::internal)?;
    items.remove(&id).map(drop).ok_or_else(|| missing(id))
}

fn missing(id: u64) -> HttpError {
    HttpError::new(Status::NOT_FOUND, format!("no todo {id}"))
}

/// A title with its outer spaces trimmed, or a `422` if nothing is left.
fn valid_title(title: String) -> Result<String, HttpError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(HttpError::new(
            Status::UNPROCESSABLE_CONTENT,
            "a todo needs a title",
        ));
    }
    Ok(title.to_string())
}
// ANCHOR_END: handlers

// ANCHOR: require_key
/// The layer on the routes that change things: the request must carry the service's key in
/// `X-Api-Key`. It reads the key from the state through `next`.
fn require_key(request: &mut Request<'_>, next: Next<'_, Todos>) -> Response {
    if request.header("x-api-key") == Some(next.state().api_key.as_str()) {
        return next.run(request);
    }
    let refusal = HttpError::new(Status::UNAUTHORIZED, "a valid X-Api-Key header is needed");
    Response::from_error(refusal)
}
// ANCHOR_END: require_key

#[allow(dead_code)] // the tests include this file for `app` and leave `main` unused
fn main() -> ExitCode {
    cli::init_logging();
    let flags = Flags::from_env(&["--addr", "--workers", "--api-key"]);
    let workers = flags.value_or_exit("--workers", Config::default().workers);
    let api_key: String = flags.value_or_exit("--api-key", "secret".to_string());
    let mut app = app(&api_key);
    app.set_config(Config {
        workers,
        ..Config::default()
    });
    cli::serve(app, flags.addr())
}
