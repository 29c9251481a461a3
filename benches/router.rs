//! Chapter 7: the cost of one route lookup on a real API's route table.
//!
//! The table is the GitHub REST API (`github_routes.txt`, 417 paths). Three routers hold
//! it: weft's linear baseline, weft's trie, and `matchit` (the router inside axum). Each
//! benchmark in the `mix` group looks up the same 18 request paths per iteration (the
//! chapter divides by 18 to get a cost per lookup); `static` and `deep` time one path each.
//!
//! Run: `cargo bench --bench router -- --warm-up-time 1 --measurement-time 3`
//! Medians: `target/criterion/<group>/<router>/new/estimates.json`, field `median`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use weft::internals::linear::LinearRouter;
use weft::router::Router;

// ANCHOR: table
/// The route table in GitHub's `{name}` syntax, which is also matchit's.
const GITHUB: &str = include_str!("github_routes.txt");

fn github_routes() -> Vec<&'static str> {
    GITHUB
        .lines()
        .filter(|line| line.starts_with('/'))
        .collect()
}

/// `{name}` → `:name`, for weft.
fn weft_syntax(route: &str) -> String {
    route.replace('{', ":").replace('}', "")
}
// ANCHOR_END: table

// ANCHOR: mix
/// A mix of requests such an API might see: shallow and deep, static-heavy and
/// parameter-heavy, and two misses (one found out early, one after backtracking).
const PATHS: &[&str] = &[
    "/user",
    "/user/repos",
    "/rate_limit",
    "/search/code",
    "/users/octocat",
    "/users/octocat/repos",
    "/gists/aa5a315d61ae9438b18d",
    "/repos/rust-lang/rust",
    "/repos/rust-lang/rust/issues/12345/comments",
    "/repos/rust-lang/rust/pulls/42/reviews/7/comments",
    "/repos/tokio-rs/tokio/commits/3f1c2a9/status",
    "/repos/rust-lang/rust/contents/README.md",
    "/repos/rust-lang/rust/git/refs/heads",
    "/notifications/threads/17/subscription",
    "/orgs/rust-lang/teams/core/discussions/3/comments/4/reactions",
    "/orgs/rust-lang/actions/runners/downloads",
    "/nope",
    "/repos/rust-lang/rust/nope",
];
// ANCHOR_END: mix

fn lookups(c: &mut Criterion) {
    let routes = github_routes();

    let mut linear = LinearRouter::new();
    let mut trie = Router::new();
    let mut matchit = matchit::Router::new();
    for (i, route) in routes.iter().enumerate() {
        linear.insert(&weft_syntax(route), i).unwrap();
        trie.insert(&weft_syntax(route), i).unwrap();
        matchit.insert(*route, i).unwrap();
    }

    // All three must agree on the answers before their speed means anything.
    for path in PATHS {
        let a = linear.at(path).map(|m| *m.value);
        let b = trie.at(path).map(|m| *m.value);
        let c = matchit.at(path).ok().map(|m| *m.value);
        assert_eq!((a, b), (c, c), "{path}");
    }

    // ANCHOR: bench
    let mut group = c.benchmark_group("mix");
    group.bench_function("linear", |b| {
        b.iter(|| {
            for path in PATHS {
                black_box(linear.at(black_box(path)).map(|m| m.params.len()));
            }
        })
    });
    group.bench_function("trie", |b| {
        b.iter(|| {
            for path in PATHS {
                black_box(trie.at(black_box(path)).map(|m| m.params.len()));
            }
        })
    });
    group.bench_function("matchit", |b| {
        b.iter(|| {
            for path in PATHS {
                black_box(matchit.at(black_box(path)).ok().map(|m| m.params.len()));
            }
        })
    });
    group.finish();
    // ANCHOR_END: bench

    // One shallow static path and one deep parameter-heavy path, to see where the gap is.
    let singles = [
        ("static", "/user/repos"),
        (
            "deep",
            "/orgs/rust-lang/teams/core/discussions/3/comments/4/reactions",
        ),
    ];
    for (name, path) in singles {
        let mut group = c.benchmark_group(name);
        group.bench_function("trie", |b| {
            b.iter(|| black_box(trie.at(black_box(path)).map(|m| m.params.len())))
        });
        group.bench_function("matchit", |b| {
            b.iter(|| black_box(matchit.at(black_box(path)).ok().map(|m| m.params.len())))
        });
        group.finish();
    }
}

criterion_group!(benches, lookups);
criterion_main!(benches);
