"""KMS customer managed keys."""

from __future__ import annotations

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, pricer


@pricer("aws_kms_key", catalog=("kms/",), usage={"monthly_requests": "API requests a month"})
def kms_key(a: Attrs, p: Pricing) -> list[CostComponent]:
    return [
        p.monthly("Customer master key", "kms/key-month"),
        p.usage_based("Requests", "kms/request", "10k requests", "monthly_requests", 10_000),
    ]
