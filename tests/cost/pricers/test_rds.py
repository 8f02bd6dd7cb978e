"""RDS DB instances, Aurora cluster instances and clusters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.cost.costplans import HOURS, Change, one, price, priced
from tests.cost.goldens import check_golden

RDS = "rds/instance-hour/MySQL/db.t3.large"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"engine": "mysql", "instance_class": "db.t3.large", "allocated_storage": 20},
            {RDS: HOURS, "rds/storage-gb-month/gp2": 20},
        ),
        (
            {"engine": "mysql", "instance_class": "db.t3.large", "allocated_storage": 30, "multi_az": True},
            {RDS: 2 * HOURS, "rds/storage-gb-month/gp2": 60},
        ),
        (
            {
                "engine": "mysql",
                "instance_class": "db.t3.large",
                "storage_type": "io1",
                "allocated_storage": 50,
                "iops": 1200,
            },
            {RDS: HOURS, "rds/storage-gb-month/io1": 50, "rds/iops-month/io1": 1200},
        ),
        (
            {
                "engine": "postgres",
                "instance_class": "db.t3.large",
                "allocated_storage": 20,
                "storage_type": "gp3",
            },
            {"rds/instance-hour/PostgreSQL/db.t3.large": HOURS, "rds/storage-gb-month/gp3": 20},
        ),
        (
            {"engine": "mariadb", "instance_class": "db.t3.large", "allocated_storage": 20},
            {"rds/instance-hour/MariaDB/db.t3.large": HOURS, "rds/storage-gb-month/gp2": 20},
        ),
        (
            {
                "engine": "mysql",
                "instance_class": "db.t3.large",
                "storage_type": "gp3",
                "allocated_storage": 20,
                "iops": 4000,
            },
            {RDS: HOURS, "rds/storage-gb-month/gp3": 20, "rds/iops-month/gp3": 1000},
        ),
        (
            {
                "engine": "mysql",
                "instance_class": "db.t3.large",
                "storage_type": "gp3",
                "allocated_storage": 400,
                "iops": 12000,
            },
            {RDS: HOURS, "rds/storage-gb-month/gp3": 400},
        ),
        (
            {
                "engine": "mysql",
                "instance_class": "db.t3.large",
                "storage_type": "gp3",
                "allocated_storage": 400,
                "iops": 14000,
                "multi_az": True,
            },
            {RDS: 2 * HOURS, "rds/storage-gb-month/gp3": 800, "rds/iops-month/gp3": 4000},
        ),
    ],
)
def test_db_instance(values: dict[str, Any], expected: dict[str, Decimal]) -> None:
    est = priced([Change("aws_db_instance.db", values)])
    total = sum((price(k) * q for k, q in expected.items()), Decimal(0))
    db = one(est, "aws_db_instance.db")
    assert db.monthly_after == total
    assert (
        "Multi-AZ" in db.components[0].name
        if values.get("multi_az")
        else "Single-AZ" in db.components[0].name
    )


@pytest.mark.parametrize(
    ("values", "unknown", "reason"),
    [
        (
            {"engine": "oracle-se2", "instance_class": "db.t3.large"},
            {},
            "engine 'oracle-se2' is not in the catalog",
        ),
        (
            {"engine": "mysql", "instance_class": "db.t3.large"},
            {"allocated_storage": True},
            "allocated_storage is known only after apply",
        ),
        (
            {"engine": "mysql", "instance_class": "db.x99.huge", "allocated_storage": 5},
            {},
            "no price for rds/instance-hour/MySQL/db.x99.huge",
        ),
    ],
)
def test_db_instance_not_priced(values: dict[str, Any], unknown: dict[str, Any], reason: str) -> None:
    est = priced([Change("aws_db_instance.db", values, after_unknown=unknown)])
    assert reason in est.not_priced[0].reason


def test_rds_cluster_instances_are_priced_and_the_cluster_says_why_not() -> None:
    est = priced(
        [
            Change("aws_rds_cluster.c", {"engine": "aurora-postgresql"}),
            Change(
                "aws_rds_cluster_instance.c[0]",
                {"engine": "aurora-postgresql", "instance_class": "db.r5.large"},
            ),
            Change(
                "aws_rds_cluster_instance.c[1]",
                {"engine": "aurora-postgresql", "instance_class": "db.r5.large"},
            ),
        ]
    )
    each = price("rds/instance-hour/Aurora PostgreSQL/db.r5.large") * HOURS
    assert one(est, "aws_rds_cluster_instance.c[0]").monthly_after == each
    assert est.monthly_after == 2 * each
    assert [n.address for n in est.not_priced] == ["aws_rds_cluster.c"]
    assert "Aurora cluster storage and I/O" in est.not_priced[0].reason


def test_db_instance_golden() -> None:
    check_golden("db_instance")
