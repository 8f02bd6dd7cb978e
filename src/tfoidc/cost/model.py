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

    @property
    def monthly_delta(self) -> Decimal:
        return self.monthly_after - self.monthly_before


@dataclass(frozen=True, slots=True)
class NotPriced:
    address: str
    type: str
    reason: str


@dataclass(frozen=True, slots=True)
class CostEstimate:
    currency: str
    region: str | None
    resources: tuple[ResourceCost, ...]
    not_priced: tuple[NotPriced, ...]
    notes: tuple[str, ...] = field(default=())
    free: tuple[str, ...] = field(default=())  # addresses of resources AWS does not charge for

    def monthly_delta_by(self, grouping: str) -> dict[str, Decimal]:
        """Monthly delta per "module" (module address, "" for root) or per resource "type"."""
        totals: dict[str, Decimal] = {}
        for r in self.resources:
            group = r.module_address if grouping == "module" else r.type
            totals[group] = totals.get(group, Decimal(0)) + r.monthly_delta
        return totals

    @property
    def monthly_before(self) -> Decimal:
        return sum((r.monthly_before for r in self.resources), Decimal(0))

    @property
    def monthly_after(self) -> Decimal:
        return sum((r.monthly_after for r in self.resources), Decimal(0))

    @property
    def monthly_delta(self) -> Decimal:
        return self.monthly_after - self.monthly_before
