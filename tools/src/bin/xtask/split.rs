//! The splitter: one source file with chapter markers in, the file as it stands at the end of
//! one chapter out. The markers are described in `DESIGN.md` beside this file.

use std::fmt;

/// How a file writes its comments, and so its markers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Rust: `// > ch05` … `// < ch05`, and `/* ch01 < ch11` … `*/` for replaced code.
    Rust,
    /// TOML (the `Cargo.toml` files): `# > ch05` … `# < ch05`, and `# /* ch01 < ch11` …
    /// `# */` with every line of the replaced code commented with `#`.
    Toml,
}

impl Style {
    /// The style of the file at `path`, or `None` for a file copied as it is.
    pub fn of(path: &str) -> Option<Style> {
        if path.ends_with(".rs") {
            Some(Style::Rust)
        } else if path.ends_with(".toml") {
            Some(Style::Toml)
        } else {
            None
        }
    }

    /// The line comment's opening: `//` or `#`.
    fn comment(self) -> &'static str {
        match self {
            Style::Rust => "//",
            Style::Toml => "#",
        }
    }
}

/// A marker that does not fit: the file, its 1-based line, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkerError {
    /// The file, as given to [`split`].
    pub file: String,
    /// The line of the offending marker, counted from 1.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for MarkerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for MarkerError {}

/// What one line of a file is to the splitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    /// `// > chNN`: a block that arrives in chapter NN opens.
    Arrive(u32),
    /// `// < chNN`: the block that arrived in chapter NN closes.
    Close(u32),
    /// `/* chAA < chBB` (or `/* < chBB`): code that chapter BB replaced opens.
    Replaced(Option<u32>, u32),
    /// `*/` (`# */`): a replaced block closes.
    EndReplaced,
    /// Code followed by `// > chNN`: this one line arrives in chapter NN.
    Single(u32),
    /// Anything else.
    Text,
}

/// An open block: the chapters it shows in (`from..until`) and the line that opened it.
#[derive(Debug, Clone, Copy)]
struct Frame {
    from: u32,
    until: Option<u32>,
    replaced: bool,
    line: usize,
}

impl Frame {
    fn shows_in(&self, chapter: u32) -> bool {
        self.from <= chapter && self.until.map_or(true, |until| chapter < until)
    }

    fn describe(&self) -> String {
        match (self.replaced, self.until) {
            (true, Some(until)) => format!(
                "the code replaced in ch{until:02} (line {}, shown from ch{:02})",
                self.line, self.from
            ),
            _ => format!(
                "the block arriving in ch{:02} (line {})",
                self.from, self.line
            ),
        }
    }
}

/// `text` as it stands at the end of `chapter`: the lines whose blocks arrived by then, the
/// replaced code still current then (uncommented), no marker line. `file` only names the
/// file in errors. Chapters run from 1 to `last`; a marker outside that range is an error.
pub fn split(
    file: &str,
    text: &str,
    style: Style,
    chapter: u32,
    last: u32,
) -> Result<String, MarkerError> {
    let error = |line: usize, message: String| MarkerError {
        file: file.to_string(),
        line,
        message,
    };
    let mut stack: Vec<Frame> = Vec::new();
    let mut out = String::with_capacity(text.len());
    // A blank line is dropped when the line before it in the output is blank and lines
    // were left out between them, so that a block left out leaves no double blank line.
    let mut last_blank = false;
    let mut skipped_since = false;
    let mut after_single = false;
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let number = index + 1;
        let in_replaced = stack.last().is_some_and(|frame| frame.replaced);
        let kind = classify(raw, style, in_replaced).map_err(|message| error(number, message))?;
        if after_single && matches!(kind, Line::Replaced(..)) && style == Style::Rust {
            return Err(error(
                number,
                "replaced code right after a one-line marker: rustfmt aligns the block comment \
                 with that marker's comment; put the replaced code first"
                    .into(),
            ));
        }
        after_single = matches!(kind, Line::Single(_));
        for chapter in chapters_of(kind) {
            if chapter == 0 || chapter > last {
                return Err(error(
                    number,
                    format!("ch{chapter:02} is not a chapter (they run from ch01 to ch{last:02})"),
                ));
            }
        }
        let enclosing = stack.last().copied();
        let from_outside = enclosing.map_or(1, |frame| frame.from);
        match kind {
            Line::Arrive(from) | Line::Single(from) => {
                if let Some(frame) = enclosing {
                    if from < frame.from {
                        return Err(error(
                            number,
                            format!(
                                "ch{from:02} arrives inside {}, which comes later",
                                frame.describe()
                            ),
                        ));
                    }
                    if frame.until.is_some_and(|until| from >= until) {
                        return Err(error(
                            number,
                            format!(
                                "ch{from:02} arrives inside {}, so it never shows",
                                frame.describe()
                            ),
                        ));
                    }
                }
                if kind == Line::Arrive(from) {
                    stack.push(Frame {
                        from,
                        until: None,
                        replaced: false,
                        line: number,
                    });
                    skipped_since = true;
                    continue;
                }
            }
            Line::Close(chapter) => {
                match stack.pop() {
                    Some(frame) if !frame.replaced && frame.from == chapter => {}
                    Some(frame) => {
                        return Err(error(
                            number,
                            format!(
                                "`< ch{chapter:02}` closes nothing: {} is still open",
                                frame.describe()
                            ),
                        ))
                    }
                    None => {
                        return Err(error(number, format!("`< ch{chapter:02}` closes nothing")))
                    }
                }
                skipped_since = true;
                continue;
            }
            Line::Replaced(from, until) => {
                let from = from.unwrap_or(from_outside);
                if from >= until {
                    return Err(error(
                        number,
                        format!("code shown from ch{from:02} cannot be replaced in ch{until:02}"),
                    ));
                }
                if let Some(frame) = enclosing {
                    if from < frame.from || frame.until.is_some_and(|end| until > end) {
                        return Err(error(
                            number,
                            format!(
                                "code shown from ch{from:02} to ch{until:02} sits inside {}",
                                frame.describe()
                            ),
                        ));
                    }
                }
                stack.push(Frame {
                    from,
                    until: Some(until),
                    replaced: true,
                    line: number,
                });
                skipped_since = true;
                continue;
            }
            Line::EndReplaced => {
                stack.pop();
                skipped_since = true;
                continue;
            }
            Line::Text => {}
        }
        let shows = stack.iter().all(|frame| frame.shows_in(chapter))
            && match kind {
                Line::Single(from) => from <= chapter,
                _ => true,
            };
        if !shows {
            skipped_since = true;
            continue;
        }
        let mut line = raw;
        if style == Style::Toml && stack.iter().any(|frame| frame.replaced) {
            line = uncomment_toml(raw).ok_or_else(|| {
                error(
                    number,
                    "a line of replaced TOML must be commented with `#`".into(),
                )
            })?;
        }
        let mut line = line.to_string();
        if let Line::Single(_) = kind {
            line = strip_trailing_marker(&line, style);
        }
        let blank = line.trim().is_empty();
        if blank && last_blank && skipped_since {
            continue;
        }
        out.push_str(&line);
        last_blank = blank;
        skipped_since = false;
    }
    if let Some(frame) = stack.last() {
        return Err(error(
            frame.line,
            format!("{} is never closed", frame.describe()),
        ));
    }
    Ok(out)
}

/// The chapters a line names, to check their range.
fn chapters_of(kind: Line) -> Vec<u32> {
    match kind {
        Line::Arrive(n) | Line::Close(n) | Line::Single(n) => vec![n],
        Line::Replaced(from, until) => from.into_iter().chain([until]).collect(),
        Line::EndReplaced | Line::Text => Vec::new(),
    }
}

/// What `raw` is; `in_replaced` says whether a `*/` would close a replaced block.
fn classify(raw: &str, style: Style, in_replaced: bool) -> Result<Line, String> {
    let line = raw.trim();
    let comment = style.comment();
    if let Some(rest) = line.strip_prefix(comment) {
        let rest = rest.trim_start();
        if let Some(tail) = rest.strip_prefix("> ") {
            return chapter_with_label(tail).map(Line::Arrive);
        }
        if let Some(tail) = rest.strip_prefix("< ") {
            return chapter_with_label(tail).map(Line::Close);
        }
        if style == Style::Toml {
            if let Some(tail) = rest.strip_prefix("/* ") {
                return replaced(tail);
            }
            if rest == "*/" && in_replaced {
                return Ok(Line::EndReplaced);
            }
        }
        if ends_with_marker(line, style) {
            return Err(
                "a one-line marker cannot end a comment: it would stay in the comment's \
                        text; mark the lines as a block"
                    .into(),
            );
        }
        return Ok(Line::Text);
    }
    if style == Style::Rust {
        if let Some(tail) = line.strip_prefix("/* ") {
            if names_chapter(tail) || tail.strip_prefix("< ").is_some_and(names_chapter) {
                return replaced(tail);
            }
        }
        if line == "*/" && in_replaced {
            return Ok(Line::EndReplaced);
        }
    }
    // Code followed by ` // > chNN`, the marker ending the line.
    let marker = format!("{comment} > ch");
    if let Some(at) = line.rfind(&marker) {
        let number = &line[at + marker.len()..];
        if at > 0 && number.len() == 2 && number.bytes().all(|b| b.is_ascii_digit()) {
            if line[..at].trim_end().ends_with('{') {
                return Err(
                    "a one-line marker cannot follow `{`: rustfmt moves it into the \
                            block, where it opens one; mark the lines as a block"
                        .into(),
                );
            }
            return Ok(Line::Single(
                number.parse().map_err(|_| bad_chapter(number))?,
            ));
        }
    }
    Ok(Line::Text)
}

/// Whether `text` starts with `ch` and two digits: an ordinary block comment does not.
fn names_chapter(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 4 && text.starts_with("ch") && bytes[2..4].iter().all(u8::is_ascii_digit)
}

/// Whether `line` ends with a one-line marker, ` // > chNN`.
fn ends_with_marker(line: &str, style: Style) -> bool {
    let marker = format!(" {} > ch", style.comment());
    line.rfind(&marker).is_some_and(|at| {
        let number = &line[at + marker.len()..];
        number.len() == 2 && number.bytes().all(|b| b.is_ascii_digit())
    })
}

/// `chAA < chBB` or `< chBB`, with an optional label after.
fn replaced(tail: &str) -> Result<Line, String> {
    let (from, rest) = match tail.strip_prefix("< ") {
        Some(rest) => (None, format!("< {rest}")),
        None => {
            let (first, rest) = tail.split_once(' ').unwrap_or((tail, ""));
            (Some(chapter(first)?), rest.to_string())
        }
    };
    let Some(until) = rest.strip_prefix("< ") else {
        return Err(format!(
            "a replaced block opens with `/* chAA < chBB`, not `/* {tail}`"
        ));
    };
    Ok(Line::Replaced(from, chapter_with_label(until)?))
}

/// `chNN`, then optionally a space and a label.
fn chapter_with_label(tail: &str) -> Result<u32, String> {
    chapter(tail.split(' ').next().unwrap_or(""))
}

/// `chNN` with exactly two digits.
fn chapter(word: &str) -> Result<u32, String> {
    match word.strip_prefix("ch") {
        Some(digits) if digits.len() == 2 && digits.bytes().all(|b| b.is_ascii_digit()) => {
            digits.parse().map_err(|_| bad_chapter(word))
        }
        _ => Err(bad_chapter(word)),
    }
}

fn bad_chapter(word: &str) -> String {
    format!("`{word}` is not a chapter: a marker names one as ch01, ch05, ch12")
}

/// A line of replaced TOML without its comment: `# key = 1` becomes `key = 1`.
fn uncomment_toml(raw: &str) -> Option<&str> {
    let trimmed = raw.trim_start();
    let rest = trimmed.strip_prefix('#')?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

/// `code // > ch05\n` without its marker: `code\n`.
fn strip_trailing_marker(line: &str, style: Style) -> String {
    let marker = format!("{} > ch", style.comment());
    let newline = if line.ends_with('\n') { "\n" } else { "" };
    match line.rfind(&marker) {
        Some(at) => format!("{}{newline}", line[..at].trim_end()),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, style: Style, chapter: u32) -> String {
        split("f", text, style, chapter, 12).unwrap_or_else(|err| panic!("{err}"))
    }

    fn err(text: &str, style: Style) -> String {
        split("src/x.rs", text, style, 12, 12)
            .expect_err("should fail")
            .to_string()
    }

    #[test]
    fn each_chapter_sees_the_blocks_that_arrived_by_then() {
        let text =
            "a\n// > ch05\nb\n    // > ch07 the router\n    c\n    // < ch07\n// < ch05\nd\n";
        let table = [
            (1, "a\nd\n"),
            (4, "a\nd\n"),
            (5, "a\nb\nd\n"),
            (6, "a\nb\nd\n"),
            (7, "a\nb\n    c\nd\n"),
            (12, "a\nb\n    c\nd\n"),
        ];
        for (chapter, want) in table {
            assert_eq!(at(text, Style::Rust, chapter), want, "chapter {chapter}");
        }
    }

    #[test]
    fn replaced_code_shows_uncommented_until_its_replacement_arrives() {
        let text = "fn f() {\n    /* ch04 < ch11\n    slow();\n    */\n    // > ch11\n    fast();\n    // < ch11\n}\n";
        let table = [
            (3, "fn f() {\n}\n"),
            (4, "fn f() {\n    slow();\n}\n"),
            (10, "fn f() {\n    slow();\n}\n"),
            (11, "fn f() {\n    fast();\n}\n"),
        ];
        for (chapter, want) in table {
            assert_eq!(at(text, Style::Rust, chapter), want, "chapter {chapter}");
        }
    }

    #[test]
    fn a_replaced_block_without_a_start_starts_with_its_enclosing_block() {
        let text = "// > ch05\n/* < ch10\nold\n*/\n// > ch10\nnew\n// < ch10\n// < ch05\n";
        assert_eq!(at(text, Style::Rust, 4), "");
        assert_eq!(at(text, Style::Rust, 5), "old\n");
        assert_eq!(at(text, Style::Rust, 9), "old\n");
        assert_eq!(at(text, Style::Rust, 10), "new\n");
    }

    #[test]
    fn a_block_may_arrive_inside_replaced_code() {
        let text = "/* ch02 < ch09\nold\n// > ch05\nolder\n// < ch05\n*/\n";
        assert_eq!(at(text, Style::Rust, 4), "old\n");
        assert_eq!(at(text, Style::Rust, 5), "old\nolder\n");
        assert_eq!(at(text, Style::Rust, 9), "");
    }

    #[test]
    fn a_line_may_arrive_alone_with_its_marker_at_its_end() {
        let text = "pub mod pool;\npub mod http; // > ch05\n";
        assert_eq!(at(text, Style::Rust, 4), "pub mod pool;\n");
        assert_eq!(at(text, Style::Rust, 5), "pub mod pool;\npub mod http;\n");
        let toml = "[dependencies]\nhttparse = \"1\" # > ch05\n";
        assert_eq!(at(toml, Style::Toml, 4), "[dependencies]\n");
        assert_eq!(
            at(toml, Style::Toml, 5),
            "[dependencies]\nhttparse = \"1\"\n"
        );
    }

    #[test]
    fn toml_markers_use_hashes_and_replaced_lines_lose_theirs() {
        let text = "[dependencies]\n# > ch04\ncrossbeam = \"0.5\"\n# < ch04\n[dev-dependencies]\n# /* ch01 < ch04\n# crossbeam = \"0.5\"\n# */\n";
        assert_eq!(
            at(text, Style::Toml, 1),
            "[dependencies]\n[dev-dependencies]\ncrossbeam = \"0.5\"\n"
        );
        assert_eq!(
            at(text, Style::Toml, 4),
            "[dependencies]\ncrossbeam = \"0.5\"\n[dev-dependencies]\n"
        );
    }

    #[test]
    fn a_left_out_block_leaves_no_double_blank_line() {
        let text = "a\n\n// > ch05\nb\n\n// < ch05\nc\n";
        assert_eq!(at(text, Style::Rust, 4), "a\n\nc\n");
        assert_eq!(at(text, Style::Rust, 5), "a\n\nb\n\nc\n");
    }

    #[test]
    fn comments_that_only_look_like_markers_are_kept() {
        let text = "// >= ch05 is a comparison\n/* a comment */\n/* check this */\nlet a = b; // > chapter\n";
        assert_eq!(at(text, Style::Rust, 1), text);
        let toml = "# > not a chapter? no: see below\n";
        assert!(split("f", toml, Style::Toml, 1, 12).is_err());
    }

    #[test]
    fn the_last_chapter_is_the_source_without_markers_and_old_code() {
        let text = "a\n// > ch12\nb\n// < ch12\n/* ch01 < ch12\nold\n*/\nc // > ch03\n";
        assert_eq!(at(text, Style::Rust, 12), "a\nb\nc\n");
    }

    #[test]
    fn unbalanced_or_misordered_markers_name_the_file_and_line() {
        let table = [
            ("a\n// > ch05\nb\n", "src/x.rs:2: the block arriving in ch05 (line 2) is never closed"),
            ("a\n// < ch05\n", "src/x.rs:2: `< ch05` closes nothing"),
            (
                "// > ch05\n// < ch06\n",
                "src/x.rs:2: `< ch06` closes nothing: the block arriving in ch05 (line 1) is still open",
            ),
            (
                "// > ch05\n// > ch04\n// < ch04\n// < ch05\n",
                "src/x.rs:2: ch04 arrives inside the block arriving in ch05 (line 1), which comes later",
            ),
            (
                "/* ch02 < ch05\n// > ch06\n// < ch06\n*/\n",
                "src/x.rs:2: ch06 arrives inside the code replaced in ch05 (line 1, shown from ch02), so it never shows",
            ),
            (
                "/* ch05 < ch05\n*/\n",
                "src/x.rs:1: code shown from ch05 cannot be replaced in ch05",
            ),
            (
                "// > ch06\n/* ch05 < ch08\n*/\n// < ch06\n",
                "src/x.rs:2: code shown from ch05 to ch08 sits inside the block arriving in ch06 (line 1)",
            ),
            ("// > ch13\n// < ch13\n", "src/x.rs:1: ch13 is not a chapter (they run from ch01 to ch12)"),
            ("// > ch00\n", "src/x.rs:1: ch00 is not a chapter (they run from ch01 to ch12)"),
            ("\n// > 5\n", "src/x.rs:2: `5` is not a chapter: a marker names one as ch01, ch05, ch12"),
            ("/* ch05 ch09\n*/\n", "src/x.rs:1: a replaced block opens with `/* chAA < chBB`, not `/* ch05 ch09`"),
        ];
        for (text, want) in table {
            assert_eq!(err(text, Style::Rust), want, "for {text:?}");
        }
    }

    #[test]
    fn a_one_line_marker_cannot_follow_an_opening_brace() {
        assert_eq!(
            err("fn f() { // > ch05\n}\n", Style::Rust),
            "src/x.rs:1: a one-line marker cannot follow `{`: rustfmt moves it into the block, \
             where it opens one; mark the lines as a block"
        );
    }

    #[test]
    fn a_one_line_marker_cannot_end_a_comment() {
        assert_eq!(
            err("/// Docs. // > ch05\n", Style::Rust),
            "src/x.rs:1: a one-line marker cannot end a comment: it would stay in the comment's \
             text; mark the lines as a block"
        );
    }

    #[test]
    fn replaced_code_cannot_follow_a_one_line_marker() {
        assert_eq!(
            err(
                "use a; // > ch08\n/* ch07 < ch08\nuse b;\n*/\n",
                Style::Rust
            ),
            "src/x.rs:2: replaced code right after a one-line marker: rustfmt aligns the block \
             comment with that marker's comment; put the replaced code first"
        );
    }

    #[test]
    fn replaced_toml_must_stay_commented() {
        let text = "# /* ch01 < ch04\nkey = 1\n# */\n";
        assert_eq!(
            split("Cargo.toml", text, Style::Toml, 1, 12)
                .unwrap_err()
                .to_string(),
            "Cargo.toml:2: a line of replaced TOML must be commented with `#`"
        );
    }

    #[test]
    fn files_are_styled_by_their_extension() {
        assert_eq!(Style::of("src/lib.rs"), Some(Style::Rust));
        assert_eq!(Style::of("tools/Cargo.toml"), Some(Style::Toml));
        assert_eq!(Style::of("examples/static/index.html"), None);
        assert_eq!(Style::of("Cargo.lock"), None);
    }
}
