"""Plan -> CostEstimate: the monthly cost before and after each managed AWS resource change (pure).

Each AWS resource is free (pricers/free.py, with the reason), priced by its type's pricer, or not
priced with the reason. Pricers see the rest of the plan through `PlanIndex` (related.py), e.g. the
launch template an autoscaling group launches from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tfoidc.cost.catalog import Catalog
from tfoidc.cost.config import CostConfig
from tfoidc.cost.model import CostComponent, CostEstimate, FreeResource, NotPriced, ResourceCost
from tfoidc.cost.pricers import FREE_TYPES, PRICERS, Attrs, Pricing, Unpriceable
from tfoidc.cost.region import resolve_region
from tfoidc.cost.related import PlanIndex
from tfoidc.plan.model import Action, Plan, ResourceChange

CURRENCY = "USD"
ZERO = Decimal(0)
# Providers whose resources live only in Terraform's state or on the runner: they cost nothing.
LOCAL_PROVIDERS = frozenset(
    {"null", "local", "random", "tls", "time", "terraform", "archive", "external", "http", "cloudinit"}
)
LOCAL_REASON = "lives only in Terraform's state or on the runner"


@dataclass(frozen=True, slots=True)
class _Side:
    """The monthly cost of one side (before or after) of a change."""

    monthly: Decimal
    components: tuple[CostComponent, ...]
    notes: tuple[str, ...] = ()


_NONE = _Side(ZERO, ())


def estimate(plan: Plan, *, catalog: Catalog, config: CostConfig) -> CostEstimate:
    resources: list[ResourceCost] = []
    not_priced: list[NotPriced] = []
    free: list[FreeResource] = []
    regions: Counter[str] = Counter()
    region_sources: Counter[str] = Counter()
    other_providers: Counter[str] = Counter()
    volume_ids = managed_volume_ids(plan)
    index = PlanIndex(plan)
    for rc in priced_changes(plan):
        provider = provider_short_name(rc)
        if provider != "aws":
            if provider in LOCAL_PROVIDERS:
                free.append(FreeResource(rc.address, rc.type, LOCAL_REASON))
            else:
                other_providers[provider] += 1
            continue
        if rc.type in FREE_TYPES:
            free.append(FreeResource(rc.address, rc.type, FREE_TYPES[rc.type]))
            continue
        if rc.type not in PRICERS:
            not_priced.append(NotPriced(rc.address, rc.type, f"no price model for {rc.type}"))
            continue
        answer = resolve_region(plan, rc, config.region)
        if answer.region is None:
            not_priced.append(NotPriced(rc.address, rc.type, f"not priced: {answer.how}"))
            continue
        regions[answer.region] += 1
        region_sources[f"{answer.region} from {answer.how}"] += 1
        usage = config.usage_for(rc.address, rc.type)
        try:
            resources.append(price_change(rc, Context(catalog, answer.region, usage, volume_ids, index)))
        except Unpriceable as reason:
            not_priced.append(NotPriced(rc.address, rc.type, str(reason)))
        except (TypeError, AttributeError, ValueError, KeyError, IndexError, ArithmeticError) as exc:
            # Values of a shape the provider would never produce: not priceable, not a crash.
            why = f"attribute values of an unexpected shape ({type(exc).__name__})"
            not_priced.append(NotPriced(rc.address, rc.type, why))
    notes = [f"region {how} ({_resources(n)})" for how, n in sorted(region_sources.items())]
    for provider, n in sorted(other_providers.items()):
        verb = "is" if n == 1 else "are"
        notes.append(f"{_resources(n)} of provider {provider} {verb} outside tfoidc's pricing (AWS only)")
    if not_priced:
        verb = "was" if len(not_priced) == 1 else "were"
        notes.append(f"{_resources(len(not_priced))} {verb} not priced; totals exclude them")
    usage_only = sum(r.depends_on_usage for r in resources)
    if usage_only:
        verb = "costs" if usage_only == 1 else "cost"
        notes.append(
            f"{_resources(usage_only)} {verb} only by usage: shown as depends on usage, with unit prices,"
            " until [cost.usage] in tfoidc.toml gives the usage"
        )
    return CostEstimate(
        currency=CURRENCY,
        region=config.region or (regions.most_common(1)[0][0] if regions else None),
        resources=tuple(resources),
        not_priced=tuple(not_priced),
        notes=tuple(notes),
        free=tuple(f.address for f in free),
        free_resources=tuple(free),
    )


def priced_changes(plan: Plan) -> list[ResourceChange]:
    """Managed resources whose cost exists before or after this plan (no-ops included, so the
    totals are the whole configuration's; `forget` leaves Terraform but not AWS, so it is skipped)."""
    return [
        rc
        for rc in plan.resource_changes
        if not rc.is_data and rc.deposed is None and rc.action not in (Action.READ, Action.FORGET)
    ]


def managed_volume_ids(plan: Plan) -> frozenset[str]:
    """Ids of the EBS volumes this configuration manages (an attached one shows up in the
    instance's `ebs_block_device` too, and must not be priced twice)."""
    ids = set()
    for rc in plan.resource_changes:
        if rc.type == "aws_ebs_volume" and not rc.is_data:
            for values in (rc.before, rc.after):
                if isinstance(values, dict) and isinstance(values.get("id"), str):
                    ids.add(values["id"])
    return frozenset(ids)


def provider_short_name(rc: ResourceChange) -> str:
    """ "registry.terraform.io/hashicorp/aws" and TF 0.12's "aws" -> "aws"."""
    return rc.provider_name.rsplit("/", 1)[-1] or rc.type.split("_", 1)[0]


@dataclass(frozen=True)
class Context:
    """What pricing one resource needs besides its own values."""

    catalog: Catalog
    region: str
    usage: Mapping[str, Decimal]
    managed_volume_ids: frozenset[str]
    index: PlanIndex

    def pricing(self, rc: ResourceChange, side: str) -> Pricing:
        return Pricing(
            self.catalog,
            self.region,
            self.usage,
            declared=PRICERS[rc.type],
            related=self.index.lookup(rc, side),
            managed_volume_ids=self.managed_volume_ids,
        )


def price_change(rc: ResourceChange, context: Context) -> ResourceCost:
    before = _price_side(rc, rc.before, None, context.pricing(rc, "before")) if _has_before(rc) else _NONE
    after = (
        _price_side(rc, rc.after, rc.after_unknown, context.pricing(rc, "after")) if _has_after(rc) else _NONE
    )
    shown = after if _has_after(rc) else before
    return ResourceCost(
        address=rc.address,
        type=rc.type,
        module_address=rc.module_address,
        action=rc.action.value,
        monthly_before=before.monthly,
        monthly_after=after.monthly,
        components=shown.components,
        region=context.region,
        notes=shown.notes,
    )


def _has_before(rc: ResourceChange) -> bool:
    return rc.action is not Action.CREATE and isinstance(rc.before, dict)


def _has_after(rc: ResourceChange) -> bool:
    return rc.action is not Action.DELETE and isinstance(rc.after, dict)


def _price_side(rc: ResourceChange, values: Any, unknown: Any, pricing: Pricing) -> _Side:
    attrs = Attrs(values, unknown if isinstance(unknown, dict) else {})
    components = tuple(PRICERS[rc.type](attrs, pricing))
    monthly = sum((c.monthly_cost for c in components if c.monthly_cost is not None), ZERO)
    return _Side(monthly, components, tuple(pricing.notes))


def _resources(n: int) -> str:
    return f"{n} resource" if n == 1 else f"{n} resources"
