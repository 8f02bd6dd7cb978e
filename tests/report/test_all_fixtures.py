"""Every format renders for every fixture plan, and each output is well-formed for its reader."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import PLANS, all_fixture_plans
from tests.report.mdcheck import structure_problems
from tfoidc.analysis.run import analyze
from tfoidc.config import Config
from tfoidc.errors import InputError
from tfoidc.plan.parse import load_plan
from tfoidc.report.config import ReportConfig
from tfoidc.report.render import FORMATS, render, render_note


class _Strict(HTMLParser):
    """Collects external references an HTML report must not have."""

    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            # A link a reader follows to a rule's docs is navigation, not something the page loads.
            if tag == "a" and value and value.startswith(ReportConfig().rules_docs_url + "#"):
                continue
            if name in ("src", "href") and value and not value.startswith(("#", "data:")):
                self.external.append(f"<{tag} {name}={value}>")


@pytest.mark.parametrize("path", all_fixture_plans(), ids=lambda p: str(p.relative_to(PLANS)))
def test_every_format_renders(path: Path) -> None:
    try:
        plan = load_plan(path)
    except InputError:
        pytest.skip("the plan parser rejects this file (its own tests cover why)")
    analysis = analyze(plan, Config(), environment="env")
    small = ReportConfig(note_max_chars=4_000)
    for fmt in FORMATS:
        text = render(analysis, fmt)
        if fmt == "md":
            assert structure_problems(text) == []
        elif fmt == "html":
            parser = _Strict()
            parser.feed(text)
            assert parser.external == []
        elif fmt == "junit":
            ET.fromstring(text)
        elif fmt == "text":
            # What to do first, then the counts; no colour unless asked.
            assert re.match(r"[^\n]+: (Blocked|Ready to apply|No changes|Incomplete plan|Do not apply)", text)
            assert "Plan format " in text and "\x1b" not in text
        else:
            json.loads(text)
    note = render_note([analysis], config=small, pipeline_id=1, artifact_url="https://example.com/a")
    assert len(note) <= 4_000
    assert structure_problems(note) == []
