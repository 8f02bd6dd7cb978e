"""What `tfoidc analyze` and `tfoidc report` read: a plan (`terraform show -json`) or an analysis
(`tfoidc.json`). The file is read and decoded once, whatever it turns out to be."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from tfoidc.analysis.contract import analysis_from_dict
from tfoidc.analysis.graph import RESOURCES, GraphDetail
from tfoidc.analysis.model import Analysis
from tfoidc.analysis.run import Settings, analyze
from tfoidc.errors import InputError
from tfoidc.guardrails.external import ExternalResult
from tfoidc.plan.memory import cyclic_gc_paused
from tfoidc.plan.parse import decode_json, plan_from_document

# `terraform plan -out` writes a zip archive: its local file header starts every such file.
ZIP_MAGIC = b"PK\x03\x04"


def read_analysis(
    path: Path,
    settings: Settings,
    *,
    environment: str | None,
    external: Sequence[ExternalResult] = (),
    graph_detail: GraphDetail = RESOURCES,
) -> Analysis:
    """The analysis of the plan at `path`, or the analysis `path` holds (validated against the
    shipped schema). `environment` selects the policy for a plan and renames a saved analysis;
    `external` findings join a plan's analysis (a saved analysis has its own already).

    A plan Terraform reported errors for is refused (exit 2): its resource changes are incomplete,
    so no verdict about it would be true."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    source = str(path)
    if data[:4] == ZIP_MAGIC:
        raise InputError(
            f"{source}: this is a binary plan (the zip file `terraform plan -out` writes), not plan JSON",
            hint=f"run terraform show -json {path.name} > plan.json, then analyse plan.json",
        )
    with cyclic_gc_paused():  # everything built here is acyclic and kept to the end (bench/README.md)
        doc = decode_json(data, source)
        del data  # the bytes of a 100 MB plan are not needed once decoded
        if isinstance(doc, dict) and "schema_version" in doc and "format_version" not in doc:
            analysis = analysis_from_dict(doc, source=source)
            return replace(analysis, environment=environment) if environment is not None else analysis
        plan = plan_from_document(doc, source=source)
        if plan.errored:
            raise InputError(
                f"{source}: Terraform reported errors while planning (errored: true); "
                "its resource changes are incomplete and cannot be analysed",
                hint="fix the errors `terraform plan` printed, then plan again",
            )
        return analyze(plan, settings, environment=environment, external=external, graph_detail=graph_detail)
