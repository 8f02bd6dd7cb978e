"""The audit reports (`tfoidc audit roles` / `audit trail`) in every format: text, json, md, html, sarif.

Everything shown comes from the account or its logs and is treated as hostile text: each medium escapes
it with its own function. Access key ids are never printed whole (their last four characters tell
sessions apart).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from tfoidc import __version__
from tfoidc.guardrails.model import Finding, Severity

AUDIT_FORMATS = ("text", "json", "md", "html", "sarif")
_SARIF_LEVEL = {Severity.BLOCK: "error", Severity.WARN: "warning", Severity.INFO: "note"}


@dataclass(frozen=True)
class AuditTable:
    """One audit's result in a renderer-neutral shape: a title, the source it read, rows, findings."""

    kind: str  # "trail" or "roles"
    title: str
    source: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    findings: tuple[Finding, ...]
    totals: tuple[str, ...] = ()  # lines such as "read 12 files, 3,400 events; skipped 1 file (not gzip)"
    details: dict[str, Any] = field(default_factory=dict)  # the JSON document's data
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (heading, lines) shown after the table


def render_audit(table: AuditTable, fmt: str) -> str:
    renderers: dict[str, Callable[[AuditTable], str]] = {
        "text": _text,
        "json": _json,
        "md": _markdown,
        "html": _html,
        "sarif": _sarif,
    }
    return renderers[fmt](table)


def mask_key(key: str) -> str:
    return f"{key[:4]}…{key[-4:]}" if len(key) > 8 else "…"


# --- text -----------------------------------------------------------------------------------------


def _text(table: AuditTable) -> str:
    """Plain text for a terminal or a job log: no markup is interpreted, control characters shown as '?'."""
    lines = [f"{table.title} ({_plain(table.source)})", ""]
    widths = [len(c) for c in table.columns]
    rows = [[_plain(cell) for cell in row] for row in table.rows]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines.append("  ".join(c.ljust(w) for c, w in zip(table.columns, widths, strict=True)).rstrip())
    lines.extend("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows)
    if not rows:
        lines.append("(none)")
    for heading, section in table.sections:
        lines += ["", heading, *(f"  {_plain(line)}" for line in section)]
    lines += ["", _verdict(table.findings)]
    lines += [f"  {f.severity.value:5} {f.rule} {_plain(f.message)}" for f in _ordered(table.findings)]
    lines += ["", *(_plain(t) for t in table.totals)]
    return "\n".join(lines).rstrip() + "\n"


def _plain(text: str) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in str(text))


# --- json -----------------------------------------------------------------------------------------


def _json(table: AuditTable) -> str:
    doc = {
        "schema": f"tfoidc-audit-{table.kind}/1",
        "tool_version": __version__,
        "source": table.source,
        **table.details,
        "findings": [_finding_dict(f) for f in _ordered(table.findings)],
        "totals": list(table.totals),
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2, default=_default).decode() + "\n"


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(type(value).__name__)


def _finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "title": f.title,
        "severity": f.severity.value,
        "address": f.address,
        "message": f.message,
        "fix": f.fix,
        "waived": f.waived,
        "waiver_reason": f.waiver_reason,
    }


# --- markdown -------------------------------------------------------------------------------------


def _markdown(table: AuditTable) -> str:
    lines = [
        f"## {_md(table.title)}",
        "",
        f"Source: {_md_code(table.source)}",
        "",
        _verdict(table.findings),
        "",
    ]
    if table.findings:
        lines += ["| severity | rule | what |", "|---|---|---|"]
        lines += [f"| {f.severity.value} | {f.rule} | {_md(f.message)} |" for f in _ordered(table.findings)]
        lines.append("")
    lines += ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in table.rows]
    for heading, section in table.sections:
        lines += ["", f"### {_md(heading)}", "", *(f"- {_md(line)}" for line in section)]
    lines += ["", *(f"_{_md(t)}_" for t in table.totals)]
    return "\n".join(lines).rstrip() + "\n"


_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]<>|~#&"})
_MD_LIST_START = re.compile(r"^(\d*)([-+.)])")


def _md(text: str) -> str:
    """Literal text in a markdown table cell or list item: inline specials escaped, line breaks flattened,
    and a leading list or heading marker made literal."""
    escaped = " ".join(_plain(text).split()).translate(_MD_SPECIAL)
    return _MD_LIST_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", escaped, count=1)


def _md_code(text: str) -> str:
    flat = " ".join(_plain(text).split())
    longest = max((len(m) for m in _backtick_runs(flat)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {flat} {fence}"


def _backtick_runs(text: str) -> list[str]:
    runs, current = [], ""
    for ch in text:
        if ch == "`":
            current += ch
        elif current:
            runs.append(current)
            current = ""
    if current:
        runs.append(current)
    return runs


# --- html -----------------------------------------------------------------------------------------


def _html(table: AuditTable) -> str:
    esc = html.escape
    head = "".join(f"<th>{esc(c)}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(_plain(cell))}</td>" for cell in row) + "</tr>" for row in table.rows
    )
    findings = "".join(
        f'<li class="{f.severity.value}"><b>{esc(f.severity.value)}</b> {esc(f.rule)}: {esc(_plain(f.message))}</li>'
        for f in _ordered(table.findings)
    )
    sections = "".join(
        f"<h2>{esc(heading)}</h2><ul>" + "".join(f"<li>{esc(_plain(line))}</li>" for line in lines) + "</ul>"
        for heading, lines in table.sections
    )
    totals = "".join(f"<p class=totals>{esc(_plain(t))}</p>" for t in table.totals)
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{esc(table.title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{esc(table.title)}</h1><p>Source: <code>{esc(_plain(table.source))}</code></p>"
        f"<p class=verdict>{esc(_verdict(table.findings))}</p><ul class=findings>{findings}</ul>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{sections}{totals}"
        "</body></html>\n"
    )


_CSS = (
    "body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}"
    ".block{color:#b00020}.warn{color:#8a5a00}.info{color:#555}.verdict{font-weight:bold}"
)


# --- sarif ----------------------------------------------------------------------------------------


def _sarif(table: AuditTable) -> str:
    rules = sorted({(f.rule, f.title) for f in table.findings})
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tfoidc",
                        "version": __version__,
                        "rules": [{"id": r, "shortDescription": {"text": t or r}} for r, t in rules],
                    }
                },
                "results": [
                    {
                        "ruleId": f.rule,
                        "level": _SARIF_LEVEL[f.severity],
                        "message": {"text": _plain(f.message)},
                        "locations": [
                            {"logicalLocations": [{"fullyQualifiedName": f.address, "kind": "resource"}]}
                        ],
                        **({"suppressions": [{"kind": "external"}]} if f.waived else {}),
                    }
                    for f in _ordered(table.findings)
                ],
            }
        ],
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"


# --- shared ---------------------------------------------------------------------------------------


def _ordered(findings: Sequence[Finding]) -> list[Finding]:
    rank = {Severity.BLOCK: 0, Severity.WARN: 1, Severity.INFO: 2}
    return sorted(findings, key=lambda f: (f.waived, rank[f.severity], f.rule, f.address, f.message))


def _verdict(findings: Sequence[Finding]) -> str:
    blocking = sum(1 for f in findings if f.blocking)
    warnings = sum(1 for f in findings if f.severity is Severity.WARN and not f.waived)
    if blocking:
        return f"Blocked: {blocking} blocking finding{'s' * (blocking != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    if warnings:
        return f"Review: {warnings} warning{'s' * (warnings != 1)}, no blocking finding"
    return "Clean: no blocking finding and no warning"
