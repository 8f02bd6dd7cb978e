"""What an attribute will be after apply: set, unset (so AWS's default applies), or not known yet.

In plan JSON an optional attribute the configuration never sets often shows as "known after apply"
(the provider computes it), exactly like one set from an expression whose value is unknown. The two
mean different things to a reviewer: the first gets AWS's documented default (for encryption: off),
the second cannot be judged until apply. They are told apart by the plan's `configuration`: no
expression for the attribute means unset.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tfoidc.guardrails.links import configuration_block
from tfoidc.guardrails.resources import unknown, value
from tfoidc.plan.model import REDACTED, Plan, ResourceChange


class State(StrEnum):
    SET = "set"  # a value known at plan time
    UNSET = "unset"  # the configuration does not set it: the provider's / AWS's default applies
    PENDING = "pending"  # set by an expression only apply can evaluate (or sensitive): cannot be judged


@dataclass(frozen=True)
class Setting:
    state: State
    value: Any = None

    @property
    def pending(self) -> bool:
        return self.state is State.PENDING

    @property
    def unset(self) -> bool:
        return self.state is State.UNSET

    def __bool__(self) -> bool:  # pragma: no cover - a guard against `if setting:` mistakes
        raise TypeError("test .state, .value, .pending or .unset, not the Setting itself")


def setting(plan: Plan, rc: ResourceChange, *path: str | int) -> Setting:
    """The after-apply state of `rc.<path>` (e.g. `("root_block_device", 0, "encrypted")`)."""
    raw = value(rc, *path)
    if raw == REDACTED:
        return Setting(State.PENDING)
    if raw is not None and not unknown(rc, *path):
        return Setting(State.SET, raw)
    if not unknown(rc, *path):
        return Setting(State.UNSET)  # known to be null: nothing is sent, the default applies
    configured = expression_state(plan, rc, path)
    return Setting(State.UNSET if configured == "absent" else State.PENDING)


def expression_state(plan: Plan, rc: ResourceChange, path: tuple[str | int, ...]) -> str:
    """How the configuration sets `path`: "absent" (not written: the default applies), "present",
    or "unknown" (no configuration, a dynamic block, or a block whose expression cannot be followed)."""
    block = configuration_block(plan, rc)
    if block is None:
        return "unknown"
    node: Any = block.get("expressions")
    if node is None:
        return "absent"  # the resource is declared with no arguments at all
    for position, step in enumerate(path):
        last = position == len(path) - 1
        if isinstance(step, int):
            if not isinstance(node, list):
                return "unknown"
            if step >= len(node):
                return "unknown"  # more blocks after apply than written: a dynamic block
            node = node[step]
            continue
        if not isinstance(node, dict):
            return "unknown"
        if step not in node:
            # Not written. (Terraform's JSON configuration leaves `dynamic` blocks out, so a block
            # only a dynamic block creates reads as unwritten too: its settings get the default.)
            return "absent"
        node = node[step]
        if isinstance(node, dict) and ("references" in node or "constant_value" in node) and not last:
            return "present"  # the whole block is one expression (e.g. an attribute-as-block list)
    return "present"
