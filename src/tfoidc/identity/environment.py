"""The environment a child process runs with (Terraform, or the command of `tfoidc exec`).

It gets the credentials tfoidc obtained and nothing that would make its AWS SDK prefer others, nor the
ID tokens it has no use for: a child that prints its environment must not print a token.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

DROPPED = frozenset(
    {
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ROLE_ARN",
        "AWS_ROLE_SESSION_NAME",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "GITLAB_OIDC_TOKEN",
        "CI_JOB_JWT",
        "CI_JOB_JWT_V2",
    }
)


def child_environment(
    environ: Mapping[str, str],
    credentials: Mapping[str, str],
    region: str | None,
    *,
    also_drop: Iterable[str] = (),
) -> dict[str, str]:
    """`environ` without the dropped variables (and `also_drop`, e.g. a custom token variable), with
    `credentials` (static keys, or the web-identity variables) and the region laid over it."""
    dropped = DROPPED | set(also_drop)
    env = {k: v for k, v in environ.items() if k not in dropped}
    env.update(credentials)
    if region:
        env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = region
    return env
