"""Secrets Manager secrets."""

from __future__ import annotations

from decimal import Decimal

from tests.cost.costplans import Change, one, price, priced
from tests.cost.goldens import check_golden
from tfoidc.cost.config import CostConfig


def test_secret_and_its_api_requests() -> None:
    secret = one(
        priced([Change("aws_secretsmanager_secret.s", {"name": "db"})]), "aws_secretsmanager_secret.s"
    )
    assert secret.monthly_after == price("secretsmanager/secret-month")
    config = CostConfig(usage={"aws_secretsmanager_secret": {"monthly_requests": Decimal(50_000)}})
    secret = one(
        priced([Change("aws_secretsmanager_secret.s", {})], config=config), "aws_secretsmanager_secret.s"
    )
    assert secret.monthly_after == price("secretsmanager/secret-month") + 50_000 * price(
        "secretsmanager/api-request"
    )


def test_secretsmanager_secret_golden() -> None:
    check_golden("secretsmanager_secret")
