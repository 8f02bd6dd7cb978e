"""What the lifecycle commands leave in the output directory: the redacted plan JSON, the analysis
reports, the drift summary, and the error record of a plan that failed. Every file is written
atomically."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

import orjson

from tfoidc.analysis.contract import SCHEMA_VERSION, analysis_from_dict
from tfoidc.analysis.drift import DriftReport, summarize_drift
from tfoidc.analysis.model import Analysis
from tfoidc.config import ENVIRONMENT_NAME_PATTERN, Config
from tfoidc.errors import ExitCode, TfoidcError
from tfoidc.files import write_atomic
from tfoidc.lifecycle.target import DEFAULT_OUT_DIR
from tfoidc.plan.redact import RedactedDocument, redact_document
from tfoidc.report.render import write_reports
from tfoidc.terraform.masking import Masker

JSON_OPTIONS = orjson.OPT_INDENT_2
F = TypeVar("F", bound=Callable[..., Any])


def plan_json_document(doc: dict[str, Any], masker: Masker) -> RedactedDocument:
    """What plan.json holds: `terraform show -json` output with the run's credentials masked and every
    value Terraform marks sensitive redacted, by the one pass every reader of plan data goes through
    (`tfoidc.plan.redact`). The tfplan itself keeps them, hence private artifacts."""
    redacted: RedactedDocument = redact_document(masker.mask_document(doc))
    return redacted


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


# --- the error record of a failed plan ------------------------------------------------------------

ERROR_RECORD = "plan-error.json"
ANALYSIS_FILE = "tfoidc.json"


def analysis_path(out_dir: Path, environment: str) -> Path:
    """Where `tfoidc plan` leaves the analysis of `environment` (the report folder's tfoidc.json)."""
    return out_dir / ANALYSIS_FILE


@contextmanager
def recording_plan_failure(out_dir: Path, environment: str) -> Iterator[None]:
    """Run a plan; when it fails, leave an error record beside where its analysis would be, so the
    merge request note can show each failed environment's error. A plan starts by removing the
    previous run's record and analysis: the note never shows an old result as this pipeline's.

    A usage or input error (exit 2: bad flags, an invalid tfoidc.toml, an unknown environment) writes
    nothing, like every bad input; the note then says the environment's analysis is missing."""
    if not re.fullmatch(ENVIRONMENT_NAME_PATTERN, environment):
        yield  # not a name that can be a folder: the plan refuses it, and nothing is written
        return
    analysis = analysis_path(out_dir, environment)
    record = analysis.with_name(ERROR_RECORD)
    for stale in (record, analysis):
        stale.unlink(missing_ok=True)
    try:
        yield
    except TfoidcError as exc:
        if exc.exit_code != ExitCode.USAGE:
            _write_error_record(record, environment, exc.exit_code, exc.one_line())
        raise
    except Exception as exc:
        _write_error_record(
            record, environment, ExitCode.OPERATIONAL, f"internal error ({type(exc).__name__})"
        )
        raise


def records_plan_failure(command: F) -> F:
    """`recording_plan_failure` around a command called with `environment=` and `out_dir=` (None: the
    default output folder of the environment)."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        environment, out_dir = kwargs["environment"], kwargs.get("out_dir")
        with recording_plan_failure(
            out_dir if out_dir is not None else DEFAULT_OUT_DIR / environment, environment
        ):
            return command(*args, **kwargs)

    return run  # type: ignore[return-value]


def _write_error_record(path: Path, environment: str, code: int, message: str) -> None:
    record = {"environment": environment, "exit_code": int(code), "error": message}
    with suppress(TfoidcError):  # the failure being reported matters more than its record
        write_json(path, record)


def failed_plan_result(path: Path) -> Analysis:
    """For an analysis file `path` that is not there: the analysis of a failed plan, built from the
    error record beside it (or from the missing file alone), so the note still shows the environment."""
    record = path.with_name(ERROR_RECORD)
    environment = path.parent.name or "default"  # the report folder is named after the environment
    message = (
        f"{path} is missing: the plan job failed before writing it, or its artifacts did not reach this job"
    )
    code: int | None = None
    if record.is_file():
        try:
            data = orjson.loads(record.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            data = None
        if isinstance(data, dict) and isinstance(data.get("error"), str):
            environment = str(data.get("environment") or environment)
            message = data["error"]
            code = data.get("exit_code") if isinstance(data.get("exit_code"), int) else None
    return failed_plan_analysis(environment, message, code)


def failed_plan_analysis(environment: str, message: str, exit_code: int | None) -> Analysis:
    """An analysis with no plan: the environment's verdict says the plan failed, its note why."""
    exit_text = f" (exit {exit_code})" if exit_code is not None else ""
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "environment": environment,
        "plan": {
            "format_version": "0.0",
            "terraform_version": None,
            "errored": True,
            "notes": [f"the plan job failed{exit_text}: {message}"],
        },
        "summary": {"create": 0, "update": 0, "replace": 0, "delete": 0},
        "changes": [],
        "graph": {
            "detail": "resources",
            "nodes": [],
            "edges": [],
            "inferred": False,
            "notes": [],
            "cycles": [],
            "orphaned_references": [],
        },
        "findings": [],
        "cost": None,
        "drift": None,
    }
    return analysis_from_dict(document, source=environment)
