"""The "changed since review" section of the merge request note (pure markdown, escaped like the note)."""

from __future__ import annotations

from dataclasses import dataclass

from tfoidc.analysis.review import Difference, ReviewComparison
from tfoidc.report.markdown import inline_code, plain_text

MAX_ROWS = 50


@dataclass(frozen=True)
class ReviewContext:
    environment: str
    commit_sha: str | None
    apply_pipeline: str | None  # the default-branch pipeline whose plan is to be applied
    reviewed_pipeline: int | None
    refused: bool  # False: the environment accepts changes since review, the apply went ahead


def changed_since_review(context: ReviewContext, comparison: ReviewComparison) -> str:
    """The section listing how the plan to apply differs from the plan reviewed on the merge request."""
    commit = f" for commit {inline_code(context.commit_sha[:12])}" if context.commit_sha else ""
    pipeline = f" (pipeline {plain_text(context.apply_pipeline)})" if context.apply_pipeline else ""
    reviewed = f" (pipeline {context.reviewed_pipeline})" if context.reviewed_pipeline is not None else ""
    outcome = (
        "**tfoidc refused to apply it.** Plan again and review the new plan."
        if context.refused
        else "The environment accepts changes since review: **the apply went ahead**."
    )
    lines = [
        f"#### ⚠️ {plain_text(context.environment)}: changed since review",
        "",
        f"The plan made on the default branch{commit}{pipeline} is not the last plan reviewed on this "
        f"merge request{reviewed}. {outcome}",
        "",
        "| Resource | Reviewed | To apply |",
        "|---|---|---|",
    ]
    shown = comparison.differences[:MAX_ROWS]
    lines += [_row(d) for d in shown]
    if len(comparison.differences) > MAX_ROWS:
        lines.append(f"| _… {len(comparison.differences) - MAX_ROWS} more_ | | |")
    if not comparison.values_compared:
        lines += ["", "_The reviewed analysis predates change fingerprints: only actions were compared._"]
    return "\n".join(lines) + "\n"


def cannot_compare(context: ReviewContext, reason: str) -> str:
    """The section saying the plan to apply could not be matched with a reviewed plan."""
    outcome = "tfoidc refused to apply it" if context.refused else "the apply went ahead"
    return (
        f"#### ⚠️ {plain_text(context.environment)}: not compared with a review\n\n"
        f"The plan to apply could not be compared with a plan reviewed here ({plain_text(reason)}): "
        f"{outcome}.\n"
    )


def _row(d: Difference) -> str:
    reviewed = plain_text(d.reviewed) if d.reviewed else "— (not in the reviewed plan)"
    now = plain_text(d.now) if d.now else "— (no longer in the plan)"
    if d.values_changed:
        now += " (other values)"
    return f"| {inline_code(d.address)} | {reviewed} | {now} |"
