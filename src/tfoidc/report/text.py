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
from tfoidc.report.config import ReportConfig
from tfoidc.report.diff import replace_reasons
from tfoidc.report.escape import console, visible
from tfoidc.report.view import (
    GROUP_ORDER,
    format_money,
    headline,
    headline_text,
    holds_data,
    price_sources,
    rule_url,
    safe_findings,
    summary_line,
)

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

# Above this many changed resources the table is cut; the JSON always has all of them.
TEXT_ROWS = 200
BLAST_LINES = 20
DEFERRED_ROWS = 50


def text_report(
    analysis: Analysis,
    *,
    width: int | None = None,
    color: bool = False,
    config: ReportConfig | None = None,
) -> str:
    """The report as terminal text (`color`: with ANSI styles, for a terminal), `width` columns."""
    out = _console(width, color)
    for renderable in _renderables(analysis, config or ReportConfig()):
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


HEADLINE_STYLES = {
    "errored": "bold red",
    "blocked": "bold red",
    "incomplete": "bold yellow",
    "review": "bold yellow",
    "ready": "bold green",
    "no-changes": "bold green",
}
SYMBOLS = {
    "create": "+",
    "update": "~",
    "replace": "-/+",
    "delete": "-",
    "forget": ".",
    "replace-forget": "+/.",
}


def _renderables(analysis: Analysis, config: ReportConfig) -> list[object]:
    """Lines, never a table: an address is printed whole on its line (a terminal may wrap it, but
    never mid-word at a column edge), and no column is there to stay empty."""
    plan = analysis.plan
    out: list[object] = [
        _t(headline_text(analysis), HEADLINE_STYLES.get(headline(analysis).state, "bold")),
        _line(summary_line(analysis)),
    ]

    changes = plan.changes()
    data = safe_findings(analysis)
    if changes:
        destroyed = [rc for rc in changes if rc.action.destroys]
        if destroyed:
            holding = sum(1 for rc in destroyed if holds_data(rc, data))
            out.append(
                _line(
                    f"This plan destroys {len(destroyed)} resource(s)"
                    + (f", {holding} holding data" if holding else "")
                    + ": they come first, with what depends on them."
                )
            )
        ordered = [rc for action in GROUP_ORDER for rc in changes if rc.action is action]
        out.append(_line(f"Changes ({len(changes)}):"))
        for i, rc in enumerate(ordered[:TEXT_ROWS]):
            parts: list[object] = [
                f"{SYMBOLS.get(rc.action.value, '?'):>4} {rc.action.value:<8} ",
                _t(rc.address),
            ]
            if rc.action.destroys and holds_data(rc, data):
                parts.append("  [holds data]")
            reasons = replace_reasons(rc)
            if reasons:
                parts += ["  forced by ", _t(", ".join(reasons))]
            elif rc.previous_address:
                parts += ["  moved from ", _t(rc.previous_address)]
            elif rc.action_reason:
                parts += ["  (", _t(rc.action_reason), ")"]
            out.append(_line(*parts))
            if rc.action.destroys and i < BLAST_LINES and rc.address in analysis.graph:
                radius = analysis.graph.blast_radius(rc.address, kinds=("resource",))
                if radius:
                    shown = ", ".join(radius[:10]) + (" …" if len(radius) > 10 else "")
                    out.append(_line(f"              {len(radius)} depend on it: ", _t(shown)))
        if len(changes) > TEXT_ROWS:
            out.append(_line(f"  … and {len(changes) - TEXT_ROWS} more (see --format json or html)"))
    else:
        out.append(_line("No changes."))

    if plan.deferred:
        out.append(_line(f"Deferred to a later plan ({len(plan.deferred)}):"))
        for d in plan.deferred[:DEFERRED_ROWS]:
            out.append(_line("  ", _t(d.action.value), " ", _t(d.address), " (", _t(d.reason), ")"))
        if len(plan.deferred) > DEFERRED_ROWS:
            out.append(_line(f"  … and {len(plan.deferred) - DEFERRED_ROWS} more (see --format json)"))

    if analysis.findings:
        out.append(_line(f"Findings ({len(analysis.findings)})"))
        for finding in analysis.findings:
            out.extend(_line(line) for line in finding_lines(finding))
            url = rule_url(config.rules_docs_url, finding.rule)
            if url:
                out.append(_line("    docs:  ", _t(url)))

    if analysis.cost is not None:
        c = analysis.cost
        usage = sum(1 for r in c.resources if any(x.depends_on_usage for x in r.components))
        out.append(
            _line(
                f"Cost per month: before {format_money(c.monthly_before, c.currency)}, "
                f"after {format_money(c.monthly_after, c.currency)}, "
                f"delta {format_money(c.monthly_delta, c.currency, signed=True)}"
                + (f" + usage ({usage} resource(s) priced by usage not given)" if usage else "")
                + f"; {len(c.not_priced)} resource(s) not priced"
            )
        )
        sources = price_sources(c)
        if sources:
            out.append(_line("  prices: ", "; ".join(sources), "; refresh: tfoidc prices update"))

    if analysis.drift is not None and analysis.drift.has_drift:
        out.append(_line(f"Drift: {len(analysis.drift.drifted)} resource(s) changed outside Terraform"))

    out.append(_line(f"Plan format {plan.format_version} ({plan.terraform_version or 'unknown Terraform'})"))
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
