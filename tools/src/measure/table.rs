//! The comparison's results as one Markdown table, and the page around it that says when,
//! where and how the figures were measured, so the book can include the file verbatim.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::loadgen::Errors;
use super::procfs::Machine;

/// One line of the table: one server under one workload at one concurrency.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The server's label (`ch04 pool`).
    pub server: String,
    /// The workload's name (`hello`, `slow`, `idle`).
    pub workload: String,
    /// Client connections: concurrent requesters, or idle connections held open.
    pub connections: usize,
    /// Successful responses per second; `None` for a workload that sends no requests.
    pub rate: Option<f64>,
    /// Median latency.
    pub p50: Option<Duration>,
    /// 99th-percentile latency.
    pub p99: Option<Duration>,
    /// Errors during the measured window (or failed connects, for idle connections).
    pub errors: Errors,
    /// The server's peak resident memory (`VmHWM`) in KiB, if it could be read.
    pub peak_rss_kib: Option<u64>,
    /// The most threads the server had at once, if they could be read.
    pub threads: Option<u64>,
    /// The load generator's CPU-seconds per 100,000 requests, if measured: what the client
    /// took from the cores it shares with the server.
    pub client_cpu: Option<f64>,
    /// The server's context switches per request, voluntary and involuntary, if measured.
    pub switches: Option<(f64, f64)>,
}

impl Row {
    /// A row for `server` under `workload` at `connections`, with nothing measured yet.
    pub fn new(server: &str, workload: &str, connections: usize) -> Row {
        Row {
            server: server.to_string(),
            workload: workload.to_string(),
            connections,
            rate: None,
            p50: None,
            p99: None,
            errors: Errors::default(),
            peak_rss_kib: None,
            threads: None,
            client_cpu: None,
            switches: None,
        }
    }
}

const HEADER: &str =
    "| server | workload | connections | requests/s | p50 | p99 | errors | peak RSS | threads |";
const RULE: &str = "|---|---|--:|--:|--:|--:|--:|--:|--:|";

/// The two columns of what a run cost, shown when any row has a figure for them.
const COSTS_HEADER: &str = " client CPU-s/100k req | ctx switches/req (vol / invol) |";

/// The rows as a Markdown table, one line per row, in the order given.
pub fn markdown(rows: &[Row]) -> String {
    let costs = rows
        .iter()
        .any(|row| row.client_cpu.is_some() || row.switches.is_some());
    let mut table = String::from(HEADER);
    if costs {
        table.push_str(COSTS_HEADER);
    }
    table.push('\n');
    table.push_str(RULE);
    if costs {
        table.push_str("--:|--:|");
    }
    table.push('\n');
    let dash = || "–".to_string();
    for row in rows {
        let _ = write!(
            table,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&row.server),
            cell(&row.workload),
            row.connections,
            row.rate.map_or_else(dash, format_rate),
            row.p50.map_or_else(dash, format_latency),
            row.p99.map_or_else(dash, format_latency),
            row.errors,
            row.peak_rss_kib.map_or_else(dash, format_kib),
            row.threads.map_or_else(dash, |t| t.to_string()),
        );
        if costs {
            let _ = write!(
                table,
                " {} | {} |",
                row.client_cpu.map_or_else(dash, |s| format!("{s:.2}")),
                row.switches
                    .map_or_else(dash, |(v, i)| format!("{} / {}", per(v), per(i))),
            );
        }
        table.push('\n');
    }
    table
}

/// A count per request: two decimals, or three significant figures below 0.1 (`0.0042`), so
/// that a rare switch is not printed as none.
fn per(value: f64) -> String {
    if value == 0.0 || value >= 0.1 {
        format!("{value:.2}")
    } else {
        let digits = (2 - value.log10().floor() as i32).max(2) as usize;
        format!("{value:.digits$}")
    }
}

/// What a results page says about how its figures were produced.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// When the run started.
    pub when: SystemTime,
    /// The machine it ran on.
    pub machine: Machine,
    /// The command that produced it, as a reader would type it.
    pub command: String,
    /// How many runs each row is the median of.
    pub runs: usize,
    /// The warm-up and measured durations of each load run.
    pub warmup: Duration,
    /// See `warmup`.
    pub duration: Duration,
    /// What generated the load, in a sentence or two (which generator, for which rows, and
    /// any note on why).
    pub generator: String,
    /// What the servers were built from, in a sentence (the compare tool builds each
    /// chapter's server from that chapter's snapshot); empty when there is nothing to say.
    pub built: String,
}

/// The whole results page: a sentence on provenance, then the table.
pub fn document(rows: &[Row], how: &Provenance) -> String {
    let m = &how.machine;
    let mut page = String::new();
    let _ = writeln!(
        page,
        "Measured {} on {} CPU{} ({}), {}, over loopback. \
         Each row is the median of {} run{} by requests/s (by peak RSS for idle rows); \
         each load run warmed up for {} ms, then measured for {} ms. Produced by:\n",
        utc_timestamp(how.when),
        m.cpus,
        if m.cpus == 1 { "" } else { "s" },
        m.cpu_model,
        m.kernel,
        how.runs,
        if how.runs == 1 { "" } else { "s" },
        how.warmup.as_millis(),
        how.duration.as_millis(),
    );
    let _ = writeln!(page, "```sh\n{}\n```\n", how.command);
    if !how.generator.is_empty() {
        let _ = writeln!(page, "{}\n", how.generator);
    }
    if !how.built.is_empty() {
        let _ = writeln!(page, "{}\n", how.built);
    }
    page.push_str(&markdown(rows));
    page
}

/// Escapes what would break a Markdown table cell: `|` ends the cell, a newline the row.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// `12345.6` → `12,346`: whole requests per second with thousands separated.
pub fn format_rate(rate: f64) -> String {
    let whole = rate.round().max(0.0) as u64;
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A latency in the unit that reads best: `85 µs`, `10.3 ms`, `1.25 s`.
pub fn format_latency(latency: Duration) -> String {
    let micros = latency.as_micros();
    if micros < 1_000 {
        format!("{micros} µs")
    } else if micros < 100_000 {
        format!("{:.1} ms", micros as f64 / 1e3)
    } else if micros < 1_000_000 {
        format!("{:.0} ms", micros as f64 / 1e3)
    } else {
        format!("{:.2} s", micros as f64 / 1e6)
    }
}

/// A size in KiB as `812 KiB` or `3.9 MiB`.
pub fn format_kib(kib: u64) -> String {
    if kib < 1024 {
        format!("{kib} KiB")
    } else {
        format!("{:.1} MiB", kib as f64 / 1024.0)
    }
}

/// The index of the median of `values` (the lower middle one for an even count), or `None`
/// for no values. The median run is reported whole, rather than a median of each column, so
/// that a row's figures all come from one real run.
pub fn median_index(values: &[f64]) -> Option<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    order.get(values.len().saturating_sub(1) / 2).copied()
}

/// `when` as `2026-11-26 04:17 UTC`: RFC 3339 from `humantime`, cut to the minute.
pub fn utc_timestamp(when: SystemTime) -> String {
    // `2026-11-26T04:17:09Z`: the date, then the hours and minutes.
    let rfc3339 = humantime::format_rfc3339_seconds(when.max(UNIX_EPOCH)).to_string();
    format!("{} {} UTC", &rfc3339[..10], &rfc3339[11..16])
}

/// The command a reader types to reproduce a run of `example` with `args`: what every
/// results page prints above its table. Arguments that a shell would split or expand are
/// quoted.
pub fn command_line(example: &str, args: &[String], release: bool) -> String {
    let mut command = String::from("cargo run");
    if release {
        command.push_str(" --release");
    }
    command.push_str(" --example ");
    command.push_str(example);
    if !args.is_empty() {
        command.push_str(" --");
        for arg in args {
            let plain = arg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.,/:=".contains(c));
            if plain {
                command.push(' ');
                command.push_str(arg);
            } else {
                command.push_str(&format!(" '{}'", arg.replace('\'', r"'\''")));
            }
        }
    }
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_quotes_what_a_shell_would_split() {
        let args: Vec<String> = ["--servers", "ch02,ch04", "--out", "it's here"]
            .iter()
            .map(|arg| arg.to_string())
            .collect();
        assert_eq!(
            command_line("compare", &args, true),
            r"cargo run --release --example compare -- --servers ch02,ch04 --out 'it'\''s here'"
        );
        assert_eq!(
            command_line("peers", &[], false),
            "cargo run --example peers"
        );
    }

    fn row() -> Row {
        Row {
            server: "ch04 pool".into(),
            workload: "hello".into(),
            connections: 16,
            rate: Some(12_345.6),
            p50: Some(Duration::from_micros(850)),
            p99: Some(Duration::from_micros(10_340)),
            errors: Errors::default(),
            peak_rss_kib: Some(4_000),
            threads: Some(66),
            client_cpu: None,
            switches: None,
        }
    }

    #[test]
    fn a_table_has_a_header_and_a_line_per_row() {
        let idle = Row {
            workload: "idle".into(),
            connections: 1000,
            rate: None,
            p50: None,
            p99: None,
            threads: None,
            ..row()
        };
        let table = markdown(&[row(), idle]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4, "{table}");
        assert!(lines[0].starts_with("| server | workload |"));
        assert_eq!(
            lines[2],
            "| ch04 pool | hello | 16 | 12,346 | 850 µs | 10.3 ms | 0 | 3.9 MiB | 66 |"
        );
        assert_eq!(
            lines[3],
            "| ch04 pool | idle | 1000 | – | – | – | 0 | 3.9 MiB | – |"
        );
        // Every line has the same number of cells as the header.
        let cells = |line: &str| line.matches('|').count();
        assert!(lines.iter().all(|line| cells(line) == cells(lines[0])));
    }

    #[test]
    fn costs_get_two_columns_when_measured() {
        let measured = Row {
            client_cpu: Some(0.8449),
            switches: Some((2.004, 0.00423)),
            ..row()
        };
        let idle = Row {
            workload: "idle".into(),
            ..row()
        };
        let table = markdown(&[measured, idle]);
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[0].ends_with("| client CPU-s/100k req | ctx switches/req (vol / invol) |"));
        assert!(
            lines[2].ends_with("| 66 | 0.84 | 2.00 / 0.00423 |"),
            "{}",
            lines[2]
        );
        assert!(lines[3].ends_with("| 66 | – | – |"), "{}", lines[3]);
        let cells = |line: &str| line.matches('|').count();
        assert!(lines.iter().all(|line| cells(line) == cells(lines[0])));
        let per_cases = [
            (0.0, "0.00"),
            (0.1, "0.10"),
            (12.345, "12.35"),
            (0.0123, "0.0123"),
        ];
        for (value, text) in per_cases {
            assert_eq!(per(value), text);
        }
    }

    #[test]
    fn cells_escape_pipes_and_newlines() {
        let odd = Row {
            server: "a|b\nc".into(),
            ..row()
        };
        assert!(markdown(&[odd]).contains("| a\\|b c | hello |"));
    }

    #[test]
    fn format_table() {
        let rates = [
            (0.0, "0"),
            (999.4, "999"),
            (1_000.0, "1,000"),
            (1_234_567.0, "1,234,567"),
        ];
        for (rate, text) in rates {
            assert_eq!(format_rate(rate), text);
        }
        let latencies = [
            (85, "85 µs"),
            (1_000, "1.0 ms"),
            (99_949, "99.9 ms"),
            (640_000, "640 ms"),
            (1_250_000, "1.25 s"),
        ];
        for (micros, text) in latencies {
            assert_eq!(format_latency(Duration::from_micros(micros)), text);
        }
        let sizes = [(812, "812 KiB"), (1024, "1.0 MiB"), (4_000, "3.9 MiB")];
        for (kib, text) in sizes {
            assert_eq!(format_kib(kib), text);
        }
    }

    #[test]
    fn median_index_picks_the_middle_run() {
        assert_eq!(median_index(&[]), None);
        assert_eq!(median_index(&[5.0]), Some(0));
        assert_eq!(median_index(&[30.0, 10.0, 20.0]), Some(2));
        assert_eq!(
            median_index(&[4.0, 1.0, 3.0, 2.0]),
            Some(3),
            "the lower middle"
        );
    }

    #[test]
    fn timestamps_are_utc_dates() {
        let at = |secs| utc_timestamp(UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0), "1970-01-01 00:00 UTC");
        assert_eq!(at(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(at(1_795_667_820), "2026-11-26 04:37 UTC");
    }

    #[test]
    fn the_document_says_how_it_was_made() {
        let how = Provenance {
            when: UNIX_EPOCH,
            machine: Machine {
                cpus: 2,
                cpu_model: "Test CPU".into(),
                kernel: "Linux 6.1".into(),
            },
            command: "cargo run --release --example compare".into(),
            runs: 3,
            warmup: Duration::from_secs(1),
            duration: Duration::from_secs(5),
            generator: "Load: wrk 4.1.0.".into(),
            built: "Built from snapshot ch04.".into(),
        };
        let page = document(&[row()], &how);
        assert!(page.starts_with("Measured 1970-01-01 00:00 UTC on 2 CPUs (Test CPU), Linux 6.1"));
        assert!(page.contains("median of 3 runs"));
        assert!(page
            .contains("```sh\ncargo run --release --example compare\n```\n\nLoad: wrk 4.1.0.\n\n"));
        assert!(page.contains("\n\nBuilt from snapshot ch04.\n\n"));
        assert!(page.ends_with(&markdown(&[row()])));
    }
}
