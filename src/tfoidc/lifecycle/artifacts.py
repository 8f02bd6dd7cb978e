"""What the lifecycle commands leave in the output directory: the redacted plan JSON, the analysis
reports and the drift summary. Every file is written atomically."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from tfoidc.analysis.drift import DriftReport, summarize_drift
from tfoidc.analysis.model import Analysis
from tfoidc.config import Config
from tfoidc.files import write_atomic
from tfoidc.plan.redact import RedactedDocument, redact_document
from tfoidc.report.render import write_reports
from tfoidc.terraform.masking import Masker

JSON_OPTIONS = orjson.OPT_INDENT_2


def plan_json_document(doc: dict[str, Any], masker: Masker) -> RedactedDocument:
    """What plan.json holds: `terraform show -json` output with the run's credentials masked and every
    value Terraform marks sensitive redacted, by the one pass every reader of plan data goes through
    (`tfoidc.plan.redact`). The tfplan itself keeps them, hence private artifacts."""
    redacted: RedactedDocument = redact_document(masker.mask_document(doc))
    return redacted


def write_json(path: Path, data: Any) -> Path:
    write_atomic(path, orjson.dumps(data, option=JSON_OPTIONS) + b"\n")
    return path


def write_analysis_reports(analyses: Sequence[Analysis], out_dir: Path, config: Config) -> dict[str, Path]:
    """Every report format of every environment, and the merge request note."""
    return write_reports(analyses, out_dir, config=config.report)


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
