"""Every real plan in ../shared/fixtures/plans parses; counts and actions match the raw file."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PLANS, all_fixture_plans
from tfoidc.analysis.contract import graph_to_dict
from tfoidc.analysis.graph_build import build_graph
from tfoidc.plan.parse import load_plan

# Terraform's action lists as the issue defines them; both replace orders are one "replace".
EXPECTED_ACTION = {
    ("create",): "create",
    ("update",): "update",
    ("delete",): "delete",
    ("read",): "read",
    ("no-op",): "no-op",
    ("forget",): "forget",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
}


def raw(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    text = data.decode("utf-16") if data.startswith(b"\xff\xfe") else data.decode("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def fixture_id(path: Path) -> str:
    return str(path.relative_to(PLANS))


def test_fixture_plans_are_present(plans_dir: Path) -> None:
    assert len(all_fixture_plans()) >= 70


@pytest.mark.parametrize("path", all_fixture_plans(), ids=fixture_id)
def test_fixture_plan_parses_with_counts_and_actions_of_the_file(path: Path) -> None:
    doc = raw(path)
    plan = load_plan(path)
    changes = doc.get("resource_changes") or []

    assert len(plan.resource_changes) == len(changes)
    assert [rc.address for rc in plan.resource_changes] == [c["address"] for c in changes]
    assert Counter(rc.action.value for rc in plan.resource_changes) == Counter(
        EXPECTED_ACTION[tuple(c["change"]["actions"])] for c in changes
    )
    assert plan.format_version == doc["format_version"]
    assert plan.terraform_version == doc.get("terraform_version")
    assert plan.errored == (doc.get("errored") is True)
    assert plan.has_configuration == bool(doc.get("configuration"))


@pytest.mark.parametrize("path", all_fixture_plans(), ids=fixture_id)
def test_fixture_plan_graph_has_every_instance_with_its_action(path: Path) -> None:
    doc = raw(path)
    graph = build_graph(load_plan(path))
    for change in doc.get("resource_changes") or []:
        node = change["address"] + (f" (deposed {change['deposed']})" if change.get("deposed") else "")
        assert graph.graph.nodes[node]["action"] == EXPECTED_ACTION[tuple(change["change"]["actions"])]
        assert graph.graph.nodes[node]["kind"] == "resource"
    assert graph.inferred == (not doc.get("configuration"))
    # The JSON contract's edges only name nodes, on every real plan.
    exported = graph_to_dict(graph)
    ids = {n["id"] for n in exported["nodes"]}
    assert all(a in ids and b in ids for a, b in exported["edges"])
