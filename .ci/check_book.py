#!/usr/bin/env python3
"""Checks that the book never lies about its code.

- Every {{#include}} / {{#rustdoc_include}} names a file that exists and, when it names an
  anchor, the file has `ANCHOR: name` and `ANCHOR_END: name` markers. (mdbook only warns
  about these, and renders an empty or missing block.)
- No ```rust block holds more than a few hand-typed lines: Rust in the book is included
  from files that cargo compiles.
Exits non-zero with one line per problem.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
INCLUDE = re.compile(r"\{\{#(?:rustdoc_)?include\s+([^}\s]+)\s*\}\}")
MAX_TYPED_LINES = 8


def check_includes(md, text, problems):
    for match in INCLUDE.finditer(text):
        spec = match.group(1)
        path, _, selector = spec.partition(":")
        target = (md.parent / path).resolve()
        if not target.is_file():
            problems.append(f"{md.name}: {{{{#include {spec}}}}}: no file {path}")
            continue
        # A selector is an anchor name, or line numbers like 3 / 3:9 / :9.
        if selector and not re.fullmatch(r"[0-9]*(:[0-9]*)?", selector):
            body = target.read_text(encoding="utf-8")
            if f"ANCHOR: {selector}" not in body or f"ANCHOR_END: {selector}" not in body:
                problems.append(f"{md.name}: {{{{#include {spec}}}}}: no anchor {selector!r} in {path}")


def check_typed_rust(md, text, problems):
    in_rust, typed = False, 0
    for line in text.splitlines():
        if line.startswith("```"):
            if not in_rust and line.startswith("```rust"):
                in_rust, typed = True, 0
            elif in_rust:
                if typed > MAX_TYPED_LINES:
                    problems.append(f"{md.name}: a ```rust block with {typed} hand-typed lines")
                in_rust = False
            continue
        if in_rust and "{{#" not in line and line.strip():
            typed += 1


def main():
    problems = []
    for md in sorted(CHAPTERS.glob("*.md")):
        text = md.read_text(encoding="utf-8")
        check_includes(md, text, problems)
        check_typed_rust(md, text, problems)
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print("book check: every include resolves, no hand-typed Rust")


if __name__ == "__main__":
    main()
