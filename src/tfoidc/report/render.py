"""Reports: every output format of an `Analysis`, and the merge request note.

`render` is one format of one environment; `render_note` is the note for every environment of a
pipeline; `write_reports` writes every file format of one environment, and its note, into its
folder (what `tfoidc plan` leaves behind).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import orjson

from tfoidc.analysis.contract import analysis_to_dict
from tfoidc.analysis.model import Analysis
from tfoidc.errors import InputError
from tfoidc.files import write_atomic
from tfoidc.gitlab.marker import note_marker
from tfoidc.report.config import ReportConfig
from tfoidc.report.formats import codequality, gitlab_terraform_report, junit_xml, sarif
from tfoidc.report.html import html_report
from tfoidc.report.markdown import render_markdown
from tfoidc.report.view import environment_name

# Every format `tfoidc analyze` and `tfoidc report` print; all but `text` are files `tfoidc plan` writes.
FORMATS = ("text", "md", "html", "json", "gitlab-terraform", "junit", "codequality", "sarif")
NOTE_FILENAME = "note.md"
FILENAMES = {
    "md": "report.md",
    "html": "report.html",
    "json": "tfoidc.json",
    "gitlab-terraform": "gitlab-terraform.json",
    "junit": "junit.xml",
    "codequality": "codequality.json",
    "sarif": "tfoidc.sarif",
}

__all__ = ["FORMATS", "ReportConfig", "note_marker", "render", "render_note", "write_reports"]


def render(
    analysis: Analysis,
    fmt: str,
    *,
    config: ReportConfig | None = None,
    width: int | None = None,
    color: bool = False,
) -> str:
    """`analysis` in format `fmt` (one of FORMATS); `width` and `color` shape the text format for a
    terminal."""
    config = config or ReportConfig()
    if fmt == "text":
        from tfoidc.report.text import text_report  # rich's tables: only the text format pays for them

        return text_report(analysis, width=width, color=color, config=config)
    if fmt == "md":
        return render_markdown([analysis], config, marker=None, artifact_url=config.artifact_url)
    if fmt == "html":
        return html_report(analysis, config)
    if fmt == "json":
        return orjson.dumps(analysis_to_dict(analysis), option=orjson.OPT_INDENT_2).decode() + "\n"
    if fmt == "gitlab-terraform":
        return gitlab_terraform_report(analysis)
    if fmt == "junit":
        return junit_xml(analysis)
    if fmt == "codequality":
        return codequality(analysis, config)
    if fmt == "sarif":
        return sarif(analysis, config)
    raise InputError(f"unknown report format {fmt!r} (choose from {', '.join(FORMATS)})")


def render_note(
    analyses: Sequence[Analysis],
    *,
    config: ReportConfig | None = None,
    pipeline_id: int | None,
    artifact_url: str | None,
) -> str:
    """The merge request note for every environment, starting with tfoidc's hidden marker."""
    if not analyses:
        raise InputError("no analysis to put in the note")
    config = config or ReportConfig()
    marker = note_marker([environment_name(a) for a in analyses], pipeline_id)
    return render_markdown(
        analyses,
        config,
        marker=marker,
        pipeline_id=pipeline_id,
        artifact_url=artifact_url or config.artifact_url,
    )


def write_reports(analysis: Analysis, folder: Path, *, config: ReportConfig) -> dict[str, Path]:
    """Every file format of one environment's analysis, and its merge request note, in `folder`
    itself (`tfoidc plan ENV` passes its output folder, tfoidc-out/ENV/): report.md, report.html,
    tfoidc.json, gitlab-terraform.json, junit.xml, codequality.json, tfoidc.sarif and note.md.

    Keys are the format names and `"note"`. Each file is written atomically.
    """
    written = {
        fmt: write_atomic(folder / name, render(analysis, fmt, config=config))
        for fmt, name in FILENAMES.items()
    }
    note = render_note([analysis], config=config, pipeline_id=None, artifact_url=config.artifact_url)
    written["note"] = write_atomic(folder / NOTE_FILENAME, note)
    return written
