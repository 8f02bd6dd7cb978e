"""ACM certificates."""

from __future__ import annotations

from tests.cost.costplans import Change, one, price, priced
from tests.cost.goldens import check_golden


def test_acm_certificate_golden() -> None:
    check_golden("acm_certificate")


def test_public_certificates_are_free_private_ones_cost() -> None:
    est = priced(
        [
            Change(
                "aws_acm_certificate.public",
                {"domain_name": "example.com", "certificate_authority_arn": None},
            ),
            Change(
                "aws_acm_certificate.private",
                {"certificate_authority_arn": "arn:aws:acm-pca:us-east-1:1:certificate-authority/x"},
            ),
        ]
    )
    assert one(est, "aws_acm_certificate.public").notes == ("public ACM certificates are free",)
    assert one(est, "aws_acm_certificate.private").monthly_after == price("acmpca/certificate")
