"""Offline monthly cost estimates from a shipped AWS price catalog."""

from tfoidc.cost.model import CostComponent, CostEstimate, NotPriced, ResourceCost

__all__ = ["CostComponent", "CostEstimate", "NotPriced", "ResourceCost"]
