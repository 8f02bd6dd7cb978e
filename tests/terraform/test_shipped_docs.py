"""The security documentation says what is a boundary and what is a guard, and keeps its promises
checkable: every test it cites exists, and the claim that branch rules stop an over-broad trust is gone."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SECURITY = REPO / "docs" / "security.md"


def test_branch_rules_are_not_sold_as_a_boundary() -> None:
    lifecycle = (REPO / "docs" / "lifecycle.md").read_text()
    assert "even if the role's IAM trust policy were too broad" not in lifecycle
    assert "guard against" in lifecycle and "security.md" in lifecycle


def test_the_security_model_names_boundaries_guards_and_the_fork_fix() -> None:
    text = SECURITY.read_text()
    for heading in ("## Who controls what", "## Boundaries", "## Guards", "## Fork merge requests"):
        assert heading in text
    assert "18.2.2" in text and "gitlab#548165" in text
    assert "do not run fork pipelines in the parent project" in text


def test_every_test_the_security_model_cites_exists() -> None:
    cited = set(re.findall(r"`(test_[a-z0-9_]+)`", SECURITY.read_text()))
    assert len(cited) >= 10
    defined = {
        name
        for path in (REPO / "tests").rglob("test_*.py")
        for name in re.findall(r"^def (test_[a-z0-9_]+)", path.read_text(), flags=re.MULTILINE)
    }
    assert cited <= defined, sorted(cited - defined)
