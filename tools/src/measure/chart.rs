//! A grouped bar chart as a small, hand-written SVG file.
//!
//! SVG is XML text, so a chart is a title, a legend, axis lines and one `<rect>` per bar,
//! written with `format!`. That is less code than learning a plotting crate, the output reads
//! well in a diff, and an mdBook page shows it with a plain image link.

use std::fmt::Write as _;

use super::table::Row;

/// Bars in groups: one group per x-axis label, one bar per series in every group.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// The title across the top.
    pub title: String,
    /// What the bars measure, with its unit (`requests/s`), written along the y axis.
    pub unit: String,
    /// The group labels along the x axis; a `\n` starts a second line.
    pub groups: Vec<String>,
    /// The series names shown in the legend, one bar colour each.
    pub series: Vec<String>,
    /// `values[group][series]`: a bar's height, or `None` where there is no figure.
    pub values: Vec<Vec<Option<f64>>>,
}

/// Colours that stay distinct for colour-blind readers (Okabe and Ito's palette).
const PALETTE: &[&str] = &[
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
];

const BAR: f64 = 22.0;
const GROUP_GAP: f64 = 40.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 70.0;
const PLOT_HEIGHT: f64 = 260.0;
const BOTTOM: f64 = 48.0;
const TICKS: usize = 5;

impl BarChart {
    /// The chart as a complete SVG document.
    pub fn to_svg(&self) -> String {
        stack(std::slice::from_ref(self))
    }

    /// The chart's plot width (without margins) and the width of its legend.
    fn widths(&self) -> (f64, f64) {
        let bars = self.series.len().max(1) as f64;
        let plot = (self.groups.len() as f64 * (bars * BAR + GROUP_GAP)).max(300.0);
        let legend = self
            .series
            .iter()
            .map(|name| 26.0 + 7.0 * name.chars().count() as f64)
            .sum();
        (plot, legend)
    }

    /// The width and height this chart needs: room for the plot, the legend and the title
    /// (bold 14 px text, about 8 px a character), whichever is widest.
    fn size(&self) -> (f64, f64) {
        let (plot, legend) = self.widths();
        let title = 8.0 * self.title.chars().count() as f64;
        (
            (LEFT + plot + RIGHT)
                .max(legend + 2.0 * RIGHT)
                .max(title + 2.0 * RIGHT),
            TOP + PLOT_HEIGHT + BOTTOM,
        )
    }

    /// The chart's elements, for an SVG document `width` wide, with its top at y = 0.
    fn body(&self, width: f64) -> String {
        let bars = self.series.len().max(1) as f64;
        let group_width = bars * BAR + GROUP_GAP;
        let (plot_width, _) = self.widths();
        let top = nice_ceiling(
            self.values
                .iter()
                .flatten()
                .flatten()
                .fold(0.0, |max: f64, &v| max.max(v)),
        );
        let y = |value: f64| TOP + PLOT_HEIGHT * (1.0 - value / top);

        let mut svg = String::new();
        let _ = writeln!(
            svg,
            r#"<text x="{:.0}" y="20" font-size="14" font-weight="bold" text-anchor="middle">{}</text>"#,
            width / 2.0,
            escape(&self.title)
        );
        // The legend: a swatch and a name per series, in one row under the title.
        let mut x = RIGHT;
        for (i, name) in self.series.iter().enumerate() {
            let _ = writeln!(
                svg,
                r#"<rect x="{x:.0}" y="32" width="12" height="12" fill="{}"/><text x="{:.0}" y="42">{}</text>"#,
                PALETTE[i % PALETTE.len()],
                x + 16.0,
                escape(name)
            );
            x += 26.0 + 7.0 * name.chars().count() as f64;
        }
        // The y axis: gridlines with their values, and the unit along the side.
        for tick in 0..=TICKS {
            let value = top * tick as f64 / TICKS as f64;
            let _ = writeln!(
                svg,
                r##"<line x1="{LEFT}" x2="{right:.0}" y1="{at:.1}" y2="{at:.1}" stroke="#ddd"/><text x="{label_x:.0}" y="{label_y:.1}" text-anchor="end">{text}</text>"##,
                right = LEFT + plot_width,
                at = y(value),
                label_x = LEFT - 6.0,
                label_y = y(value) + 4.0,
                text = format_tick(value)
            );
        }
        let _ = writeln!(
            svg,
            r#"<text transform="translate(16 {:.0}) rotate(-90)" text-anchor="middle">{}</text>"#,
            TOP + PLOT_HEIGHT / 2.0,
            escape(&self.unit)
        );
        // The bars, group by group, each with its value above it and as a tooltip.
        for (g, group) in self.groups.iter().enumerate() {
            let left = LEFT + g as f64 * group_width + GROUP_GAP / 2.0;
            for (s, value) in self.values.get(g).into_iter().flatten().enumerate() {
                let Some(value) = value else { continue };
                let x = left + s as f64 * BAR;
                let _ = writeln!(
                    svg,
                    r#"<rect x="{x:.1}" y="{:.1}" width="{:.0}" height="{:.1}" fill="{}"><title>{}: {}</title></rect><text transform="translate({:.1} {:.1}) rotate(-90)" font-size="9">{}</text>"#,
                    y(*value),
                    BAR - 2.0,
                    PLOT_HEIGHT - (y(*value) - TOP),
                    PALETTE[s % PALETTE.len()],
                    escape(self.series.get(s).map_or("", String::as_str)),
                    format_tick(*value),
                    x + BAR / 2.0 + 2.0,
                    y(*value) - 3.0,
                    format_tick(*value)
                );
            }
            for (line, text) in group.lines().enumerate() {
                let _ = writeln!(
                    svg,
                    r#"<text x="{:.1}" y="{:.0}" text-anchor="middle">{}</text>"#,
                    left + bars * BAR / 2.0,
                    TOP + PLOT_HEIGHT + 16.0 + 13.0 * line as f64,
                    escape(text)
                );
            }
        }
        let _ = writeln!(
            svg,
            r#"<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{0:.0}" stroke="black"/><line x1="{LEFT}" x2="{1:.0}" y1="{0:.0}" y2="{0:.0}" stroke="black"/>"#,
            TOP + PLOT_HEIGHT,
            LEFT + plot_width
        );
        svg
    }
}

/// Several charts one above the other in one SVG document, each with its own scale: bars of
/// 100 requests/s stay visible beside a chart of 10,000.
pub fn stack(charts: &[BarChart]) -> String {
    let width = charts.iter().map(|c| c.size().0).fold(0.0, f64::max);
    let height: f64 = charts.iter().map(|c| c.size().1).sum();
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif" font-size="11">"#
    );
    svg.push_str("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    let mut y = 0.0;
    for chart in charts {
        let _ = writeln!(svg, r#"<g transform="translate(0 {y:.0})">"#);
        svg.push_str(&chart.body(width));
        svg.push_str("</g>\n");
        y += chart.size().1;
    }
    svg.push_str("</svg>\n");
    svg
}

/// Escapes text for an SVG (XML) text node or attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters even when escaped.
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least `max`: a y-axis top
/// whose five gridlines fall on round numbers.
fn nice_ceiling(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|step| step * power)
        .find(|&top| top >= max)
        .unwrap_or(10.0 * power)
}

/// A short axis or bar label: `850`, `12.5k`, `1.2M`.
fn format_tick(value: f64) -> String {
    let trim = |s: String| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    if value >= 1e6 {
        format!("{}M", trim(format!("{:.1}", value / 1e6)))
    } else if value >= 1e3 {
        format!("{}k", trim(format!("{:.1}", value / 1e3)))
    } else {
        trim(format!("{value:.1}"))
    }
}

/// One workload's rows as a chart of requests/s: a group of bars per number of connections,
/// a bar per server, in the order the rows come. The step-comparison tool and the peer
/// comparison both draw their charts with this and [`memory_chart`].
pub fn requests_chart(workload: &str, rows: &[Row]) -> BarChart {
    BarChart {
        title: format!("{workload}: requests per second (higher is better)"),
        ..chart_of(workload, rows, |row| row.rate)
    }
}

/// One workload's rows as bars of `value`: a group per number of connections, a bar per
/// server, in the order the rows come. The title is left for the caller.
fn chart_of(workload: &str, rows: &[Row], value: impl Fn(&Row) -> Option<f64>) -> BarChart {
    let rows: Vec<&Row> = rows.iter().filter(|row| row.workload == workload).collect();
    let mut groups: Vec<usize> = Vec::new();
    let mut series: Vec<&str> = Vec::new();
    for row in &rows {
        if !groups.contains(&row.connections) {
            groups.push(row.connections);
        }
        if !series.contains(&row.server.as_str()) {
            series.push(&row.server);
        }
    }
    let values = groups
        .iter()
        .map(|&connections| {
            series
                .iter()
                .map(|&server| {
                    rows.iter()
                        .find(|row| row.server == server && row.connections == connections)
                        .and_then(|row| value(row))
                })
                .collect()
        })
        .collect();
    BarChart {
        title: String::new(),
        unit: "requests/s".to_string(),
        groups: groups
            .iter()
            .map(|n| format!("{n} connection{}", if *n == 1 { "" } else { "s" }))
            .collect(),
        series: series.iter().map(|s| s.to_string()).collect(),
        values,
    }
}

/// Chapter 12: one workload's rows as a chart of the server's peak memory in MiB, grouped as
/// [`requests_chart`] groups them.
pub fn memory_chart(workload: &str, rows: &[Row]) -> BarChart {
    BarChart {
        title: format!("{workload}: server memory (lower is better)"),
        unit: "peak RSS, MiB".to_string(),
        ..chart_of(workload, rows, |row| {
            row.peak_rss_kib.map(|kib| kib as f64 / 1024.0)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> BarChart {
        BarChart {
            title: "hello & <goodbye>".into(),
            unit: "requests/s".into(),
            groups: vec!["hello\n1 conn".into(), "slow\n16 conns".into()],
            series: vec!["ch02 \"blocking\"".into(), "ch04 pool".into()],
            values: vec![vec![Some(900.0), Some(12_000.0)], vec![Some(95.0), None]],
        }
    }

    #[test]
    fn escape_table() {
        let cases = [
            ("plain", "plain"),
            ("a & b", "a &amp; b"),
            ("<svg>", "&lt;svg&gt;"),
            ("say \"hi\" it's", "say &quot;hi&quot; it&apos;s"),
            ("bell\u{7}", "bell\u{FFFD}"),
        ];
        for (text, escaped) in cases {
            assert_eq!(escape(text), escaped);
        }
    }

    #[test]
    fn one_rect_per_value_and_text_escaped() {
        let svg = chart().to_svg();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.trim_end().ends_with("</svg>"));
        // Background, two legend swatches, three bars (one value is missing).
        assert_eq!(svg.matches("<rect").count(), 1 + 2 + 3, "{svg}");
        assert!(svg.contains("hello &amp; &lt;goodbye&gt;"));
        assert!(svg.contains("ch02 &quot;blocking&quot;"));
        assert!(!svg.contains("<goodbye>"));
        // Both lines of a group label are written.
        assert!(svg.contains(">slow</text>") && svg.contains(">16 conns</text>"));
    }

    #[test]
    fn stacked_charts_share_one_document() {
        let mut slow = chart();
        slow.title = "slow".into();
        let svg = stack(&[chart(), slow]);
        assert_eq!(svg.matches("<svg").count(), 1);
        assert_eq!(svg.matches("<g transform").count(), 2);
        assert!(svg.contains(r#"<g transform="translate(0 378)">"#), "{svg}");
        assert!(svg.contains(">slow</text>"));
    }

    #[test]
    fn the_tallest_bar_fits_under_a_round_top() {
        assert_eq!(nice_ceiling(12_000.0), 20_000.0);
        assert_eq!(nice_ceiling(2_400.0), 2_500.0);
        assert_eq!(nice_ceiling(5_000.0), 5_000.0);
        assert_eq!(nice_ceiling(0.0), 1.0);
        let svg = chart().to_svg();
        assert!(svg.contains(">20k</text>"), "the axis ends at 20k: {svg}");
    }

    #[test]
    fn format_tick_table() {
        let cases = [
            (0.0, "0"),
            (95.0, "95"),
            (2.5, "2.5"),
            (12_000.0, "12k"),
            (12_345.0, "12.3k"),
            (1_500_000.0, "1.5M"),
        ];
        for (value, text) in cases {
            assert_eq!(format_tick(value), text);
        }
    }
}
