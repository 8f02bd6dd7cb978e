"""docs/guardrails-blocking.md lists every blocking finding on every fixture plan, each reviewed."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from tests.conftest import PLANS, REPO, need_shared


def load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("blocking_table", REPO / "tools" / "blocking_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["blocking_table"] = module
    spec.loader.exec_module(module)
    return module


tool = load_tool()


def test_every_blocking_finding_is_reviewed_and_the_table_is_current() -> None:
    rows = tool.blocking_rows(need_shared(PLANS))
    assert rows, "no blocking finding at all: the rules or the fixtures changed"
    assert tool.problems(rows) == []
    committed = (REPO / "docs" / "guardrails-blocking.md").read_text(encoding="utf-8")
    assert committed == tool.render(rows), "run `python tools/blocking_table.py` and review the diff"


def test_an_unreviewed_blocking_finding_is_reported() -> None:
    row = tool.Row("p.json", "TFO-NET-003", "aws_security_group.x", "", "all traffic")
    assert tool.problems([row]) and "NOT REVIEWED" in tool.render([row])
