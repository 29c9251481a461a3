//! Chapter 13: nginx in front of two showcase processes. One process is killed under load;
//! with `proxy_next_upstream error timeout` nginx sends the requests it was serving to the
//! other process and no client sees a failure, with `off` some get a `502`.
//!
//! nginx must be installed (`apt-get install nginx`; CI installs it): without it this test
//! fails and says so.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use weft_tools::fleet::{free_port, Load, Nginx, Process, Tally};

/// A bound on each client's requests, so that the test ends whatever happens.
const MAX_REQUESTS: u64 = 1_000_000;

/// Two showcase processes behind nginx; kills the first under load and returns what the
/// clients saw.
fn kill_an_upstream_under_load(next_upstream: &str) -> Tally {
    let showcase = support::showcase_path();
    let args = vec!["--workers".to_string(), "8".to_string()];
    let mut upstreams: Vec<Process> = (0..2)
        .map(|_| {
            let addr = SocketAddr::from(([127, 0, 0, 1], free_port().unwrap()));
            Process::start(&showcase, &args, addr).expect("start a showcase process")
        })
        .collect();
    let addrs: Vec<SocketAddr> = upstreams.iter().map(Process::addr).collect();
    let nginx = Nginx::start(&addrs, next_upstream).expect("start nginx");
    let load = Load::start(nginx.addr, 4, "/plaintext", MAX_REQUESTS);
    assert!(
        load.wait_for(500, Duration::from_secs(30)),
        "load before the kill"
    );
    upstreams.remove(0).kill().expect("kill an upstream");
    assert!(
        load.wait_for(2000, Duration::from_secs(30)),
        "load after the kill"
    );
    let tally = load.finish();
    for upstream in upstreams {
        assert!(upstream.stop().expect("stop an upstream").success());
    }
    tally
}

#[test]
fn with_retries_on_a_dead_upstream_costs_no_request() {
    let tally = kill_an_upstream_under_load("error timeout");
    assert!(tally.ok >= 2500, "{tally:?}");
    assert_eq!(
        tally.failed, 0,
        "nginx retried on the live process: {tally:?}"
    );
}

#[test]
fn without_retries_a_dead_upstream_fails_requests() {
    let tally = kill_an_upstream_under_load("off");
    assert!(tally.ok >= 2000, "{tally:?}");
    assert!(tally.failed > 0, "some requests got a 502: {tally:?}");
    assert!(
        tally.failures.iter().all(|failure| failure == "status 502"),
        "{tally:?}"
    );
}
