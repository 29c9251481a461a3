// Chapter 4's server counting the connections it has served, in a variable the handler
// changes: but every worker calls the one handler, at the same time.
//
// The compiler follows the error with a warning that `served` need not be `mut` (it need
// not, once the assignment is refused); it is silenced here to keep to the one mistake.
#![allow(unused_mut)]

use std::net::TcpListener;

use weft::server::{self, Config};
use weft::shutdown::Shutdown;

fn main() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("cannot bind");
    let shutdown = Shutdown::new();
    // ANCHOR: serve
    let mut served = 0u64;
    let _drain = server::serve(listener, &Config::default(), &shutdown, move |stream| {
        served += 1;
        log::debug!("serving connection {served}");
        let _ = weft_tools::naive::handle(stream);
    });
    // ANCHOR_END: serve
}
