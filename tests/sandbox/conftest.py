"""This folder's own sandbox (one per test worker)."""

from tfoidc.sandbox.pytest_fixtures import sandbox, sandbox_env  # noqa: F401
