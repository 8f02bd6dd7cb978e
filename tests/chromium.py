"""Debian's chromium driven by Playwright, for the browser tests (never `playwright install`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"  # screenshots, kept by CI


def require_chromium() -> ModuleType:
    """Playwright's sync API; skips the calling test module, saying why, without it or chromium."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is absent: install Debian's chromium (apt-get install -y chromium) to run the "
            "browser tests",
            allow_module_level=True,
        )
    return sync_api


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with require_chromium().sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"])
        try:
            yield b
        finally:
            b.close()
