"""Secrets Manager secrets."""

from __future__ import annotations

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, pricer


@pricer(
    "aws_secretsmanager_secret",
    catalog=("secretsmanager/",),
    usage={"monthly_requests": "API requests a month"},
)
def secretsmanager_secret(a: Attrs, p: Pricing) -> list[CostComponent]:
    return [
        p.monthly("Secret", "secretsmanager/secret-month"),
        p.usage_based(
            "API requests", "secretsmanager/api-request", "10k requests", "monthly_requests", 10_000
        ),
    ]
