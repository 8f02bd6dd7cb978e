"""Post or update tfoidc's one merge request note through python-gitlab.

tfoidc's note is a note *written by tfoidc's own GitLab user* (the token's user, `GET /user`) whose
hidden marker (`tfoidc.gitlab.marker`) names the same environments. Anyone who can comment on a merge
request can paste a marker, so a note by anyone else is never considered: it can neither make tfoidc's
note look stale nor be edited; such notes are counted and reported. Notes are listed oldest first,
explicitly (`sort=asc&order_by=created_at`; GitLab's default is newest first), every page.

An update is skipped when the body is identical, and refused when tfoidc's note already holds a newer
pipeline's result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from tfoidc.errors import InputError, OperationalError
from tfoidc.gitlab.client import (
    TOKEN_HINT,
    TOKEN_VARIABLE,
    GitLabAccess,
    access_from_env,
    connect,
    gitlab_errors,
)
from tfoidc.gitlab.marker import NoteMarker, note_marker, parse_note_marker

NOTE_ORDER = {"sort": "asc", "order_by": "created_at"}


@dataclass(frozen=True)
class MergeRequestTarget:
    """Where the note goes and how to authenticate; `repr` never shows the token."""

    access: GitLabAccess
    merge_request_iid: int


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    STALE = "stale"  # tfoidc's note already shows a newer pipeline: left alone


@dataclass(frozen=True, slots=True)
class UpsertResult:
    outcome: Outcome
    note_id: int | None
    message: str
    ignored: tuple[int, ...] = ()  # ids of notes with a tfoidc marker written by someone else

    def ignored_line(self) -> str | None:
        if not self.ignored:
            return None
        ids = ", ".join(str(i) for i in self.ignored[:10]) + (", ..." if len(self.ignored) > 10 else "")
        return (
            f"ignored {len(self.ignored)} note(s) carrying a tfoidc marker written by another user "
            f"(note ids {ids}): only notes by tfoidc's own user are ever updated"
        )


def target_from_env(environ: Mapping[str, str]) -> MergeRequestTarget | None:
    """The merge request of this CI job, or None outside a merge request pipeline. In a merge request
    pipeline a missing token is an error (exit 1): a note job that cannot post must not pass green."""
    iid = environ.get("CI_MERGE_REQUEST_IID", "").strip()
    if not iid:
        return None
    if not iid.isdigit():
        raise InputError(f"CI_MERGE_REQUEST_IID is not a number: {iid!r}")
    if not environ.get(TOKEN_VARIABLE, "").strip():
        raise OperationalError(f"merge request note not posted: {TOKEN_VARIABLE} is not set", hint=TOKEN_HINT)
    return MergeRequestTarget(access_from_env(environ, purpose="post the merge request note"), int(iid))


def upsert_note(
    target: MergeRequestTarget, body: str, *, timeout: float = 10.0, max_retries: int = 5
) -> UpsertResult:
    """Create tfoidc's note, or update it in place; raises OperationalError when GitLab fails."""
    own = parse_note_marker(body)
    if own is None:
        raise InputError("the note has no tfoidc marker, so it could never be found again to update")
    access = target.access
    client = connect(access, timeout=timeout)
    retry: dict[str, Any] = {"max_retries": max_retries}
    with gitlab_errors(access, "post the merge request note"):
        me = own_user_id(client, retry)
        mr = client.projects.get(access.project_id, lazy=True).mergerequests.get(
            target.merge_request_iid, lazy=True
        )
        notes = mr.notes.list(iterator=True, per_page=100, **NOTE_ORDER, **retry)
        found = find_own_note(notes, me, lambda marker: marker.environments == own.environments)
        if found.note is None:
            note = mr.notes.create({"body": body}, **retry)
            return UpsertResult(Outcome.CREATED, note.get_id(), f"posted note {note.get_id()}", found.ignored)  # type: ignore[arg-type]
        note_id, old_body, old = found.note
        if old.pipeline_id is not None and own.pipeline_id is not None and old.pipeline_id > own.pipeline_id:
            return UpsertResult(
                Outcome.STALE,
                note_id,
                f"note {note_id} already shows pipeline {old.pipeline_id}, "
                f"newer than {own.pipeline_id}: left alone",
                found.ignored,
            )
        if old_body == body:
            return UpsertResult(
                Outcome.UNCHANGED, note_id, f"note {note_id} is already up to date", found.ignored
            )
        mr.notes.update(note_id, {"body": body}, **retry)
        return UpsertResult(Outcome.UPDATED, note_id, f"updated note {note_id}", found.ignored)


def post_section(
    target: MergeRequestTarget,
    environment: str,
    section: str,
    *,
    timeout: float = 10.0,
    max_retries: int = 5,
) -> UpsertResult:
    """Put `section` (markdown, already escaped) into tfoidc's note that covers `environment`,
    replacing an earlier section for the same environment; without such a note, post one."""
    access = target.access
    client = connect(access, timeout=timeout)
    retry: dict[str, Any] = {"max_retries": max_retries}
    with gitlab_errors(access, "update the merge request note"):
        me = own_user_id(client, retry)
        mr = client.projects.get(access.project_id, lazy=True).mergerequests.get(
            target.merge_request_iid, lazy=True
        )
        notes = mr.notes.list(iterator=True, per_page=100, **NOTE_ORDER, **retry)
        found = find_own_note(notes, me, lambda marker: environment in marker.environments)
        if found.note is None:
            body = f"{note_marker([environment], None)}\n{_wrapped(environment, section)}"
            note = mr.notes.create({"body": body}, **retry)
            return UpsertResult(Outcome.CREATED, note.get_id(), f"posted note {note.get_id()}", found.ignored)  # type: ignore[arg-type]
        note_id, old_body, _ = found.note
        body = with_section(old_body, environment, section)
        if body == old_body:
            return UpsertResult(
                Outcome.UNCHANGED, note_id, f"note {note_id} is already up to date", found.ignored
            )
        mr.notes.update(note_id, {"body": body}, **retry)
        return UpsertResult(Outcome.UPDATED, note_id, f"updated note {note_id}", found.ignored)


def with_section(body: str, environment: str, section: str) -> str:
    """`body` with the section for `environment` replaced, or appended when there is none."""
    start, end = _section_markers(environment)
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    wrapped = _wrapped(environment, section)
    if pattern.search(body):
        return pattern.sub(lambda _: wrapped, body, count=1)
    return body.rstrip("\n") + "\n\n" + wrapped


def _wrapped(environment: str, section: str) -> str:
    start, end = _section_markers(environment)
    return f"{start}\n{section.strip()}\n{end}\n"


def _section_markers(environment: str) -> tuple[str, str]:
    env = quote(environment, safe="")
    return f"<!-- tfoidc:section env={env} -->", f"<!-- /tfoidc:section env={env} -->"


def own_user_id(client: Any, retry: dict[str, Any]) -> int:
    """The id of the token's user (for a project access token, the project's bot user)."""
    user = client.http_get("/user", **retry)
    if not isinstance(user, dict) or not isinstance(user.get("id"), int):
        raise OperationalError("GitLab's /user answer has no user id")
    return int(user["id"])


@dataclass(frozen=True)
class FoundNote:
    note: tuple[int, str, NoteMarker] | None
    ignored: tuple[int, ...]


def find_own_note(notes: Iterable[Any], own_user: int, wanted: Any) -> FoundNote:
    """The oldest note by `own_user` whose marker `wanted` accepts; and the ids of notes by anyone else
    that carry a tfoidc marker (ignored, whatever they say)."""
    ignored: list[int] = []
    found: tuple[int, str, NoteMarker] | None = None
    for note in notes:
        body = getattr(note, "body", "") or ""
        marker = parse_note_marker(body)
        if marker is None:
            continue
        if _author_id(note) != own_user:
            ignored.append(int(note.get_id()))
            continue
        if found is None and wanted(marker):
            found = (int(note.get_id()), body, marker)
    return FoundNote(found, tuple(ignored))


def _author_id(note: Any) -> int | None:
    author = getattr(note, "author", None)
    value = author.get("id") if isinstance(author, dict) else None
    return value if isinstance(value, int) else None
