"""ECR repositories (image storage, usage)."""

from __future__ import annotations

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, pricer


@pricer("aws_ecr_repository", catalog=("ecr/",), usage={"storage_gb": "GB of images stored"})
def ecr_repository(a: Attrs, p: Pricing) -> list[CostComponent]:
    return [p.usage_based("Storage", "ecr/storage-gb-month", "GB", "storage_gb")]
