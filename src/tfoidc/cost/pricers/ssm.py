"""SSM Parameter Store: advanced-tier parameters (standard parameters are free)."""

from __future__ import annotations

from tfoidc.cost.model import HOURS_PER_MONTH, CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, pricer


@pricer(
    "aws_ssm_parameter",
    catalog=("ssm/",),
    usage={
        "parameter_storage_hrs": "hours the parameter exists in the month (default: all month)",
        "monthly_api_interactions": "API interactions a month with the advanced parameter",
    },
)
def ssm_parameter(a: Attrs, p: Pricing) -> list[CostComponent]:
    if p.setting(a, "tier", "Standard") != "Advanced":
        p.note(
            "standard-tier parameters are free (unset, the tier is the account's default, Standard unless "
            "changed; Intelligent-Tiering picks Standard unless the value needs Advanced)"
        )
        return []
    hours = p.usage_value("parameter_storage_hrs") or HOURS_PER_MONTH
    amount, source = p.unit_price("ssm/advanced-parameter-month")
    storage = p.usage_component(
        "Parameter storage (advanced)",
        "hours",
        amount / HOURS_PER_MONTH,
        source,
        hours,
        1,
        ("parameter_storage_hrs",),
    )
    return [
        storage,
        p.usage_based(
            "API interactions (advanced)",
            "ssm/advanced-api-interaction",
            "10k interactions",
            "monthly_api_interactions",
            10_000,
        ),
    ]
