"""pytest fixtures for the local sandbox, importable from any conftest:

    from tfoidc.sandbox.pytest_fixtures import sandbox, sandbox_env  # noqa: F401

`sandbox` is session-scoped (one moto server + issuer per test process); `sandbox_env` applies the
sandbox's environment (endpoint, region, dummy caller credentials) to the test via monkeypatch.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tfoidc.sandbox import Sandbox

# Variables that would point boto3 or tfoidc somewhere other than the sandbox.
LEAKY_VARIABLES = (
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_IAM",
    "GITLAB_OIDC_TOKEN",
    "CI_JOB_JWT_V2",
    "TFOIDC_ROLE_ARN",
    "CI_SERVER_URL",
)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        yield sb


@pytest.fixture
def sandbox_env(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The sandbox's environment applied to os.environ for this test; returns it for child processes."""
    for name in LEAKY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    env = sandbox.env()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env
