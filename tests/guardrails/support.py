"""Building guardrail test plans from the shipped fixture plans, and running the rules on them.

Tests start from a real plan JSON in ../shared/fixtures/plans and derive the case they need by
editing the document (flip an attribute, add a resource that references another), so every case
keeps the shape Terraform really writes: after_unknown, configuration references, module addresses.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from tests.conftest import PLANS, need_shared
from tfoidc.analysis.graph_build import build_graph
from tfoidc.cost.model import CostEstimate
from tfoidc.guardrails.engine import evaluate
from tfoidc.guardrails.external import ExternalResult
from tfoidc.guardrails.model import Finding
from tfoidc.guardrails.policy import GuardrailsPolicy
from tfoidc.plan.model import Plan
from tfoidc.plan.parse import parse_plan

AWS = "registry.terraform.io/hashicorp/aws"


def raw(relative: str) -> dict[str, Any]:
    """A fixture plan as a JSON document (UTF-16 files included), for the test to edit."""
    data = need_shared(PLANS / relative).read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return dict(json.loads(data.decode("utf-16")))
    return dict(json.loads(data.decode("utf-8-sig")))


def parse(doc: dict[str, Any]) -> Plan:
    return parse_plan(json.dumps(doc).encode(), source="derived-plan.json")


def fixture(relative: str) -> Plan:
    return parse(raw(relative))


def change(doc: dict[str, Any], address: str) -> dict[str, Any]:
    """The `change` object of the resource change at `address` (KeyError naming it when absent)."""
    for rc in doc["resource_changes"]:
        if rc["address"] == address:
            return dict(rc["change"])
    raise KeyError(address)


def set_after(doc: dict[str, Any], address: str, **values: Any) -> dict[str, Any]:
    """Set after-values of one resource; the values become known (removed from after_unknown)."""
    for rc in doc["resource_changes"]:
        if rc["address"] == address:
            rc["change"]["after"].update(copy.deepcopy(values))
            unknown = rc["change"].get("after_unknown") or {}
            for key in values:
                unknown.pop(key, None)
            rc["change"]["after_unknown"] = unknown
            return doc
    raise KeyError(address)


def add_resource(
    doc: dict[str, Any],
    address: str,
    after: dict[str, Any] | None,
    *,
    refs: dict[str, list[str]] | None = None,
    actions: Iterable[str] = ("create",),
    after_unknown: dict[str, Any] | None = None,
    before: dict[str, Any] | None = None,
    mode: str = "managed",
) -> dict[str, Any]:
    """Add a root-module resource change and its configuration entry (with `refs` as references)."""
    local = address.removeprefix("data.")
    rtype, name = local.split(".", 1)
    doc.setdefault("resource_changes", []).append(
        {
            "address": address,
            "mode": mode,
            "type": rtype,
            "name": name,
            "provider_name": AWS,
            "change": {
                "actions": list(actions),
                "before": before,
                "after": after,
                "after_unknown": after_unknown or {},
                "before_sensitive": False if before is None else {},
                "after_sensitive": False if after is None else {},
            },
        }
    )
    if after is None:
        return doc  # a resource being deleted is no longer in the configuration
    root = doc.setdefault("configuration", {}).setdefault("root_module", {})
    root.setdefault("resources", []).append(
        {
            "address": address,
            "mode": mode,
            "type": rtype,
            "name": name,
            "provider_config_key": "aws",
            "expressions": {key: {"references": value} for key, value in (refs or {}).items()},
        }
    )
    return doc


def run(
    plan: Plan,
    rule: str | None = None,
    *,
    policy: GuardrailsPolicy | None = None,
    environment: str | None = None,
    cost: CostEstimate | None = None,
    today: date | None = None,
    external: Sequence[ExternalResult] = (),
) -> list[Finding]:
    """The engine's findings (optionally of one rule) for `plan` under `policy` (default: defaults)."""
    found = evaluate(
        plan,
        build_graph(plan),
        policy or GuardrailsPolicy(),
        environment=environment,
        cost=cost,
        today=today,
        external=external,
    )
    return [f for f in found if rule is None or f.rule == rule]


def hits(plan: Plan, rule: str, **kwargs: Any) -> set[tuple[str, str | None]]:
    """(address, attribute) of every finding of `rule`."""
    return {(f.address, f.attribute) for f in run(plan, rule, **kwargs)}


def addresses(plan: Plan, rule: str, **kwargs: Any) -> set[str]:
    return {f.address for f in run(plan, rule, **kwargs)}


def policy_document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
