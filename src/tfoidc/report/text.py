"""The text report for a terminal (`tfoidc analyze`'s default format), drawn with rich.

Every plan-controlled string becomes a rich `Text` through `escape.console`, and the console that
draws the report has markup, emoji and highlighting off: a key such as `[red]` or `[/x]` is printed
as it is, and no escape sequence from a plan reaches the terminal.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from tfoidc.analysis.model import Analysis
from tfoidc.guardrails.model import Finding
from tfoidc.report.escape import console, visible
from tfoidc.report.view import format_money, verdict_line

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

# Above this many changed resources the table is cut; the JSON always has all of them.
TEXT_ROWS = 200
BLAST_LINES = 20
DEFERRED_ROWS = 50


def text_report(analysis: Analysis, *, width: int | None = None, color: bool = False) -> str:
    """The report as terminal text (`color`: with ANSI styles, for a terminal), `width` columns."""
    out = _console(width, color)
    for renderable in _renderables(analysis):
        out.print(renderable)
    return out.file.getvalue()  # type: ignore[attr-defined]


def _console(width: int | None, color: bool) -> Console:
    from rich.console import Console

    return Console(
        file=io.StringIO(),
        width=width or 100,
        force_terminal=color,
        color_system="standard" if color else None,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=True,
        legacy_windows=False,
    )


def _line(*parts: object) -> Text:
    """One line of parts, each escaped with `console` unless it already is a `Text`."""
    from rich.text import Text

    line = Text()
    for part in parts:
        line.append_text(part if isinstance(part, Text) else _t(part))
    return line


def _t(value: object, style: str = "") -> Text:
    text: Text = console(value, style)  # type: ignore[assignment]
    return text


def _renderables(analysis: Analysis) -> list[object]:
    from rich.table import Table

    plan = analysis.plan
    out: list[object] = [
        _line(f"Plan format {plan.format_version} ({plan.terraform_version or 'unknown Terraform'})")
    ]
    out.append(_t(verdict_line(analysis), "bold"))

    summary = Table(title="Changes", title_justify="left")
    for action in ("create", "update", "replace", "delete"):
        summary.add_column(action, justify="right")
    counts = analysis.action_counts()
    summary.add_row(*(_t(counts[a]) for a in ("create", "update", "replace", "delete")))
    out.append(summary)

    changes = plan.changes()
    if changes:
        table = Table(title="Changed resources", title_justify="left")
        for column in ("action", "address", "type", "reason"):
            table.add_column(column, overflow="fold")
        for rc in changes[:TEXT_ROWS]:
            reason = rc.action_reason or (f"moved from {rc.previous_address}" if rc.previous_address else "")
            table.add_row(_t(rc.action.value), _t(rc.address), _t(rc.type), _t(reason))
        out.append(table)
        if len(changes) > TEXT_ROWS:
            out.append(_line(f"… and {len(changes) - TEXT_ROWS} more (see --format json)"))
    else:
        out.append(_line("No changes."))

    if plan.deferred:
        out.append(_line(f"Deferred to a later plan ({len(plan.deferred)}):"))
        for d in plan.deferred[:DEFERRED_ROWS]:
            out.append(_line("  ", _t(d.action.value), " ", _t(d.address), " (", _t(d.reason), ")"))
        if len(plan.deferred) > DEFERRED_ROWS:
            out.append(_line(f"  … and {len(plan.deferred) - DEFERRED_ROWS} more (see --format json)"))

    for rc in [rc for rc in changes if rc.action.destroys][:BLAST_LINES]:
        radius = analysis.graph.blast_radius(rc.address, kinds=("resource",))
        if radius:
            shown = ", ".join(radius[:10]) + (" …" if len(radius) > 10 else "")
            out.append(
                _line(
                    _t(rc.action.value),
                    " ",
                    _t(rc.address),
                    f" affects {len(radius)} dependent(s): ",
                    _t(shown),
                )
            )

    if analysis.findings:
        out.append(_line(f"Findings ({len(analysis.findings)})"))
        out.extend(_line(line) for finding in analysis.findings for line in finding_lines(finding))

    if analysis.cost is not None:
        c = analysis.cost
        out.append(
            _line(
                f"Cost per month: before {format_money(c.monthly_before, c.currency)}, "
                f"after {format_money(c.monthly_after, c.currency)}, "
                f"delta {format_money(c.monthly_delta, c.currency, signed=True)}; "
                f"{len(c.not_priced)} resource(s) not priced"
            )
        )

    if analysis.drift is not None and analysis.drift.has_drift:
        out.append(_line(f"Drift: {len(analysis.drift.drifted)} resource(s) changed outside Terraform"))

    out.extend(_line("note: ", _t(note)) for note in (*plan.notes, *analysis.graph.notes))
    return out


def finding_lines(finding: Finding) -> list[str]:
    """One finding as lines of text: what, where, why, how to fix, what else a deletion touches.
    Each line is `visible`: a message quoting a plan value cannot start a line of its own."""
    severity = finding.severity.value.upper()
    where = finding.address + (f" ({finding.attribute})" if finding.attribute else "")
    lines = [f"[{severity}] {finding.rule} {finding.title}".rstrip(), f"    at:    {where}"]
    if finding.source != "tfoidc":
        lines.append(f"    from:  {finding.source}")
    lines.append(f"    why:   {finding.message}")
    if finding.fix:
        lines.append(f"    fix:   {finding.fix}")
    if finding.blast_radius:
        shown = ", ".join(finding.blast_radius[:10]) + (" …" if len(finding.blast_radius) > 10 else "")
        lines.append(f"    blast radius: {len(finding.blast_radius)} dependent(s): {shown}")
    if finding.also_reported_by:
        lines.append(f"    also:  {', '.join(finding.also_reported_by)}")
    if finding.waived:
        lines.append(f"    waived: {finding.waiver_reason}")
    return [visible(line) for line in lines]
