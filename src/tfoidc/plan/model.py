"""The typed plan model every later stage reads.

Values Terraform marks sensitive are already replaced by `REDACTED` here, so no later stage can leak
them: the parser (`tfoidc.plan.parse`) is the only code that ever sees them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

T = TypeVar("T")

REDACTED = "(sensitive value)"

JSON = Any


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    REPLACE = "replace"
    READ = "read"
    NOOP = "no-op"
    FORGET = "forget"  # Terraform >= 1.7 `removed` blocks: leaves state, the object stays
    # ["create", "forget"]: replaced, but the old object is only removed from state, not destroyed
    # (`lifecycle { destroy = false }`): a new object is created and the old one keeps running.
    REPLACE_FORGET = "replace-forget"

    @property
    def is_change(self) -> bool:
        return self not in (Action.NOOP, Action.READ)

    @property
    def destroys(self) -> bool:
        return self in (Action.DELETE, Action.REPLACE)


@dataclass(frozen=True, slots=True)
class ResourceChange:
    address: str
    module_address: str  # "" for the root module, else e.g. "module.vpc" or "module.a[0].module.b"
    mode: str  # "managed" | "data"
    type: str
    name: str
    index: int | str | None
    provider_name: str
    action: Action
    actions: tuple[str, ...]  # Terraform's raw list, e.g. ("delete", "create")
    before: JSON = None
    after: JSON = None
    after_unknown: JSON = None
    before_sensitive: JSON = None
    after_sensitive: JSON = None
    replace_paths: tuple[tuple[str | int, ...], ...] = ()
    action_reason: str | None = None
    previous_address: str | None = None
    deposed: str | None = None
    importing: bool = False
    import_id: str | None = None  # the `importing.id` Terraform will import, when it names one

    @property
    def node_id(self) -> str:
        """The graph node id: the address, or for a deposed object "<address> (deposed <key>)"."""
        return f"{self.address} (deposed {self.deposed})" if self.deposed else self.address

    @property
    def config_address(self) -> str:
        """The address without instance keys, as `configuration` names it ("module.m.aws_x.y")."""
        from tfoidc.plan.addresses import strip_instance_keys

        return strip_instance_keys(self.address)

    @property
    def is_data(self) -> bool:
        return self.mode == "data"


@dataclass(frozen=True, slots=True)
class DeferredChange:
    """A change Terraform (1.8+, deferred actions) put off to a later plan: it is not in this plan."""

    address: str
    action: Action  # what Terraform would do once it can
    reason: str  # Terraform's reason, e.g. "instance_count_unknown", "provider_config_unknown"


@dataclass(frozen=True, slots=True)
class OutputChange:
    name: str
    action: Action
    sensitive: bool
    before: JSON = None
    after: JSON = None


@dataclass(frozen=True, slots=True)
class Plan:
    format_version: str
    terraform_version: str | None
    resource_changes: tuple[ResourceChange, ...]
    output_changes: tuple[OutputChange, ...] = ()
    resource_drift: tuple[ResourceChange, ...] = ()
    variables: dict[str, JSON] = field(default_factory=dict)  # sensitive ones redacted
    configuration: dict[str, JSON] | None = None  # raw `configuration` block, None when absent
    prior_state: dict[str, JSON] | None = None  # values redacted like resource changes
    planned_values: dict[str, JSON] | None = None
    errored: bool = False
    # Terraform 1.8+: `"complete": false` when applying this plan would not reach the configuration
    # (changes deferred, or -target); plans of older versions say nothing and are complete.
    complete: bool = True
    deferred: tuple[DeferredChange, ...] = ()
    notes: tuple[str, ...] = ()  # what the parser had to infer or skip, said to the user
    # Every stage and report asks for the changes, often per item: kept rather than refiltered.
    _changes: tuple[ResourceChange, ...] = field(init=False, repr=False, compare=False, default=())
    # Lookups later stages derive from the plan (by address, by type, by value), built once on first
    # use: a rule asking per resource must not rescan every resource (10k resources: 10^8 steps).
    _derived: dict[Hashable, Any] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        changes = tuple(rc for rc in self.resource_changes if rc.action.is_change and not rc.is_data)
        object.__setattr__(self, "_changes", changes)

    @property
    def incomplete(self) -> bool:
        """Applying this plan leaves changes for a later plan (Terraform said so, or deferred some)."""
        return not self.complete or bool(self.deferred)

    @property
    def has_configuration(self) -> bool:
        return bool(self.configuration)

    def changes(self) -> tuple[ResourceChange, ...]:
        """Managed resource instances whose action is a real change."""
        return self._changes

    def by_address(self) -> dict[str, ResourceChange]:
        """Instances by address; a deposed object never hides the current object at its address.
        Built once: read it, do not change it."""
        return self.derived("by_address", self._by_address)

    def _by_address(self) -> dict[str, ResourceChange]:
        found: dict[str, ResourceChange] = {}
        for rc in self.resource_changes:
            if rc.deposed is None or rc.address not in found:
                found[rc.address] = rc
        return found

    def derived(self, key: Hashable, build: Callable[[], T]) -> T:
        """The lookup `key` names, built by `build` on first use and kept (the plan never changes)."""
        try:
            found: T = self._derived[key]
        except KeyError:
            found = self._derived[key] = build()
        return found
