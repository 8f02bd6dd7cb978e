"""DocumentDB instances and clusters."""

from __future__ import annotations

from decimal import Decimal

from tests.cost.costplans import HOURS, Change, one, price, priced
from tests.cost.goldens import check_golden
from tfoidc.cost.config import CostConfig


def test_docdb_cluster_instance_golden() -> None:
    check_golden("docdb_cluster_instance")


def test_storage_and_io_are_priced_once_on_the_cluster() -> None:
    config = CostConfig(
        usage={
            "aws_docdb_cluster.c": {
                "data_storage_gb": Decimal(100),
                "monthly_io_requests": Decimal(5_000_000),
            }
        }
    )
    est = priced(
        [
            Change("aws_docdb_cluster.c", {"engine": "docdb"}),
            Change("aws_docdb_cluster_instance.a", {"instance_class": "db.r5.4xlarge"}),
            Change("aws_docdb_cluster_instance.b", {"instance_class": "db.r5.4xlarge"}),
        ],
        config=config,
    )
    assert one(est, "aws_docdb_cluster.c").monthly_after == 100 * price(
        "docdb/storage-gb-month"
    ) + 5_000_000 * price("docdb/io-request")
    assert (
        one(est, "aws_docdb_cluster_instance.a").monthly_after
        == price("docdb/instance-hour/db.r5.4xlarge") * HOURS
    )
