//! Chapter 7: the URL dispatcher, as tables.
//!
//! Each table lists the registered routes and then (request path → route, parameters).
//! One helper runs every table through both routers (the trie and the linear baseline), and
//! with the routes registered in the given order *and* reversed: priority must not depend
//! on the order of registration. A second kind of table lists routes with the error their
//! registration must give. A property test checks the two routers agree on random tables.

use proptest::prelude::*;
use weft::http::DecodeError;
use weft::internals::linear::LinearRouter;
use weft::router::{InsertError, ParamError, Router};

/// What a lookup must give: `None` for no match, else the route and its decoded params.
type Expect = Option<(&'static str, &'static [(&'static str, &'static str)])>;

/// The answer of one router to one path, in a form both routers can produce.
fn answer<T: AsRef<str>>(
    m: Option<weft::router::Match<'_, '_, T>>,
) -> Option<(String, Vec<(String, String)>)> {
    m.map(|m| {
        assert_eq!(
            m.value.as_ref(),
            m.route,
            "the value is the route it was stored under"
        );
        let params = m
            .params
            .decode_all()
            .expect("table paths decode")
            .into_iter()
            .map(|(n, v)| (n.to_string(), v.into_owned()))
            .collect();
        (m.route.to_string(), params)
    })
}

fn check(routes: &[&str], cases: &[(&str, Expect)]) {
    let orders = [routes.to_vec(), routes.iter().rev().copied().collect()];
    for order in orders {
        let mut trie = Router::new();
        let mut list = LinearRouter::new();
        for route in &order {
            trie.insert(route, route.to_string()).unwrap();
            list.insert(route, route.to_string()).unwrap();
        }
        for (path, expected) in cases {
            let want = expected.map(|(route, params)| {
                let params = params.iter().map(|(n, v)| (n.to_string(), v.to_string()));
                (route.to_string(), params.collect::<Vec<_>>())
            });
            assert_eq!(
                answer(trie.at(path)),
                want,
                "trie: {path:?} with routes {order:?}"
            );
            assert_eq!(
                answer(list.at(path)),
                want,
                "list: {path:?} with routes {order:?}"
            );
        }
    }
}

#[test]
fn basics() {
    check(
        &[
            "/",
            "/about",
            "/users",
            "/users/",
            "/users/new",
            "/users/:id",
            "/users/:id/edit",
        ],
        &[
            ("/", Some(("/", &[]))),
            ("/about", Some(("/about", &[]))),
            ("/users", Some(("/users", &[]))),
            ("/users/", Some(("/users/", &[]))),
            ("/users/42", Some(("/users/:id", &[("id", "42")]))),
            ("/users/new", Some(("/users/new", &[]))),
            ("/users/42/edit", Some(("/users/:id/edit", &[("id", "42")]))),
            // Matching is case-sensitive and exact.
            ("/About", None),
            ("/aboutx", None),
            ("/abou", None),
            // The query string is the HTTP layer's to strip, never part of a route.
            ("/about?x=1", None),
            // Paths must start with a slash.
            ("", None),
            ("about", None),
            // Trailing slashes are strict.
            ("/about/", None),
            ("/users/42/", None),
            ("/users/42/edit/", None),
            // Too long.
            ("/users/42/edit/more", None),
        ],
    );
}

#[test]
fn static_beats_param_beats_catch_all() {
    check(
        &["/a/:x", "/a/b", "/a/*rest"],
        &[
            ("/a/b", Some(("/a/b", &[]))),
            ("/a/c", Some(("/a/:x", &[("x", "c")]))),
            ("/a/b/c", Some(("/a/*rest", &[("rest", "b/c")]))),
            ("/a/c/", Some(("/a/*rest", &[("rest", "c/")]))),
            ("/a/", None),
            ("/a", None),
        ],
    );
}

#[test]
fn backtracking_out_of_a_static_dead_end() {
    check(
        &["/users/new", "/users/:id/edit"],
        &[
            ("/users/new", Some(("/users/new", &[]))),
            (
                "/users/new/edit",
                Some(("/users/:id/edit", &[("id", "new")])),
            ),
            ("/users/new/delete", None),
        ],
    );
}

#[test]
fn backtracking_several_levels() {
    check(
        &["/x/y/z", "/x/:p/z/w", "/:q/y/z/w/v"],
        &[
            ("/x/y/z", Some(("/x/y/z", &[]))),
            // static x, static y, static z, then no `w` below: back up to `:p`.
            ("/x/y/z/w", Some(("/x/:p/z/w", &[("p", "y")]))),
            // the whole `x` branch dead-ends: back up to `:q` at the root.
            ("/x/y/z/w/v", Some(("/:q/y/z/w/v", &[("q", "x")]))),
            ("/x/y/z/w/u", None),
        ],
    );
}

#[test]
fn backtracking_restores_the_parameters() {
    // On the way to the answer the lookup captures `a` for `:one`, finds nothing below,
    // and must drop that capture before trying `:two`'s branch.
    check(
        &["/:one/b/c", "/a/:two/d"],
        &[
            ("/a/b/c", Some(("/:one/b/c", &[("one", "a")]))),
            ("/a/b/d", Some(("/a/:two/d", &[("two", "b")]))),
            ("/z/b/c", Some(("/:one/b/c", &[("one", "z")]))),
        ],
    );
}

#[test]
fn catch_all() {
    check(
        &["/files/", "/files/*path", "/files/special"],
        &[
            ("/files/a", Some(("/files/*path", &[("path", "a")]))),
            (
                "/files/a/b/c.txt",
                Some(("/files/*path", &[("path", "a/b/c.txt")])),
            ),
            ("/files/a/", Some(("/files/*path", &[("path", "a/")]))),
            ("/files/special", Some(("/files/special", &[]))),
            (
                "/files/special/",
                Some(("/files/*path", &[("path", "special/")])),
            ),
            // The catch-all never matches nothing: `/files/` is its own route.
            ("/files/", Some(("/files/", &[]))),
            ("/files", None),
            // What follows `/files/` is taken as is, empty segments and all: serving files
            // from it is the static-file handler's job to make safe.
            (
                "/files//etc/passwd",
                Some(("/files/*path", &[("path", "/etc/passwd")])),
            ),
            ("/files/../x", Some(("/files/*path", &[("path", "../x")]))),
        ],
    );
}

#[test]
fn param_and_catch_all_side_by_side() {
    check(
        &["/src/:file", "/src/*path"],
        &[
            ("/src/a", Some(("/src/:file", &[("file", "a")]))),
            ("/src/a/b", Some(("/src/*path", &[("path", "a/b")]))),
            ("/src/a/", Some(("/src/*path", &[("path", "a/")]))),
            ("/src/", None),
        ],
    );
}

#[test]
fn root_catch_all() {
    check(
        &["/*path", "/", "/api/:v"],
        &[
            ("/", Some(("/", &[]))),
            ("/x", Some(("/*path", &[("path", "x")]))),
            ("/api/1", Some(("/api/:v", &[("v", "1")]))),
            ("/api/1/2", Some(("/*path", &[("path", "api/1/2")]))),
            ("/api", Some(("/*path", &[("path", "api")]))),
            ("/api/", Some(("/*path", &[("path", "api/")]))),
            ("//", Some(("/*path", &[("path", "/")]))),
        ],
    );
}

#[test]
fn root_param() {
    check(
        &["/:page", "/"],
        &[
            ("/", Some(("/", &[]))),
            ("/about", Some(("/:page", &[("page", "about")]))),
            ("/about/", None),
        ],
    );
    check(
        &["/:page"],
        &[("/", None), ("/x", Some(("/:page", &[("page", "x")])))],
    );
}

#[test]
fn empty_segments_and_double_slashes() {
    check(
        &["/a", "/a/", "/a/:id", "/a/:id/b", "/:x/:y"],
        &[
            // A parameter never matches an empty segment.
            ("/a//b", None),
            ("//b", None),
            ("/a//", None),
            ("//", None),
            ("/a/1/b", Some(("/a/:id/b", &[("id", "1")]))),
            ("/a/1//b", None),
            ("/a/1/b/", None),
            ("/q/r", Some(("/:x/:y", &[("x", "q"), ("y", "r")]))),
        ],
    );
}

#[test]
fn trailing_slash_routes_are_distinct() {
    check(
        &["/a", "/b/", "/c/:id", "/d/:id/", "/e", "/e/"],
        &[
            ("/a", Some(("/a", &[]))),
            ("/a/", None),
            ("/b/", Some(("/b/", &[]))),
            ("/b", None),
            ("/c/1", Some(("/c/:id", &[("id", "1")]))),
            ("/c/1/", None),
            ("/d/1/", Some(("/d/:id/", &[("id", "1")]))),
            ("/d/1", None),
            ("/e", Some(("/e", &[]))),
            ("/e/", Some(("/e/", &[]))),
        ],
    );
}

#[test]
fn static_siblings_of_every_kind() {
    // Siblings that start with bytes below and above '/', share first bytes, or are
    // prefixes of each other: the first-byte index must keep them all apart.
    check(
        &[
            "/",
            "/.well-known/x",
            "/-",
            "/--",
            "/a",
            "/ab",
            "/abc",
            "/b",
            "/~",
            "/0",
            "/:p/q",
        ],
        &[
            ("/", Some(("/", &[]))),
            ("/.well-known/x", Some(("/.well-known/x", &[]))),
            ("/-", Some(("/-", &[]))),
            ("/--", Some(("/--", &[]))),
            ("/a", Some(("/a", &[]))),
            ("/ab", Some(("/ab", &[]))),
            ("/abc", Some(("/abc", &[]))),
            ("/abcd", None),
            ("/b", Some(("/b", &[]))),
            ("/~", Some(("/~", &[]))),
            ("/0", Some(("/0", &[]))),
            ("/a/q", Some(("/:p/q", &[("p", "a")]))),
            ("/.well-known/q", Some(("/:p/q", &[("p", ".well-known")]))),
        ],
    );
}

#[test]
fn parameter_names_belong_to_each_route() {
    check(
        &[
            "/users/:id",
            "/users/:user_id/repos",
            "/users/:login/repos/:repo",
        ],
        &[
            ("/users/1", Some(("/users/:id", &[("id", "1")]))),
            (
                "/users/1/repos",
                Some(("/users/:user_id/repos", &[("user_id", "1")])),
            ),
            (
                "/users/1/repos/weft",
                Some((
                    "/users/:login/repos/:repo",
                    &[("login", "1"), ("repo", "weft")],
                )),
            ),
        ],
    );
}

#[test]
fn percent_encoding_and_unicode() {
    check(
        &["/users/:name", "/caf%C3%A9", "/files/*path"],
        &[
            ("/users/%E2%9C%93", Some(("/users/:name", &[("name", "✓")]))),
            ("/users/a%20b", Some(("/users/:name", &[("name", "a b")]))),
            ("/users/a+b", Some(("/users/:name", &[("name", "a+b")]))),
            // An encoded slash stays inside its segment: matching happens before decoding.
            ("/users/a%2Fb", Some(("/users/:name", &[("name", "a/b")]))),
            ("/users/a/b", None),
            ("/users/%25", Some(("/users/:name", &[("name", "%")]))),
            // Raw non-ASCII (which HTTP/1.1 does not allow on the wire) passes through.
            ("/users/✓", Some(("/users/:name", &[("name", "✓")]))),
            // Static segments compare the raw bytes.
            ("/caf%C3%A9", Some(("/caf%C3%A9", &[]))),
            ("/café", None),
            ("/caf%c3%a9", None),
            // In a catch-all, decoding does turn %2F into a slash: the handler must check.
            (
                "/files/a%2F..%2Fb",
                Some(("/files/*path", &[("path", "a/../b")])),
            ),
        ],
    );
}

#[test]
fn a_slice_of_github() {
    check(
        &[
            "/repos/:owner/:repo",
            "/repos/:owner/:repo/issues",
            "/repos/:owner/:repo/issues/:number",
            "/repos/:owner/:repo/issues/comments",
            "/repos/:owner/:repo/issues/comments/:comment_id",
            "/repos/:template_owner/:template_repo/generate",
            "/repos/:owner/:repo/contents/*path",
            "/user/repos",
            "/users/:username/repos",
        ],
        &[
            (
                "/repos/rust-lang/rust",
                Some((
                    "/repos/:owner/:repo",
                    &[("owner", "rust-lang"), ("repo", "rust")],
                )),
            ),
            (
                "/repos/a/b/issues/comments",
                Some((
                    "/repos/:owner/:repo/issues/comments",
                    &[("owner", "a"), ("repo", "b")],
                )),
            ),
            (
                "/repos/a/b/issues/comments/5",
                Some((
                    "/repos/:owner/:repo/issues/comments/:comment_id",
                    &[("owner", "a"), ("repo", "b"), ("comment_id", "5")],
                )),
            ),
            (
                "/repos/a/b/issues/5",
                Some((
                    "/repos/:owner/:repo/issues/:number",
                    &[("owner", "a"), ("repo", "b"), ("number", "5")],
                )),
            ),
            (
                "/repos/a/b/generate",
                Some((
                    "/repos/:template_owner/:template_repo/generate",
                    &[("template_owner", "a"), ("template_repo", "b")],
                )),
            ),
            (
                "/repos/a/b/contents/src/lib.rs",
                Some((
                    "/repos/:owner/:repo/contents/*path",
                    &[("owner", "a"), ("repo", "b"), ("path", "src/lib.rs")],
                )),
            ),
            ("/user/repos", Some(("/user/repos", &[]))),
            (
                "/users/octocat/repos",
                Some(("/users/:username/repos", &[("username", "octocat")])),
            ),
            ("/repos/a", None),
            ("/repos/a/b/c", None),
        ],
    );
}

#[test]
fn overlapping_params_and_statics() {
    check(
        &[
            "/:object/:id",
            "/secret/:id/path",
            "/secret/978",
            "/other/:object/:id/",
            "/other/an_object/:id",
            "/other/static/path",
            "/other/long/static/path/",
        ],
        &[
            (
                "/secret/978/path",
                Some(("/secret/:id/path", &[("id", "978")])),
            ),
            (
                "/some_object/978",
                Some(("/:object/:id", &[("object", "some_object"), ("id", "978")])),
            ),
            ("/secret/978", Some(("/secret/978", &[]))),
            (
                "/secret/979",
                Some(("/:object/:id", &[("object", "secret"), ("id", "979")])),
            ),
            ("/super_secret/978/", None),
            (
                "/other/object/1/",
                Some(("/other/:object/:id/", &[("object", "object"), ("id", "1")])),
            ),
            ("/other/object/1/2", None),
            (
                "/other/an_object/1",
                Some(("/other/an_object/:id", &[("id", "1")])),
            ),
            ("/other/static/path", Some(("/other/static/path", &[]))),
            (
                "/other/static/path/",
                Some((
                    "/other/:object/:id/",
                    &[("object", "static"), ("id", "path")],
                )),
            ),
            (
                "/other/long/static/path/",
                Some(("/other/long/static/path/", &[])),
            ),
            ("/other/long/static/path", None),
        ],
    );
}

// ---- registration errors ----

/// Registers the routes in order, in both routers, each with the expected outcome
/// (`Ok(())` or the exact error message).
fn check_inserts(table: &[(&str, Result<(), &str>)]) {
    let mut trie = Router::new();
    let mut list = LinearRouter::new();
    for (route, expected) in table {
        let expected = expected.map_err(str::to_string);
        let got = trie.insert(route, ()).map_err(|e| e.to_string());
        assert_eq!(got, expected, "trie: {route:?}");
        let got = list.insert(route, ()).map_err(|e| e.to_string());
        assert_eq!(got, expected, "list: {route:?}");
    }
}

#[test]
fn conflicts_name_both_routes() {
    check_inserts(&[
        ("/foo/:id", Ok(())),
        (
            "/foo/:name",
            Err("route /foo/:name conflicts with /foo/:id: both match exactly the same paths"),
        ),
        ("/foo/bar", Ok(())),
        ("/foo/*rest", Ok(())),
        (
            "/foo/*all",
            Err("route /foo/*all conflicts with /foo/*rest: both match exactly the same paths"),
        ),
        ("/foo/:id/x", Ok(())),
        (
            "/foo/:other/x",
            Err("route /foo/:other/x conflicts with /foo/:id/x: both match exactly the same paths"),
        ),
        // Same place, different shape after it: the priority rule decides, no conflict.
        ("/foo/:other/y", Ok(())),
        ("/:a/:b/:c", Ok(())),
        (
            "/:x/:y/:z",
            Err("route /:x/:y/:z conflicts with /:a/:b/:c: both match exactly the same paths"),
        ),
        ("/:x/:y/z", Ok(())),
    ]);
}

#[test]
fn duplicates_are_refused() {
    check_inserts(&[
        ("/", Ok(())),
        ("/", Err("route / is already registered")),
        ("/doc/", Ok(())),
        ("/doc/", Err("route /doc/ is already registered")),
        ("/doc", Ok(())),
        ("/src/*path", Ok(())),
        ("/src/*path", Err("route /src/*path is already registered")),
        ("/search/:query", Ok(())),
        (
            "/search/:query",
            Err("route /search/:query is already registered"),
        ),
    ]);
}

#[test]
fn malformed_patterns_get_precise_errors() {
    check_inserts(&[
        (
            "users",
            Err(r#"route "users": a route must start with '/'"#),
        ),
        ("", Err(r#"route "": a route must start with '/'"#)),
        (
            "/a//b",
            Err("route /a//b: empty segment ('//'); only the last segment may be empty"),
        ),
        (
            "//",
            Err("route //: empty segment ('//'); only the last segment may be empty"),
        ),
        (
            "/users/:",
            Err("route /users/:: a parameter needs a name after ':' or '*'"),
        ),
        (
            "/files/*",
            Err("route /files/*: a parameter needs a name after ':' or '*'"),
        ),
        (
            "/users/:id-x",
            Err(
                r#"route /users/:id-x: parameter name "id-x" may only use ASCII letters, digits and '_'"#,
            ),
        ),
        (
            "/files/*.txt",
            Err(
                r#"route /files/*.txt: parameter name ".txt" may only use ASCII letters, digits and '_'"#,
            ),
        ),
        (
            "/a/:x/b/:x",
            Err(r#"route /a/:x/b/:x: parameter name "x" is used twice"#),
        ),
        (
            "/a/:x/*x",
            Err(r#"route /a/:x/*x: parameter name "x" is used twice"#),
        ),
        (
            "/files/*path/x",
            Err("route /files/*path/x: a catch-all ('*name') must be the last segment"),
        ),
        (
            "/files/*path/",
            Err("route /files/*path/: a catch-all ('*name') must be the last segment"),
        ),
        (
            "/users/u:id",
            Err(
                r#"route /users/u:id: segment "u:id": ':' and '*' may only start a segment (a parameter fills a whole segment)"#,
            ),
        ),
        (
            "/v1/things:batch",
            Err(
                r#"route /v1/things:batch: segment "things:batch": ':' and '*' may only start a segment (a parameter fills a whole segment)"#,
            ),
        ),
        (
            "/users/{id}",
            Err(
                r#"route /users/{id}: segment "{id}": write parameters as ':name' and catch-alls as '*name', not in braces"#,
            ),
        ),
        (
            "/café",
            Err(
                r#"route /café: segment "café" is not ASCII; requests carry it percent-encoded, so write it as "caf%C3%A9""#,
            ),
        ),
        ("/:a/:b/:c/:d/:e/:f/:g/:h", Ok(())),
        (
            "/:a/:b/:c/:d/:e/:f/:g/:h/*i",
            Err("route /:a/:b/:c/:d/:e/:f/:g/:h/*i: more than 8 parameters"),
        ),
        // Nothing above was half-registered.
        ("/users/:id", Ok(())),
        ("/files/*path", Ok(())),
    ]);
}

#[test]
fn insert_errors_are_values_to_match_on() {
    let mut router = Router::new();
    router.insert("/foo/:id", 1).unwrap();
    assert_eq!(
        router.insert("/foo/:name", 2),
        Err(InsertError::Conflict {
            route: "/foo/:name".into(),
            existing: "/foo/:id".into()
        })
    );
}

// ---- decoding, trailing-slash redirects, listing ----

#[test]
fn undecodable_params_are_errors_naming_the_param() {
    let mut router = Router::new();
    router.insert("/users/:name/files/:file", ()).unwrap();
    let table: &[(&str, ParamError)] = &[
        (
            "/users/%FF/files/x",
            ParamError {
                name: "name".into(),
                error: DecodeError::InvalidUtf8,
            },
        ),
        (
            "/users/ok/files/a%zz",
            ParamError {
                name: "file".into(),
                error: DecodeError::BadEscape { at: 1 },
            },
        ),
        (
            "/users/ok/files/%",
            ParamError {
                name: "file".into(),
                error: DecodeError::BadEscape { at: 0 },
            },
        ),
        (
            "/users/a%00/files/x",
            ParamError {
                name: "name".into(),
                error: DecodeError::Nul { at: 1 },
            },
        ),
    ];
    for (path, want) in table {
        let m = router
            .at(path)
            .expect("the route matches before anything is decoded");
        assert_eq!(m.params.decode_all().unwrap_err(), *want, "{path}");
    }
    let err = router
        .at("/users/%FF/files/x")
        .unwrap()
        .params
        .decode_all()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"path parameter "name": the decoded bytes are not valid UTF-8"#
    );
}

#[test]
fn ranges_place_each_raw_value_in_the_path() {
    let mut router = Router::new();
    router.insert("/users/:name/files/*rest", ()).unwrap();
    let path = "/users/a%2Fb/files/x/%C3%A9";
    let m = router.at(path).unwrap();
    let ranges: Vec<_> = m.params.ranges().collect();
    assert_eq!(ranges, [("name", 7..12), ("rest", 19..27)]);
    for ((_, range), (_, raw)) in ranges.into_iter().zip(m.params.iter()) {
        assert_eq!(&path[range], raw);
    }
}

#[test]
fn raw_and_decoded_params() {
    let mut router = Router::new();
    router.insert("/users/:name", ()).unwrap();
    let m = router.at("/users/a%2Fb").unwrap();
    assert_eq!(m.params.get("name"), Some("a%2Fb"));
    assert_eq!(m.params.decoded("name").unwrap().unwrap(), "a/b");
    assert_eq!(m.params.get("nope"), None);
    assert!(m.params.decoded("nope").is_none());
    assert_eq!(m.params.len(), 1);
    assert!(!m.params.is_empty());
    assert_eq!(m.params.iter().collect::<Vec<_>>(), [("name", "a%2Fb")]);
    assert_eq!(format!("{:?}", m.params), r#"{"name": "a%2Fb"}"#);
}

#[test]
fn trailing_slash_redirects() {
    let mut router = Router::new();
    for route in ["/", "/a", "/b/", "/c/:id", "/files/*p", "/both", "/both/"] {
        router.insert(route, ()).unwrap();
    }
    let table: &[(&str, Option<&str>)] = &[
        ("/a/", Some("/a")),
        ("/b", Some("/b/")),
        ("/c/1/", Some("/c/1")),
        ("/x", None),
        ("/x/", None),
        // `/` has no other spelling, and `` is not a path.
        ("/", None),
        // The catch-all needs at least one byte, so `/files/` matches nothing either.
        ("/files", None),
        ("/c/1//", None),
    ];
    for (path, want) in table {
        assert!(
            router.at(path).is_none() || *path == "/",
            "{path} must not match"
        );
        assert_eq!(
            router.trailing_slash_redirect(path).as_deref(),
            *want,
            "{path}"
        );
    }
}

#[test]
fn a_method_table_per_route() {
    // The application stores one value per route and grows it as methods are added;
    // `route_mut` finds it by its exact pattern.
    let mut router: Router<Vec<&str>> = Router::new();
    router.insert("/users/:id", vec!["GET"]).unwrap();
    router.route_mut("/users/:id").unwrap().push("DELETE");
    assert!(router.route_mut("/users/:name").is_none());
    let m = router.at("/users/7").unwrap();
    assert_eq!(
        *m.value,
        ["GET", "DELETE"],
        "every method of the matched route"
    );
}

// ---- the trie and the list agree ----

/// Route patterns over a tiny alphabet, so random tables overlap a lot.
fn route_strategy() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        4 => prop_oneof![Just("a"), Just("b"), Just("ab"), Just("-")].prop_map(|s| s.to_string()),
        3 => Just(":p".to_string()),
    ];
    (prop::collection::vec(segment, 0..4), 0..4u8).prop_map(|(segments, end)| {
        let mut route = String::new();
        for (i, s) in segments.iter().enumerate() {
            route.push('/');
            route.push_str(s);
            if s == ":p" {
                route.push_str(&i.to_string()); // unique names within a route
            }
        }
        match end {
            0 => route.push_str("/*rest"),
            1 => route.push('/'),
            _ if route.is_empty() => route.push('/'),
            _ => {}
        }
        route
    })
}

/// Request paths over the same alphabet, plus empty segments and an escape.
fn path_strategy() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        Just("a"),
        Just("b"),
        Just("ab"),
        Just("c"),
        Just("-"),
        Just(""),
        Just("%61")
    ];
    prop::collection::vec(segment, 1..6)
        .prop_map(|segments| segments.iter().map(|s| format!("/{s}")).collect::<String>())
}

proptest! {
    #[test]
    fn trie_and_list_agree(
        routes in prop::collection::vec(route_strategy(), 1..12),
        paths in prop::collection::vec(path_strategy(), 1..24),
    ) {
        let mut trie = Router::new();
        let mut list = LinearRouter::new();
        for route in &routes {
            let a = trie.insert(route, route.clone());
            let b = list.insert(route, route.clone());
            prop_assert_eq!(a, b, "registering {}", route);
        }
        for path in &paths {
            let raw = |m: Option<weft::router::Match<'_, '_, String>>| {
                m.map(|m| (m.route.to_string(), m.params.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect::<Vec<_>>()))
            };
            prop_assert_eq!(raw(trie.at(path)), raw(list.at(path)), "path {} with {:?}", path, routes);
        }
    }
}

// ---- a real table: GitHub's REST API, against matchit ----

/// Every GitHub route, with each `{name}` replaced by a value, must select that same route
/// in the trie, in the list and in matchit (axum's router), and capture the same values.
#[test]
fn github_table_agrees_with_matchit() {
    let routes: Vec<&str> = include_str!("../benches/github_routes.txt")
        .lines()
        .filter(|line| line.starts_with('/'))
        .collect();
    let mut trie = Router::new();
    let mut list = LinearRouter::new();
    let mut reference = matchit::Router::new();
    for (i, route) in routes.iter().enumerate() {
        let weft = route.replace('{', ":").replace('}', "");
        trie.insert(&weft, i).unwrap();
        list.insert(&weft, i).unwrap();
        reference.insert(*route, i).unwrap();
    }
    assert_eq!(trie.len(), routes.len());
    for (i, route) in routes.iter().enumerate() {
        // `{owner}` becomes `v1`, `{repo}` `v2`, and so on.
        let mut n = 0;
        let path: String = route
            .split('/')
            .map(|seg| {
                if seg.starts_with('{') {
                    n += 1;
                    format!("v{n}")
                } else {
                    seg.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let want = reference.at(&path).expect("matchit matches its own route");
        let want_params: Vec<(&str, &str)> = want.params.iter().collect();
        for got in [trie.at(&path), list.at(&path)] {
            let got = got.unwrap_or_else(|| panic!("{path} matched nothing"));
            assert_eq!(got.value, want.value, "{path}: weft chose {}", got.route);
            assert_eq!(got.params.iter().collect::<Vec<_>>(), want_params, "{path}");
        }
        assert_eq!(*want.value, i, "{path} selects its own route {route}");
    }
}
