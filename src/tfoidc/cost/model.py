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

    @property
    def monthly_before(self) -> Decimal:
        return sum((r.monthly_before for r in self.resources), Decimal(0))

    @property
    def monthly_after(self) -> Decimal:
        return sum((r.monthly_after for r in self.resources), Decimal(0))

    @property
    def monthly_delta(self) -> Decimal:
        return self.monthly_after - self.monthly_before
