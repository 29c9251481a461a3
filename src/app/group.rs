//! Route groups: routes registered under a common prefix.
//!
//! A group is a view of the application with a prefix. Every route a group registers goes
//! through [`Group::try_route`], which is the one place a later chapter needs to touch to
//! give a group its own middleware: wrap the handler there, before it reaches the app.

use std::path::Path;

use crate::request::Request;

use super::{method_shortcuts, App, Ctx, IntoResponse, RouteError};

// ANCHOR: group
/// Routes under a prefix, created by [`App::group`].
pub struct Group<'a, S> {
    app: &'a mut App<S>,
    prefix: String,
}
// ANCHOR_END: group

impl<'a, S: Send + Sync + 'static> Group<'a, S> {
    /// A group of `app`'s routes under `prefix`.
    ///
    /// # Panics
    /// If `prefix` does not start with `/` or ends with one (`/api`, not `api` or `/api/`):
    /// the routes are written with their own leading slash.
    pub(crate) fn new(app: &'a mut App<S>, prefix: &str) -> Self {
        assert!(
            prefix.starts_with('/') && !prefix.ends_with('/'),
            "group prefix {prefix:?} must start with '/' and not end with one"
        );
        Group {
            app,
            prefix: prefix.to_string(),
        }
    }

    /// The prefix, such as `/api`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Registers `handler` for `method` at the group's prefix followed by `pattern`: in a
    /// group `/api`, pattern `/users` is the route `/api/users`, and pattern `""` the route
    /// `/api` itself.
    ///
    /// # Panics
    /// If the route cannot be registered; see [`Group::try_route`].
    pub fn route<H, R>(&mut self, method: &str, pattern: &str, handler: H) -> &mut Self
    where
        H: Fn(&mut Request<'_>, &Ctx<'_, S>) -> R + Send + Sync + 'static,
        R: IntoResponse,
    {
        if let Err(err) = self.try_route(method, pattern, handler) {
            panic!("cannot register a route: {err}");
        }
        self
    }

    /// Registers `handler` like [`Group::route`], or says why it cannot, as
    /// [`App::try_route`] does (with the whole route, prefix included, in the message).
    pub fn try_route<H, R>(
        &mut self,
        method: &str,
        pattern: &str,
        handler: H,
    ) -> Result<&mut Self, RouteError>
    where
        H: Fn(&mut Request<'_>, &Ctx<'_, S>) -> R + Send + Sync + 'static,
        R: IntoResponse,
    {
        let route = format!("{}{pattern}", self.prefix);
        self.app.try_route(method, &route, handler)?;
        Ok(self)
    }

    method_shortcuts! {
        get => "GET",
        post => "POST",
        put => "PUT",
        patch => "PATCH",
        delete => "DELETE",
    }

    /// A group inside this one: `api.group("/v1", ...)` registers under `/api/v1`.
    pub fn group(&mut self, prefix: &str, build: impl FnOnce(&mut Group<'_, S>)) -> &mut Self {
        let prefix = format!("{}{prefix}", self.prefix);
        build(&mut Group::new(self.app, &prefix));
        self
    }

    /// Serves the files under `dir` at the group's prefix followed by `prefix`, as
    /// [`App::static_files`] does.
    pub fn static_files(&mut self, prefix: &str, dir: impl AsRef<Path>) -> &mut Self {
        let prefix = format!("{}{prefix}", self.prefix);
        self.app.static_files(&prefix, dir);
        self
    }
}

impl<S> std::fmt::Debug for Group<'_, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Group")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}
