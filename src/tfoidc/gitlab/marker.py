"""The hidden marker at the top of tfoidc's merge request note: how tfoidc finds its own note again.

The report stage writes it; the note upsert reads it. Pure: no GitLab call here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote


def note_marker(environments: Sequence[str], pipeline_id: int | None) -> str:
    """`<!-- tfoidc:envs=dev,prod pipeline=123 -->`: how tfoidc finds its own note again."""
    envs = ",".join(sorted(quote(e, safe="") for e in environments))
    pipeline = f" pipeline={pipeline_id}" if pipeline_id is not None else ""
    return f"<!-- tfoidc:envs={envs}{pipeline} -->"


_MARKER_RE = re.compile(r"<!-- tfoidc:envs=(?P<envs>[^ ]*)(?: pipeline=(?P<pipeline>\d+))? -->")


@dataclass(frozen=True, slots=True)
class NoteMarker:
    environments: tuple[str, ...]  # sorted
    pipeline_id: int | None


def parse_note_marker(body: str) -> NoteMarker | None:
    """The marker `note_marker` wrote, or None when `body` is not a tfoidc note."""
    match = _MARKER_RE.search(body)
    if match is None:
        return None
    envs = tuple(sorted(unquote(e) for e in match["envs"].split(",") if e))
    pipeline = match["pipeline"]
    return NoteMarker(environments=envs, pipeline_id=int(pipeline) if pipeline else None)
