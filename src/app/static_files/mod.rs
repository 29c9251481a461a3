//! Static files: a directory served under a URL prefix, through the router's catch-all.
//!
//! `app.static_files("/static", "public")` registers `GET /static/*path` and `GET /static/`.
//! A request for `/static/css/site.css` then gets `public/css/site.css`, and:
//!
//! - its `Content-Type` comes from the extension ([`content_type`]);
//! - nothing outside the directory can be reached: `..`, absolute paths, backslashes, NUL and
//!   `:` are refused with `400` after percent-decoding, and a symbolic link
//!   that leads outside is `404` (the resolved path must still be under the root);
//! - a directory is served by its `index.html` (or `404`), and a directory asked for without
//!   its trailing slash is redirected (`308`) to it, so the page's relative links work;
//! - every file carries an `ETag` and a `Last-Modified`, and a revalidation that matches gets
//!   `304 Not Modified` (RFC 9110 §13);
//! - a single `Range: bytes=a-b` gets `206 Partial Content`, one that starts past the end
//!   `416` (§14); several ranges get the whole file.
//!
//! The file itself is sent as [`Content::File`], streamed by the connection loop.

mod conditional;
mod safe_path;

use std::fs::File;
use std::io::{self, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::request::Request;
use crate::response::{content_type, Content, Response};

use self::conditional::{Range, Validators};
use super::{route, Register};

// ANCHOR: files
/// A directory whose files are served over HTTP.
#[derive(Debug, Clone)]
pub struct Files {
    /// The directory, canonical (absolute, symbolic links resolved), so that "is this file
    /// inside?" is a prefix check on another canonical path.
    root: PathBuf,
}
// ANCHOR_END: files

/// Registers `prefix/*path` and `prefix/` on the application or a group, serving the files
/// under `dir`: `static_files` of both.
pub(crate) fn register<S>(into: &mut impl Register<S>, prefix: &str, dir: &Path) {
    let files = match Files::new(dir) {
        Ok(files) => Arc::new(files),
        Err(err) => panic!("cannot serve static files from {}: {err}", dir.display()),
    };
    let index = Arc::clone(&files);
    route(
        into,
        "GET",
        &format!("{prefix}/*path"),
        move |request, cx| files.serve(request, cx.param("path")),
    );
    route(into, "GET", &format!("{prefix}/"), move |request, _| {
        index.serve(request, "")
    });
}

impl Files {
    /// Files under `dir`, which must be a directory.
    pub fn new(dir: impl AsRef<Path>) -> io::Result<Files> {
        let root = dir.as_ref().canonicalize()?;
        if !root.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a directory",
            ));
        }
        Ok(Files { root })
    }

    /// The directory served, canonical.
    pub fn root(&self) -> &Path {
        &self.root
    }

    // ANCHOR: serve
    /// Answers `request` with the file `tail` names under the root. `tail` is the decoded
    /// rest of the path after the prefix (a catch-all parameter): `css/site.css`, or `""`
    /// for the root itself.
    pub fn serve(&self, request: &Request<'_>, tail: &str) -> Response {
        let relative = match safe_path::relative(tail) {
            Ok(relative) => relative,
            Err(why) => {
                log::info!("{}: refused static path {tail:?}: {why:?}", request.peer());
                return Response::text(format!("400 Bad Request: refused path ({why:?})\n"))
                    .with_status(400);
            }
        };
        let Some(mut path) = self.resolve(&self.root.join(relative)) else {
            return Response::status_page(404);
        };
        if path.is_dir() {
            if !(tail.is_empty() || tail.ends_with('/')) {
                return redirect_to_directory(request);
            }
            match self.resolve(&path.join("index.html")) {
                Some(index) => path = index,
                None => return Response::status_page(404),
            }
        } else if tail.ends_with('/') {
            return Response::status_page(404); // `a.txt/` names a directory that is a file
        }
        match send(request, &path) {
            Ok(response) => response,
            Err(err) => {
                log::warn!("cannot serve {}: {err}", path.display());
                Response::status_page(404)
            }
        }
    }
    // ANCHOR_END: serve

    // ANCHOR: resolve
    /// `path` with every symbolic link resolved, if it exists and is still under the root.
    fn resolve(&self, path: &Path) -> Option<PathBuf> {
        let real = path.canonicalize().ok()?;
        if real.starts_with(&self.root) {
            Some(real)
        } else {
            log::warn!("{} leads outside {}", path.display(), self.root.display());
            None
        }
    }
    // ANCHOR_END: resolve
}

/// `308` to the same path with a trailing slash, keeping the query.
fn redirect_to_directory(request: &Request<'_>) -> Response {
    let mut location = format!("{}/", request.raw_path());
    if let Some(query) = request.query() {
        location.push('?');
        location.push_str(query);
    }
    Response::status_page(308).with_header("Location", location)
}

// ANCHOR: send
/// The response for the file at `path`: `200`, `206`, `304` or `416`, depending on the
/// request's conditional and range headers.
fn send(request: &Request<'_>, path: &Path) -> io::Result<Response> {
    let mut file = File::open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a file"));
    }
    let len = metadata.len();
    let validators = Validators::new(len, metadata.modified()?);
    let headers = |response: Response| {
        response
            .with_header("ETag", validators.etag.clone())
            .with_header("Last-Modified", validators.last_modified())
            .with_header("Accept-Ranges", "bytes")
    };
    let (if_none_match, if_modified_since) = (
        request.header("if-none-match"),
        request.header("if-modified-since"),
    );
    if conditional::not_modified(if_none_match, if_modified_since, &validators) {
        return Ok(headers(Response::new(304)));
    }
    // §14.2: ranges are defined for GET only (a HEAD gets the head of the whole file), and
    // an `If-Range` naming another version of the file means "send it all".
    let range = match request.method() == "GET"
        && conditional::if_range_holds(request.header("if-range"), &validators)
    {
        true => conditional::range(request.header("range"), len),
        false => Range::Full,
    };
    let response = match range {
        Range::Full => Response::new(200).with_content(Content::File(file, len)),
        Range::Part { start, end } => {
            file.seek(SeekFrom::Start(start))?;
            Response::new(206)
                .with_header("Content-Range", format!("bytes {start}-{end}/{len}"))
                .with_content(Content::File(file, end - start + 1))
        }
        Range::Unsatisfiable => {
            Response::status_page(416).with_header("Content-Range", format!("bytes */{len}"))
        }
    };
    let response = match range {
        Range::Unsatisfiable => response,
        _ => response.with_header("Content-Type", content_type(path)),
    };
    Ok(headers(response))
}
// ANCHOR_END: send

#[cfg(test)]
mod tests {
    use super::*;

    /// `<tmp>/root/inside.txt` and `<tmp>/root-evil/secret.txt`: a sibling whose name
    /// starts with the root's.
    fn tree(name: &str) -> (PathBuf, Files) {
        let base = std::env::temp_dir().join(format!("weft-resolve-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(base.join("root")).unwrap();
        std::fs::create_dir_all(base.join("root-evil")).unwrap();
        std::fs::write(base.join("root/inside.txt"), "in").unwrap();
        std::fs::write(base.join("root-evil/secret.txt"), "out").unwrap();
        let files = Files::new(base.join("root")).unwrap();
        (base, files)
    }

    // The resolver on its own, given paths the segment filter would have refused: either
    // defence failing alone must fail a test.
    #[test]
    fn the_resolver_keeps_paths_under_the_root_whatever_the_filter_let_through() {
        let (base, files) = tree("resolver");
        let root = files.root().to_path_buf();
        #[rustfmt::skip]
        let cases: &[(&str, bool)] = &[
            ("inside.txt", true),
            ("../root/inside.txt", true),
            ("../root-evil/secret.txt", false),
            ("../root-evil", false),
            ("..", false),
            ("missing.txt", false),
        ];
        for (relative, inside) in cases {
            let resolved = files.resolve(&root.join(relative));
            assert_eq!(resolved.is_some(), *inside, "{relative}: {resolved:?}");
            if let Some(path) = resolved {
                assert!(path.starts_with(&root), "{relative}: {}", path.display());
            }
        }
        let _ = std::fs::remove_dir_all(base);
    }
}
