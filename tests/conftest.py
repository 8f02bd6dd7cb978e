"""Shared test fixtures: where ../shared is (skipping cleanly without it), and the fixtures every folder
may use, registered once here: the local GitLab server, the CLI runner and the Terraform workspace. Their
code lives beside the tests that need them most. The sandbox itself is registered per folder (each folder's
conftest), so tests that change its account never meet tests of another folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chromium import browser  # noqa: F401
from tests.gitlab.server import fake_gitlab, mr_env  # noqa: F401
from tests.identity.fixtures import moto_sessions, scripted_sts, tfoidc  # noqa: F401
from tests.lifecycle.fixtures import null_mirror, sts_recorder, workspace  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PLANS = SHARED / "fixtures" / "plans"
PRICES = SHARED / "fixtures" / "prices"


def need_shared(path: Path) -> Path:
    """Return `path` inside ../shared, or skip the test with the reason."""
    if not path.exists():
        pytest.skip(f"fixture data not available: {path} (../shared is absent beside the repo)")
    return path


@pytest.fixture
def plans_dir() -> Path:
    return need_shared(PLANS)


@pytest.fixture
def prices_dir() -> Path:
    return need_shared(PRICES)


def all_fixture_plans() -> list[Path]:
    """Every plan JSON in ../shared (empty when absent; parametrised tests then skip)."""
    if not PLANS.exists():
        return []
    return sorted(p for p in PLANS.rglob("*.json") if p.name != "sources.json")
