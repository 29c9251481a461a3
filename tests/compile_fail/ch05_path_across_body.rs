// Chapter 5: a handler that holds on to the request's path while it reads the body.
use weft::request::Request;
use weft::response::Response;

// ANCHOR: upload
fn upload(request: &mut Request<'_>) -> Response {
    let path = request.path();
    match request.body_bytes() {
        Ok(body) => Response::text(format!("{path}: {} bytes\n", body.len())),
        Err(err) => Response::text(format!("cannot read the body: {err}\n")).with_status(400),
    }
}
// ANCHOR_END: upload

fn main() {
    let _ = upload;
}
