//! Chapter 13: the listener when several processes share one port.
//!
//! With `SO_REUSEPORT` every process binds the same address with its own listening socket,
//! and the kernel spreads new connections across them by a hash of their addresses. Two
//! things follow for a server that wants to stop without losing a connection:
//! - the wake-up connection of [`Shutdown::trigger`](crate::shutdown::Shutdown::trigger) may
//!   land in a sibling process, so a shared listener's `accept()` waits at most
//!   [`ACCEPT_PATIENCE`] before the acceptor looks at its flag again;
//! - connections the kernel has already put in this listener's queue are reset when it closes
//!   (unless `net.ipv4.tcp_migrate_req` is set), so the acceptor takes what is queued
//!   ([`queued`]) before it lets the listener go.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};

/// How long a listener shared with other processes waits in `accept()` before its acceptor
/// looks at the shutdown flag again: the bound on how late a stop is noticed when the
/// wake-up connection went to a sibling.
pub const ACCEPT_PATIENCE: Duration = Duration::from_millis(100);

/// Connections a listener may hold completed but not yet accepted (the kernel caps it at
/// `net.core.somaxconn`, 4096 by default).
const BACKLOG: i32 = 1024;

// ANCHOR: bind
/// Binds a listener on `addr`, sharing the port with other processes (and other listeners in
/// this one) when `reuse_port` is set, as [`Config::reuse_port`](super::Config) asks.
///
/// The standard library binds and listens in one call, `TcpListener::bind`, and offers no way
/// to set a socket option in between; `SO_REUSEPORT` must be set *before* `bind`, so the
/// socket is made with the `socket2` crate and turned into a `TcpListener` once listening.
pub fn bind(addr: impl ToSocketAddrs, reuse_port: bool) -> io::Result<TcpListener> {
    if !reuse_port {
        return TcpListener::bind(addr);
    }
    let mut last_err = None;
    for addr in addr.to_socket_addrs()? {
        match bind_shared(addr) {
            Ok(listener) => return Ok(listener),
            Err(err) => last_err = Some(err),
        }
    }
    Err(last_err.unwrap_or_else(|| io::Error::other("no address to bind")))
}

fn bind_shared(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    // As `TcpListener::bind` does: a restarted server can bind while old connections linger.
    socket.set_reuse_address(true)?;
    set_reuse_port(&socket)?;
    // Bounds each wait in `accept()`: see `ACCEPT_PATIENCE`. Linux copies the timeout into
    // every accepted socket; the connection loop sets its own before each read.
    socket.set_read_timeout(Some(ACCEPT_PATIENCE))?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}
// ANCHOR_END: bind

#[cfg(unix)]
fn set_reuse_port(socket: &Socket) -> io::Result<()> {
    socket.set_reuse_port(true)
}

#[cfg(not(unix))]
fn set_reuse_port(_: &Socket) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "SO_REUSEPORT is only available on Unix",
    ))
}

// ANCHOR: queued
/// At shutdown: the connections already waiting in `listener`'s queue, taken without
/// waiting for more (at most [`BACKLOG`] of them, so that a flood cannot hold the stop).
/// Closing the listener would reset them; served, they get their answer with
/// `Connection: close` and their clients go to a sibling for the next request.
pub(crate) fn queued(listener: &TcpListener) -> Vec<TcpStream> {
    let mut queued = Vec::new();
    if let Err(err) = listener.set_nonblocking(true) {
        log::warn!("cannot take the queued connections: {err}");
        return queued;
    }
    while queued.len() < BACKLOG as usize {
        match listener.accept() {
            Ok((stream, _)) => {
                // Accepted sockets inherit nothing from a non-blocking listener on Linux,
                // but do on some other systems: the workers expect blocking sockets.
                let _ = stream.set_nonblocking(false);
                queued.push(stream);
            }
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => break,
            Err(err) => {
                log::warn!("accept failed while taking the queue: {err}");
                break;
            }
        }
    }
    queued
}
// ANCHOR_END: queued

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn two_shared_listeners_bind_one_port_and_a_plain_one_cannot() {
        let first = bind("127.0.0.1:0", true).unwrap();
        let addr = first.local_addr().unwrap();
        let second = bind(addr, true).unwrap();
        assert_eq!(second.local_addr().unwrap(), addr);
        let plain = bind(addr, false);
        assert_eq!(
            plain.unwrap_err().kind(),
            io::ErrorKind::AddrInUse,
            "a listener without SO_REUSEPORT must not join the group"
        );
    }

    #[test]
    fn a_shared_listener_waits_in_accept_a_bounded_time() {
        let listener = bind("127.0.0.1:0", true).unwrap();
        let start = Instant::now();
        let err = listener.accept().unwrap_err();
        assert!(
            matches!(
                err.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ),
            "{err}"
        );
        assert!(
            start.elapsed() < ACCEPT_PATIENCE * 20,
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn queued_takes_what_waits_and_stops_when_nothing_does() {
        let listener = bind("127.0.0.1:0", false).unwrap();
        let addr = listener.local_addr().unwrap();
        let clients: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(addr).unwrap()).collect();
        let taken = queued(&listener);
        assert_eq!(taken.len(), clients.len());
        assert!(queued(&listener).is_empty());
    }
}
