//! What a handler author needs, in one import: `use weft::prelude::*;`.
//!
//! ```
//! use weft::prelude::*;
//!
/* ch07 < ch08
//! fn hello(_: &mut Request<'_>, cx: &Ctx<'_>) -> String {
//!     format!("hello, {}", cx.param("name"))
//! }
*/
// > ch08
//! fn hello(_: &mut Request<'_>, cx: &Ctx<'_>) -> Result<String, HttpError> {
//!     Ok(format!("hello, {}", cx.param("name")))
//! }
// < ch08
//!
//! let mut app = App::new();
//! app.get("/hello/:name", hello);
// > ch09
//! app.wrap(from_fn(|request: &mut Request<'_>, next: Next<'_>| next.run(request)));
// < ch09
//! ```

pub use crate::app::{App, Bound, Ctx, Group};
pub use crate::error::HttpError; // > ch08
pub use crate::http::Limits;
pub use crate::middleware::{from_fn, Middleware, Next}; // > ch09
pub use crate::pool::Drain;
pub use crate::request::Request;
pub use crate::response::{IntoResponse, Json, Response, Status};
pub use crate::server::Config;
