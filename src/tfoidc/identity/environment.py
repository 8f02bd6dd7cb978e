"""The environment a child process runs with (Terraform, or the command of `tfoidc exec`), and the
values its output must never show.

A child gets the credentials tfoidc obtained and nothing that would make its AWS SDK prefer others, and
none of the tokens the job holds: every token variable tfoidc knows about, and any variable holding an
ID token (a JWT) under a name of the job's choosing. Their values are masked in its output all the same
(`secret_values`), since a child can get them another way (a file, the job shell's environment).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# Credentials that would override the ones tfoidc gives the child.
AWS_VARIABLES = frozenset(
    {
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ROLE_ARN",
        "AWS_ROLE_SESSION_NAME",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
    }
)
# Every token a GitLab job or tfoidc's configuration puts in the environment.
TOKEN_VARIABLES = frozenset(
    {
        "GITLAB_OIDC_TOKEN",  # the ID token tfoidc reads by default (id_tokens:)
        "CI_JOB_JWT",  # legacy ID tokens
        "CI_JOB_JWT_V1",
        "CI_JOB_JWT_V2",
        "TFOIDC_GITLAB_TOKEN",  # the merge request note's token
        "GITLAB_TOKEN",
        "CI_JOB_TOKEN",  # the job's own API token, and the variables GitLab derives from it
        "CI_REGISTRY_PASSWORD",
        "CI_DEPENDENCY_PROXY_PASSWORD",
        "CI_REPOSITORY_URL",
        "CI_DEPLOY_PASSWORD",
    }
)
DROPPED = AWS_VARIABLES | TOKEN_VARIABLES
_JWT = re.compile(r"\s*eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\s*")


def is_token_variable(name: str, value: str, also: Iterable[str] = ()) -> bool:
    return name in TOKEN_VARIABLES or name in set(also) or bool(_JWT.fullmatch(value))


def secret_values(environ: Mapping[str, str], also: Iterable[str] = ()) -> tuple[str, ...]:
    """The values of every token variable in `environ` (and of the variables named in `also`)."""
    named = set(also)
    return tuple(v for k, v in environ.items() if v and is_token_variable(k, v, named))


def child_environment(
    environ: Mapping[str, str],
    credentials: Mapping[str, str],
    region: str | None,
    *,
    also_drop: Iterable[str] = (),
) -> dict[str, str]:
    """`environ` without the AWS and token variables (and `also_drop`, e.g. a custom token variable),
    with `credentials` (static keys, or the web-identity variables) and the region laid over it."""
    named = set(also_drop)
    env = {k: v for k, v in environ.items() if k not in AWS_VARIABLES and not is_token_variable(k, v, named)}
    env.update(credentials)
    if region:
        env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = region
    return env
