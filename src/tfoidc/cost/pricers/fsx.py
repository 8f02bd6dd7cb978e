"""FSx for Windows File Server file systems."""

from __future__ import annotations

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, pricer


@pricer(
    "aws_fsx_windows_file_system",
    catalog=("fsx/windows/",),
    usage={"backup_storage_gb": "GB of backups stored"},
)
def fsx_windows_file_system(a: Attrs, p: Pricing) -> list[CostComponent]:
    deployment = str(p.setting(a, "deployment_type", "SINGLE_AZ_1")).lower().replace("_", "-")
    storage = str(p.setting(a, "storage_type", "SSD")).lower()
    return [
        p.fixed(
            "Throughput capacity",
            f"fsx/windows/throughput-mbps-month/{deployment}",
            "MBps",
            a.number("throughput_capacity"),
        ),
        p.fixed(
            f"{storage.upper()} storage",
            f"fsx/windows/storage-gb-month/{storage}/{deployment}",
            "GB",
            a.number("storage_capacity"),
        ),
        p.usage_based("Backup storage", "fsx/windows/backup-gb-month", "GB", "backup_storage_gb"),
    ]
