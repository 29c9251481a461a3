//! Static files over real sockets: content types, directories and their index, every way of
//! escaping the root we know of (each its own case), revalidation (`ETag`, `Last-Modified`,
//! `304`) and single byte ranges (`206`, `416`).

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use support::app::Running;
use support::{Client, Reply};
use weft::app::App;

/// A directory tree made for one test, removed afterwards:
///
/// ```text
/// <tmp>/root/      index.html hello.txt digits.txt style.css image.png data.xyz
///                  sub/index.html  empty/  link-in -> hello.txt
///                  link-out -> ../outside/secret.txt  dir-out -> ../outside
/// <tmp>/outside/   secret.txt
/// <tmp>/root-evil/ secret.txt   (a sibling whose name starts with the root's: a string
///                  prefix check would take it for inside)
///                  link-sibling -> ../root-evil/secret.txt  dir-sibling -> ../root-evil
/// ```
struct Tree {
    base: PathBuf,
}

const SECRET: &str = "the secret outside the root";

impl Tree {
    fn new() -> Tree {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let base = std::env::temp_dir().join(format!("weft-static-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        let root = base.join("root");
        fs::create_dir_all(root.join("sub")).unwrap();
        fs::create_dir_all(root.join("empty")).unwrap();
        fs::create_dir_all(base.join("outside")).unwrap();
        let files: &[(&str, &[u8])] = &[
            ("index.html", b"<h1>root index</h1>"),
            ("hello.txt", b"Hello, static world!\n"),
            ("digits.txt", b"0123456789"),
            ("style.css", b"body { color: black }"),
            ("image.png", b"\x89PNG\r\n\x1a\nnot really"),
            ("data.xyz", b"?"),
            ("sub/index.html", b"<h1>sub index</h1>"),
        ];
        for (name, bytes) in files {
            fs::write(root.join(name), bytes).unwrap();
        }
        fs::write(base.join("outside/secret.txt"), SECRET).unwrap();
        fs::create_dir_all(base.join("root-evil")).unwrap();
        fs::write(base.join("root-evil/secret.txt"), SECRET).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink("hello.txt", root.join("link-in")).unwrap();
            symlink("../outside/secret.txt", root.join("link-out")).unwrap();
            symlink("../outside", root.join("dir-out")).unwrap();
            symlink("../root-evil/secret.txt", root.join("link-sibling")).unwrap();
            symlink("../root-evil", root.join("dir-sibling")).unwrap();
        }
        Tree { base }
    }

    fn root(&self) -> PathBuf {
        self.base.join("root")
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.base);
    }
}

/// An app serving `tree`'s root under `/static`.
fn serve(tree: &Tree) -> Running {
    let mut app = App::new();
    app.static_files("/static", tree.root());
    Running::start(app)
}

fn assert_reply(reply: &Reply, status: u16, body: &str, what: &str) {
    assert_eq!(
        (reply.status, reply.text().as_str()),
        (status, body),
        "{what}"
    );
}

#[test]
fn files_come_with_their_content_type() {
    let tree = Tree::new();
    let server = serve(&tree);
    #[rustfmt::skip]
    let cases = [
        ("/static/hello.txt", "text/plain; charset=utf-8"),
        ("/static/index.html", "text/html; charset=utf-8"),
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/static/image.png", "image/png"),
        ("/static/data.xyz", "application/octet-stream"),
    ];
    for (path, content_type) in cases {
        let reply = server.call("GET", path);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), Some(content_type), "{path}");
        let on_disk = fs::read(tree.root().join(&path["/static/".len()..])).unwrap();
        assert_eq!(reply.body, on_disk, "{path}");
        assert_eq!(reply.header("accept-ranges"), Some("bytes"));
    }
    let head = server.call("HEAD", "/static/hello.txt");
    assert_eq!(
        (head.status, head.header("content-length")),
        (200, Some("21"))
    );
    assert_eq!(server.call("GET", "/static/missing.txt").status, 404);
    assert_eq!(server.call("POST", "/static/hello.txt").status, 405);
}

#[test]
fn directories_are_served_by_their_index() {
    let tree = Tree::new();
    let server = serve(&tree);
    assert_reply(
        &server.call("GET", "/static/"),
        200,
        "<h1>root index</h1>",
        "root",
    );
    assert_reply(
        &server.call("GET", "/static/sub/"),
        200,
        "<h1>sub index</h1>",
        "sub",
    );
    assert_eq!(server.call("GET", "/static/empty/").status, 404);
    assert_eq!(server.call("GET", "/static/hello.txt/").status, 404);
    // Without the slash, a directory is redirected to it, so that relative links work.
    for (path, location) in [
        ("/static", "/static/"),
        ("/static/sub", "/static/sub/"),
        ("/static/sub?a=1", "/static/sub/?a=1"),
    ] {
        let reply = server.call("GET", path);
        assert_eq!(reply.status, 308, "{path}");
        assert_eq!(reply.header("location"), Some(location), "{path}");
    }
}

#[test]
fn no_request_escapes_the_root() {
    let tree = Tree::new();
    let server = serve(&tree);
    #[rustfmt::skip]
    let attempts = [
        ("/static/../outside/secret.txt", 400),            // plain dot-dot
        ("/static/sub/../../outside/secret.txt", 400),     // dot-dot deeper down
        ("/static/%2e%2e/outside/secret.txt", 400),        // encoded dots
        ("/static/%2E%2E%2Foutside%2Fsecret.txt", 400),    // encoded dots and slashes
        ("/static/..%2Foutside%2Fsecret.txt", 400),        // encoded slashes
        ("/static/%2Fetc%2Fpasswd", 400),                  // an absolute path, encoded
        ("/static//etc/passwd", 400),                      // an absolute path, plain
        ("/static/..%5Coutside%5Csecret.txt", 400),        // backslashes
        ("/static/hello.txt%00.png", 400),                 // NUL (refused by the HTTP layer)
        ("/static/C:%5Cwindows", 400),                     // a drive letter
        ("/static/./hello.txt", 400),                      // a second spelling
    ];
    for (path, status) in attempts {
        let reply = server.call("GET", path);
        assert_eq!(reply.status, status, "{path}");
        assert!(!reply.text().contains(SECRET), "{path} leaked the secret");
    }
}

#[cfg(unix)]
#[test]
fn symbolic_links_may_not_lead_outside() {
    let tree = Tree::new();
    let server = serve(&tree);
    for path in [
        "/static/link-out",
        "/static/dir-out/secret.txt",
        "/static/dir-out/",
        "/static/link-sibling",
        "/static/dir-sibling/secret.txt",
    ] {
        let reply = server.call("GET", path);
        assert_eq!(reply.status, 404, "{path}");
        assert!(!reply.text().contains(SECRET), "{path} leaked the secret");
    }
    // A link that stays inside is followed.
    assert_reply(
        &server.call("GET", "/static/link-in"),
        200,
        "Hello, static world!\n",
        "in",
    );
}

#[test]
fn revalidation_answers_304() {
    let tree = Tree::new();
    let server = serve(&tree);
    let first = server.call("GET", "/static/hello.txt");
    let etag = first.header("etag").expect("an ETag").to_string();
    let modified = first
        .header("last-modified")
        .expect("a Last-Modified")
        .to_string();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");

    let cases = [
        (format!("If-None-Match: {etag}\r\n"), 304),
        (format!("If-None-Match: \"nope\", W/{etag}\r\n"), 304),
        ("If-None-Match: *\r\n".to_string(), 304),
        ("If-None-Match: \"nope\"\r\n".to_string(), 200),
        (format!("If-Modified-Since: {modified}\r\n"), 304),
        (
            "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT\r\n".into(),
            200,
        ),
        // If-None-Match decides when both are present (RFC 9110 §13.2.2).
        (
            format!("If-None-Match: \"nope\"\r\nIf-Modified-Since: {modified}\r\n"),
            200,
        ),
    ];
    for (headers, status) in cases {
        let reply = server.call_with("GET", "/static/hello.txt", &headers);
        assert_eq!(reply.status, status, "{headers}");
        assert_eq!(reply.header("etag"), Some(etag.as_str()), "{headers}");
        if status == 304 {
            assert!(reply.body.is_empty());
            assert_eq!(reply.header("content-length"), None);
        }
    }
    let head = server.call_with(
        "HEAD",
        "/static/hello.txt",
        &format!("If-None-Match: {etag}\r\n"),
    );
    assert_eq!(head.status, 304);
}

#[test]
fn single_ranges_get_206_and_impossible_ones_416() {
    let tree = Tree::new();
    let server = serve(&tree);
    let etag = server
        .call("GET", "/static/digits.txt")
        .header("etag")
        .unwrap()
        .to_string();
    #[rustfmt::skip]
    let cases = [
        ("Range: bytes=2-5\r\n", 206, "2345", Some("bytes 2-5/10")),
        ("Range: bytes=7-\r\n", 206, "789", Some("bytes 7-9/10")),
        ("Range: bytes=-3\r\n", 206, "789", Some("bytes 7-9/10")),
        ("Range: bytes=8-99\r\n", 206, "89", Some("bytes 8-9/10")),
        ("Range: bytes=0-1,4-5\r\n", 200, "0123456789", None), // several: the whole file
        ("Range: bytes=5-2\r\n", 200, "0123456789", None),     // malformed: ignored
        ("Range: lines=1-2\r\n", 200, "0123456789", None),     // another unit: ignored
        ("Range: bytes=10-\r\n", 416, "416 Range Not Satisfiable\n", Some("bytes */10")),
        ("Range: bytes=-0\r\n", 416, "416 Range Not Satisfiable\n", Some("bytes */10")),
    ];
    for (header, status, body, content_range) in cases {
        let reply = server.call_with("GET", "/static/digits.txt", header);
        assert_reply(&reply, status, body, header);
        assert_eq!(reply.header("content-range"), content_range, "{header}");
    }
    // A 416 describes the range, not the file: its body is the status page, in plain text,
    // even for a file that is not text.
    let past_the_end = server.call_with("GET", "/static/image.png", "Range: bytes=99-\r\n");
    assert_eq!(past_the_end.status, 416);
    assert_eq!(
        past_the_end.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    // If-Range: the range applies only to the version of the file it names.
    let same = format!("Range: bytes=0-0\r\nIf-Range: {etag}\r\n");
    assert_reply(
        &server.call_with("GET", "/static/digits.txt", &same),
        206,
        "0",
        "same",
    );
    let other = "Range: bytes=0-0\r\nIf-Range: \"old\"\r\n";
    assert_reply(
        &server.call_with("GET", "/static/digits.txt", other),
        200,
        "0123456789",
        "old",
    );
    // Ranges are for GET only: a HEAD gets the head of the whole file.
    let head = server.call_with("HEAD", "/static/digits.txt", "Range: bytes=2-5\r\n");
    assert_eq!(
        (head.status, head.header("content-length")),
        (200, Some("10"))
    );
}

#[test]
fn a_partial_response_keeps_the_connection_in_step() {
    let tree = Tree::new();
    let server = serve(&tree);
    let mut client = Client::connect(server.addr);
    let request =
        |range: &str| format!("GET /static/digits.txt HTTP/1.1\r\nHost: t\r\n{range}\r\n");
    client.send(request("Range: bytes=3-4\r\n") + &request("") + &request("Range: bytes=99-\r\n"));
    assert_eq!(client.response().text(), "34");
    assert_eq!(client.response().text(), "0123456789");
    assert_eq!(client.response().status, 416);
    client.send(request("Range: bytes=-1\r\n"));
    assert_eq!(client.response().text(), "9");
}

#[test]
fn a_missing_directory_is_refused_at_registration() {
    let result = std::panic::catch_unwind(|| {
        let mut app = App::new();
        app.static_files("/static", Path::new("/no/such/dir"));
    });
    let payload = result.expect_err("registration should panic");
    let message = payload.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("cannot serve static files from /no/such/dir"),
        "{message}"
    );
}
