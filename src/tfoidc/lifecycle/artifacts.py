"""What the lifecycle commands leave in the output directory: the redacted plan JSON, the analysis
reports and the drift summary. Every file is written atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from tfoidc.analysis.drift import DriftReport, summarize_drift
from tfoidc.analysis.model import Analysis
from tfoidc.config import Config
from tfoidc.files import write_atomic
from tfoidc.plan.model import REDACTED
from tfoidc.plan.redact import redact
from tfoidc.report.render import write_reports

JSON_OPTIONS = orjson.OPT_INDENT_2


def redact_plan_document(doc: dict[str, Any]) -> dict[str, Any]:
    """`terraform show -json` output with every value Terraform marks sensitive replaced, so that the
    plan.json artifact never carries a secret (the tfplan itself does, hence private artifacts)."""
    out = dict(doc)
    for key in ("resource_changes", "resource_drift"):
        out[key] = [_redact_change(rc) for rc in doc.get(key) or ()]
    out["output_changes"] = {
        name: _redact_output_change(oc) for name, oc in (doc.get("output_changes") or {}).items()
    }
    for key in ("planned_values", "prior_state"):
        if isinstance(doc.get(key), dict):
            out[key] = _redact_values_document(doc[key])
    out["variables"] = _redact_variables(doc)
    return out


def _redact_change(rc: dict[str, Any]) -> dict[str, Any]:
    change = dict(rc.get("change") or {})
    change["before"] = redact(change.get("before"), change.get("before_sensitive"))
    change["after"] = redact(change.get("after"), change.get("after_sensitive"))
    return {**rc, "change": change}


def _redact_output_change(oc: dict[str, Any]) -> dict[str, Any]:
    if oc.get("before_sensitive") or oc.get("after_sensitive"):
        return {**oc, "before": REDACTED, "after": REDACTED}
    return oc


def _redact_values_document(doc: dict[str, Any]) -> dict[str, Any]:
    out = dict(doc)
    if "values" in doc and isinstance(doc["values"], dict):  # prior_state wraps the root in "values"
        out["values"] = _redact_values_document(doc["values"])
    if isinstance(doc.get("outputs"), dict):
        out["outputs"] = {
            name: {**o, "value": REDACTED} if o.get("sensitive") else o for name, o in doc["outputs"].items()
        }
    if isinstance(doc.get("root_module"), dict):
        out["root_module"] = _redact_module(doc["root_module"])
    return out


def _redact_module(module: dict[str, Any]) -> dict[str, Any]:
    out = dict(module)
    out["resources"] = [
        {**r, "values": redact(r.get("values"), r.get("sensitive_values"))}
        for r in module.get("resources") or ()
    ]
    if module.get("child_modules"):
        out["child_modules"] = [_redact_module(child) for child in module["child_modules"]]
    return out


def _redact_variables(doc: dict[str, Any]) -> dict[str, Any]:
    declared = ((doc.get("configuration") or {}).get("root_module") or {}).get("variables") or {}
    return {
        name: {**v, "value": REDACTED} if (declared.get(name) or {}).get("sensitive") else v
        for name, v in (doc.get("variables") or {}).items()
    }


def write_json(path: Path, data: Any) -> Path:
    write_atomic(path, orjson.dumps(data, option=JSON_OPTIONS) + b"\n")
    return path


def write_analysis_reports(analysis: Analysis, out_dir: Path, config: Config) -> dict[str, Path]:
    """Every report format of the environment, and its merge request note, in its output folder."""
    return write_reports(analysis, out_dir, config=config.report)


def drift_summary(environment: str | None, report: DriftReport) -> dict[str, Any]:
    return {
        "environment": environment,
        "has_drift": report.has_drift,
        "drifted": [
            {
                "address": d.address,
                "type": d.type,
                "action": d.action,
                "changed_attributes": list(d.changed_attributes),
            }
            for d in summarize_drift(report)
        ],
    }


def drift_markdown(summary: dict[str, Any]) -> str:
    title = f"Drift in {summary['environment']}" if summary["environment"] else "Drift"
    if not summary["has_drift"]:
        return f"# {title}\n\nNo drift: the real infrastructure matches the Terraform state.\n"
    lines = [
        f"# {title}",
        "",
        f"{len(summary['drifted'])} resource(s) changed outside Terraform.",
        "",
        "| resource | change | attributes |",
        "|---|---|---|",
    ]
    for d in summary["drifted"]:
        attrs = ", ".join(f"`{a}`" for a in d["changed_attributes"]) or "-"
        lines.append(f"| `{d['address']}` | {d['action']} | {attrs} |")
    return "\n".join(lines) + "\n"


def write_drift_summary(out_dir: Path, summary: dict[str, Any]) -> tuple[Path, Path]:
    json_path = write_json(out_dir / "drift-summary.json", summary)
    md_path = out_dir / "drift-summary.md"
    write_atomic(md_path, drift_markdown(summary).encode())
    return json_path, md_path
