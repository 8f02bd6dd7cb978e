"""ACM certificates: public ones are free; one issued by a private CA is billed when issued."""

from __future__ import annotations

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, pricer


@pricer("aws_acm_certificate", catalog=("acmpca/certificate",))
def acm_certificate(a: Attrs, p: Pricing) -> list[CostComponent]:
    private = a.is_set("certificate_authority_arn")
    if a.is_unknown("certificate_authority_arn"):
        private = p.related.configured(("certificate_authority_arn",)) is not False
    if not private:
        p.note("public ACM certificates are free")
        return []
    # The first-tier price (up to 1,000 private certificates a month), counted in the month issued.
    return [p.fixed("Certificate", "acmpca/certificate", "requests", 1)]
