#!/usr/bin/env python3
"""Checks that the framework's imports point one way.

weft's modules stand in layers, each using only what is below it (the order is LAYERS, and
src/lib.rs's documentation says the same in prose). This reads every file under src/, finds
what it uses (`use` trees and inline `crate::`/`super::`/`self::` paths outside comments and
outside `#[cfg(test)]` modules), and fails on:

- an import from a module into a higher layer;
- an import cycle between files, even inside one layer (a parent `mod.rs` that only
  declares and re-exports its children does not count as using them).

Exits non-zero with one line per problem.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT / "src"

# Bottom first. A module may use modules of its own layer or below, never above.
LAYERS = [
    ["small_list", "date", "negotiate"],
    ["pool", "shutdown"],
    ["http"],
    ["request", "response"],
    ["error"],
    ["server", "router"],
    ["middleware"],
    ["app"],
    ["testing"],
    ["prelude"],
]
RANK = {module: rank for rank, layer in enumerate(LAYERS) for module in layer}


def module_path(file):
    """src/http/conn.rs -> ['http', 'conn']; src/http/mod.rs -> ['http']; lib.rs -> []."""
    parts = list(file.relative_to(SRC).with_suffix("").parts)
    if parts[-1] in ("mod", "lib"):
        parts.pop()
    return parts


def file_of(path):
    """The file that defines the longest prefix of module `path`, or None."""
    for n in range(len(path), -1, -1):
        base = SRC.joinpath(*path[:n]) if n else SRC
        for candidate in (base.with_suffix(".rs") if n else None, base / "mod.rs", base / "lib.rs" if n == 0 else None):
            if candidate is not None and candidate.is_file():
                return candidate
    return None


def strip(text):
    """The code without comments, strings, and `#[cfg(test)]` modules."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r'b?"(?:\\.|[^"\\])*"', '""', text, flags=re.S)
    out, i = [], 0
    for match in re.finditer(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text):
        if match.start() < i:
            continue
        out.append(text[i:match.start()])
        depth, j = 1, match.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)


def expand(tree):
    """`a::{b, c::{d, e}}` -> ['a::b', 'a::c::d', 'a::c::e'] (without `self`/`*`/aliases)."""
    tree = re.sub(r"\s+as\s+\w+", "", tree).replace(" ", "").replace("\n", "")
    brace = tree.find("{")
    if brace < 0:
        return [tree]
    prefix, inner = tree[:brace], tree[brace + 1 : tree.rfind("}")]
    parts, depth, start = [], 0, 0
    for k, ch in enumerate(inner):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(inner[start:k])
            start = k + 1
    parts.append(inner[start:])
    paths = []
    for part in filter(None, parts):
        for sub in expand(part):
            paths.append((prefix + sub) if sub not in ("self", "*") else prefix.rstrip(":"))
    return paths


def resolve(file, path):
    """The module path a `crate::`/`super::`/`self::` path names, relative to `file`."""
    segments = path.split("::")
    here = module_path(file)
    if file.name not in ("mod.rs", "lib.rs") and here:
        parent = here[:-1]
    else:
        parent = here
    if segments[0] == "crate":
        base, rest = [], segments[1:]
    elif segments[0] == "self":
        base, rest = here, segments[1:]
    elif segments[0] == "super":
        base, rest = parent, segments[1:]
        while rest and rest[0] == "super":
            base, rest = base[:-1], rest[1:]
    else:
        # A child module named directly (`use group::Group` in app/mod.rs).
        child = here + [segments[0]]
        if file_of(child) not in (None, file_of(here)) and file.name in ("mod.rs", "lib.rs"):
            base, rest = here, segments
        else:
            return None
    return base + [s for s in rest if s and s != "*"]


def edges(file):
    text = strip(file.read_text(encoding="utf-8"))
    found = []
    for match in re.finditer(r"(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);", text):
        reexport = bool(match.group(1))
        for path in expand(match.group(2)):
            target = resolve(file, path)
            if target is not None:
                found.append((target, reexport))
    for match in re.finditer(r"(?<![\w:])((?:crate|super|self)(?:::\w+)+)", text):
        target = resolve(file, match.group(1))
        if target is not None:
            found.append((target, False))
    result = set()
    here = module_path(file)
    for target, reexport in found:
        dest = file_of(target)
        if dest is None or dest == file:
            continue
        is_child = module_path(dest)[: len(here)] == here and len(module_path(dest)) > len(here)
        # A parent that re-exports a child is the child's front door, not its user.
        if reexport and is_child:
            continue
        result.add(dest)
    return result


def main():
    files = sorted(p for p in SRC.rglob("*.rs"))
    graph = {f: edges(f) for f in files}
    problems = []
    for f, targets in graph.items():
        top = module_path(f)[:1]
        if not top:
            continue
        if top[0] not in RANK:
            problems.append(f"{f.relative_to(ROOT)}: module {top[0]!r} has no layer in .ci/check_layers.py")
            continue
        for t in sorted(targets):
            ttop = module_path(t)[:1]
            if ttop and ttop[0] in RANK and RANK[ttop[0]] > RANK[top[0]]:
                problems.append(
                    f"{f.relative_to(ROOT)} uses {t.relative_to(ROOT)}: "
                    f"{top[0]} (layer {RANK[top[0]]}) must not use {ttop[0]} (layer {RANK[ttop[0]]})"
                )
    # Cycles: Tarjan's strongly connected components over the files.
    index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on.discard(w)
                scc.append(w)
                if w == v:
                    break
            if len(scc) > 1:
                sccs.append(scc)

    for f in files:
        if f not in index:
            visit(f)
    for scc in sccs:
        names = ", ".join(sorted(str(f.relative_to(ROOT)) for f in scc))
        problems.append(f"import cycle among {len(scc)} files: {names}")
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print(f"layer check: {len(files)} files, imports point down, no cycle")


if __name__ == "__main__":
    main()
