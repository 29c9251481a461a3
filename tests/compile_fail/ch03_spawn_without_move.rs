// Chapter 3's accept loop with the thread's closure written without `move`: the closure
// borrows `peer`, which belongs to this turn of the loop, and the thread may outlive it.
use std::net::TcpListener;
use std::thread;

fn main() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("cannot bind");
    // ANCHOR: accept_loop
    loop {
        let (stream, peer) = listener.accept().expect("accept failed");
        thread::spawn(|| {
            log::debug!("serving {peer} on a new thread");
            weft_tools::naive::handle(stream)
        });
    }
    // ANCHOR_END: accept_loop
}
