"""Budget: block plans whose monthly cost increase is larger than the team allows.

Thresholds are rule params, set globally or per environment in tfoidc.toml:

```toml
[guardrails.environments.prod.rules."TFO-COST-001".params]
max_monthly_delta = 500       # USD per month for the whole plan
[guardrails.environments.prod.rules."TFO-COST-002".params]
max_monthly_resource = 200    # USD per month for any one resource after the change
```
Without a threshold the rule has nothing to compare against and stays silent.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import Field

from tfoidc.errors import InputError
from tfoidc.guardrails.model import Severity
from tfoidc.guardrails.registry import Hit, RuleContext, rule

USD = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]  # validated when tfoidc.toml is loaded
PLAN_ADDRESS = "(plan)"  # a budget finding is about the plan as a whole, not one resource


@rule(
    "TFO-COST-001",
    title="Plan raises the monthly cost by more than the budget allows",
    severity=Severity.BLOCK,
    rationale="A change that adds more recurring cost than the environment's budget should be a "
    "conscious decision, reviewed by someone who owns that budget.",
    fix="Right-size the resources, or raise max_monthly_delta for this environment, or waive the "
    "finding with a reason and an expiry date.",
    params={"max_monthly_delta": USD},
)
def plan_over_budget(ctx: RuleContext) -> Iterator[Hit]:
    limit = _threshold(ctx.params, "max_monthly_delta")
    if limit is None or ctx.cost is None:
        return
    delta = ctx.cost.monthly_delta
    if delta > limit:
        unpriced = f" ({len(ctx.cost.not_priced)} resource(s) not priced)" if ctx.cost.not_priced else ""
        yield Hit(
            PLAN_ADDRESS,
            f"monthly cost rises by ${delta:,.2f}, over the budget of ${limit:,.2f}{unpriced}",
            "monthly_delta",
        )


@rule(
    "TFO-COST-002",
    title="One resource costs more per month than the budget allows",
    severity=Severity.BLOCK,
    rationale="An oversized instance or database is the most common cost surprise; a per-resource "
    "ceiling catches it whatever else the plan does.",
    fix="Choose a smaller instance class or storage size, or raise max_monthly_resource for this "
    "environment, or waive the finding for that address with a reason and an expiry date.",
    params={"max_monthly_resource": USD},
)
def resource_over_budget(ctx: RuleContext) -> Iterator[Hit]:
    limit = _threshold(ctx.params, "max_monthly_resource")
    if limit is None or ctx.cost is None:
        return
    for resource in ctx.cost.resources:
        if resource.monthly_after > limit and resource.monthly_delta > 0:
            yield Hit(
                resource.address,
                f"{resource.type} will cost ${resource.monthly_after:,.2f}/month, over the per-resource "
                f"budget of ${limit:,.2f}",
                "monthly_after",
            )


def _threshold(params: Any, key: str) -> Decimal | None:
    value = params.get(key)
    if value is None:
        return None
    try:
        amount = None if isinstance(value, bool) else Decimal(str(value))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        raise InputError(f"guardrails params {key} = {value!r}: expected a non-negative number of USD")
    return amount
