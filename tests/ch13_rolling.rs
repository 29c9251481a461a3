//! Chapter 13: two showcase processes share a port with `--reuse-port`, and each is restarted
//! in turn (start the new one, `SIGTERM` the old one, wait for it to exit) while clients keep
//! sending requests over kept-alive connections. Not one request may fail.

mod support;

use std::time::Duration;

use weft_tools::fleet::{Fleet, Load};

/// A bound on each client's requests, so that the test ends even if the restarts hang (the
/// restarts take well under a second; the clients would need much longer to use this up).
const MAX_REQUESTS: u64 = 1_000_000;

/// How long the clients may take to finish a few hundred requests.
const WAIT: Duration = Duration::from_secs(30);

#[test]
fn a_rolling_restart_under_load_fails_no_request() {
    let showcase = support::showcase_path();
    let args = vec!["--workers".to_string(), "8".to_string()];
    let mut fleet = Fleet::start(showcase, args, 2).expect("start two showcase processes");
    let load = Load::start(fleet.addr, 4, "/plaintext", MAX_REQUESTS);
    assert!(load.wait_for(200, WAIT), "the clients get going");
    let mut exits = Vec::new();
    for _ in 0..2 {
        exits.extend(fleet.restart_each().expect("restart each process"));
    }
    assert!(load.wait_for(200, WAIT), "the clients carry on");
    let tally = load.finish();
    exits.extend(fleet.stop().expect("stop the fleet"));

    assert!(
        exits.iter().all(|status| status.success()),
        "every process drains and exits cleanly: {exits:?}"
    );
    assert!(
        tally.ok >= 400 && tally.reconnects > 0,
        "the clients were busy across the restarts: {tally:?}"
    );
    assert_eq!(tally.failed, 0, "no request fails: {tally:?}");
}
