"""Structural checks of a markdown note, as a markdown parser sees it (markdown-it, tables on).

A shortened note must still be well-formed: every code block closed, every table row as wide as its
header, every <details> closed. These checks read the parser's view, not tfoidc's templates.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

_PIPE = re.compile(r"(?<!\\)\|")


def _cells(line: str) -> int:
    parts = _PIPE.split(line.strip())
    if parts and parts[0] == "":
        parts = parts[1:]
    if parts and parts[-1] == "":
        parts = parts[:-1]
    return len(parts)


def unclosed_fence(text: str) -> bool:
    """True when a fenced code block is still open at the end (CommonMark rules, any indent)."""
    opener: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        m = re.match(r"^(`{3,}|~{3,})(.*)$", line)
        if m is None:
            continue
        run = m.group(1)
        if opener is None:
            opener = run
        elif run[0] == opener[0] and len(run) >= len(opener) and not m.group(2).strip():
            opener = None
    return opener is not None


def structure_problems(text: str) -> list[str]:
    problems = []
    if unclosed_fence(text):
        problems.append("a fenced code block is never closed")
    opened, closed = len(re.findall(r"<details[ >]", text)), text.count("</details>")
    if opened != closed:
        problems.append(f"{opened} <details> but {closed} </details>")
    lines = text.splitlines()
    md = MarkdownIt("commonmark").enable("table")
    tables = [t for t in md.parse(text) if t.type == "table_open"]
    for table in tables:
        assert table.map is not None
        start, end = table.map
        rows = lines[start:end]
        width = _cells(rows[0])
        for number, row in enumerate(rows, start=start + 1):
            if _cells(row) != width:
                problems.append(f"line {number}: table row has {_cells(row)} cells, header {width}: {row!r}")
    return problems


def table_count(text: str) -> int:
    md = MarkdownIt("commonmark").enable("table")
    return sum(1 for t in md.parse(text) if t.type == "table_open")


def fence_count(text: str) -> int:
    md = MarkdownIt("commonmark").enable("table")
    return sum(1 for t in md.parse(text) if t.type == "fence")
