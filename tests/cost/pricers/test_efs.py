"""EFS file systems."""

from __future__ import annotations

from tests.cost.costplans import Change, one, price, priced, usage
from tests.cost.goldens import check_golden


def test_efs_file_system_golden() -> None:
    check_golden("efs_file_system")


def test_provisioned_throughput_above_what_the_storage_includes() -> None:
    values = {"throughput_mode": "provisioned", "provisioned_throughput_in_mibps": 10}
    fs = one(
        priced(
            [Change("aws_efs_file_system.f", values)], config=usage("aws_efs_file_system.f", storage_gb=100)
        ),
        "aws_efs_file_system.f",
    )
    # 100 GB of Standard storage includes 5 MiB/s: 5 MiB/s are billed
    assert fs.monthly_after == 100 * price("efs/storage-gb-month") + 5 * price(
        "efs/provisioned-throughput-mibps-month"
    )
