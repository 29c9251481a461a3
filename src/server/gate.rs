//! Chapter 10: the gate, a limit on how many connections are open at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

// ANCHOR: gate
/// Chapter 10: a count of open connections with a ceiling.
///
/// The queue bounds connections *waiting for a worker*; once connections can also wait
/// parked in the poller, nothing else bounds how many are open, and every open connection
/// costs a file descriptor and a little memory. The acceptor asks the gate for a [`Ticket`]
/// before it takes a connection on; the ticket travels with the connection and gives its
/// place back when the connection is dropped, however that happens.
#[derive(Debug, Clone)]
pub struct Gate {
    open: Arc<AtomicUsize>,
    max: usize,
}

/// A place in a [`Gate`], held for as long as one connection is open.
#[derive(Debug)]
pub struct Ticket(Arc<AtomicUsize>);

impl Gate {
    /// A gate that lets at most `max` connections be open at once.
    pub fn new(max: usize) -> Gate {
        Gate {
            open: Arc::new(AtomicUsize::new(0)),
            max,
        }
    }

    /// A ticket for one more connection, or `None` if `max` are already open.
    pub fn enter(&self) -> Option<Ticket> {
        // Only the acceptor enters, so a load and an add cannot race with another enter;
        // tickets dropped meanwhile only make the count smaller.
        if self.open.load(Ordering::SeqCst) >= self.max {
            return None;
        }
        self.open.fetch_add(1, Ordering::SeqCst);
        Some(Ticket(Arc::clone(&self.open)))
    }

    /// How many connections are open now.
    pub fn open(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }

    /// The live count of open connections, for whoever needs to read it without the gate
    /// (the parking lot, to tell whether parking pays).
    pub(crate) fn counter(&self) -> Arc<AtomicUsize> {
        Arc::clone(&self.open)
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
// ANCHOR_END: gate

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gate_lets_max_in_and_takes_a_place_back_when_a_ticket_drops() {
        let gate = Gate::new(2);
        let first = gate.enter().expect("room for one");
        let _second = gate.enter().expect("room for two");
        assert!(gate.enter().is_none(), "a third must wait");
        assert_eq!(gate.open(), 2);
        drop(first);
        assert_eq!(gate.open(), 1);
        assert!(
            gate.enter().is_some(),
            "the dropped ticket's place is free again"
        );
    }
}
