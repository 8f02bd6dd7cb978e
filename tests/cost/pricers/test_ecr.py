"""ECR repositories."""

from __future__ import annotations

from tests.cost.costplans import Change, one, price, priced, usage
from tests.cost.goldens import check_golden


def test_ecr_repository_golden() -> None:
    check_golden("ecr_repository")


def test_image_storage_is_usage() -> None:
    repo = Change("aws_ecr_repository.r", {"name": "r"})
    assert one(priced([repo]), "aws_ecr_repository.r").depends_on_usage
    stored = one(priced([repo], config=usage("aws_ecr_repository.r", storage_gb=30)), "aws_ecr_repository.r")
    assert stored.monthly_after == 30 * price("ecr/storage-gb-month")
