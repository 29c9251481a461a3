//! The step-comparison tool, run as the book runs it (but in `--short` mode) against chapter
//! 4's pool: it must start the server, drive every workload, and print a well-formed table and
//! results files. Speeds are never checked, only the shape of what is printed.

mod support;

use std::fs;
use std::process::Output;

/// Runs the compare example with `args` to its end (a minute at most).
fn compare(args: &[&str]) -> Output {
    support::run_example("compare", args)
}

#[test]
fn short_run_against_the_pool_prints_a_full_table_and_writes_its_files() {
    let dir = std::env::temp_dir().join(format!("weft-compare-test-{}", std::process::id()));
    let prefix = dir.join("pool");
    // --short, but a measured window long enough that a busy machine still completes a request
    // in it: the test checks that every row served something.
    let output = compare(&[
        "--short",
        "--duration-ms",
        "600",
        "--servers",
        "ch04",
        "--out",
        prefix.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");

    // Progress went to stderr, naming the server, workload and concurrency of each step.
    assert!(
        stderr.contains("[1/9] ch04 pool · hello · 1 connection · run 1/1"),
        "{stderr}"
    );

    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        support::cells(lines[0]),
        [
            "server",
            "workload",
            "connections",
            "requests/s",
            "p50",
            "p99",
            "errors",
            "peak RSS",
            "threads",
            "client CPU-s/100k req",
            "ctx switches/req (vol / invol)",
        ]
    );
    let rows: Vec<Vec<&str>> = lines[2..].iter().map(|line| support::cells(line)).collect();
    let plan: Vec<(&str, &str)> = rows.iter().map(|row| (row[1], row[2])).collect();
    assert_eq!(
        plan,
        [
            ("hello", "1"),
            ("hello", "16"),
            ("hello", "64"),
            ("slow", "1"),
            ("slow", "16"),
            ("slow", "64"),
            ("idle", "1"),
            ("idle", "10"),
            ("idle", "100"),
        ],
        "{stdout}"
    );
    for row in &rows {
        assert_eq!(row.len(), 11, "{row:?}");
        assert_eq!(row[0], "ch04 pool");
        assert!(
            row[7].ends_with("MiB") || row[7].ends_with("KiB"),
            "{row:?}"
        );
        // The pool's 64 workers and the acceptor are always there, and the pool does not grow
        // with the connections (chapter 4's point): a few more threads at most (the Ctrl-C
        // handler's), never one per connection.
        let threads: u64 = row[8].parse().expect("a thread count");
        assert!((65..=70).contains(&threads), "{row:?}");
        if row[1] == "idle" {
            assert_eq!(&row[3..6], ["–", "–", "–"], "idle rows send no requests");
            assert_eq!(&row[9..], ["–", "–"], "nor cost anything to send");
        } else {
            let rate: f64 = row[3].replace(',', "").parse().expect("requests/s");
            assert!(rate > 0.0, "the pool served nothing: {row:?}");
            assert!(row[4].ends_with('s') && row[5].ends_with('s'), "{row:?}");
            let cpu: f64 = row[9].parse().expect("client CPU-seconds");
            assert!(cpu >= 0.0, "{row:?}");
            // The pool hands every connection from the acceptor to a worker: the server's
            // threads wait at least once per request.
            let (voluntary, involuntary) = row[10].split_once(" / ").expect("vol / invol");
            let voluntary: f64 = voluntary.parse().expect("voluntary switches");
            assert!(voluntary > 0.0, "{row:?}");
            assert!(involuntary.parse::<f64>().is_ok(), "{row:?}");
        }
    }

    let page = fs::read_to_string(prefix.with_extension("md")).expect("PREFIX.md");
    assert!(page.starts_with("Measured "), "{page}");
    assert!(page.contains("cargo run"), "the page says how it was made");
    assert!(
        page.contains("Load for hello, slow: "),
        "and with what: {page}"
    );
    assert!(
        page.contains("Servers built from: ch04 pool from snapshot ch04."),
        "and from which chapter's code: {page}"
    );
    assert!(
        page.contains(&stdout.to_string()),
        "the page holds the table"
    );
    let svg = fs::read_to_string(prefix.with_extension("svg")).expect("PREFIX.svg");
    assert!(svg.starts_with("<svg") && svg.contains("ch04 pool"));
    for workload in ["hello", "slow", "idle"] {
        assert!(
            svg.contains(&format!(">{workload}: ")),
            "a chart for {workload}"
        );
    }
    let _ = fs::remove_dir_all(&dir);
}

/// Whether wrk is installed; the tests of the wrk path require it (CI installs it).
fn require_wrk() {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join("wrk").is_file()));
    assert!(found, "these tests need wrk on PATH: apt-get install wrk");
}

#[test]
fn wrk_drives_the_request_workloads_and_the_own_generator_the_pipelined_ones() {
    require_wrk();
    let dir = std::env::temp_dir().join(format!("weft-compare-wrk-{}", std::process::id()));
    let prefix = dir.join("ch05");
    let output = compare(&[
        "--short",
        "--loadgen",
        "wrk",
        "--servers",
        "ch05 keep",
        "--workloads",
        "hello,pipelined",
        "--connections",
        "4",
        "--out",
        prefix.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let rows: Vec<Vec<&str>> = stdout.lines().skip(2).map(support::cells).collect();
    assert_eq!(rows.len(), 2, "{stdout}");
    for row in &rows {
        let rate: f64 = row[3].replace(',', "").parse().expect("requests/s");
        assert!(rate > 0.0 && row[6] == "0", "{row:?}");
        assert!(row[9].parse::<f64>().is_ok(), "client CPU: {row:?}");
    }
    let page = fs::read_to_string(prefix.with_extension("md")).expect("PREFIX.md");
    assert!(page.contains("Load for hello: wrk "), "{page}");
    assert!(
        page.contains("Load for pipelined: weft's own closed-loop generator"),
        "{page}"
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn without_wrk_the_own_generator_measures_and_the_page_says_so() {
    let dir = std::env::temp_dir().join(format!("weft-compare-nowrk-{}", std::process::id()));
    let prefix = dir.join("ch04");
    let args = [
        "--short",
        "--servers",
        "ch04",
        "--workloads",
        "hello",
        "--connections",
        "2",
        "--out",
        prefix.to_str().unwrap(),
    ];
    // No wrk on an empty PATH.
    let output = support::run_example_with_env("compare", &args, &[("PATH", "")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("wrk was not found on PATH"), "{stderr}");
    let page = fs::read_to_string(prefix.with_extension("md")).expect("PREFIX.md");
    assert!(
        page.contains("Load for hello: weft's own closed-loop generator"),
        "{page}"
    );
    assert!(page.contains("wrk was not found on PATH"), "{page}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let row = support::cells(stdout.lines().nth(2).expect("a row"));
    assert!(
        row[9].parse::<f64>().is_ok(),
        "the own generator's cost: {row:?}"
    );

    // Asked for by name, a missing wrk is an error, not a quiet fallback.
    let output = support::run_example_with_env("compare", &["--loadgen", "wrk"], &[("PATH", "")]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no wrk on PATH"), "{stderr}");
    let output = compare(&["--loadgen", "ab"]);
    assert_eq!(output.status.code(), Some(2));
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn pipelining_is_skipped_for_a_server_that_closes() {
    let output = compare(&["--short", "--servers", "ch04", "--workloads", "pipelined"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("skipping ch04 pool × pipelined"),
        "{stderr}"
    );
    // Only the header and its rule: no rows.
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 2);
}

#[test]
fn unknown_names_are_refused_with_the_list_of_known_ones() {
    let output = compare(&["--servers", "ch99"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("nothing is called \"ch99\""), "{stderr}");
    assert!(
        stderr.contains("ch04 pool"),
        "the usage lists the servers: {stderr}"
    );

    let output = compare(&["--connections", "1,none"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("\"none\" is not a positive number"),
        "{stderr}"
    );
}

#[test]
fn help_lists_flags_servers_and_workloads() {
    let output = compare(&["--help"]);
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for needle in [
        "--servers",
        "--runs",
        "--out",
        "--short",
        "--loadgen",
        "ch04_pool",
        "idle",
    ] {
        assert!(help.contains(needle), "help lacks {needle}: {help}");
    }
}

#[test]
fn every_book_figure_is_the_command_its_chapter_shows() {
    let output = compare(&["--book", "--list"]);
    assert!(output.status.success());
    let listed = String::from_utf8_lossy(&output.stdout).into_owned();
    let figures: Vec<&str> = listed.lines().collect();
    assert!(figures.len() >= 9, "{listed}");
    // The chapters' commands, with their line continuations joined.
    let chapters_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("chapters");
    let mut shown = String::new();
    for entry in std::fs::read_dir(&chapters_dir).expect("chapters/") {
        let path = entry.expect("a chapter").path();
        if path.extension().is_some_and(|ext| ext == "md") {
            let text = std::fs::read_to_string(&path).expect("read a chapter");
            shown.push_str(&text.replace("\\\n    ", ""));
        }
    }
    for figure in figures {
        let command = format!("cargo run --release --example compare -- {figure}");
        assert!(shown.contains(&command), "no chapter shows `{command}`");
        let out = figure.rsplit(' ').next().expect("--out PREFIX last");
        let included = format!(
            "{{{{#include {}.md}}}}",
            out.trim_start_matches("chapters/")
        );
        assert!(shown.contains(&included), "no chapter includes {out}.md");
    }
}
