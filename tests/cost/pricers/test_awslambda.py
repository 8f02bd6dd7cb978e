"""Lambda functions."""

from __future__ import annotations

from decimal import Decimal

from tests.conftest import PLANS, need_shared
from tests.cost.costplans import Change, derive, one, price, priced, run
from tests.cost.goldens import check_golden
from tfoidc.cost.config import CostConfig


def test_lambda_without_usage_depends_on_usage_never_zero_by_silence() -> None:
    plan_path = need_shared(PLANS / "infracost" / "example_plan.json")
    est = run(derive(plan_path, lambda doc: None))
    lam = one(est, "aws_lambda_function.hello_world")
    assert lam.monthly_after == 0 and lam.depends_on_usage
    assert all("usage:" in c.price_source and c.usage_keys for c in lam.components)
    assert lam.components[0].unit_price == price("lambda/request") * 1_000_000
    assert lam in est.usage_based


def test_lambda_with_usage_memory_and_architecture() -> None:
    usage = {"monthly_requests": Decimal(1_000_000), "request_duration_ms": Decimal(500)}
    config = CostConfig(usage={"aws_lambda_function": usage})
    est = priced(
        [
            Change("aws_lambda_function.x86", {"memory_size": 512, "architectures": ["x86_64"]}),
            Change(
                "aws_lambda_function.arm",
                {"memory_size": 1024, "architectures": ["arm64"], "ephemeral_storage": [{"size": 1536}]},
            ),
        ],
        config=config,
    )
    seconds = Decimal(1_000_000) * Decimal("0.5")
    x86 = 1_000_000 * price("lambda/request") + seconds * Decimal("0.5") * price("lambda/duration-gb-second")
    arm = (
        1_000_000 * price("lambda/request-arm")
        + seconds * 1 * price("lambda/duration-gb-second-arm")
        + seconds * 1 * price("lambda/ephemeral-storage-gb-second-arm")
    )
    assert one(est, "aws_lambda_function.x86").monthly_after == x86
    assert one(est, "aws_lambda_function.arm").monthly_after == arm


def test_lambda_function_golden() -> None:
    check_golden("lambda_function")
