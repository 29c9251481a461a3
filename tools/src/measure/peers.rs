//! Chapter 11: reading weft's figures against its peers'. The peer comparison
//! (`examples/peers.rs`) measures weft and five other Rust servers with the same load
//! generator; this module turns its rows into what the chapter's goals are stated in: ratios
//! within one run ("weft ÷ actix-web at 16 connections"). Its charts are [`super::chart`]'s.
//!
//! Ratios are taken inside one run on purpose. On a shared, noisy machine the absolute
//! requests/s of two runs minutes apart can differ by a fifth; two servers measured one after
//! the other, under the same noise, differ far less from run to run.

use std::fmt::Write as _;

use super::table::{format_rate, Row};

/// One group of rows: a workload at a number of connections, one row per server.
#[derive(Debug, Clone, PartialEq)]
pub struct Ratios {
    /// The workload's name.
    pub workload: String,
    /// The connections every row of the group was measured with.
    pub connections: usize,
    /// The subject's requests/s, if it was measured.
    pub subject: Option<f64>,
    /// `subject ÷ peer` for each peer, in the order of [`ratio_table`]'s columns; `None` when
    /// either side has no rate (not measured, or nothing succeeded).
    pub ratios: Vec<Option<f64>>,
    /// Whether the subject's row or that peer's row counted errors, per peer.
    pub errors: Vec<bool>,
}

/// The servers other than `subject` in `rows`, in order of first appearance: the columns.
pub fn peers_of<'a>(rows: &'a [Row], subject: &str) -> Vec<&'a str> {
    let mut peers: Vec<&str> = Vec::new();
    for row in rows {
        if row.server != subject && !peers.contains(&row.server.as_str()) {
            peers.push(&row.server);
        }
    }
    peers
}

/// `subject`'s requests/s divided by each peer's, per workload and number of connections, in
/// order of first appearance. A ratio above 1 means the subject served more.
pub fn ratios(rows: &[Row], subject: &str) -> Vec<Ratios> {
    let peers = peers_of(rows, subject);
    let mut groups: Vec<(&str, usize)> = Vec::new();
    for row in rows {
        let key = (row.workload.as_str(), row.connections);
        if !groups.contains(&key) {
            groups.push(key);
        }
    }
    groups
        .into_iter()
        .map(|(workload, connections)| {
            let find = |server: &str| {
                rows.iter().find(|row| {
                    row.server == server
                        && row.workload == workload
                        && row.connections == connections
                })
            };
            let mine = find(subject);
            let rate = |row: Option<&Row>| row.and_then(|row| row.rate).filter(|&r| r > 0.0);
            let failed = |row: Option<&Row>| row.is_some_and(|row| row.errors.total() > 0);
            let (mut ratios, mut errors) = (Vec::new(), Vec::new());
            for peer in &peers {
                let theirs = find(peer);
                ratios.push(rate(mine).zip(rate(theirs)).map(|(a, b)| a / b));
                errors.push(failed(mine) || failed(theirs));
            }
            Ratios {
                workload: workload.to_string(),
                connections,
                subject: rate(mine),
                ratios,
                errors,
            }
        })
        .collect()
}

/// The ratios as a Markdown table: a line per workload and number of connections, a column
/// `subject ÷ peer` per peer. A ratio marked `*` compares rows of which one counted errors.
pub fn ratio_table(rows: &[Row], subject: &str) -> String {
    let peers = peers_of(rows, subject);
    let mut table = format!("| workload | connections | {subject} requests/s |");
    for peer in &peers {
        let _ = write!(table, " {subject} ÷ {peer} |");
    }
    table.push_str("\n|---|--:|--:|");
    table.push_str(&"--:|".repeat(peers.len()));
    table.push('\n');
    for group in ratios(rows, subject) {
        let _ = write!(
            table,
            "| {} | {} | {} |",
            group.workload,
            group.connections,
            group.subject.map_or_else(|| "–".into(), format_rate)
        );
        for (ratio, errors) in group.ratios.iter().zip(&group.errors) {
            let mark = if *errors { "*" } else { "" };
            match ratio {
                Some(ratio) => {
                    let _ = write!(table, " {ratio:.2}{mark} |");
                }
                None => table.push_str(" – |"),
            }
        }
        table.push('\n');
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::chart::{memory_chart, requests_chart};
    use crate::measure::loadgen::Errors;

    fn row(server: &str, workload: &str, connections: usize, rate: Option<f64>) -> Row {
        Row {
            rate,
            ..Row::new(server, workload, connections)
        }
    }

    fn rows() -> Vec<Row> {
        vec![
            row("weft", "plaintext", 16, Some(90_000.0)),
            row("actix-web", "plaintext", 16, Some(180_000.0)),
            row("tiny_http", "plaintext", 16, Some(60_000.0)),
            row("weft", "plaintext", 64, Some(100_000.0)),
            row("actix-web", "plaintext", 64, Some(200_000.0)),
            row("tiny_http", "plaintext", 64, None),
            row("weft", "json", 16, Some(0.0)),
            row("actix-web", "json", 16, Some(150_000.0)),
            Row {
                errors: Errors {
                    timeout: 3,
                    ..Errors::default()
                },
                ..row("tiny_http", "json", 16, Some(50_000.0))
            },
        ]
    }

    #[test]
    fn ratios_per_group_and_peer() {
        // (workload, connections, weft ÷ each peer, errors in either row)
        type Line<'a> = (&'a str, usize, Vec<Option<f64>>, Vec<bool>);
        let groups = ratios(&rows(), "weft");
        let table: Vec<Line> = groups
            .iter()
            .map(|g| {
                let ratios = g.ratios.clone();
                (g.workload.as_str(), g.connections, ratios, g.errors.clone())
            })
            .collect();
        assert_eq!(
            table,
            [
                ("plaintext", 16, vec![Some(0.5), Some(1.5)], vec![false; 2]),
                ("plaintext", 64, vec![Some(0.5), None], vec![false; 2]),
                // A subject that served nothing has no ratio, rather than a ratio of 0.
                ("json", 16, vec![None, None], vec![false, true]),
            ]
        );
        assert_eq!(peers_of(&rows(), "weft"), ["actix-web", "tiny_http"]);
    }

    #[test]
    fn the_ratio_table_has_a_column_per_peer() {
        let table = ratio_table(&rows(), "weft");
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines,
            [
                "| workload | connections | weft requests/s | weft ÷ actix-web | weft ÷ tiny_http |",
                "|---|--:|--:|--:|--:|",
                "| plaintext | 16 | 90,000 | 0.50 | 1.50 |",
                "| plaintext | 64 | 100,000 | 0.50 | – |",
                "| json | 16 | – | – | – |",
            ]
        );
        let with_errors = [
            row("weft", "json", 1, Some(1_000.0)),
            Row {
                errors: Errors {
                    reset: 1,
                    ..Errors::default()
                },
                ..row("tiny_http", "json", 1, Some(2_000.0))
            },
        ];
        assert!(ratio_table(&with_errors, "weft").contains("| json | 1 | 1,000 | 0.50* |"));
    }

    #[test]
    fn a_chart_per_workload_groups_by_connections() {
        let chart = requests_chart("plaintext", &rows());
        assert_eq!(chart.groups, ["16 connections", "64 connections"]);
        assert_eq!(chart.series, ["weft", "actix-web", "tiny_http"]);
        assert_eq!(
            chart.values,
            [
                vec![Some(90_000.0), Some(180_000.0), Some(60_000.0)],
                vec![Some(100_000.0), Some(200_000.0), None],
            ]
        );
        assert!(chart.title.starts_with("plaintext: requests per second"));
    }

    #[test]
    fn a_memory_chart_shows_mib() {
        let mut rows = rows();
        rows[0].peak_rss_kib = Some(2048);
        rows[4].peak_rss_kib = Some(512);
        let chart = memory_chart("plaintext", &rows);
        assert_eq!(chart.groups, ["16 connections", "64 connections"]);
        assert_eq!(
            chart.values,
            [vec![Some(2.0), None, None], vec![None, Some(0.5), None]]
        );
        assert_eq!(chart.unit, "peak RSS, MiB");
        assert!(chart.title.starts_with("plaintext: server memory"));
    }
}
