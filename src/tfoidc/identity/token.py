"""Finding the job's GitLab ID token and reading its claims without trusting them yet."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt

from tfoidc.errors import AuthError, InputError
from tfoidc.identity.hints import FLAGS, Spelling

DEFAULT_TOKEN_VAR = "GITLAB_OIDC_TOKEN"
LEGACY_TOKEN_VAR = "CI_JOB_JWT_V2"
LEGACY_WARNING = (
    "using the legacy $CI_JOB_JWT_V2: GitLab removed it in 17.0. Declare an ID token in .gitlab-ci.yml "
    "instead (`id_tokens: {GITLAB_OIDC_TOKEN: {aud: <audience>}}`); tfoidc reads $GITLAB_OIDC_TOKEN"
)


@dataclass(frozen=True)
class IdToken:
    """A GitLab ID token; `raw` is a credential and never shown by repr/str."""

    raw: str = field(repr=False)
    source: str  # "--token-file PATH" | "$GITLAB_OIDC_TOKEN" | "$CI_JOB_JWT_V2 (legacy)"
    unverified_claims: dict[str, Any]

    @property
    def is_legacy(self) -> bool:
        return self.source.startswith(f"${LEGACY_TOKEN_VAR}")

    def __str__(self) -> str:
        return f"ID token from {self.source}"


def discover_token(
    *,
    token_file: Path | None = None,
    token_var: str = DEFAULT_TOKEN_VAR,
    environ: Mapping[str, str] | None = None,
    audience: str = "<audience>",
    spelling: Spelling = FLAGS,
) -> IdToken:
    """The token from `--token-file`, else `$<token_var>`, else the legacy `$CI_JOB_JWT_V2`.

    An explicitly named source that is missing or empty is an error, never a silent fall-through.
    `audience` is the one the caller will require: the hint names it.
    """
    env = os.environ if environ is None else environ
    if token_file is not None:
        return parse_token(_read_token_file(token_file), source=f"--token-file {token_file}")
    if env.get(token_var, "").strip():
        return parse_token(env[token_var], source=f"${token_var}")
    if env.get(LEGACY_TOKEN_VAR, "").strip():
        return parse_token(env[LEGACY_TOKEN_VAR], source=f"${LEGACY_TOKEN_VAR} (legacy)")
    raise InputError(
        f"no GitLab ID token found: ${token_var} is not set (nor the legacy ${LEGACY_TOKEN_VAR})",
        hint=f"add `id_tokens: {{{token_var}: {{aud: {audience}}}}}` to the job"
        + (f", or pass {spelling.token_file}" if spelling.token_file else ""),
    )


def parse_token(raw: str, *, source: str) -> IdToken:
    """Decode the claims without checking anything; a token that is not a JWT is refused here."""
    text = raw.strip()
    try:
        claims = jwt.decode(text, options={"verify_signature": False})
    except jwt.DecodeError:
        raise AuthError(
            f"the ID token from {source} is not a JWT",
            hint="pass the token itself (three base64url parts separated by dots), not a path or a name",
        ) from None
    return IdToken(raw=text, source=source, unverified_claims=claims)


def _read_token_file(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8-sig")  # editors on Windows prepend a BOM
    except OSError as exc:
        raise InputError(f"cannot read the token file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"the token file {path} is not text") from None
    if not text.strip():
        raise InputError(f"the token file {path} is empty")
    return text
