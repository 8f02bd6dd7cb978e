"""Global Accelerator accelerators (the fixed hourly fee; data transfer premium is not modelled)."""

from __future__ import annotations

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, pricer


@pricer("aws_globalaccelerator_accelerator", catalog=("globalaccelerator/",))
def accelerator(a: Attrs, p: Pricing) -> list[CostComponent]:
    if a.optional("enabled", True) is False:
        p.note("a disabled accelerator still incurs the fixed fee")
    return [p.hourly("Fixed fee", "globalaccelerator/accelerator-hour")]
