"""Cost estimate data (pure data, USD per month at 730 h)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

HOURS_PER_MONTH = Decimal(730)


@dataclass(frozen=True, slots=True)
class CostComponent:
    name: str  # e.g. "Instance usage (Linux/UNIX, on-demand, m5.large)"
    unit: str  # e.g. "hours", "GB", "IOPS"
    unit_price: Decimal
    monthly_quantity: Decimal | None  # None: depends on usage not supplied
    monthly_cost: Decimal | None  # None: depends on usage not supplied
    price_source: str = ""  # SKU / rate code / source file and date
    usage_keys: tuple[str, ...] = ()  # the `[cost.usage]` keys this component is priced from, if any

    @property
    def depends_on_usage(self) -> bool:
        """Priced per use, and the usage was not supplied: the unit price is known, the cost is not."""
        return self.monthly_cost is None


@dataclass(frozen=True, slots=True)
class ResourceCost:
    address: str
    type: str
    module_address: str
    action: str
    monthly_before: Decimal
    monthly_after: Decimal
    components: tuple[CostComponent, ...] = ()
    region: str | None = None
    notes: tuple[
        str, ...
    ] = ()  # how it was priced, when that is not obvious (e.g. "from aws_launch_template.x")

    @property
    def monthly_delta(self) -> Decimal:
        return self.monthly_after - self.monthly_before

    @property
    def depends_on_usage(self) -> bool:
        """Its whole cost is usage that was not supplied: show "depends on usage" and the unit prices,
        never $0.00 (`monthly_after` is 0 only because nothing is known yet)."""
        return bool(self.components) and all(c.depends_on_usage for c in self.components)


@dataclass(frozen=True, slots=True)
class NotPriced:
    address: str
    type: str
    reason: str


@dataclass(frozen=True, slots=True)
class FreeResource:
    address: str
    type: str
    reason: str  # why AWS charges nothing for it (or where its cost is counted instead)


@dataclass(frozen=True, slots=True)
class CostEstimate:
    currency: str
    region: str | None
    resources: tuple[ResourceCost, ...]
    not_priced: tuple[NotPriced, ...]
    notes: tuple[str, ...] = field(default=())
    free: tuple[str, ...] = field(default=())  # addresses of resources AWS does not charge for
    free_resources: tuple[FreeResource, ...] = field(default=())  # the same, with the reason

    def monthly_delta_by(self, grouping: str) -> dict[str, Decimal]:
        """Monthly delta per "module" (module address, "" for root) or per resource "type"."""
        totals: dict[str, Decimal] = {}
        for r in self.resources:
            group = r.module_address if grouping == "module" else r.type
            totals[group] = totals.get(group, Decimal(0)) + r.monthly_delta
        return totals

    @property
    def usage_based(self) -> tuple[ResourceCost, ...]:
        """Resources whose whole cost depends on usage that was not supplied."""
        return tuple(r for r in self.resources if r.depends_on_usage)

    @property
    def monthly_before(self) -> Decimal:
        return sum((r.monthly_before for r in self.resources), Decimal(0))

    @property
    def monthly_after(self) -> Decimal:
        return sum((r.monthly_after for r in self.resources), Decimal(0))

    @property
    def monthly_delta(self) -> Decimal:
        return self.monthly_after - self.monthly_before
