#!/usr/bin/env python3
"""Checks that the book never lies about its code.

Each check prints one line per problem, `file:line: what`, and the script exits non-zero if
any fired:

- includes: every {{#include}} / {{#rustdoc_include}} names a file that exists and, when it
  names an anchor, the file has that anchor. (mdbook only warns, and renders an empty block.)
  Listings come from the generated snapshots (`cargo xtask book` writes them into
  target/snapshots; run it first), so these are resolved against the generated tree.
- snapshots: a chapter's page (chNN-*.md) includes code only from its own chapter's snapshot
  or an earlier one (`target/snapshots/chMM/...`, MM <= NN), never from a later one nor from
  the source itself, which holds every later chapter's code; and a diff it shows
  (`target/snapshots/diff/chAA-chBB/...`) ends at its own chapter (BB = NN). Two kinds of
  file are in no chapter's snapshot and come from the source: the compile-fail listings
  (tests/compile_fail/, whose messages quote the finished library) and the peer servers
  (benches/peers/, a package of their own).
- anchors: in every source file, each `ANCHOR: x` is followed by exactly one `ANCHOR_END: x`;
  an end before its start, an anchor never closed or never opened, and a name used twice all
  fail. (mdbook reads a misplaced end as "to the end of the file".)
- typed Rust: no ```rust block holds more than a few hand-typed lines: Rust in the book is
  included from files that cargo compiles.
- repeats: no listing is shown twice, whether by the same include or by another include that
  resolves to the same text, and no listing on a page is wholly contained in another listing
  on that page (nested anchors both included). A later chapter shows what it changes, not the
  whole function again: an anchor a chapter includes from its snapshot that an earlier
  chapter included from its own, with other text, must be the diff between the two.
- placeholders: no TODO, TBD, FIXME, "being written" or "coming soon" in a page, no section
  whose heading is followed by nothing, and one top-level heading per page.
- links: a link to a section (`page.md#id`, `#id`) names a heading that page has.
- figures: every file in chapters/figures/ and chapters/img/ is shown or included by a page,
  and every page is in SUMMARY.md.
- flags: every flag in a command that runs an example (`cargo run --example NAME -- --flag`)
  or the showcase (`cargo run --release -- --flag`) is one that program accepts, read from its
  source (the list it gives `Flags::from_env`, its `VALUE_FLAGS`, the `arg == "--flag"` tests),
  so no build is needed.
- commands: a command the reader types (after a `$ ` prompt) has no unquoted `?` (zsh stops
  with "no matches found"), does not need `nc`, `netcat` or `telnet`, which a fresh machine
  lacks, and does not use bash's `/dev/tcp`, which zsh lacks, unless the block starts `bash`.
- sizes: a file size a console block prints (`$ wc -c < FILE`, and a `Content-Length` in the
  same block, the length of the response that sends that file) is the file's size today.
- budget: no page under chapters/ (figures/ aside) holds more than 4,000 words of prose, a
  reader's sitting; a longer chapter is split into sub-pages. Prose is every whitespace-
  separated word outside fenced code blocks, leaving out {{#include}} lines, HTML comments
  and link reference definitions (`[name]: https://...`); headings, lists and tables count.
- captions: every measured figure a page shows (a results page `{{#include figures/NAME.md}}`
  and its chart `![...](figures/NAME.svg)`) has a caption right after its last part (the
  chart, or the results page when it has no chart): the next paragraph, in italics
  (`*...*`), so that the reader, and this check, can tell it from the prose around it. The
  caption says what to see, not what the figure is: a sentence of at least 8 words, ending
  in a full stop, with a verb (a word from a short list of the verbs captions use, or one
  ending in -ed). "*Requests per second for chapters 2 to 4.*" is a label and fails;
  "*The pool's thread count stays at 66 whatever the connections; chapter 3's grows with
  them.*" passes. Diagrams in chapters/img/ carry their description in their alt text and
  are not checked.

`--self-test` runs every check on small planted bad inputs and fails unless each one fires
(and stays quiet on the good inputs beside them).
"""
import pathlib
import re
import shlex
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
INCLUDE = re.compile(r"\{\{#(?:rustdoc_)?include\s+([^}\s]+)\s*\}\}")
# mdbook's own anchor patterns (mdbook/src/utils/string.rs).
ANCHOR_START = re.compile(r"ANCHOR:\s*([\w-]+)")
ANCHOR_END = re.compile(r"ANCHOR_END:\s*([\w-]+)")
LINE_RANGE = re.compile(r"([0-9]*)(?::([0-9]*))?")
MAX_TYPED_LINES = 8
# A listing this many lines long or more is a repeat when it sits inside another one shown.
MIN_CONTAINED_LINES = 3
SOURCE_DIRS = ("src", "tools", "examples", "tests", "benches")
SOURCE_SUFFIXES = {".rs", ".toml", ".py", ".sh", ".txt", ".md"}
FIGURE_DIRS = ("figures", "img")
# Where `cargo xtask book` writes each chapter's snapshot (chNN/) and the diffs (diff/).
SNAPSHOTS = ("target", "snapshots")
SNAPSHOT_FILE = re.compile(r"target/snapshots/ch([0-9]{2})/")
SNAPSHOT_DIFF = re.compile(r"target/snapshots/diff/ch([0-9]{2})-ch([0-9]{2})/")
CHAPTER_PAGE = re.compile(r"ch([0-9]{2})-.*\.md")
# Code a chapter page may include from the source itself: it is in no chapter's snapshot.
FROM_SOURCE = ("tests/compile_fail/", "benches/peers/")
# TODO in capitals only: "a todo list" is chapter 9's example, not a placeholder.
PLACEHOLDER_CASED = re.compile(r"\b(TODO|TBD|FIXME|XXX)\b")
PLACEHOLDER_PHRASE = re.compile(
    r"being written|to be written|coming soon|work in progress", re.IGNORECASE
)
HEADING = re.compile(r"^(#{1,6})\s+(\S.*?)\s*$")
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)|<img[^>]*\bsrc=\"([^\"]+)\"", re.DOTALL)
# The most prose words a page may hold.
MAX_PAGE_WORDS = 4000
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
LINK_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")
# A measured figure's parts: its results page and its chart, both in chapters/figures/.
FIGURE_PAGE = re.compile(r"^\s*\{\{#include\s+(?:\.\./)*figures/([\w.-]+)\.md\s*\}\}\s*$")
FIGURE_CHART = re.compile(r"^\s*!\[[^\]]*\]\((?:\.\./)*figures/([\w.-]+)\.svg\)\s*$")
MIN_CAPTION_WORDS = 8
# The verbs captions use to say what to see; a caption has one of these or a word in -ed.
CAPTION_VERBS = set("""
is are was were be been has have had does do did can cannot can't will would may must
stay stays grow grows fall falls rise rises hold holds keep keeps serve serves answer answers
cost costs take takes beat beats match matches drop drops climb climbs reach reaches double
doubles halve halves need needs leave leaves lose loses gain gains show shows track tracks
follow follows sit sits use uses spend spends make makes get gets fail fails refuse refuses
survive survives stop stops run runs go goes come comes lead leads trail trails lag lags
win wins lie lies move moves change changes equal equals exceed exceeds shrink shrinks
vanish vanishes disappear disappears remain remains count counts add adds fit fits give
gives pay pays wait waits queue queues level levels flatten flattens peak peaks outrun
outruns overtake overtakes collapse collapses
""".split())
# Flags every program in the book accepts: `Flags::from_env` answers --help itself.
ALWAYS_ACCEPTED = {"--help", "-h"}
SHELL_BREAKS = {";", "&", "&&", "|", "||", "(", ")", ";;"}


def rel(root, path):
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------------------------------
# Anchors and includes


def check_anchors(root, path, problems):
    """Pairs and orders the anchors of one source file."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (UnicodeDecodeError, OSError):
        return
    name_of = rel(root, path)
    starts, ends = {}, {}  # name -> lines of each ANCHOR, of each ANCHOR_END
    for number, line in enumerate(lines, 1):
        end = ANCHOR_END.search(line)
        start = None if end else ANCHOR_START.search(line)
        if start:
            starts.setdefault(start.group(1), []).append(number)
        elif end:
            ends.setdefault(end.group(1), []).append(number)
    opened = {}  # name -> line of its open ANCHOR
    early = set()  # names whose end came before their start, reported once
    for number, line in enumerate(lines, 1):
        end = ANCHOR_END.search(line)
        start = None if end else ANCHOR_START.search(line)
        where = f"{name_of}:{number}"
        if start:
            name = start.group(1)
            first = starts[name][0]
            if number != first:
                problems.append(
                    f"{where}: anchor {name!r} opened again (first at line {first});"
                    " mdbook shows only the first"
                )
            if name not in early:
                opened[name] = number
        elif end:
            name = end.group(1)
            if name in opened:
                del opened[name]
            elif any(n > number for n in starts.get(name, [])) and not any(
                n < number for n in starts.get(name, [])
            ):
                later = min(n for n in starts[name] if n > number)
                closed = [n for n in ends[name] if n > later]
                if closed:
                    problems.append(
                        f"{where}: a stray ANCHOR_END {name!r} (the anchor is lines {later} to"
                        f" {closed[0]})"
                    )
                else:
                    problems.append(
                        f"{where}: ANCHOR_END {name!r} comes before its ANCHOR (line {later});"
                        " mdbook would include the rest of the file"
                    )
                    early.add(name)
            elif name in starts:
                problems.append(f"{where}: ANCHOR_END {name!r} closes it a second time")
            else:
                problems.append(f"{where}: ANCHOR_END {name!r} closes an anchor never opened")
    for name, number in opened.items():
        problems.append(f"{name_of}:{number}: anchor {name!r} is never closed")


def source_files(root):
    for top in SOURCE_DIRS:
        base = root / top
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if "target" in path.relative_to(root).parts or not path.is_file():
                continue
            if path.suffix in SOURCE_SUFFIXES:
                yield path


def anchored_text(text, anchor):
    """The lines mdbook shows for `file:anchor`, or None if the anchor never opens."""
    kept, inside = [], False
    for line in text.splitlines():
        if inside:
            end = ANCHOR_END.search(line)
            if end:
                if end.group(1) == anchor:
                    return "\n".join(kept)
            elif not ANCHOR_START.search(line):
                kept.append(line)
        else:
            start = ANCHOR_START.search(line)
            if start and not ANCHOR_END.search(line) and start.group(1) == anchor:
                inside = True
    return "\n".join(kept) if inside else None


class Include:
    """One {{#include}} in a page, with the text mdbook puts in its place."""

    def __init__(self, page, line, spec, target, selector, text):
        self.page, self.line, self.spec = page, line, spec
        self.target, self.selector, self.text = target, selector, text

    def where(self, root):
        return f"{rel(root, self.page)}:{self.line}"


def resolve(root, page, text, problems, found, depth=0):
    """Records every include of `page` (and, recursively, of included Markdown) in `found`."""
    for match in INCLUDE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        spec = match.group(1)
        path, _, selector = spec.partition(":")
        target = (page.parent / path).resolve()
        where = f"{rel(root, page)}:{line}"
        snapshots = root.joinpath(*SNAPSHOTS)
        if not target.is_file() and not snapshots.is_dir() and is_under(target, snapshots):
            missing = f"{rel(root, snapshots)}: missing; run `cargo xtask book` first"
            if missing not in problems:
                problems.append(missing)
            continue
        if not target.is_file():
            problems.append(f"{where}: {{{{#include {spec}}}}}: no file {path}")
            continue
        body = target.read_text(encoding="utf-8")
        shown = body
        if selector:
            lines = LINE_RANGE.fullmatch(selector)
            if lines:
                first = int(lines.group(1)) - 1 if lines.group(1) else 0
                last = lines.group(2)
                all_lines = body.splitlines()
                if last is None:
                    # `file:N` is line N on, like mdbook.
                    shown = "\n".join(all_lines[first:])
                else:
                    shown = "\n".join(all_lines[first:int(last) if last else None])
            else:
                shown = anchored_text(body, selector)
                if shown is None or f"ANCHOR_END: {selector}" not in body:
                    problems.append(
                        f"{where}: {{{{#include {spec}}}}}: no anchor {selector!r} in {path}"
                    )
                    continue
        found.append(Include(page, line, spec, target, selector, shown))
        if target.suffix == ".md" and depth < 10:
            resolve(root, target, body, problems, found, depth + 1)


def is_under(path, folder):
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def check_snapshot_sources(root, includes, problems):
    """A chapter page shows its own chapter's code: from its snapshot or an earlier one, or
    as a diff ending at its chapter; never the source, which holds every later chapter's."""
    for inc in includes:
        page = CHAPTER_PAGE.fullmatch(inc.page.name)
        if not page or inc.page.parent != root / "chapters":
            continue
        chapter = int(page.group(1))
        target = rel(root, inc.target)
        diff = SNAPSHOT_DIFF.match(target)
        snapshot = SNAPSHOT_FILE.match(target)
        where = f"{inc.where(root)}: {{{{#include {inc.spec}}}}}"
        if diff:
            if int(diff.group(2)) != chapter:
                problems.append(
                    f"{where}: a diff ending at chapter {int(diff.group(2))} on chapter"
                    f" {chapter}'s page; a chapter shows the changes it makes"
                )
        elif snapshot:
            if int(snapshot.group(1)) > chapter:
                problems.append(
                    f"{where}: from chapter {int(snapshot.group(1))}'s snapshot, later than"
                    f" this chapter ({chapter}); show ch{chapter:02}'s code"
                )
        elif target.split("/")[0] in SOURCE_DIRS and not target.startswith(FROM_SOURCE):
            problems.append(
                f"{where}: from the source, which holds every later chapter's code; include"
                f" ../target/snapshots/ch{chapter:02}/{target} (see `cargo xtask book`)"
            )


def normalized(text):
    """The listing's lines without indentation or blank lines, for comparing listings."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def contains(outer, inner):
    n = len(inner)
    return any(outer[i:i + n] == inner for i in range(len(outer) - n + 1))


def snapshot_place(root, inc):
    """(chapter, path inside the snapshot) of an include from a chapter's snapshot, else None."""
    target = rel(root, inc.target)
    match = SNAPSHOT_FILE.match(target)
    if not match:
        return None
    return int(match.group(1)), target[match.end():]


def check_changes_shown_whole(root, includes, problems):
    """A listing a later chapter shows again, changed, must be shown as its change (a diff
    from the earlier chapter's snapshot), not whole: the reader cannot see what changed."""
    first = {}
    for inc in includes:
        place = snapshot_place(root, inc)
        if place is None or not inc.selector:
            continue
        chapter, path = place
        key = (path, inc.selector)
        earlier = first.get(key)
        if earlier is None:
            first[key] = (chapter, inc)
            continue
        was, shown = earlier
        if was < chapter and normalized(shown.text) != normalized(inc.text):
            problems.append(
                f"{inc.where(root)}: {{{{#include {inc.spec}}}}} shows again, changed, the"
                f" listing chapter {was} showed at {shown.where(root)}; include the change"
                f" instead: target/snapshots/diff/ch{was:02}-ch{chapter:02}/{path}/"
                f"{inc.selector}.diff"
            )


def check_repeats(root, includes, problems):
    first_by_spec, first_by_text = {}, {}
    listings = []
    for inc in includes:
        key = (inc.target, inc.selector)
        lines = normalized(inc.text)
        earlier = first_by_spec.get(key) or first_by_text.get(tuple(lines))
        if earlier is not None and lines:
            problems.append(
                f"{inc.where(root)}: {{{{#include {inc.spec}}}}} repeats the listing shown at"
                f" {earlier.where(root)}; show only what changed, or refer back to it"
            )
            continue
        first_by_spec.setdefault(key, inc)
        if lines:
            first_by_text.setdefault(tuple(lines), inc)
        if inc.target.suffix != ".md":
            listings.append((inc, lines))
    for inner, inner_lines in listings:
        if len(inner_lines) < MIN_CONTAINED_LINES:
            continue
        for outer, outer_lines in listings:
            # Across pages a later chapter may show the few lines it changes of a listing an
            # earlier one showed whole; within a page, the lines are already on the screen.
            if outer is inner or outer.page != inner.page or len(outer_lines) <= len(inner_lines):
                continue
            if contains(outer_lines, inner_lines):
                problems.append(
                    f"{inner.where(root)}: {{{{#include {inner.spec}}}}} is wholly inside the"
                    f" listing {{{{#include {outer.spec}}}}} at {outer.where(root)}"
                )
                break


def check_typed_rust(root, md, text, problems):
    in_rust, typed, start = False, 0, 0
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            if not in_rust and line.startswith("```rust"):
                in_rust, typed, start = True, 0, number
            elif in_rust:
                if typed > MAX_TYPED_LINES:
                    problems.append(
                        f"{rel(root, md)}:{start}: a ```rust block with {typed} hand-typed lines"
                    )
                in_rust = False
            continue
        if in_rust and "{{#" not in line and line.strip():
            typed += 1


# ---------------------------------------------------------------------------------------------
# Prose: placeholders and figures


def fenced_blocks(text):
    """(opening fence, [(line number, line)]) for each fenced code block of a page."""
    blocks, fence = [], None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("```"):
            if fence is None:
                fence = stripped
                blocks.append((fence, []))
            else:
                fence = None
        elif fence is not None:
            blocks[-1][1].append((number, line))
    return blocks


def prose_lines(text):
    """(line number, line, in_code) for every line, where in_code marks fenced code blocks
    (their fences included)."""
    fence = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip()
        if stripped.startswith("```") or stripped.startswith("~~~"):
            if fence is None:
                fence = stripped[:3]
            elif fence == stripped[:3]:
                fence = None
            yield number, line, True
            continue
        yield number, line, fence is not None


def check_placeholders(root, md, text, problems):
    if md.name == "SUMMARY.md":
        return
    name = rel(root, md)
    # The page as a list of headings (level, line) and content (None, line), blank lines left out.
    items = []
    for number, line, in_code in prose_lines(text):
        if in_code:
            items.append((None, number))
            continue
        found = PLACEHOLDER_CASED.search(line) or PLACEHOLDER_PHRASE.search(line)
        if found:
            problems.append(f"{name}:{number}: placeholder text {found.group(0)!r}")
        heading = HEADING.match(line)
        if heading:
            items.append((len(heading.group(1)), number))
        elif line.strip():
            items.append((None, number))
    for k, (level, number) in enumerate(items):
        if level is None:
            continue
        following = items[k + 1][0] if k + 1 < len(items) else 0
        # Nothing before the next heading of the same or a higher level (or the page's end).
        if following is not None and following <= level:
            problems.append(f"{name}:{number}: heading with nothing under it")
    top_level = [number for level, number in items if level == 1]
    for number in top_level[1:]:
        problems.append(f"{name}:{number}: a second top-level heading (a leftover?)")


def check_figures(root, chapters, pages, includes, problems):
    shown = {inc.target for inc in includes}
    for page in list(pages) + [inc.target for inc in includes if inc.target.suffix == ".md"]:
        text = page.read_text(encoding="utf-8")
        for match in IMAGE.finditer(text):
            src = match.group(1) or match.group(2)
            if "://" not in src:
                shown.add((page.parent / src.split("#")[0]).resolve())
    for folder in FIGURE_DIRS:
        base = chapters / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file() and path.resolve() not in shown:
                problems.append(f"{rel(root, path)}:1: a figure that no page shows or includes")
    summary = chapters / "SUMMARY.md"
    if summary.is_file():
        links = re.findall(r"\]\(([^)]+\.md)\)", summary.read_text(encoding="utf-8"))
        listed = {(chapters / link).resolve() for link in links}
        for page in pages:
            if page.name != "SUMMARY.md" and page.resolve() not in listed:
                problems.append(f"{rel(root, page)}:1: a page that SUMMARY.md does not list")


def prose_words(text):
    """The words of prose in a page: outside fenced code, {{#include}} lines, HTML comments
    and link reference definitions."""
    text = HTML_COMMENT.sub(" ", text)
    words = 0
    for _, line, in_code in prose_lines(text):
        if in_code or INCLUDE.search(line) or LINK_DEFINITION.match(line):
            continue
        words += len(line.split())
    return words


def check_budget(root, md, text, problems):
    words = prose_words(text)
    if words > MAX_PAGE_WORDS:
        problems.append(
            f"{rel(root, md)}:1: {words:,} words of prose, over the page budget of"
            f" {MAX_PAGE_WORDS:,}; split the page into sub-pages"
        )


def is_verb(word):
    word = word.lower().strip(".,;:!?()'\"*_`")
    return word in CAPTION_VERBS or (len(word) > 4 and word.endswith("ed"))


def check_captions(root, md, text, problems):
    """A measured figure is followed by an italic caption that says what to see."""
    lines = HTML_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text).splitlines()
    outside = {number for number, _, in_code in prose_lines(text) if not in_code}
    charts = {
        FIGURE_CHART.match(line).group(1)
        for number, line in enumerate(lines, 1)
        if number in outside and FIGURE_CHART.match(line)
    }
    name = rel(root, md)
    for number, line in enumerate(lines, 1):
        if number not in outside:
            continue
        page = FIGURE_PAGE.match(line)
        chart = FIGURE_CHART.match(line)
        # A figure's caption follows its chart, or its results page when it has no chart.
        if not (chart or (page and page.group(1) not in charts)):
            continue
        figure = (chart or page).group(1)
        at = number
        while at < len(lines) and not lines[at].strip():
            at += 1
        paragraph = []
        while at < len(lines) and lines[at].strip():
            paragraph.append(lines[at].strip())
            at += 1
        caption = " ".join(paragraph)
        where = f"{name}:{number}: figure {figure!r}"
        if not re.fullmatch(r"([*_])[^*_\s].*[^\s]\1", caption, re.DOTALL) or caption[:2] in (
            "**",
            "__",
        ):
            problems.append(
                f"{where} has no caption: put one right after it, in italics (*...*), saying"
                " what the reader should see in it"
            )
            continue
        words = caption[1:-1].split()
        if len(words) < MIN_CAPTION_WORDS:
            problems.append(
                f"{where}: a caption of {len(words)} words; say what to see in a sentence of"
                f" at least {MIN_CAPTION_WORDS}"
            )
        elif not caption[1:-1].rstrip().endswith((".", "!", "?")):
            problems.append(f"{where}: the caption is not a sentence; end it with a full stop")
        elif not any(is_verb(word) for word in words):
            problems.append(
                f"{where}: the caption is a label, with no verb; say what the figure shows"
                " (what grows, stays, beats what)"
            )


# ---------------------------------------------------------------------------------------------
# Links

LINK = re.compile(r"\]\(([A-Za-z0-9_./-]*\.md)?#([^)\s]+)\)")


def heading_ids(text):
    """The ids mdBook gives a page's headings: the heading's text lower-cased, spaces made
    dashes, other punctuation dropped, and a repeat numbered (`-1`, `-2`)."""
    ids, seen = set(), {}
    for _, line, in_code in prose_lines(text):
        match = None if in_code else HEADING.match(line)
        if not match:
            continue
        title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", match.group(2)).replace("`", "")
        slug = "".join(
            ch.lower() if ch.isalnum() or ch in "_-" else "-" if ch.isspace() else ""
            for ch in title
        )
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        ids.add(slug if count == 0 else f"{slug}-{count}")
    return ids


def check_links(root, pages, problems):
    """A link to a section (`page.md#section`, `#section`) names a heading that exists:
    mdBook does not warn, and the reader lands at the top of the page instead."""
    texts = {page.resolve(): page.read_text(encoding="utf-8") for page in pages}
    ids = {page: heading_ids(text) for page, text in texts.items()}
    for page, text in texts.items():
        for match in LINK.finditer(text):
            target = (page.parent / match.group(1)).resolve() if match.group(1) else page.resolve()
            line = text.count("\n", 0, match.start()) + 1
            if target not in ids:
                problems.append(f"{rel(root, page)}:{line}: a link to {match.group(1)}, no such page")
            elif match.group(2) not in ids[target]:
                problems.append(
                    f"{rel(root, page)}:{line}: a link to #{match.group(2)}, which"
                    f" {rel(root, target)} has no heading for"
                )


# ---------------------------------------------------------------------------------------------
# Flags


def accepted_flags(source):
    """The flags a program's source accepts, read without building it."""
    text = source.read_text(encoding="utf-8")
    flags = set(ALWAYS_ACCEPTED)
    lists = re.findall(r"Flags::from_env\(\s*&\[(.*?)\]", text, re.DOTALL)
    lists += re.findall(r"const\s+VALUE_FLAGS\s*:[^=]*=\s*&\[(.*?)\]", text, re.DOTALL)
    for items in lists:
        flags.update(re.findall(r'"(--?[\w-]+)"', items))
    flags.update(re.findall(r'arg\s*==\s*"(--?[\w-]+)"', text))
    return flags


def commands(text):
    """(line, command, typed, block) for each shell command in a page: the lines of fenced
    blocks that are not Rust (joined across `\\` continuations), and inline code that runs
    `cargo run`. `typed` says the reader types it: a `$ ` prompt, or a line of a `sh`/`bash`
    block; `block` numbers the fenced blocks (0 for inline code)."""
    fence = None
    pending, pending_line, pending_typed = "", 0, False
    paragraph, paragraph_line = [], 0
    found, block = [], 0

    def flush_paragraph():
        joined = " ".join(paragraph)
        for span in re.findall(r"`([^`]+)`", joined):
            if "cargo run" in span:
                found.append((paragraph_line, span, False, 0))

    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("```"):
            if fence is None:
                flush_paragraph()
                paragraph = []
                fence = stripped
                block += 1
            else:
                fence = None
            continue
        if fence is not None:
            if fence.startswith("```rust"):
                continue
            prompt = re.match(r"^\s*\$\s+", line)
            command = line[prompt.end():] if prompt else line
            if not pending:
                pending_line = number
                pending_typed = bool(prompt) or fence in ("```sh", "```bash")
            if command.rstrip().endswith("\\"):
                pending += command.rstrip()[:-1] + " "
                continue
            pending += command
            found.append((pending_line, pending, pending_typed, block))
            pending = ""
        elif stripped:
            if not paragraph:
                paragraph_line = number
            paragraph.append(stripped)
        else:
            flush_paragraph()
            paragraph = []
    flush_paragraph()
    return found


def unquoted(command):
    """The characters of `command` that the shell sees outside quotes."""
    out, quote, escaped = [], None, False
    for char in command:
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        else:
            out.append(char)
    return "".join(out)


def check_typed_commands(root, md, text, problems):
    """A command the reader pastes must work in bash and in zsh on a fresh machine."""
    in_bash = set()  # blocks that start bash first: /dev/tcp works there whatever the shell
    for number, command, typed, block in commands(text):
        if not typed:
            continue
        where = f"{rel(root, md)}:{number}"
        bare = unquoted(command)
        if "?" in bare:
            problems.append(f"{where}: an unquoted '?' (zsh: no matches found); quote the URL")
        if command.split("#")[0].split() == ["bash"]:
            in_bash.add(block)
        if "/dev/tcp/" in command and block not in in_bash:
            problems.append(f"{where}: /dev/tcp is bash's alone (zsh has none); use curl telnet://")
        for tokens in split_commands(command):
            if tokens[:1] in (["nc"], ["netcat"], ["telnet"]):
                problems.append(
                    f"{where}: {tokens[0]} is not installed by default;"
                    " use curl or the book's client"
                )


def split_commands(command):
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|()")
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:
        return []
    pieces, piece = [], []
    for token in tokens:
        if token in SHELL_BREAKS:
            pieces.append(piece)
            piece = []
        else:
            piece.append(token)
    pieces.append(piece)
    return pieces


def program_of(root, tokens):
    """The program a `cargo run ...` runs and its own arguments, or None if not one of ours."""
    if "cargo" not in tokens:
        return None
    at = tokens.index("cargo")
    if tokens[at + 1:at + 2] != ["run"]:
        return None
    rest = tokens[at + 2:]
    cargo_args, program_args = rest, []
    if "--" in rest:
        split = rest.index("--")
        cargo_args, program_args = rest[:split], rest[split + 1:]
    if "--example" in cargo_args:
        i = cargo_args.index("--example")
        name = cargo_args[i + 1] if i + 1 < len(cargo_args) else ""
        return f"example {name}", root / "examples" / f"{name}.rs", program_args
    if any(arg in cargo_args for arg in ("--bin", "-p", "--package", "--manifest-path")):
        return None
    return "the showcase", root / "tools" / "src" / "main.rs", program_args


def check_flags(root, md, text, problems):
    for number, command, _, _ in commands(text):
        for tokens in split_commands(command):
            program = program_of(root, tokens)
            if program is None:
                continue
            label, source, args = program
            where = f"{rel(root, md)}:{number}"
            if not source.is_file():
                problems.append(f"{where}: runs {label}, but there is no {rel(root, source)}")
                continue
            accepted = accepted_flags(source)
            for arg in args:
                flag = arg.split("=", 1)[0]
                is_number = re.fullmatch(r"-?[0-9.,]+", flag)
                if flag.startswith("-") and not is_number and flag not in accepted:
                    problems.append(
                        f"{where}: {label} does not accept {flag} (it takes"
                        f" {', '.join(sorted(accepted - ALWAYS_ACCEPTED)) or 'no flags'})"
                    )


def check_sizes(root, md, text, problems):
    """A file's size printed in a console block (`wc -c < FILE`, and the `Content-Length` of
    the response that sends that file, in the same block) is the file's size today."""
    for fence, lines in fenced_blocks(text):
        if fence.startswith("```rust"):
            continue
        sizes = []
        for i, (number, line) in enumerate(lines):
            wc = re.match(r"^\s*\$\s+wc\s+-c\s+<?\s*(\S+)\s*$", line)
            if not wc:
                continue
            path = root / wc.group(1)
            if not path.is_file():
                problems.append(f"{rel(root, md)}:{number}: wc -c of a missing {wc.group(1)}")
                continue
            size = path.stat().st_size
            sizes.append(size)
            shown = lines[i + 1][1].strip() if i + 1 < len(lines) else ""
            if shown.split()[:1] != [str(size)]:
                problems.append(
                    f"{rel(root, md)}:{number}: {wc.group(1)} is {size} bytes,"
                    f" the book shows {shown!r}"
                )
        for number, line in lines:
            length = re.match(r"^Content-Length:\s*([0-9]+)\s*$", line.strip(), re.IGNORECASE)
            if sizes and length and int(length.group(1)) not in sizes:
                problems.append(
                    f"{rel(root, md)}:{number}: Content-Length {length.group(1)}, but the file"
                    f" it sends is {sizes[0]} bytes"
                )


# ---------------------------------------------------------------------------------------------


def check(root):
    problems = []
    chapters = root / "chapters"
    pages = sorted(chapters.glob("*.md"))
    includes = []
    # Every page, sub-pages in folders too: the page budget and the figures' captions.
    for md in sorted(chapters.rglob("*.md")):
        if md.name != "SUMMARY.md" and not set(md.relative_to(chapters).parts) & set(FIGURE_DIRS):
            text = md.read_text(encoding="utf-8")
            check_budget(root, md, text, problems)
            check_captions(root, md, text, problems)
    for md in pages:
        text = md.read_text(encoding="utf-8")
        resolve(root, md, text, problems, includes)
        check_typed_rust(root, md, text, problems)
        check_placeholders(root, md, text, problems)
        check_flags(root, md, text, problems)
        check_sizes(root, md, text, problems)
        check_typed_commands(root, md, text, problems)
    for figure_page in sorted({inc.target for inc in includes if inc.target.suffix == ".md"}):
        text = figure_page.read_text(encoding="utf-8")
        check_placeholders(root, figure_page, text, problems)
        check_flags(root, figure_page, text, problems)
    anchored = {path.resolve() for path in source_files(root)}
    anchored |= {inc.target for inc in includes if inc.target.suffix != ".md"}
    for path in sorted(anchored):
        check_anchors(root, path, problems)
    check_repeats(root, includes, problems)
    check_changes_shown_whole(root, includes, problems)
    check_snapshot_sources(root, includes, problems)
    check_figures(root, chapters, pages, includes, problems)
    check_links(root, pages, problems)
    return problems


# ---------------------------------------------------------------------------------------------
# Self-test: a tiny book with one planted fault of each class, and the line that must catch it.

SELF_TEST_FILES = {
    "chapters/SUMMARY.md": "# Summary\n\n- [One](one.md)\n- [Two](two.md)\n"
    "- [Step](ch02-step.md)\n- [More](ch03-more.md)\n- [Figs](figs.md)\n- [Long](long.md)\n"
    "- [Fits](fits.md)\n",
    "chapters/ch02-step.md": """# Step

```rust
{{#include ../target/snapshots/ch02/src/step.rs:now}}
```

```rust
{{#include ../target/snapshots/ch01/src/step.rs:then}}
```

```rust
{{#include ../target/snapshots/ch03/src/step.rs:later}}
```

```rust
{{#include ../src/good.rs:twice_more}}
```

```rust
{{#include ../tests/compile_fail/step.rs}}
```

```diff
{{#include ../target/snapshots/diff/ch01-ch02/src/step.rs/now.diff}}
```

```diff
{{#include ../target/snapshots/diff/ch01-ch03/src/step.rs/later.diff}}
```
""",
    "target/snapshots/ch01/src/step.rs": "// ANCHOR: then\nfn then() {}\n// ANCHOR_END: then\n",
    "target/snapshots/ch02/src/step.rs": "// ANCHOR: now\nfn now() {}\n// ANCHOR_END: now\n",
    "target/snapshots/ch03/src/step.rs": "// ANCHOR: later\nfn later() {}\n// ANCHOR_END: later\n"
    "// ANCHOR: then\nfn then() { again(); }\n// ANCHOR_END: then\n",
    "chapters/ch03-more.md": "# More\n\n```rust\n"
    "{{#include ../target/snapshots/ch03/src/step.rs:then}}\n```\n",
    "target/snapshots/diff/ch01-ch02/src/step.rs/now.diff": "-fn then() {}\n+fn now() {}\n",
    "target/snapshots/diff/ch01-ch03/src/step.rs/later.diff": "-fn then() {}\n+fn later() {}\n",
    "tests/compile_fail/step.rs": "fn main() { let x: u8 = 256; }\n",
    "chapters/one.md": """# One

```rust
{{#include ../src/good.rs:whole}}
```

```rust
{{#include ../src/good.rs:part}}
```

```rust
{{#include ../src/good.rs:twice}}
```

## answers
(being written)

## Empty

## Next

Text, with `--workers 4` in prose, and a TODO. See [two](two.md#nowhere), [next](#next).

```console
$ cargo run --release --example ch01_x -- --workers 4 --wokers 4
$ cargo run --release -- --addr 127.0.0.1:8080 --threads 2
$ curl -s 'http://127.0.0.1:8080/?a=1' --max-time 2
$ curl -s http://127.0.0.1:8080/?a=1
$ printf 'G' | nc 127.0.0.1 8080
$ exec 3<>/dev/tcp/127.0.0.1/8080
```

```console
$ bash     # bash can open TCP connections itself
$ exec 3<>/dev/tcp/127.0.0.1/8080
```

{{#include figures/shown.md}}

![A chart](figures/shown.svg)

*The one bar of this chart stays the same height in every run.*

```console
$ curl -I http://127.0.0.1:8080/file
Content-Length: 12
$ wc -c < src/good.rs
12
```
""",
    "chapters/two.md": """# Two

```rust
{{#include ../src/good.rs:twice}}
```

```rust
{{#include ../src/bad.rs:late}}
```

```rust
{{#include ../src/good.rs:pair}}
```

# two, again
""",
    "chapters/orphan.md": "# Orphan\n\nNot in the summary.\n",
    "chapters/figs.md": """# Figs

{{#include figures/good.md}}

![A chart](figures/good.svg)

*The pool's thread count stays flat
while chapter 3's grows with every connection.*

{{#include figures/label.md}}

![A chart](figures/label.svg)

*Requests per second for chapters 2 to 4.*

![A chart](figures/short.svg)

*Chapter 3 grows.*

![A chart](figures/unended.svg)

*Chapter 3's memory grows with every idle connection it holds*

{{#include figures/plain.md}}

What to look for:

{{#include figures/none.md}}

## After

Text.
""",
    "chapters/figures/good.md": "The good figure's page.\n",
    "chapters/figures/good.svg": "<svg/>\n",
    "chapters/figures/label.md": "The labelled figure's page.\n",
    "chapters/figures/label.svg": "<svg/>\n",
    "chapters/figures/short.svg": "<svg/>\n",
    "chapters/figures/unended.svg": "<svg/>\n",
    "chapters/figures/plain.md": "The plain figure's page.\n",
    "chapters/figures/none.md": "The uncaptioned figure's page.\n",
    # 4,001 words of prose and a heading: over the budget.
    "chapters/long.md": "# Long\n\n" + "word " * 4001 + "\n",
    # A sub-page in a folder is a page too.
    "chapters/part/deep.md": "# Deep\n\n" + "word " * 4001 + "\n",
    # 3,998 words of prose and a heading, and much more that is not prose: within it.
    "chapters/fits.md": "# Fits\n\n" + "word " * 3998 + "\n\n```text\n" + "code " * 5000
    + "\n```\n\n<!-- " + "comment " * 100 + "-->\n\n[link]: https://example.com/a b c d\n"
    + "\n{{#include ../src/fits.txt}}\n",
    "src/fits.txt": "Included " + "text " * 100 + "too.\n",
    "chapters/figures/shown.md": "A figure page.\n",
    "chapters/figures/shown.svg": "<svg/>\n",
    "chapters/figures/unshown.svg": "<svg/>\n",
    "src/good.rs": """// ANCHOR: whole
fn a() {
    // ANCHOR: part
    let one = 1;
    // ANCHOR: pair
    let two = 2;
    let three = 3;
    let four = 4;
    // ANCHOR_END: pair
    // ANCHOR_END: part
}
// ANCHOR_END: whole
// ANCHOR: twice
fn b() {}
// ANCHOR_END: twice
// ANCHOR: twice_more
fn c() {}
// ANCHOR_END: twice_more
""",
    "src/bad.rs": """// ANCHOR_END: late
fn late() {}
// ANCHOR: late
// ANCHOR_END: paired
// ANCHOR: paired
// ANCHOR_END: paired
// ANCHOR: open
// ANCHOR_END: stray
// ANCHOR: dup
// ANCHOR_END: dup
// ANCHOR: dup
// ANCHOR_END: dup
""",
    "examples/ch01_x.rs": 'fn main() { let f = Flags::from_env(&["--addr", "--workers"]); }\n',
    "tools/src/main.rs": 'fn main() { let f = Flags::from_env(&["--addr", "--workers"]); }\n',
}

# One per planted fault: the file, a piece of the faulty line (None: line 1), and words the
# problem reported there must contain.
SELF_TEST_EXPECTED = [
    ("src/bad.rs", "ANCHOR_END: late", "comes before its ANCHOR"),
    ("src/bad.rs", "ANCHOR_END: paired", "a stray ANCHOR_END 'paired'"),
    ("src/bad.rs", "ANCHOR: open", "'open' is never closed"),
    ("src/bad.rs", "ANCHOR_END: stray", "never opened"),
    ("src/bad.rs", "ANCHOR: dup\n// ANCHOR_END: dup\n// ANCHOR: dup", "'dup' opened again"),
    ("chapters/two.md", "good.rs:twice", "repeats the listing shown at chapters/one.md:"),
    ("chapters/one.md", "good.rs:part", "wholly inside"),
    ("chapters/one.md", "(being written)", "placeholder text 'being written'"),
    ("chapters/one.md", "## Empty", "heading with nothing under it"),
    ("chapters/one.md", "and a TODO", "placeholder text 'TODO'"),
    ("chapters/one.md", "--wokers", "does not accept --wokers"),
    ("chapters/one.md", "--threads", "the showcase does not accept --threads"),
    ("chapters/two.md", "# two, again", "second top-level heading"),
    ("chapters/two.md", "# two, again", "heading with nothing under it"),
    ("chapters/figures/unshown.svg", None, "no page shows"),
    ("chapters/orphan.md", None, "SUMMARY.md does not list"),
    ("chapters/one.md", "Content-Length: 12", "Content-Length 12"),
    ("chapters/one.md", "wc -c < src/good.rs", "src/good.rs is"),
    ("chapters/one.md", "curl -s http://127.0.0.1:8080/?a=1", "an unquoted '?'"),
    ("chapters/one.md", "| nc 127", "nc is not installed"),
    ("chapters/one.md", "$ exec 3<>/dev/tcp", "/dev/tcp is bash's"),
    ("chapters/ch02-step.md", "ch03/src/step.rs:later", "from chapter 3's snapshot, later"),
    ("chapters/ch02-step.md", "../src/good.rs:twice_more", "from the source"),
    ("chapters/ch02-step.md", "ch01-ch03", "a diff ending at chapter 3"),
    ("chapters/ch03-more.md", "ch03/src/step.rs:then", "shows again, changed"),
    ("chapters/one.md", "[two](two.md#nowhere)", "has no heading for"),
    ("chapters/long.md", None, "4,003 words of prose, over the page budget"),
    ("chapters/part/deep.md", None, "4,003 words of prose, over the page budget"),
    ("chapters/figs.md", "![A chart](figures/label.svg)", "the caption is a label"),
    ("chapters/figs.md", "![A chart](figures/short.svg)", "a caption of 3 words"),
    ("chapters/figs.md", "![A chart](figures/unended.svg)", "not a sentence"),
    ("chapters/figs.md", "{{#include figures/plain.md}}", "'plain' has no caption"),
    ("chapters/figs.md", "{{#include figures/none.md}}", "'none' has no caption"),
]


def expected_at(name, piece):
    """`name:LINE`, the line where `piece` (possibly several lines) starts, the last line when
    it spans several."""
    if piece is None:
        return f"{name}:1"
    text = SELF_TEST_FILES[name]
    at = text.index(piece)
    return f"{name}:{text.count(chr(10), 0, at) + piece.count(chr(10)) + 1}"


def self_test():
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp).resolve()
        for name, text in SELF_TEST_FILES.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        problems = check(root)
    expected = [(expected_at(name, piece), words) for name, piece, words in SELF_TEST_EXPECTED]
    missed = [(where, words) for where, words in expected
              if not any(p.startswith(where + ":") and words in p for p in problems)]
    extra = [p for p in problems
             if not any(p.startswith(where + ":") and words in p for where, words in expected)]
    for where, words in missed:
        print(f"self-test: no problem at {where} saying {words!r}")
    for problem in extra:
        print(f"self-test: unexpected: {problem}")
    # Without the generated tree, one problem says how to make it (not one per include).
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp).resolve()
        for name in ("chapters/SUMMARY.md", "chapters/ch02-step.md", "src/good.rs"):
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(SELF_TEST_FILES[name], encoding="utf-8")
        (root / "chapters/SUMMARY.md").write_text("- [Step](ch02-step.md)\n", encoding="utf-8")
        (root / "tests/compile_fail").mkdir(parents=True)
        (root / "tests/compile_fail/step.rs").write_text("fn main() {}\n", encoding="utf-8")
        problems = check(root)
    generated = [p for p in problems if "run `cargo xtask book` first" in p]
    if len(generated) != 1:
        print(f"self-test: without target/snapshots, expected one problem saying to run"
              f" `cargo xtask book`, got: {problems}")
        missed.append(("target/snapshots", "run `cargo xtask book` first"))
    if missed or extra:
        sys.exit(1)
    count = len(SELF_TEST_EXPECTED) + 1
    print(f"book check self-test: all {count} planted faults caught, nothing else")


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return
    problems = check(ROOT)
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print("book check clean: includes, snapshots, anchors, repeats, placeholders, figures,"
          " flags, commands, sizes, budget, captions")


if __name__ == "__main__":
    main()
