"""No test writes the user's cache of parsed Terraform files (tests that exercise it pass their own)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def no_user_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TFOIDC_CACHE_DIR", "")
