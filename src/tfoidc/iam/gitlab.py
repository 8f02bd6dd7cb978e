"""What a GitLab ID token's `sub` can be, and how a `sub` value written in a policy reads.

GitLab writes `project_path:{group}/{project}:ref_type:{branch|tag}:ref:{ref}`; a project's maintainers
may reorder or drop the ref parts (`ci_id_token_sub_claim_components`: project_path,ref_type,ref |
project_path,ref,ref_type | project_path,ref | project_path,ref_type). Project paths are letters, digits,
`_`, `.`, `-` between slashes; git ref names never contain `:`, `*`, `?`, `[`, `\\`, `~`, `^` or spaces.
See https://docs.gitlab.com/ci/secrets/id_token_authentication/ (token payload). Pure.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import cache

from tfoidc.iam.lang import Lang, Pattern, alt, char_class, lang, literal, plus, seq

SUB_PREFIX = "project_path:"
REF_TYPES = ("branch", "tag")

_PATH_CHARS = frozenset(string.ascii_letters + string.digits + "_.-")
_NOT_IN_REFS = frozenset(":*?[\\~^ ")


def _path_char(c: str) -> bool:
    return c in _PATH_CHARS


def _ref_char(c: str) -> bool:
    return c not in _NOT_IN_REFS and c.isprintable()


def _sub_pattern(*, every_format: bool) -> Pattern:
    segment = plus(char_class(_path_char, "path character"))
    project = seq(segment, plus(seq(literal("/"), segment)))
    ref_type = alt(*(literal(t) for t in REF_TYPES))
    ref = plus(char_class(_ref_char, "ref character"))
    tails = [seq(literal(":ref_type:"), ref_type, literal(":ref:"), ref)]
    if every_format:
        tails += [
            seq(literal(":ref:"), ref, literal(":ref_type:"), ref_type),
            seq(literal(":ref:"), ref),
            seq(literal(":ref_type:"), ref_type),
        ]
    return seq(literal(SUB_PREFIX), project, alt(*tails))


@cache
def gitlab_subjects(*, every_format: bool = False) -> Lang:
    """Every `sub` a GitLab instance can put in an ID token (one automaton, its steps cached).

    Only a project's maintainers choose its sub format, so the default one is what a project's tokens
    carry; `every_format` adds the others, for policies written for them."""
    return lang(_sub_pattern(every_format=every_format))


def uses_another_format(value: str) -> bool:
    """A sub value written for a format other than project_path:..:ref_type:..:ref:.."""
    if not value.lower().startswith(SUB_PREFIX):
        return False
    _project, colon, tail = value[len(SUB_PREFIX) :].partition(":")
    if not colon or not tail or tail.startswith("*"):
        return False
    if tail.lower().startswith("ref_type:"):
        return ":ref:" not in tail.lower()
    return True


@dataclass(frozen=True)
class Subject:
    """A `sub` value of a policy read as GitLab's parts; `*` where the value leaves a part open."""

    project: str
    ref_type: str | None  # None: the sub format has no ref type, so a tag and a branch look alike
    ref: str | None  # None: the sub format has no ref

    @property
    def namespace(self) -> str:
        return self.project.split("/", 1)[0]


_DEFAULT = re.compile(
    r"project_path:(?P<project>[^:]*)(?::ref_type:(?P<t1>[^:]*))?(?::ref:(?P<r1>.*))?", re.I
)
_REF_FIRST = re.compile(r"project_path:(?P<project>[^:]*):ref:(?P<r2>[^:]*):ref_type:(?P<t2>.*)", re.I)


def parse_subject(value: str) -> Subject | None:
    """Read a policy's `sub` value (wildcards allowed); None when it is not GitLab-shaped."""
    if not value.lower().startswith(SUB_PREFIX):
        return None
    match = _REF_FIRST.fullmatch(value)
    if match:
        return Subject(match["project"], match["t2"], match["r2"])
    match = _DEFAULT.fullmatch(value)
    if match is None:
        # "project_path:acme/*" and the like: the wildcard swallows whatever follows
        project = value[len(SUB_PREFIX) :]
        open_ = "*" if project.endswith("*") else None
        return Subject(project.split(":", 1)[0], open_, open_)
    project = match["project"]
    if project.endswith("*") and match["t1"] is None and match["r1"] is None:
        return Subject(project, "*", "*")
    return Subject(project, match["t1"], match["r1"])


def looks_like_gitlab_sub(value: str) -> bool:
    return value.lower().startswith(SUB_PREFIX) or SUB_PREFIX.startswith(value.split("*", 1)[0].lower())


def subject_claims(sub: str, *, aud: str, issuer: str) -> dict[str, str]:
    """A GitLab-shaped claim set for `sub` (the claims IAM reads are sub and aud; the rest is for people)."""
    claims = {"iss": issuer, "sub": sub, "aud": aud}
    parts = sub.split(":")
    if parts[0] == "project_path" and len(parts) >= 2:
        claims["project_path"] = parts[1]
        for name, value in zip(parts[2::2], parts[3::2], strict=False):
            if name in ("ref_type", "ref"):
                claims[name] = value
    return claims
