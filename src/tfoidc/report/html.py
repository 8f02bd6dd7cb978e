"""The standalone HTML report: one file, inline CSS/JS/SVG, nothing fetched at view time."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from tfoidc import __version__
from tfoidc.analysis.graph import FULL, RESOURCE
from tfoidc.analysis.model import Analysis
from tfoidc.plan.model import Action
from tfoidc.report.config import ReportConfig
from tfoidc.report.diff import attribute_changes, replace_reasons
from tfoidc.report.escape import script_json, visible
from tfoidc.report.view import (
    GROUP_ORDER,
    Limits,
    build_env_view,
    format_money,
    headline_text,
    verdict_line,
)

if TYPE_CHECKING:
    import jinja2


def html_report(analysis: Analysis, config: ReportConfig) -> str:
    view = build_env_view(analysis, config, Limits(diffs=False, mermaid_max_nodes=0))
    has_wiring = analysis.graph.detail == FULL
    wiring_left_out = _wiring_left_out(analysis, config) if has_wiring else 0
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            title=f"tfoidc: {headline_text(analysis)}",
            verdict=verdict_line(analysis),
            view=view,
            analysis=analysis,
            actions=[a.value for a in GROUP_ORDER],
            data_json=graph_data_json(analysis, config, with_wiring=has_wiring and not wiring_left_out),
            has_wiring=has_wiring,
            wiring_left_out=wiring_left_out,
            wiring_max_nodes=config.html_wiring_max_nodes,
            css=_asset("report.css"),
            js=_asset("report.js"),
            version=__version__,
        )
    )


def graph_data_json(analysis: Analysis, config: ReportConfig, *, with_wiring: bool) -> str:
    """The data the inline script draws from, safe to embed in a <script> element; without
    `with_wiring` only resources and the edges between them."""
    graph = analysis.graph
    by_address = analysis.plan.by_address()
    nodes = []
    for node, attrs in graph.nodes.items():
        kind = attrs.get("kind") or RESOURCE
        if kind != RESOURCE and not with_wiring:
            continue
        # Most nodes are variables and outputs: only resources have a change to look up.
        rc = by_address.get(node) if kind == RESOURCE else None
        entry: dict[str, Any] = {
            "id": node,
            "kind": kind,
            "type": attrs.get("type") or "",
            "action": attrs.get("action") or "no-op",
            "mode": attrs.get("mode") or "",
            "module": rc.module_address if rc else (attrs.get("module") or ""),
        }
        if rc is not None:
            entry["forced_by"] = replace_reasons(rc)
            entry["reason"] = rc.action_reason
            if rc.action is Action.UPDATE:
                entry["diff"] = [
                    {"path": c.path, "before": c.before, "after": c.after}
                    for c in attribute_changes(rc, max_chars=config.diff_value_max_chars)
                ]
        nodes.append(entry)
    findings = [
        {"address": f.address, "rule": f.rule, "severity": f.severity.value, "message": f.message}
        for f in analysis.findings
    ]
    resource_edges = [
        [node, target]
        for node, attrs in graph.nodes.items()
        if (attrs.get("kind") or RESOURCE) == RESOURCE
        for target in sorted(graph.resource_neighbours(node))
    ]
    data = {
        "nodes": nodes,
        "edges": [[a, b] for a, b in graph.edges()] if with_wiring else [],
        "resource_edges": resource_edges,
        "findings": findings,
    }
    return script_json(data)


def _wiring_left_out(analysis: Analysis, config: ReportConfig) -> int:
    """How many variable, output and module nodes the report leaves out (0: it has them all).
    A browser cannot usefully draw ~180k of them, and they were most of a 60 MB report."""
    nodes = analysis.graph.nodes
    if len(nodes) <= config.html_wiring_max_nodes:
        return 0
    return sum(1 for attrs in nodes.values() if (attrs.get("kind") or RESOURCE) != RESOURCE)


def _visible_unless_markup(value: object) -> object:
    from markupsafe import Markup

    return value if isinstance(value, Markup) or not isinstance(value, str) else visible(value)


@cache
def _asset(name: str) -> str:
    return (files("tfoidc.report") / "templates" / name).read_text(encoding="utf-8")


@cache
def _environment() -> jinja2.Environment:
    import jinja2  # here, not at the top: only the formats that render templates pay its import

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tfoidc.report", "templates"),
        # HTML's escaping: every {{ }} is HTML-escaped unless marked safe (only the CSS, the script
        # and `script_json`'s data are), and first shown with `visible`, so no control or
        # reordering character reaches the page.
        autoescape=True,
        finalize=_visible_unless_markup,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["money"] = format_money
    return env
