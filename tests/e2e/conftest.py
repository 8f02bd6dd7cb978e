"""End-to-end tests: real `tfoidc` processes, the real Terraform binary, the sandbox. All marked `e2e`
(`pytest -m "not e2e"` for a quick run; CI runs everything)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfoidc.sandbox.pytest_fixtures import sandbox, sandbox_env  # noqa: F401

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
