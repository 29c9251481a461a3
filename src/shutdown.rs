//! Chapter 4: stopping a server on purpose, on Ctrl-C or `SIGTERM`.
//!
//! A [`Shutdown`] is a flag shared by whoever may ask for the stop (a signal handler, a test)
//! and the acceptor that must notice it. The acceptor spends its life blocked in `accept()`,
//! where it cannot look at a flag, so triggering a shutdown also *wakes* it: it connects to
//! the listener's own address, `accept()` returns, and the acceptor sees the flag.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use once_cell::sync::Lazy;

/// A shared "please stop" flag that also wakes the acceptors watching it.
#[derive(Clone, Default)]
pub struct Shutdown {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    triggered: AtomicBool,
    /// Set by a second signal: stop waiting for the work in flight.
    hurried: AtomicBool,
    /// Addresses of listeners whose acceptors must be woken when the flag is set.
    watched: Mutex<Vec<SocketAddr>>,
    // > ch10
    /// Chapter 10: other sleepers to wake when the flag is set (the idle-connection poller).
    wakers: Mutex<Vec<Waker>>,
    // < ch10
    /// Whom to tell when waiting is called off (the pool's drain).
    on_hurry: Mutex<Vec<Waker>>,
}

/// Something to call when a shutdown is triggered, to wake a thread that waits elsewhere than
/// in `accept()`.
type Waker = Arc<dyn Fn() + Send + Sync>;

/// Every `Shutdown` that asked to hear about Ctrl-C; the process has one signal handler.
static ON_SIGNAL: Lazy<Mutex<Vec<Shutdown>>> = Lazy::new(|| Mutex::new(Vec::new()));

impl Shutdown {
    /// A flag that has not been triggered.
    pub fn new() -> Shutdown {
        Shutdown::default()
    }

    /// Whether a shutdown has been asked for.
    pub fn is_triggered(&self) -> bool {
        self.inner.triggered.load(Ordering::SeqCst)
    }

    // ANCHOR: trigger
    /// Asks for a shutdown and wakes every acceptor watching this flag. Only the first call
    /// does anything.
    pub fn trigger(&self) {
        if self.inner.triggered.swap(true, Ordering::SeqCst) {
            return;
        }
        let watched = self.inner.watched.lock().unwrap_or_else(|e| e.into_inner());
        for &addr in watched.iter() {
            // The connection only has to make `accept()` return; the acceptor then sees the
            // flag. If it fails, the listener is already gone, which is just as good.
            let _ = TcpStream::connect_timeout(&reachable(addr), Duration::from_secs(1));
        }
        // > ch10
        drop(watched);
        let wakers = self.inner.wakers.lock().unwrap_or_else(|e| e.into_inner());
        for wake in wakers.iter() {
            wake();
        }
        // < ch10
    }
    // ANCHOR_END: trigger

    /// Registers the address of a listener whose acceptor checks this flag after every
    /// `accept()`, so that [`Shutdown::trigger`] can wake it.
    ///
    /// The flag is set before the list is read, and the acceptor registers before it first
    /// checks the flag, so whichever order the two threads run in, the acceptor is either woken
    /// or sees the flag before it blocks.
    pub fn watch(&self, addr: SocketAddr) {
        let mut watched = self.inner.watched.lock().unwrap_or_else(|e| e.into_inner());
        watched.push(addr);
    }

    // > ch10
    // ANCHOR: on_trigger
    /// Chapter 10: calls `wake` when the shutdown is triggered (at once, if it already is), so
    /// that a thread sleeping in something other than `accept()` sees the flag too.
    pub fn on_trigger(&self, wake: impl Fn() + Send + Sync + 'static) {
        let wake: Waker = Arc::new(wake);
        let mut wakers = self.inner.wakers.lock().unwrap_or_else(|e| e.into_inner());
        wakers.push(Arc::clone(&wake));
        drop(wakers);
        // Pushed before looking at the flag: `trigger` sets the flag before it reads the list,
        // so either it calls `wake` or we see the flag here (calling it twice is harmless).
        if self.is_triggered() {
            wake();
        }
    }
    // ANCHOR_END: on_trigger
    // < ch10

    /// Calls off the wait for work in flight: whoever registered with [`Shutdown::on_hurry`]
    /// (the pool's drain) stops waiting at once. Triggers the shutdown too, if it was not yet.
    pub fn hurry(&self) {
        self.trigger();
        if self.inner.hurried.swap(true, Ordering::SeqCst) {
            return;
        }
        let hooks = self
            .inner
            .on_hurry
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        for hook in hooks.iter() {
            hook();
        }
    }

    /// Whether [`Shutdown::hurry`] has been called.
    pub fn is_hurried(&self) -> bool {
        self.inner.hurried.load(Ordering::SeqCst)
    }

    /// Calls `hook` when the wait for work in flight is called off (at once, if it already is).
    pub fn on_hurry(&self, hook: impl Fn() + Send + Sync + 'static) {
        let hook: Waker = Arc::new(hook);
        let mut hooks = self
            .inner
            .on_hurry
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        hooks.push(Arc::clone(&hook));
        drop(hooks);
        // Pushed before looking, as in `on_trigger`: `hurry` sets the flag before reading.
        if self.is_hurried() {
            hook();
        }
    }

    // ANCHOR: ctrl_c
    /// Triggers this shutdown when the process gets Ctrl-C (`SIGINT`) or `SIGTERM`.
    ///
    /// A second signal while shutting down calls off the wait for the requests in flight
    /// ([`Shutdown::hurry`]), for the operator who does not want to wait for the grace
    /// period: the server returns at once, and `main` decides how the process ends.
    pub fn on_ctrl_c(&self) -> Result<(), ctrlc::Error> {
        let mut listeners = ON_SIGNAL.lock().unwrap_or_else(|e| e.into_inner());
        let first = listeners.is_empty();
        listeners.push(self.clone());
        drop(listeners);
        if first {
            ctrlc::set_handler(|| {
                let listeners = ON_SIGNAL.lock().unwrap_or_else(|e| e.into_inner());
                if listeners.iter().all(Shutdown::is_triggered) {
                    log::warn!("second signal: no longer waiting for the requests in flight");
                    for shutdown in listeners.iter() {
                        shutdown.hurry();
                    }
                    return;
                }
                log::info!("signal received: shutting down");
                for shutdown in listeners.iter() {
                    shutdown.trigger();
                }
            })?;
        }
        Ok(())
    }
    // ANCHOR_END: ctrl_c
}

/// An address a client can connect to: a listener bound to the unspecified address
/// (`0.0.0.0` or `::`) is reached through loopback on the same port.
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => (Ipv4Addr::LOCALHOST, addr.port()).into(),
        IpAddr::V6(ip) if ip.is_unspecified() => (Ipv6Addr::LOCALHOST, addr.port()).into(),
        _ => addr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn trigger_wakes_a_blocked_accept() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let shutdown = Shutdown::new();
        shutdown.watch(listener.local_addr().unwrap());
        // The blocking accept runs on its own thread, so that a missing wake-up fails the
        // test after a bounded wait instead of hanging it.
        let (accepted_tx, accepted) = crossbeam_channel::bounded(1);
        std::thread::spawn(move || {
            let _ = accepted_tx.send(listener.accept().map(|(_, peer)| peer));
        });
        shutdown.trigger();
        let woken = accepted.recv_timeout(Duration::from_secs(5));
        assert!(
            matches!(woken, Ok(Ok(_))),
            "accept was not woken: {woken:?}"
        );
        assert!(shutdown.is_triggered());
    }

    #[test]
    fn hurry_triggers_and_calls_every_hook_once_even_one_added_late() {
        use std::sync::atomic::AtomicUsize;
        let shutdown = Shutdown::new();
        let calls = Arc::new(AtomicUsize::new(0));
        let early = Arc::clone(&calls);
        shutdown.on_hurry(move || {
            early.fetch_add(1, Ordering::SeqCst);
        });
        assert!(!shutdown.is_hurried());
        shutdown.hurry();
        shutdown.hurry();
        assert!(shutdown.is_triggered() && shutdown.is_hurried());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let late = Arc::clone(&calls);
        shutdown.on_hurry(move || {
            late.fetch_add(10, Ordering::SeqCst);
        });
        assert_eq!(calls.load(Ordering::SeqCst), 11);
    }

    #[test]
    fn unspecified_addresses_are_reached_through_loopback() {
        let v4: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let v6: SocketAddr = "[::]:8080".parse().unwrap();
        let real: SocketAddr = "127.0.0.2:8080".parse().unwrap();
        assert_eq!(reachable(v4), "127.0.0.1:8080".parse().unwrap());
        assert_eq!(reachable(v6), "[::1]:8080".parse().unwrap());
        assert_eq!(reachable(real), real);
    }
}
