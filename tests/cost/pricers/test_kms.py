"""KMS keys."""

from __future__ import annotations

from tests.conftest import PLANS, need_shared
from tests.cost.costplans import derive, one, price, run
from tests.cost.goldens import check_golden


def test_kms_key_from_a_fixture_plan() -> None:
    plan_path = need_shared(PLANS / "regula" / "s3_bucket_sse.json")
    est = run(derive(plan_path, lambda doc: None))
    assert one(est, "aws_kms_key.key").monthly_after == price("kms/key-month")


def test_kms_key_golden() -> None:
    check_golden("kms_key")
