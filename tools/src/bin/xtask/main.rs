//! The repository's tasks, run as `cargo xtask TASK` (the alias is in `.cargo/config.toml`).
//!
//! - `cargo xtask snapshot N DIR` writes the framework as it stands at the end of chapter `N`
//!   into `DIR`: a whole workspace (root `Cargo.toml`, `Cargo.lock`, `src/`, `tools/`,
//!   `examples/`, `tests/`, `benches/`) that builds and tests on its own;
//! - `cargo xtask snapshot all DIR` writes `DIR/ch01` to `DIR/ch12`;
//! - `cargo xtask book` writes what the book includes: every snapshot into
//!   `target/snapshots/chNN` and the diffs between them that the chapters show (`book.rs`).
//!
//! Snapshots are split out of this repository's sources by their chapter markers and the
//! manifest `tools/snapshot.toml`; `DESIGN.md` beside this file says why, and how to mark.

mod book;
mod manifest;
mod split;

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use manifest::{Arrival, Manifest};
use split::Style;

/// The file a snapshot directory is recognised by, so that rewriting one never deletes
/// anything in a directory that is not a snapshot.
const STAMP: &str = ".weft-snapshot";

const USAGE: &str = "usage: cargo xtask snapshot <N|all> <DIR>
  N     a chapter (5, 05 or ch05): writes the framework as it stands at its end into DIR
  all   writes every chapter's snapshot into DIR/ch01, DIR/ch02, ...
usage: cargo xtask book
  writes every snapshot into target/snapshots/chNN and the diffs the chapters include into
  target/snapshots/diff, for `mdbook build`";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    if args == ["book"] {
        return book::run();
    }
    let [task, which, dir] = args else {
        return Err(format!("expected three arguments\n{USAGE}"));
    };
    if task != "snapshot" {
        return Err(format!("unknown task {task:?}\n{USAGE}"));
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tools/ has a parent")
        .to_path_buf();
    let manifest_path = root.join("tools/snapshot.toml");
    let text = fs::read_to_string(&manifest_path)
        .map_err(|err| format!("{}: {err}", manifest_path.display()))?;
    let manifest =
        Manifest::parse(&text).map_err(|err| format!("{}: {err}", manifest_path.display()))?;
    let sources = Sources::read(&root, &manifest)?;
    let dir = PathBuf::from(dir);
    if which == "all" {
        fs::create_dir_all(&dir).map_err(|err| format!("{}: {err}", dir.display()))?;
        for chapter in 1..=manifest.last {
            let into = dir.join(format!("ch{chapter:02}"));
            sources.write(chapter, &into)?;
        }
        println!(
            "wrote chapters 1 to {} into {}",
            manifest.last,
            dir.display()
        );
    } else {
        let chapter = parse_chapter(which, manifest.last)?;
        sources.write(chapter, &dir)?;
        println!("wrote chapter {chapter} into {}", dir.display());
    }
    Ok(())
}

/// `5`, `05` or `ch05`, within `1..=last`.
fn parse_chapter(text: &str, last: u32) -> Result<u32, String> {
    let digits = text.strip_prefix("ch").unwrap_or(text);
    match digits.parse::<u32>() {
        Ok(n) if (1..=last).contains(&n) => Ok(n),
        _ => Err(format!("{text:?} is not a chapter (1 to {last}, or all)")),
    }
}

/// Every file of the repository a snapshot may hold, with its text and arrival.
struct Sources {
    files: Vec<Source>,
    last: u32,
}

struct Source {
    /// Relative to the repository, with `/`.
    path: String,
    arrives: u32,
    bytes: Vec<u8>,
}

impl Sources {
    /// Reads the manifest's roots; every file under them must have an arrival, and every
    /// entry of the manifest must name something that exists.
    fn read(root: &Path, manifest: &Manifest) -> Result<Sources, String> {
        let mut paths = Vec::new();
        for entry in &manifest.roots {
            collect(root, entry, &mut paths).map_err(|err| format!("{entry}: {err}"))?;
        }
        paths.sort();
        let mut files = Vec::new();
        let mut undecided = Vec::new();
        for path in &paths {
            match manifest.arrival(path) {
                None => undecided.push(path.as_str()),
                Some(Arrival::Never) => {}
                Some(Arrival::Chapter(arrives)) => {
                    let bytes =
                        fs::read(root.join(path)).map_err(|err| format!("{path}: {err}"))?;
                    files.push(Source {
                        path: path.clone(),
                        arrives,
                        bytes,
                    });
                }
            }
        }
        if !undecided.is_empty() {
            return Err(format!(
                "tools/snapshot.toml says nothing of when these arrive:\n  {}",
                undecided.join("\n  ")
            ));
        }
        let stale: Vec<&str> = manifest
            .files
            .keys()
            .filter(|key| {
                !paths.iter().any(|path| {
                    path == *key || (key.ends_with('/') && path.starts_with(key.as_str()))
                })
            })
            .map(String::as_str)
            .collect();
        if !stale.is_empty() {
            return Err(format!(
                "tools/snapshot.toml names what no longer exists (or lies outside its roots):\n  {}",
                stale.join("\n  ")
            ));
        }
        Ok(Sources {
            files,
            last: manifest.last,
        })
    }

    /// Writes chapter `chapter`'s snapshot into `dir`, touching only files whose content
    /// changed (so that cargo rebuilds only what changed) and removing files that are no
    /// longer part of it.
    fn write(&self, chapter: u32, dir: &Path) -> Result<(), String> {
        let context = |err: io::Error| format!("{}: {err}", dir.display());
        claim(dir).map_err(context)?;
        // The stamp goes first, so that a snapshot cut short by an error can be rewritten.
        fs::write(
            dir.join(STAMP),
            format!("weft at the end of chapter {chapter}\n"),
        )
        .map_err(context)?;
        let mut written = BTreeSet::from([PathBuf::from(STAMP)]);
        for source in self.files.iter().filter(|source| source.arrives <= chapter) {
            let bytes = match Style::of(&source.path) {
                None => source.bytes.clone(),
                Some(style) => {
                    let text = std::str::from_utf8(&source.bytes)
                        .map_err(|_| format!("{}: not UTF-8", source.path))?;
                    let text = split::split(&source.path, text, style, chapter, self.last)
                        .map_err(|err| err.to_string())?;
                    match source.path.ends_with("Cargo.toml") {
                        true => versioned(&text, chapter),
                        false => text,
                    }
                    .into_bytes()
                }
            };
            let target = dir.join(&source.path);
            if fs::read(&target).ok().as_deref() != Some(&bytes[..]) {
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent).map_err(context)?;
                }
                fs::write(&target, &bytes).map_err(context)?;
            }
            written.insert(PathBuf::from(&source.path));
        }
        remove_others(dir, Path::new(""), &written).map_err(context)?;
        Ok(())
    }
}

/// A manifest whose package version names the chapter: `version = "0.1.0"` becomes
/// `version = "0.1.0-ch07"`.
///
/// Cargo names a path package's build outputs by its name, version and place in its
/// workspace, not by the workspace's directory; so without this, two snapshots built in one
/// target directory would write the same files, and one could pass for the other.
fn versioned(manifest: &str, chapter: u32) -> String {
    let mut done = false;
    let lines = manifest.split_inclusive('\n').map(|line| {
        let version = line
            .strip_prefix("version = \"")
            .and_then(|v| v.split_once('"'));
        match version {
            Some((version, rest)) if !done => {
                done = true;
                format!("version = \"{version}-ch{chapter:02}\"{rest}")
            }
            _ => line.to_string(),
        }
    });
    lines.collect()
}

/// Lists the files under `entry` (a file or a folder of the repository at `root`).
fn collect(root: &Path, entry: &str, out: &mut Vec<String>) -> io::Result<()> {
    let path = root.join(entry);
    if path.is_file() {
        out.push(entry.to_string());
        return Ok(());
    }
    for child in fs::read_dir(&path)? {
        let child = child?;
        let name = child.file_name().to_string_lossy().into_owned();
        // Build output and editor droppings are no source.
        if name == "target" || name.starts_with('.') {
            continue;
        }
        collect(root, &format!("{entry}/{name}"), out)?;
    }
    Ok(())
}

/// Makes sure `dir` is a snapshot directory, or empty, or absent (then creates it).
fn claim(dir: &Path) -> io::Result<()> {
    if !dir.exists() {
        return fs::create_dir_all(dir);
    }
    let empty = fs::read_dir(dir)?.next().is_none();
    if empty || dir.join(STAMP).is_file() {
        return Ok(());
    }
    Err(io::Error::other(format!(
        "not empty and not a snapshot (no {STAMP}); refusing to write into it"
    )))
}

/// Removes the files under `dir/relative` that are not in `keep`, and folders left empty;
/// the build output (`target/`) stays.
fn remove_others(dir: &Path, relative: &Path, keep: &BTreeSet<PathBuf>) -> io::Result<()> {
    for child in fs::read_dir(dir.join(relative))? {
        let child = child?;
        let path = relative.join(child.file_name());
        if child.file_type()?.is_dir() {
            if path == Path::new("target") {
                continue;
            }
            remove_others(dir, &path, keep)?;
            if fs::read_dir(dir.join(&path))?.next().is_none() {
                fs::remove_dir(dir.join(&path))?;
            }
        } else if !keep.contains(&path) {
            fs::remove_file(dir.join(&path))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_package_carries_its_chapter_in_its_version() {
        let manifest = "[package]\nname = \"weft\"\nversion = \"0.1.0\"\n[dependencies]\nx = { version = \"1\" }\n";
        assert_eq!(
            versioned(manifest, 7),
            "[package]\nname = \"weft\"\nversion = \"0.1.0-ch07\"\n[dependencies]\nx = { version = \"1\" }\n"
        );
    }

    #[test]
    fn chapters_are_numbers_in_range() {
        assert_eq!(parse_chapter("5", 12), Ok(5));
        assert_eq!(parse_chapter("05", 12), Ok(5));
        assert_eq!(parse_chapter("ch12", 12), Ok(12));
        assert!(parse_chapter("0", 12).is_err());
        assert!(parse_chapter("13", 12).is_err());
        assert!(parse_chapter("five", 12).is_err());
    }
}
