// Chapter 7's hit counter, answering with the bare number.
use std::sync::atomic::{AtomicU64, Ordering};

use weft::app::App;

#[derive(Default)]
struct Hits {
    count: AtomicU64,
}

fn main() {
    let mut app = App::with_state(Hits::default());
    // ANCHOR: hits
    app.get("/hits", |_, cx| cx.state().count.load(Ordering::Relaxed));
    // ANCHOR_END: hits
}
