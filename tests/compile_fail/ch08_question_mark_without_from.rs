// Chapter 8: a handler that uses `?` on an error type of the application's own.
use weft::app::{App, Ctx, HttpError, Json};
use weft::request::Request;

// ANCHOR: store
/// What can go wrong in the application's user store.
enum StoreError {
    NotFound,
    Unavailable,
}

fn find_user(id: u32) -> Result<String, StoreError> {
    match id {
        1 => Ok("Ada".to_string()),
        2 => Err(StoreError::Unavailable),
        _ => Err(StoreError::NotFound),
    }
}

fn get_user(_: &mut Request<'_>, cx: &Ctx<'_, ()>) -> Result<Json<String>, HttpError> {
    let id = cx.param_as::<u32>("id")?;
    let name = find_user(id)?;
    Ok(Json(name))
}
// ANCHOR_END: store

fn main() {
    let mut app = App::new();
    app.get("/users/:id", get_user);
}
