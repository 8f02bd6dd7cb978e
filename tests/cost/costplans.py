"""Helpers for cost tests: plans derived from the fixture plans, and expected figures computed from the
catalog's recorded prices (never typed in)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from tfoidc.cost.catalog import Catalog, shipped_catalog
from tfoidc.cost.config import CostConfig
from tfoidc.cost.estimator import estimate
from tfoidc.cost.model import CostEstimate, ResourceCost
from tfoidc.plan.model import Plan
from tfoidc.plan.parse import parse_plan

HOURS = Decimal(730)
_ADDRESS = re.compile(r"^(?:(?P<module>module\..+)\.)?(?P<type>[a-z0-9_]+)\.(?P<name>[\w-]+)(?:\[[^\]]+\])?$")
AWS = "registry.terraform.io/hashicorp/aws"


@cache
def shipped() -> Catalog:
    """The shipped catalog alone (a user catalog in the developer's home must not leak in); read once."""
    return Catalog((shipped_catalog(),))


def price(key: str, region: str = "us-east-1", catalog: Catalog | None = None) -> Decimal:
    found = (catalog or shipped()).price(region, key)
    assert found is not None, f"the catalog has no {key} in {region}"
    return found.amount


@dataclass
class Change:
    """One resource change; `before`/`after` None mean absent (create/delete)."""

    address: str
    after: dict[str, Any] | None
    before: dict[str, Any] | None = None
    actions: tuple[str, ...] = ("create",)
    after_unknown: dict[str, Any] = field(default_factory=dict)
    after_sensitive: dict[str, Any] | None = None
    provider: str = AWS
    expressions: dict[str, Any] | None = None  # its `configuration` expressions (references), if any
    region: str | None = None  # a provider alias in this region instead of the default provider

    def document(self) -> dict[str, Any]:
        match = _ADDRESS.match(self.address)
        assert match, self.address
        module, rtype, name = match["module"] or "", match["type"], match["name"]
        doc: dict[str, Any] = {
            "address": self.address,
            "mode": "managed",
            "type": rtype,
            "name": name,
            "provider_name": self.provider,
            "change": {
                "actions": list(self.actions),
                "before": self.before,
                "after": self.after,
                "after_unknown": self.after_unknown,
            },
        }
        if module:
            doc["module_address"] = module
        if self.after_sensitive is not None:
            doc["change"]["after_sensitive"] = self.after_sensitive
        return doc


def plan_document(changes: Iterable[Change], region: str | None = "us-east-1") -> dict[str, Any]:
    changes = list(changes)
    doc: dict[str, Any] = {
        "format_version": "1.0",
        "terraform_version": "1.0.3",
        "resource_changes": [c.document() for c in changes],
    }
    configured = [c for c in changes if c.expressions is not None or c.region]
    if region or configured:
        providers: dict[str, Any] = {}
        if region:
            providers["aws"] = {"name": "aws", "expressions": {"region": {"constant_value": region}}}
        root: dict[str, Any] = {}
        for change in configured:
            _configure(root, providers, change)
        doc["configuration"] = {"provider_config": providers, "root_module": root}
    return doc


def _configure(root: dict[str, Any], providers: dict[str, Any], change: Change) -> None:
    """The change's resource in `configuration` (once per resource, not per instance)."""
    match = _ADDRESS.match(change.address)
    assert match, change.address
    module = root
    for name in re.findall(r"module\.([\w-]+)", match["module"] or ""):
        module = module.setdefault("module_calls", {}).setdefault(name, {"module": {}})["module"]
    local = f"{match['type']}.{match['name']}"
    resources = module.setdefault("resources", [])
    if any(r["address"] == local for r in resources):
        return
    entry: dict[str, Any] = {
        "address": local,
        "mode": "managed",
        "type": match["type"],
        "name": match["name"],
        "provider_config_key": "aws",
        "expressions": change.expressions or {},
    }
    if change.region:
        key = f"aws.{change.region}"
        providers[key] = {
            "name": "aws",
            "alias": change.region,
            "expressions": {"region": {"constant_value": change.region}},
        }
        entry["provider_config_key"] = key
    resources.append(entry)


def make_plan(changes: Iterable[Change], region: str | None = "us-east-1") -> Plan:
    return parse_plan(json.dumps(plan_document(changes, region)).encode(), source="<test plan>")


def run(plan: Plan, *, config: CostConfig | None = None, catalog: Catalog | None = None) -> CostEstimate:
    return estimate(plan, catalog=catalog or shipped(), config=config or CostConfig())


def priced(changes: Iterable[Change], **kwargs: Any) -> CostEstimate:
    return run(make_plan(changes, kwargs.pop("region", "us-east-1")), **kwargs)


def usage(address: str, **values: int | float) -> CostConfig:
    """`[cost.usage]` for one address (or type)."""
    return CostConfig(usage={address: {k: Decimal(str(v)) for k, v in values.items()}})


def one(est: CostEstimate, address: str) -> ResourceCost:
    found = [r for r in est.resources if r.address == address]
    assert found, f"{address} was not priced: {[(n.address, n.reason) for n in est.not_priced]}"
    return found[0]


def fixture_resource(plan_path: Path, address: str) -> dict[str, Any]:
    """The raw resource change of `address` in a fixture plan (a deep copy, to derive from)."""
    doc = json.loads(plan_path.read_text(encoding="utf-8-sig"))
    for rc in doc["resource_changes"]:
        if rc["address"] == address:
            return copy.deepcopy(rc)
    raise AssertionError(f"{address} not in {plan_path}")


def derive(plan_path: Path, edit: Any) -> Plan:
    """A plan derived from a fixture plan: `edit(doc)` changes the document in place."""
    doc = json.loads(plan_path.read_text(encoding="utf-8-sig"))
    edit(doc)
    return parse_plan(json.dumps(doc).encode(), source=f"derived from {plan_path.name}")
