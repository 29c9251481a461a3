//! `cargo xtask book`: writes what the book includes and does not keep in the repository.
//!
//! A chapter's listings come from that chapter's snapshot (`target/snapshots/chNN/...`), so a
//! listing never shows code a later chapter adds. A chapter that changes code an earlier one
//! showed includes the change instead, a unified diff of one anchored region between two
//! snapshots:
//!
//! ```text
//! {{#include ../target/snapshots/diff/ch05-ch10/src/server/conn.rs/serve_connection.diff}}
//! ```
//!
//! is the region `serve_connection` of `src/server/conn.rs` in snapshot `ch05`, changed into
//! the same region in snapshot `ch10`. This task writes every snapshot, then every diff a page
//! names; a diff between two identical regions is an error (the listing did not change), and
//! so is an anchor missing from either snapshot.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::manifest::Manifest;
use crate::Sources;

/// Where the snapshots and diffs go, relative to the repository; the chapters' includes name
/// it (`../target/snapshots/...`).
pub const SNAPSHOTS: &str = "target/snapshots";

/// The marker of a diff include in a page: what follows it is `chAA-chBB/PATH/ANCHOR.diff`.
const DIFF_INCLUDE: &str = "target/snapshots/diff/";

/// Lines of unchanged code shown around each change.
const CONTEXT: usize = 3;

/// `cargo xtask book`, in this repository.
pub fn run() -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tools/ has a parent");
    let manifest_path = root.join("tools/snapshot.toml");
    let text = fs::read_to_string(&manifest_path)
        .map_err(|err| format!("{}: {err}", manifest_path.display()))?;
    let manifest =
        Manifest::parse(&text).map_err(|err| format!("{}: {err}", manifest_path.display()))?;
    prepare(root, &Sources::read(root, &manifest)?)
}

/// Writes every chapter's snapshot into `target/snapshots/chNN` and every diff the book's
/// pages include into `target/snapshots/diff/`, removing diffs no page includes any more.
fn prepare(root: &Path, sources: &Sources) -> Result<(), String> {
    let out = root.join(SNAPSHOTS);
    for chapter in 1..=sources.last {
        sources.write(chapter, &out.join(format!("ch{chapter:02}")))?;
    }
    let wanted = wanted_diffs(&root.join("chapters"))?;
    let diffs = out.join("diff");
    let mut written = BTreeSet::new();
    for want in &wanted {
        let text = want.generate(&out)?;
        let target = diffs.join(want.file());
        if fs::read_to_string(&target).ok().as_deref() != Some(&text) {
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent).map_err(|err| format!("{}: {err}", parent.display()))?;
            }
            fs::write(&target, &text).map_err(|err| format!("{}: {err}", target.display()))?;
        }
        written.insert(target);
    }
    if diffs.is_dir() {
        remove_stale(&diffs, &written).map_err(|err| format!("{}: {err}", diffs.display()))?;
    }
    println!(
        "wrote chapters 1 to {} and {} diff{} into {}; now run `mdbook build` (or `mdbook serve`)",
        sources.last,
        wanted.len(),
        if wanted.len() == 1 { "" } else { "s" },
        out.display()
    );
    Ok(())
}

/// One diff a page includes.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Diff {
    from: u32,
    to: u32,
    /// The source file, relative to a snapshot, with `/`.
    path: String,
    anchor: String,
    /// The page and line that asked for it, for errors.
    asked: String,
}

impl Diff {
    /// Reads `chAA-chBB/PATH/ANCHOR.diff`.
    fn parse(spec: &str, asked: String) -> Result<Diff, String> {
        let bad = |why: &str| format!("{asked}: {DIFF_INCLUDE}{spec}: {why}");
        let (chapters, rest) = spec
            .split_once('/')
            .ok_or_else(|| bad("expected chAA-chBB/PATH/ANCHOR.diff"))?;
        let (from, to) = chapters
            .split_once('-')
            .ok_or_else(|| bad("expected chAA-chBB"))?;
        let chapter = |text: &str| {
            text.strip_prefix("ch")
                .and_then(|digits| digits.parse::<u32>().ok())
                .ok_or_else(|| bad(&format!("{text:?} is not a chapter (chNN)")))
        };
        let (from, to) = (chapter(from)?, chapter(to)?);
        if from >= to {
            return Err(bad("the first chapter must come before the second"));
        }
        let rest = rest
            .strip_suffix(".diff")
            .ok_or_else(|| bad("the name must end in .diff"))?;
        let (path, anchor) = rest
            .rsplit_once('/')
            .ok_or_else(|| bad("expected PATH/ANCHOR.diff"))?;
        if path.split('/').any(|part| part.is_empty() || part == "..") || anchor.is_empty() {
            return Err(bad("expected a relative PATH and an ANCHOR"));
        }
        Ok(Diff {
            from,
            to,
            path: path.to_string(),
            anchor: anchor.to_string(),
            asked,
        })
    }

    /// Where it is written, relative to `target/snapshots/diff`.
    fn file(&self) -> PathBuf {
        PathBuf::from(format!(
            "ch{:02}-ch{:02}/{}/{}.diff",
            self.from, self.to, self.path, self.anchor
        ))
    }

    /// The diff's text, from the snapshots under `out`.
    fn generate(&self, out: &Path) -> Result<String, String> {
        let region = |chapter: u32| -> Result<Vec<(usize, String)>, String> {
            let file = out.join(format!("ch{chapter:02}")).join(&self.path);
            let text = fs::read_to_string(&file)
                .map_err(|err| format!("{}: {}: {err}", self.asked, file.display()))?;
            anchored(&text, &self.anchor).ok_or_else(|| {
                format!(
                    "{}: no anchor {:?} in snapshot ch{chapter:02}'s {}",
                    self.asked, self.anchor, self.path
                )
            })
        };
        let (old, new) = (region(self.from)?, region(self.to)?);
        let hunks = unified(&old, &new, CONTEXT);
        if hunks.is_empty() {
            return Err(format!(
                "{}: {} is the same in ch{:02} and ch{:02}: nothing changed to show",
                self.asked, self.anchor, self.from, self.to
            ));
        }
        Ok(format!(
            "--- ch{:02}/{}\n+++ ch{:02}/{}\n{hunks}",
            self.from, self.path, self.to, self.path
        ))
    }
}

/// Every diff the pages under `chapters` (and the pages they include) name, once each.
fn wanted_diffs(chapters: &Path) -> Result<Vec<Diff>, String> {
    let mut pages = Vec::new();
    markdown_files(chapters, &mut pages).map_err(|err| format!("{}: {err}", chapters.display()))?;
    pages.sort();
    let mut wanted: Vec<Diff> = Vec::new();
    for page in pages {
        let text = fs::read_to_string(&page).map_err(|err| format!("{}: {err}", page.display()))?;
        for (number, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(at) = rest.find(DIFF_INCLUDE) {
                let after = &rest[at + DIFF_INCLUDE.len()..];
                let end = after
                    .find(|c: char| c.is_whitespace() || c == '}' || c == ':')
                    .unwrap_or(after.len());
                let asked = format!("{}:{}", page.display(), number + 1);
                let diff = Diff::parse(&after[..end], asked)?;
                if !wanted.iter().any(|w| w.file() == diff.file()) {
                    wanted.push(diff);
                }
                rest = &after[end..];
            }
        }
    }
    Ok(wanted)
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            markdown_files(&path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "md") {
            out.push(path);
        }
    }
    Ok(())
}

/// Removes the `.diff` files under `dir` that are not in `keep`, and folders left empty.
fn remove_stale(dir: &Path, keep: &BTreeSet<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            remove_stale(&path, keep)?;
            if fs::read_dir(&path)?.next().is_none() {
                fs::remove_dir(&path)?;
            }
        } else if path.extension().is_some_and(|ext| ext == "diff") && !keep.contains(&path) {
            fs::remove_file(&path)?;
        }
    }
    Ok(())
}

/// The name an `ANCHOR:` or `ANCHOR_END:` on `line` names, as mdbook reads it.
fn anchor_name<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let at = line.find(marker)?;
    let rest = line[at + marker.len()..].trim_start();
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// The lines mdbook shows for `file:anchor` (other anchors' lines left out), each with its
/// line number in the file, or `None` if the anchor is not opened and closed.
fn anchored(text: &str, anchor: &str) -> Option<Vec<(usize, String)>> {
    let mut kept = Vec::new();
    let mut inside = false;
    for (number, line) in text.lines().enumerate() {
        let end = anchor_name(line, "ANCHOR_END:");
        let start = if end.is_some() {
            None
        } else {
            anchor_name(line, "ANCHOR:")
        };
        if inside {
            if end == Some(anchor) {
                return Some(kept);
            }
            if end.is_none() && start.is_none() {
                kept.push((number + 1, line.to_string()));
            }
        } else if start == Some(anchor) {
            inside = true;
        }
    }
    None
}

/// One line of an edit script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edit {
    /// Both sides' line (indices into old and new).
    Same(usize, usize),
    Removed(usize),
    Added(usize),
}

/// The shortest edit script from `old` to `new` by a longest common subsequence of lines.
/// Listings are at most a few hundred lines, so the quadratic table is small.
fn edits(old: &[&str], new: &[&str]) -> Vec<Edit> {
    let (n, m) = (old.len(), new.len());
    // common[i][j]: the longest common subsequence of old[i..] and new[j..].
    let mut common = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            common[i][j] = if old[i] == new[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut script) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && old[i] == new[j] {
            script.push(Edit::Same(i, j));
            i += 1;
            j += 1;
        } else if j < m && (i == n || common[i][j + 1] >= common[i + 1][j]) {
            // Removals first within a change reads better: take an addition only when it
            // keeps as much in common as a removal would.
            if i < n && common[i + 1][j] == common[i][j + 1] {
                script.push(Edit::Removed(i));
                i += 1;
            } else {
                script.push(Edit::Added(j));
                j += 1;
            }
        } else {
            script.push(Edit::Removed(i));
            i += 1;
        }
    }
    script
}

/// The unified diff's hunks (`@@ -a,b +c,d @@` and their lines) between two regions whose
/// lines carry their numbers in their files; empty when the regions are the same.
fn unified(old: &[(usize, String)], new: &[(usize, String)], context: usize) -> String {
    let old_lines: Vec<&str> = old.iter().map(|(_, line)| line.as_str()).collect();
    let new_lines: Vec<&str> = new.iter().map(|(_, line)| line.as_str()).collect();
    let script = edits(&old_lines, &new_lines);
    let changed: Vec<usize> = script
        .iter()
        .enumerate()
        .filter(|(_, edit)| !matches!(edit, Edit::Same(..)))
        .map(|(at, _)| at)
        .collect();
    let mut out = String::new();
    let mut k = 0;
    while k < changed.len() {
        // A hunk: changes closer than twice the context share one.
        let first = changed[k];
        let mut last = first;
        while k + 1 < changed.len() && changed[k + 1] - last <= 2 * context + 1 {
            k += 1;
            last = changed[k];
        }
        k += 1;
        let start = first.saturating_sub(context);
        let end = (last + context + 1).min(script.len());
        let hunk = &script[start..end];
        let (mut old_count, mut new_count) = (0, 0);
        let (mut old_first, mut new_first) = (None, None);
        let mut body = String::new();
        for edit in hunk {
            match *edit {
                Edit::Same(i, j) => {
                    old_first.get_or_insert(old[i].0);
                    new_first.get_or_insert(new[j].0);
                    old_count += 1;
                    new_count += 1;
                    body.push_str(&format!(" {}\n", old[i].1));
                }
                Edit::Removed(i) => {
                    old_first.get_or_insert(old[i].0);
                    old_count += 1;
                    body.push_str(&format!("-{}\n", old[i].1));
                }
                Edit::Added(j) => {
                    new_first.get_or_insert(new[j].0);
                    new_count += 1;
                    body.push_str(&format!("+{}\n", new[j].1));
                }
            }
        }
        out.push_str(&format!(
            "@@ -{} +{} @@\n{body}",
            range(old_first, old_count),
            range(new_first, new_count)
        ));
    }
    out
}

/// A hunk's range in unified-diff form: `first,count` (`first` alone when one line).
fn range(first: Option<usize>, count: usize) -> String {
    match (first, count) {
        (_, 0) => format!("{},0", first.unwrap_or(0)),
        (Some(first), 1) => first.to_string(),
        (first, count) => format!("{},{count}", first.unwrap_or(0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(lines: &[&str]) -> Vec<(usize, String)> {
        lines
            .iter()
            .enumerate()
            .map(|(n, line)| (n + 10, line.to_string()))
            .collect()
    }

    #[test]
    fn a_diff_include_names_two_chapters_a_file_and_an_anchor() {
        let diff = Diff::parse("ch05-ch10/src/server/conn.rs/serve.diff", "p:1".into()).unwrap();
        assert_eq!((diff.from, diff.to), (5, 10));
        assert_eq!(diff.path, "src/server/conn.rs");
        assert_eq!(diff.anchor, "serve");
        assert_eq!(
            diff.file(),
            PathBuf::from("ch05-ch10/src/server/conn.rs/serve.diff")
        );
        for bad in [
            "ch10-ch05/src/a.rs/x.diff",
            "ch05-ch05/src/a.rs/x.diff",
            "ch5/src/a.rs/x.diff",
            "ch05-ch10/src/a.rs/x.txt",
            "ch05-ch10/x.diff",
            "ch05-ch10/../a.rs/x.diff",
        ] {
            assert!(Diff::parse(bad, "p:1".into()).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_anchored_region_leaves_out_other_anchors_and_keeps_line_numbers() {
        // Written with `@` for the marker word, so that the book checker, which reads every
        // source file's anchors, does not take these for real ones.
        let text = "a\n// @: outer\nb\n// @: inner\nc\n// @_END: inner\n\
                    // @: outer_more\n// @_END: outer\n"
            .replace('@', "ANCHOR");
        let text = text.as_str();
        assert_eq!(
            anchored(text, "outer"),
            Some(vec![(3, "b".to_string()), (5, "c".to_string())])
        );
        assert_eq!(anchored(text, "inner"), Some(vec![(5, "c".to_string())]));
        assert_eq!(anchored(text, "outer_more"), None, "never closed");
        assert_eq!(anchored(text, "missing"), None);
    }

    #[test]
    fn the_same_region_has_no_hunks() {
        let old = numbered(&["a", "b"]);
        assert_eq!(unified(&old, &old, 3), "");
    }

    #[test]
    fn hunks_show_removals_before_additions_with_context() {
        let old = numbered(&[
            "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12",
        ]);
        let new = numbered(&[
            "1", "2", "3", "4", "5", "six", "7", "8", "9", "10", "11", "12", "13",
        ]);
        assert_eq!(
            unified(&old, &new, 2),
            "@@ -13,5 +13,5 @@\n 4\n 5\n-6\n+six\n 7\n 8\n\
             @@ -20,2 +20,3 @@\n 11\n 12\n+13\n"
        );
        // With more context the two changes share a hunk.
        assert!(unified(&old, &new, 4).matches("@@ -").count() == 1);
    }
}
