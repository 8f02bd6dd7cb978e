"""Access to the GitLab API of the running pipeline: the one token variable, the python-gitlab client, and
every GitLab failure turned into one line (renders nothing, decides nothing).

The token is `TFOIDC_GITLAB_TOKEN` (TOKEN_VARIABLE): a project access token with the `api` scope. GitLab
refuses the job token (`CI_JOB_TOKEN`) for merge request notes, so it is never used.

python-gitlab retries 429 (waiting for Retry-After), 5xx, timeouts and broken connections with backoff;
what is still failing after `max_retries` ends as one `OperationalError` (exit 1) that never quotes the
token.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import gitlab.exceptions
import requests

import gitlab
from tfoidc.errors import OperationalError

TOKEN_VARIABLE = "TFOIDC_GITLAB_TOKEN"
API_SUFFIX = "/api/v4"
TOKEN_HINT = f"set {TOKEN_VARIABLE} (a masked CI/CD variable) to a project access token with the api scope"


@dataclass(frozen=True)
class GitLabAccess:
    """The project's API and tfoidc's token; `repr` never shows the token."""

    api_url: str  # CI_API_V4_URL, e.g. https://gitlab.example.com/api/v4
    project_id: str
    token: str = field(repr=False)


def project_api(environ: Mapping[str, str]) -> tuple[str, str] | None:
    """CI_API_V4_URL and CI_PROJECT_ID, or None outside a GitLab pipeline (either is missing)."""
    api_url = environ.get("CI_API_V4_URL", "").strip()
    project_id = environ.get("CI_PROJECT_ID", "").strip()
    return (api_url, project_id) if api_url and project_id else None


def access_from_env(environ: Mapping[str, str], *, purpose: str) -> GitLabAccess:
    """The pipeline's project API with tfoidc's token; a missing one is one line (exit 1) saying
    what it was needed for."""
    api = project_api(environ)
    if api is None:
        missing = [v for v in ("CI_API_V4_URL", "CI_PROJECT_ID") if not environ.get(v, "").strip()]
        raise OperationalError(f"cannot {purpose}: {', '.join(missing)} not set (not a GitLab pipeline?)")
    token = environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        raise OperationalError(f"cannot {purpose}: {TOKEN_VARIABLE} is not set", hint=TOKEN_HINT)
    return GitLabAccess(api_url=api[0], project_id=api[1], token=token)


def connect(access: GitLabAccess, *, timeout: float) -> gitlab.Gitlab:
    url = access.api_url.rstrip("/").removesuffix(API_SUFFIX)
    return gitlab.Gitlab(url, private_token=access.token, timeout=timeout, retry_transient_errors=True)


@contextmanager
def gitlab_errors(access: GitLabAccess, doing: str) -> Iterator[None]:
    """Every failure of the GitLab calls inside as one `OperationalError` line: "cannot <doing>: ..."."""
    try:
        yield
    except gitlab.exceptions.GitlabAuthenticationError as exc:
        raise OperationalError(
            f"cannot {doing}: GitLab refused {TOKEN_VARIABLE} (HTTP {exc.response_code or 401})",
            hint=TOKEN_HINT,
        ) from None
    except gitlab.exceptions.GitlabParsingError:
        raise OperationalError(f"cannot {doing}: GitLab sent an answer that is not valid JSON") from None
    except gitlab.exceptions.GitlabError as exc:
        if exc.response_code == 403:
            raise OperationalError(
                f"cannot {doing}: GitLab refused {TOKEN_VARIABLE} (HTTP 403: {_message(exc)})",
                hint="the token needs the api scope and at least the Reporter role in this project",
            ) from None
        code = f"HTTP {exc.response_code}: " if exc.response_code else ""
        raise OperationalError(f"cannot {doing}: GitLab answered {code}{_message(exc)}") from None
    except requests.RequestException as exc:
        raise OperationalError(
            f"cannot {doing}: GitLab at {access.api_url} unreachable ({type(exc).__name__})"
        ) from None
    except ValueError:  # requests' JSON decoding of a body python-gitlab did not check itself
        raise OperationalError(f"cannot {doing}: GitLab sent an answer that is not valid JSON") from None


def _message(exc: gitlab.exceptions.GitlabError) -> str:
    text = exc.error_message
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return " ".join(str(text).split())[:200] or "no message"
