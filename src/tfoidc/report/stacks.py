"""The merge request note for many stacks: one summary table, the stacks without changes folded into one
line, and each stack's details (the one-environment note's sections) collapsed below.

With one stack the note is the one-environment note. The size budget is met by keeping the table whole,
then giving each stack's details an equal share of what is left (most important stacks first: failed,
blocked, then by number of changes), and saying which stacks' details were left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from tfoidc import __version__
from tfoidc.analysis.model import Analysis
from tfoidc.gitlab.marker import note_marker
from tfoidc.report.config import ReportConfig
from tfoidc.report.markdown import inline_code, plain_text, render_markdown
from tfoidc.report.render import render_note
from tfoidc.report.view import format_money, verdict_line

# The marker's name for the note of a set of stacks: one note per merge request, whichever stacks changed.
STACKS_NOTE = "tfoidc-stacks"
# ReportConfig's smallest note budget: below it a stack gets its verdict line only.
_MIN_DETAILS = 2_000
_MAX_FOLDED_NAMES = 200
_URL = re.compile(r"^https?://[^\s()<>\[\]\"'`]+$")

State = Literal["planned", "blocked", "failed"]


@dataclass(frozen=True)
class StackEntry:
    name: str
    state: State
    analysis: Analysis | None = None
    error: str | None = None  # one line, when the stack failed
    job_url: str | None = None
    status: str = "changed"  # changed | affected

    @property
    def has_changes(self) -> bool:
        return self.analysis is not None and bool(self.analysis.plan.changes())

    @property
    def weight(self) -> tuple[int, int, str]:
        rank = {"failed": 0, "blocked": 1, "planned": 2}[self.state]
        changes = len(self.analysis.plan.changes()) if self.analysis is not None else 0
        return (rank, -changes, self.name)


@dataclass(frozen=True)
class RemovedStack:
    name: str
    reason: str


def render_stacks_note(
    entries: Sequence[StackEntry],
    *,
    removed: Sequence[RemovedStack] = (),
    config: ReportConfig | None = None,
    pipeline_id: int | None = None,
    artifact_url: str | None = None,
) -> str:
    config = config or ReportConfig()
    if len(entries) == 1 and not removed and entries[0].analysis is not None:
        return render_note(
            [entries[0].analysis], config=config, pipeline_id=pipeline_id, artifact_url=artifact_url
        )
    budget = config.note_max_chars
    marker = note_marker([STACKS_NOTE], pipeline_id)
    ordered = sorted(entries, key=lambda e: e.weight)
    shown = [e for e in ordered if e.state != "planned" or e.has_changes]
    quiet = sorted(e.name for e in ordered if e.state == "planned" and not e.has_changes)
    footer = _footer(pipeline_id, artifact_url)
    head = _head(marker, entries, shown, quiet, removed, budget - len(footer) - 400)
    room = budget - len(head) - len(footer) - 400
    kept: list[tuple[int, str]] = []  # (position in `shown`, its details)
    for i, entry in enumerate(shown):
        share = room // max(len(shown) - i, 1)
        block = _details(entry, config, share)
        if block is not None and len(block) <= room:
            kept.append((i, block))
            room -= len(block)
    while True:
        shown_at = {i for i, _ in kept}
        left_out = [e.name for i, e in enumerate(shown) if i not in shown_at]
        text = head + "".join(b for _, b in kept) + _left_out_line(left_out, budget) + footer
        if len(text) <= budget or not kept:
            return text if len(text) <= budget else text[: budget - len(footer)] + footer
        kept.pop()  # the least important stack shown gives way to the line saying what was left out


def _left_out_line(left_out: list[str], budget: int) -> str:
    if not left_out:
        return ""
    names = ", ".join(inline_code(n) for n in left_out[:50])
    more = f" and {len(left_out) - 50} more" if len(left_out) > 50 else ""
    return (
        f"\n> ✂️ The details of {len(left_out)} stack{'s' if len(left_out) != 1 else ''} were left out to stay "
        f"under {budget:,} characters ({names}{more}): see each stack's job.\n"
    )


def _head(
    marker: str,
    entries: Sequence[StackEntry],
    shown: list[StackEntry],
    quiet: list[str],
    removed: Sequence[RemovedStack],
    room: int,
) -> str:
    counts = {
        "with changes": sum(1 for e in entries if e.state == "planned" and e.has_changes),
        "blocked": sum(1 for e in entries if e.state == "blocked"),
        "failed": sum(1 for e in entries if e.state == "failed"),
        "without changes": len(quiet),
    }
    summary = " · ".join(f"{n} {label}" for label, n in counts.items() if n)
    lines = [marker, f"### tfoidc plan report: {len(entries)} stacks", "", f"**{summary or 'no stack'}**", ""]
    if shown:
        lines += [
            "| Stack | Add | Change | Replace | Destroy | Blocking | Cost /mo | Job |",
            "|---|--:|--:|--:|--:|--:|--:|---|",
        ]
        rows = [_row(e) for e in shown]
        used = sum(len(line) + 1 for line in lines) + 600
        kept: list[str] = []
        for row in rows:
            if used + len(row) + 1 > room:
                break
            kept.append(row)
            used += len(row) + 1
        lines += kept
        if len(kept) < len(rows):
            lines.append(
                f"| _… {len(rows) - len(kept)} more stacks left out to fit the note size budget_ | | | | | | | |"
            )
        lines.append("")
    if quiet:
        names = ", ".join(inline_code(n) for n in quiet[:_MAX_FOLDED_NAMES])
        more = f" and {len(quiet) - _MAX_FOLDED_NAMES} more" if len(quiet) > _MAX_FOLDED_NAMES else ""
        lines += [f"✅ {len(quiet)} stack{'s' if len(quiet) != 1 else ''} without changes: {names}{more}", ""]
    for r in removed:
        lines += [
            f"> ⚠️ Stack {inline_code(r.name)} was removed ({plain_text(r.reason)}): merging does not destroy its "
            "resources; destroy them with Terraform first, or they stay in their account, unmanaged.",
            "",
        ]
    return "\n".join(lines) + "\n"


def _row(e: StackEntry) -> str:
    icon = {"failed": "❌ ", "blocked": "⛔ "}.get(e.state, "")
    affected = " (affected)" if e.status == "affected" else ""
    job = f"[job]({e.job_url})" if e.job_url and _URL.match(e.job_url) else "-"
    a = e.analysis
    if a is None:
        cells = ["-"] * 6
    else:
        counts = a.action_counts()
        cost = a.cost
        money = (
            format_money(cost.monthly_delta, cost.currency, signed=True)
            if cost is not None and cost.resources
            else "-"
        )
        cells = [
            str(counts["create"]),
            str(counts["update"]),
            str(counts["replace"]),
            str(counts["delete"]),
            str(len(a.blocking_findings)),
            money,
        ]
    return f"| {icon}{inline_code(e.name)}{affected} | " + " | ".join(cells) + f" | {job} |"


def _details(entry: StackEntry, config: ReportConfig, share: int) -> str | None:
    icon = {"failed": "❌", "blocked": "⛔"}.get(entry.state, "📝")
    if entry.analysis is None:
        summary = f"{icon} <b>{plain_text(entry.name)}</b>: plan failed"
        error = plain_text(entry.error or "no analysis was produced; see the stack's job")
        return f"<details><summary>{summary}</summary>\n\n{error}\n\n</details>\n\n"
    summary = f"{icon} <b>{plain_text(verdict_line(entry.analysis))}</b>"
    if share < _MIN_DETAILS:
        block = f"<details><summary>{summary}</summary>\n\nDetails left out to fit the note size budget.\n\n</details>\n\n"
        return block if len(block) <= share else None
    limited = config.model_copy(update={"note_max_chars": max(_MIN_DETAILS, share - 200)})
    body = _strip_frame(render_markdown([entry.analysis], limited, marker=None))
    return f"<details><summary>{summary}</summary>\n\n{body}\n\n</details>\n\n"


def _strip_frame(text: str) -> str:
    """The one-environment note's sections, without its title, verdict list and footer."""
    lines = text.rstrip("\n").split("\n")
    if lines and lines[-1].startswith("<sub>"):
        lines.pop()
    for i, line in enumerate(lines):
        if line.startswith("#### "):
            return "\n".join(lines[i + 1 :]).strip("\n")
    return "\n".join(lines).strip("\n")


def _footer(pipeline_id: int | None, artifact_url: str | None) -> str:
    parts = [f"tfoidc {__version__}"]
    if pipeline_id is not None:
        parts.append(f"pipeline {pipeline_id}")
    if artifact_url and _URL.match(artifact_url):
        parts.append(f"[full reports]({artifact_url})")
    return "\n<sub>" + " · ".join(parts) + "</sub>\n"
