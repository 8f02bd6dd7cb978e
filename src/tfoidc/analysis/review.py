"""The plan about to be applied against the plan a reviewer saw, both as tfoidc.json documents (pure).

Two plans are the same for review when they change the same resources in the same way: the same
addresses with the same actions and, when both documents carry them (contract 1.1+), the same change
fingerprints (planned values after redaction, unknowns, replace paths). The reviewed document comes
from a merge request pipeline's artifacts, so it is read as hostile input: anything unexpected is an
`InputError`, never a pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tfoidc.errors import InputError

CHANGING = frozenset({"create", "update", "delete", "replace", "forget"})


@dataclass(frozen=True, slots=True)
class Difference:
    address: str
    reviewed: str | None  # the action(s) in the reviewed plan; None: not in it
    now: str | None  # the action(s) in the plan to apply; None: no longer in it
    values_changed: bool = False  # same action, other planned values


@dataclass(frozen=True, slots=True)
class ReviewComparison:
    differences: tuple[Difference, ...]
    values_compared: bool  # False: the reviewed analysis predates fingerprints; actions only

    @property
    def identical(self) -> bool:
        return not self.differences


@dataclass(frozen=True, slots=True)
class _Change:
    action: str
    fingerprint: str | None
    previous_address: str | None


def compare_with_review(reviewed: Any, current: Any) -> ReviewComparison:
    """How the plan to apply (`current`) differs from the reviewed one; InputError when the reviewed
    document is not a usable analysis of a successful plan."""
    theirs = _changes(reviewed, "the reviewed analysis")
    ours = _changes(current, "the analysis of the plan to apply")
    values_compared = all(c.fingerprint is not None for cs in (*theirs.values(), *ours.values()) for c in cs)
    differences = []
    for address in sorted(theirs.keys() | ours.keys()):
        before, now = theirs.get(address, []), ours.get(address, [])
        if not before or not now or _actions(before) != _actions(now):
            differences.append(Difference(address, _actions(before) or None, _actions(now) or None))
        elif values_compared and _values(before) != _values(now):
            differences.append(Difference(address, _actions(before), _actions(now), values_changed=True))
    return ReviewComparison(tuple(differences), values_compared)


def _changes(doc: Any, what: str) -> dict[str, list[_Change]]:
    if not isinstance(doc, Mapping) or not isinstance(doc.get("changes"), list):
        raise InputError(f"{what} is not a tfoidc analysis document")
    version = doc.get("schema_version")
    if not isinstance(version, str) or version.split(".")[0] != "1":
        raise InputError(f"{what} has an unsupported schema_version {version!r}")
    plan = doc.get("plan")
    if not isinstance(plan, Mapping) or plan.get("errored") is not False:
        raise InputError(f"{what} is of a plan that failed or errored: there was no plan to review")
    found: dict[str, list[_Change]] = {}
    for i, entry in enumerate(doc["changes"]):
        if not isinstance(entry, Mapping):
            raise InputError(f"{what}: changes[{i}] is not an object")
        address, action = entry.get("address"), entry.get("action")
        fingerprint, previous = entry.get("fingerprint"), entry.get("previous_address")
        if not isinstance(address, str) or not isinstance(action, str):
            raise InputError(f"{what}: changes[{i}] has no address or action")
        if not isinstance(fingerprint, str | None) or not isinstance(previous, str | None):
            raise InputError(f"{what}: changes[{i}] has a malformed fingerprint or previous_address")
        if action in CHANGING:
            found.setdefault(address, []).append(_Change(action, fingerprint, previous))
    return found


def _actions(changes: list[_Change]) -> str:
    return ", ".join(sorted(c.action for c in changes))


def _values(changes: list[_Change]) -> list[tuple[str, str, str]]:
    return sorted((c.action, c.fingerprint or "", c.previous_address or "") for c in changes)
