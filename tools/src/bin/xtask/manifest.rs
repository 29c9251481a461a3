//! `tools/snapshot.toml`: what a snapshot is made of, and in which chapter each whole file
//! arrives. A small TOML subset read by hand, so that the tools crate needs no TOML parser.

use std::collections::BTreeMap;

/// When a file arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// In this chapter, and stays.
    Chapter(u32),
    /// Never: the file is not part of any snapshot (the snapshot tool itself, say).
    Never,
}

/// The manifest: the last chapter, the paths a snapshot is taken from, and the arrivals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The last chapter; snapshots run from 1 to this.
    pub last: u32,
    /// Files and folders of the repository that snapshots are taken from.
    pub roots: Vec<String>,
    /// Paths (a folder ends with `/`) and when they arrive.
    pub files: BTreeMap<String, Arrival>,
}

impl Manifest {
    /// Reads the manifest's text; errors name the line.
    pub fn parse(text: &str) -> Result<Manifest, String> {
        let mut last = None;
        let mut roots = None;
        let mut files = BTreeMap::new();
        let mut in_files = false;
        for (index, raw) in text.lines().enumerate() {
            let number = index + 1;
            let line = strip_comment(raw).trim();
            if line.is_empty() {
                continue;
            }
            if line.starts_with('[') && !line.contains('=') {
                if line != "[files]" {
                    return Err(format!("line {number}: unknown section {line}"));
                }
                in_files = true;
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                return Err(format!("line {number}: expected `key = value`"));
            };
            let (key, value) = (key.trim(), value.trim());
            let bad = |what: &str| format!("line {number}: {what}");
            if in_files {
                let path = unquote(key).ok_or_else(|| bad("a path is written in quotes"))?;
                let arrival = match value {
                    "\"never\"" => Arrival::Never,
                    number => Arrival::Chapter(
                        number
                            .parse()
                            .map_err(|_| bad("a file arrives in a chapter number or \"never\""))?,
                    ),
                };
                if files.insert(path.to_string(), arrival).is_some() {
                    return Err(bad(&format!("{path} is listed twice")));
                }
            } else {
                match key {
                    "last" => {
                        last = Some(value.parse().map_err(|_| bad("last is a number"))?);
                    }
                    "roots" => {
                        let list = value
                            .strip_prefix('[')
                            .and_then(|v| v.strip_suffix(']'))
                            .ok_or_else(|| bad("roots is a list on one line"))?;
                        let items: Option<Vec<String>> = list
                            .split(',')
                            .map(str::trim)
                            .filter(|item| !item.is_empty())
                            .map(|item| unquote(item).map(str::to_string))
                            .collect();
                        roots = Some(items.ok_or_else(|| bad("roots are quoted paths"))?);
                    }
                    _ => return Err(bad(&format!("unknown key {key}"))),
                }
            }
        }
        let last: u32 = last.ok_or("the manifest names no `last` chapter")?;
        for (path, arrival) in &files {
            if let Arrival::Chapter(n) = arrival {
                if *n == 0 || *n > last {
                    return Err(format!("{path} arrives in chapter {n}, not in 1..={last}"));
                }
            }
        }
        Ok(Manifest {
            last,
            roots: roots.ok_or("the manifest names no `roots`")?,
            files,
        })
    }

    /// When `path` (relative to the repository, with `/`) arrives: its own entry, else the
    /// longest folder entry above it, else the number of a `chNN_` example or test. `None`
    /// when nothing decides, which is an error for the caller to report.
    pub fn arrival(&self, path: &str) -> Option<Arrival> {
        if let Some(arrival) = self.files.get(path) {
            return Some(*arrival);
        }
        let folder = self
            .files
            .iter()
            .filter(|(key, _)| key.ends_with('/') && path.starts_with(key.as_str()))
            .max_by_key(|(key, _)| key.len())
            .map(|(_, arrival)| *arrival);
        folder.or_else(|| chapter_of_name(path).map(Arrival::Chapter))
    }
}

/// `examples/ch05_http.rs` and `tests/ch05_bad_input.rs` arrive in chapter 5.
fn chapter_of_name(path: &str) -> Option<u32> {
    let name = path
        .strip_prefix("examples/")
        .or_else(|| path.strip_prefix("tests/"))?;
    let digits = name.strip_prefix("ch")?.get(..2)?;
    if name.get(4..5) != Some("_") || name.contains('/') {
        return None;
    }
    digits.parse().ok()
}

fn unquote(text: &str) -> Option<&str> {
    text.strip_prefix('"')?.strip_suffix('"')
}

/// The line without a `#` comment (a `#` inside quotes is kept).
fn strip_comment(line: &str) -> &str {
    let mut quoted = false;
    for (at, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted => return &line[..at],
            _ => {}
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
# what a snapshot holds
last = 12
roots = ["src", "tests", "Cargo.toml"]

[files]
"src/" = 4              # the framework starts in chapter 4
"src/http/" = 5
"src/lib.rs" = 1
"tests/support/" = 1
"tests/ch05_http.rs" = 6
"tools/src/bin/xtask/" = "never"
"#;

    #[test]
    fn the_longest_entry_decides_and_chapter_names_are_the_default() {
        let manifest = Manifest::parse(TEXT).unwrap();
        assert_eq!(manifest.last, 12);
        assert_eq!(manifest.roots, ["src", "tests", "Cargo.toml"]);
        let table = [
            ("src/lib.rs", Some(Arrival::Chapter(1))),
            ("src/pool.rs", Some(Arrival::Chapter(4))),
            ("src/http/head.rs", Some(Arrival::Chapter(5))),
            ("tests/support/mod.rs", Some(Arrival::Chapter(1))),
            ("tests/ch02_blocking.rs", Some(Arrival::Chapter(2))),
            ("tests/ch05_http.rs", Some(Arrival::Chapter(6))),
            ("examples/ch12_app.rs", Some(Arrival::Chapter(12))),
            ("tools/src/bin/xtask/main.rs", Some(Arrival::Never)),
            ("tests/router.rs", None),
            ("examples/chapter.rs", None),
            ("tests/ch05/nested.rs", None),
        ];
        for (path, want) in table {
            assert_eq!(manifest.arrival(path), want, "{path}");
        }
    }

    #[test]
    fn mistakes_are_reported_with_their_line() {
        let table = [
            (
                "last = 12\nroots = []\n[files]\nsrc/ = 4\n",
                "line 4: a path is written in quotes",
            ),
            (
                "last = 12\nroots = []\n[files]\n\"src/\" = four\n",
                "line 4: a file arrives in a chapter number or \"never\"",
            ),
            (
                "last = 12\nroots = []\n[other]\n",
                "line 3: unknown section [other]",
            ),
            ("roots = []\n", "the manifest names no `last` chapter"),
            (
                "last = 12\nroots = []\n[files]\n\"a\" = 13\n",
                "a arrives in chapter 13, not in 1..=12",
            ),
            (
                "last = 12\nroots = []\n[files]\n\"a\" = 1\n\"a\" = 2\n",
                "line 5: a is listed twice",
            ),
        ];
        for (text, want) in table {
            assert_eq!(Manifest::parse(text).unwrap_err(), want, "for {text:?}");
        }
    }
}
