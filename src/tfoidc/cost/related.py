"""The other resources of a plan a pricer needs (pure): the launch template an autoscaling group
launches from, the task definition an ECS service runs, the subscriptions of an SNS topic.

A link is found the way Terraform itself knows it: from the reference in the plan's
`configuration` (`launch_template { id = aws_launch_template.web.id }`), resolved in the resource's
own module instance; failing that, by matching the attribute's value (an id, name or ARN) against
the candidates' values. A pricer may also ask for "the only launch template in this module", the
shape of most autoscaling modules, where the reference goes through a `local` the plan does not
resolve. Each answer says how it was found, and the estimate's notes repeat it to the user.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from tfoidc.cost.pricers.base import Attrs, Found, Path
from tfoidc.plan.model import Action, Plan, ResourceChange

_REFERENCE = re.compile(r"^(?P<type>[a-z][a-z0-9_]*)\.(?P<name>[A-Za-z_][\w-]*)(?P<key>\[[^\]]+\])?")
_LAST_KEY = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|\d+)\]$')
_NOT_RESOURCES = ("data.", "var.", "local.", "module.", "each.", "count.", "path.", "self.", "terraform.")


class PlanIndex:
    """Built once per plan; `lookup(rc, side)` answers one resource's questions."""

    def __init__(self, plan: Plan) -> None:
        self.changes: dict[str, ResourceChange] = {}
        self.by_base: dict[str, list[ResourceChange]] = defaultdict(list)
        self.by_type: dict[str, list[ResourceChange]] = defaultdict(list)
        for rc in plan.resource_changes:
            if rc.is_data or rc.deposed is not None or rc.action is Action.READ:
                continue
            self.changes[rc.address] = rc
            self.by_base[_without_last_key(rc.address)].append(rc)
            self.by_type[rc.type].append(rc)
        self.config: dict[str, Mapping[str, Any]] = {}
        root = (plan.configuration or {}).get("root_module")
        if isinstance(root, dict):
            self._index_module(root, "")

    def _index_module(self, module: Mapping[str, Any], prefix: str) -> None:
        for res in module.get("resources") or ():
            if isinstance(res, dict) and res.get("mode", "managed") == "managed" and "address" in res:
                self.config[f"{prefix}{res['address']}"] = res
        for name, call in (module.get("module_calls") or {}).items():
            child = call.get("module") if isinstance(call, dict) else None
            if isinstance(child, dict):
                self._index_module(child, f"{prefix}module.{name}.")

    def lookup(self, rc: ResourceChange, side: str) -> Lookup:
        return Lookup(self, rc, side)


class Lookup:
    """One resource's view of the plan, on one side ("before" or "after") of the change."""

    def __init__(self, index: PlanIndex, rc: ResourceChange, side: str) -> None:
        self.index, self.rc, self.side = index, rc, side

    # --- the Related protocol of tfoidc.cost.pricers.base

    def find(self, path: Path, types: Sequence[str], keys: Sequence[str] = ("id", "name")) -> Found | None:
        for target in self._referenced(self.rc, path):
            if target.type in types:
                return self._found(target, "reference")
        value = _value_at(self._values(self.rc)[0], path)
        if isinstance(value, str) and value:
            for candidate in self._candidates(types):
                for key in keys:
                    if self._values(candidate)[0].get(key) == value:
                        return self._found(candidate, f"matching {key}")
        return None

    def only(self, types: Sequence[str]) -> Found | None:
        same_module = [c for c in self._candidates(types) if c.module_address == self.rc.module_address]
        if len(same_module) == 1:
            return self._found(same_module[0], "the only one in its module")
        return None

    def referring(
        self, types: Sequence[str], path: Path, keys: Sequence[str] = ("id", "arn"), to: str | None = None
    ) -> list[Found]:
        target = self.index.changes.get(to) if to else self.rc
        if target is None:
            return []
        identities = {v for k in keys if isinstance(v := self._values(target)[0].get(k), str) and v}
        found = []
        for candidate in self._candidates(types):
            if any(t.address == target.address for t in self._referenced(candidate, path)):
                found.append(self._found(candidate, "reference"))
            elif _value_at(self._values(candidate)[0], path) in identities:
                found.append(self._found(candidate, "matching value"))
        return found

    def configured(self, path: Path) -> bool | None:
        config = self.index.config.get(self.rc.config_address)
        if config is None:
            return None
        return _expression(config, path) is not None

    # --- helpers

    def _candidates(self, types: Sequence[str]) -> list[ResourceChange]:
        found = [c for t in types for c in self.index.by_type.get(t, ()) if self._values(c)[0]]
        # the same module instance first: that is where an unqualified reference points
        return sorted(found, key=lambda c: (c.module_address != self.rc.module_address, c.address))

    def _values(self, rc: ResourceChange) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
        if self.side == "before" or rc.action is Action.DELETE:
            values, unknown = rc.before, {}
        else:
            values, unknown = rc.after, rc.after_unknown
        return (values if isinstance(values, dict) else {}), (unknown if isinstance(unknown, dict) else {})

    def _found(self, rc: ResourceChange, how: str) -> Found:
        values, unknown = self._values(rc)
        return Found(rc.address, rc.type, Attrs(values, unknown, f"{rc.address}: "), how)

    def _referenced(self, rc: ResourceChange, path: Path) -> list[ResourceChange]:
        """The resources `rc`'s configuration refers to in the expression at `path`."""
        config = self.index.config.get(rc.config_address)
        expression = _expression(config, path) if config is not None else None
        targets = []
        for ref in (expression or {}).get("references") or ():
            target = self._resolve(rc, ref) if isinstance(ref, str) else None
            if target is not None and target not in targets:
                targets.append(target)
        return targets

    def _resolve(self, rc: ResourceChange, ref: str) -> ResourceChange | None:
        if ref.startswith(_NOT_RESOURCES):
            return None
        match = _REFERENCE.match(ref)
        if not match:
            return None
        prefix = f"{rc.module_address}." if rc.module_address else ""
        base = f"{prefix}{match['type']}.{match['name']}"
        if match["key"]:
            return self.index.changes.get(f"{base}{match['key']}")
        instances = self.index.by_base.get(base, [])
        if len(instances) == 1:
            return instances[0]
        # `aws_x.y[count.index]` and `aws_x.y[each.key]` from an instance with the same key
        own_key = rc.address[len(_without_last_key(rc.address)) :]
        return self.index.changes.get(f"{base}{own_key}") if own_key else None


def _without_last_key(address: str) -> str:
    """ "module.a[0].aws_x.y[1]" -> "module.a[0].aws_x.y" (the module instance stays)."""
    return _LAST_KEY.sub("", address)


def _expression(config: Mapping[str, Any], path: Path) -> Mapping[str, Any] | None:
    node: Any = config.get("expressions") or {}
    for step in path:
        if isinstance(step, int):
            node = node[step] if isinstance(node, list) and step < len(node) else None
        else:
            node = node.get(step) if isinstance(node, dict) else None
        if node is None:
            return None
    return node if isinstance(node, dict) else None


def _value_at(values: Any, path: Path) -> Any:
    node = values
    for step in path:
        if isinstance(step, int):
            node = node[step] if isinstance(node, list) and step < len(node) else None
        else:
            node = node.get(step) if isinstance(node, dict) else None
        if node is None:
            return None
    return node
