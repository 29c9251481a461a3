//! The peer comparison (`examples/peers.rs`) in `--short` mode. Building the real peers
//! (actix-web, axum, …) takes minutes, so the test stands a small script in for one: it is
//! named like a peer binary and runs weft's own showcase. What is checked is the plumbing
//! (finding, starting and driving each server, the table, the ratios, the files), never a speed.

mod support;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Runs the peers example with `args` to its end (a minute at most).
fn peers(args: &[&str]) -> Output {
    support::run_example("peers", args)
}

/// A directory holding a stand-in `peer-tiny-http`: a script that runs weft's showcase with
/// the arguments it was given.
fn stand_in_peers(dir: &Path) -> PathBuf {
    stand_in(dir, "peer-tiny-http", &support::showcase_path())
}

/// Writes `dir/name`, a script that runs `program` with the arguments it was given.
fn stand_in(dir: &Path, name: &str, program: &Path) -> PathBuf {
    fs::create_dir_all(dir).unwrap();
    let script = dir.join(name);
    let program = program.display();
    fs::write(&script, format!("#!/bin/sh\nexec '{program}' \"$@\"\n")).unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    dir.to_path_buf()
}

#[test]
fn short_run_tabulates_weft_and_a_peer_with_ratios_and_writes_its_files() {
    let dir = std::env::temp_dir().join(format!("weft-peers-test-{}", std::process::id()));
    let bin = stand_in_peers(&dir.join("bin"));
    let prefix = dir.join("out/peers");
    // --short, but a measured window long enough that a busy machine still completes a request
    // in it: the test checks that every row served something.
    let output = peers(&[
        "--short",
        "--duration-ms",
        "600",
        "--servers",
        "weft,tiny",
        "--connections",
        "1,4",
        "--peers-bin",
        bin.to_str().unwrap(),
        "--out",
        prefix.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("[2/8] tiny_http · plaintext · 1 connection · run 1/1"),
        "servers alternate within a group: {stderr}"
    );

    // Two tables: the measurements, then the ratios, separated by a blank line.
    let (measured, ratios) = stdout.split_once("\n\n").expect("two tables");
    let lines: Vec<&str> = measured.lines().collect();
    assert_eq!(
        support::cells(lines[0])[..4],
        ["server", "workload", "connections", "requests/s"]
    );
    let rows: Vec<Vec<&str>> = lines[2..].iter().map(|line| support::cells(line)).collect();
    let plan: Vec<(&str, &str, &str)> = rows.iter().map(|r| (r[1], r[2], r[0])).collect();
    assert_eq!(
        plan,
        [
            ("plaintext", "1", "weft"),
            ("plaintext", "1", "tiny_http"),
            ("plaintext", "4", "weft"),
            ("plaintext", "4", "tiny_http"),
            ("json", "1", "weft"),
            ("json", "1", "tiny_http"),
            ("json", "4", "weft"),
            ("json", "4", "tiny_http"),
        ],
        "{stdout}"
    );
    for row in &rows {
        let rate: f64 = row[3].replace(',', "").parse().expect("requests/s");
        assert!(rate > 0.0, "nothing served: {row:?}");
        assert_eq!(row[6], "0", "errors: {row:?}");
        assert!(row[7].ends_with("iB"), "peak RSS: {row:?}");
        assert!(row[9].parse::<f64>().is_ok(), "client CPU: {row:?}");
        assert!(row[10].contains(" / "), "context switches: {row:?}");
    }

    let lines: Vec<&str> = ratios.lines().collect();
    assert_eq!(
        support::cells(lines[0]),
        [
            "workload",
            "connections",
            "weft requests/s",
            "weft ÷ tiny_http"
        ]
    );
    assert_eq!(lines.len(), 2 + 4, "{ratios}");
    for line in &lines[2..] {
        let ratio: f64 = support::cells(line)[3].parse().expect("a ratio");
        assert!(ratio > 0.0, "{line}");
    }

    let page = fs::read_to_string(prefix.with_extension("md")).expect("PREFIX.md");
    assert!(page.starts_with("Measured "), "{page}");
    assert!(
        page.contains("--example peers"),
        "the page says how it was made"
    );
    assert!(page.contains(measured) && page.contains(ratios), "{page}");
    assert!(page.contains("- **tiny_http**: tiny_http 0.12"), "{page}");
    assert!(page.contains("Load for plaintext, json: "), "{page}");
    let svg = fs::read_to_string(prefix.with_extension("svg")).expect("PREFIX.svg");
    for title in [
        ">plaintext: requests per second",
        ">json: requests per second",
    ] {
        assert!(svg.contains(title), "{title} in {svg}");
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn chapter_12_runs_crowds_and_slow_handlers_and_skips_servers_without_slow_routes() {
    let dir = std::env::temp_dir().join(format!("weft-peers-ch12-{}", std::process::id()));
    // axum stands in as weft's chapter-12 app, which serves the slow routes too.
    let bin = stand_in(
        &dir.join("bin"),
        "peer-axum",
        &support::example_path("ch12_app"),
    );
    stand_in_peers(&bin);
    let prefix = dir.join("out/ch12");
    let output = peers(&[
        "--chapter",
        "12",
        "--short",
        "--servers",
        "weft-64,axum,tiny",
        "--connections",
        "2",
        "--idle",
        "5",
        "--peers-bin",
        bin.to_str().unwrap(),
        "--out",
        prefix.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    for workload in ["slow", "slow-blocking"] {
        assert!(
            stderr.contains(&format!("skipping tiny_http × {workload}")),
            "{stderr}"
        );
    }
    // One table, no ratios: chapter 12 has no `weft` row to take them of.
    assert!(!stdout.contains("÷"), "{stdout}");
    let rows: Vec<Vec<&str>> = stdout.lines().skip(2).map(support::cells).collect();
    let plan: Vec<(&str, &str, &str)> = rows.iter().map(|r| (r[1], r[2], r[0])).collect();
    assert_eq!(
        plan,
        [
            ("idle-keepalive", "5", "weft-64"),
            ("idle-keepalive", "5", "axum"),
            ("idle-keepalive", "5", "tiny_http"),
            ("slow", "2", "weft-64"),
            ("slow", "2", "axum"),
            ("slow-blocking", "2", "weft-64"),
            ("slow-blocking", "2", "axum"),
        ],
        "{stdout}"
    );
    for row in &rows {
        let rate: f64 = row[3].replace(',', "").parse().expect("requests/s");
        assert!(rate > 0.0, "nothing served: {row:?}");
        assert_eq!(
            row[6], "0",
            "errors (a crowd client let go counts): {row:?}"
        );
    }
    // weft-64 runs with its fixed 64 workers (plus the acceptor, the poller, main).
    let threads: u64 = rows[0][8].parse().expect("threads");
    assert!(threads >= 64, "{:?}", rows[0]);

    let page = fs::read_to_string(prefix.with_extension("md")).expect("PREFIX.md");
    assert!(page.contains("--chapter 12"), "{page}");
    assert!(page.contains("*connections* is the idle crowd"), "{page}");
    assert!(
        page.contains("Load for idle-keepalive: weft's own closed-loop generator"),
        "{page}"
    );
    let svg = fs::read_to_string(prefix.with_extension("svg")).expect("PREFIX.svg");
    for title in [
        ">idle-keepalive: requests per second",
        ">idle-keepalive: server memory",
        ">slow: requests per second",
        ">slow-blocking: requests per second",
    ] {
        assert!(svg.contains(title), "{title} in {svg}");
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_peer_binary_fails_its_rows_and_the_run() {
    let dir = std::env::temp_dir().join(format!("weft-peers-none-{}", std::process::id()));
    let output = peers(&[
        "--short",
        "--servers",
        "actix",
        "--connections",
        "1",
        "--workloads",
        "plaintext",
        "--peers-bin",
        dir.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("cannot start"), "{stderr}");
    assert!(stderr.contains("peer-actix"), "{stderr}");
    assert!(stderr.contains("1 row(s) failed"), "{stderr}");
}

#[test]
fn bad_flags_are_refused_and_help_lists_the_servers() {
    let output = peers(&["--servers", "nginx"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("nothing is called \"nginx\""), "{stderr}");

    let output = peers(&["--weft-workers", "0"]);
    assert_eq!(output.status.code(), Some(2));

    let output = peers(&["--chapter", "13"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--chapter: 13 has no plan"), "{stderr}");

    let output = peers(&["--help"]);
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for needle in [
        "actix-web",
        "axum",
        "may-minihttp",
        "tiny_http",
        "bare-pool",
        "rustbook",
        "weft-512",
        "slow-blocking",
        "idle-keepalive",
        "--peers-bin",
        "--loadgen",
    ] {
        assert!(help.contains(needle), "help lacks {needle}: {help}");
    }
}
