"""This folder's own sandbox (one per test worker): moto's S3 holds the trails' log files."""

from tfoidc.sandbox.pytest_fixtures import sandbox, sandbox_env  # noqa: F401
