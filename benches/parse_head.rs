//! How fast weft parses a request head: a typical browser `GET`, about 700 bytes, through
//! `weft::http::head::parse` (httparse plus weft's framing and keep-alive checks), reported
//! in bytes per second.
//!
//! Run: `cargo bench --bench parse_head`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use weft::http::Limits;
use weft::internals::head::{self, Parsed};

// ANCHOR: head
/// What a desktop browser sends for a page: a dozen headers, a cookie, about 700 bytes.
const BROWSER_HEAD: &[u8] = b"GET /articles/threads-and-pools?page=2 HTTP/1.1\r\n\
Host: weft.example.org\r\n\
Connection: keep-alive\r\n\
sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n\
sec-ch-ua-mobile: ?0\r\n\
sec-ch-ua-platform: \"Linux\"\r\n\
Upgrade-Insecure-Requests: 1\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n\
Sec-Fetch-Site: same-origin\r\n\
Sec-Fetch-Mode: navigate\r\n\
Sec-Fetch-User: ?1\r\n\
Sec-Fetch-Dest: document\r\n\
Referer: https://weft.example.org/articles\r\n\
Accept-Encoding: gzip, deflate, br, zstd\r\n\
Accept-Language: en-GB,en;q=0.9\r\n\
Cookie: session=3f9a1c2e7b; theme=dark; consent=yes\r\n\
\r\n";
// ANCHOR_END: head

fn parse_browser_head(c: &mut Criterion) {
    let limits = Limits::default();
    let mut group = c.benchmark_group("parse_head");
    group.throughput(Throughput::Bytes(BROWSER_HEAD.len() as u64));
    group.bench_function("browser_get", |b| {
        b.iter(
            || match head::parse(std::hint::black_box(BROWSER_HEAD), &limits) {
                Ok(Parsed::Complete(head)) => head.len,
                other => panic!("the benchmark head did not parse: {other:?}"),
            },
        )
    });
    group.finish();
}

criterion_group!(benches, parse_browser_head);
criterion_main!(benches);
