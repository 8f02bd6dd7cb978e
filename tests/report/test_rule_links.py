"""Each rule id in a report links to its section of docs/guardrails.md, and that section exists.

GitLab and GitHub make a heading's anchor from its text (lower case, punctuation dropped, spaces as
hyphens): a section headed `### TFO-S3-001` is `#tfo-s3-001` on both, which is what the reports link.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import REPO
from tfoidc.guardrails.rules import load_all
from tfoidc.report.config import ReportConfig
from tfoidc.report.view import rule_url

GUARDRAILS_DOC = REPO / "docs" / "guardrails.md"


def heading_anchors(path: Path) -> set[str]:
    """The anchors GitLab gives the headings of a markdown file (its documented algorithm)."""
    anchors = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#{1,6} (.+?)\s*#*$", line)
        if match:
            text = re.sub(r"[^\w\- ]", "", match.group(1).lower())
            anchors.add(re.sub(r" ", "-", text))
    return anchors


def test_every_registered_rule_has_its_own_section() -> None:
    anchors = heading_anchors(GUARDRAILS_DOC)
    missing = sorted(rule for rule in load_all() if rule.lower() not in anchors)
    assert missing == [], f"docs/guardrails.md needs a '### <id>' section for {missing}"


def test_the_default_link_of_every_rule_points_at_its_section() -> None:
    base = ReportConfig().rules_docs_url
    assert (REPO / base).is_file()  # relative to the repository, where tfoidc's own notes are read
    anchors = heading_anchors(REPO / base)
    for rule in load_all():
        url = rule_url(base, rule)
        assert url is not None and url.split("#", 1)[1] in anchors, rule


def test_only_built_in_rules_are_linked() -> None:
    base = "https://gitlab.example.com/platform/tfoidc/-/blob/v1/docs/guardrails.md"
    assert rule_url(base, "TFO-S3-001") == f"{base}#tfo-s3-001"
    # A custom rule or another tool's result has no section in tfoidc's docs.
    assert rule_url(base, "ORG-TAG-001") is None
    assert rule_url(base, "checkov:CKV_AWS_20") is None
    assert rule_url("", "TFO-S3-001") is None  # links switched off
