"""EFS file systems: storage by class (usage), requests and provisioned or elastic throughput."""

from __future__ import annotations

from decimal import Decimal

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import ZERO, Attrs, Pricing, pricer

# Bursting throughput included in provisioned mode: 50 KiB/s per GiB of Standard storage (~0.05 MiB/s).
INCLUDED_MIBPS_PER_GB = Decimal("0.05")


@pricer(
    "aws_efs_file_system",
    catalog=("efs/",),
    usage={
        "storage_gb": "GB stored in the Standard (or One Zone) class",
        "infrequent_access_storage_gb": "GB stored in the Infrequent Access class",
        "monthly_infrequent_access_read_gb": "GB read from Infrequent Access a month",
        "monthly_infrequent_access_write_gb": "GB written to Infrequent Access a month",
        "monthly_elastic_read_gb": "GB read a month in elastic throughput mode",
        "monthly_elastic_write_gb": "GB written a month in elastic throughput mode",
    },
)
def efs_file_system(a: Attrs, p: Pricing) -> list[CostComponent]:
    one_zone = a.is_set("availability_zone_name")
    zone, label = ("one-zone-", "one zone") if one_zone else ("", "standard")
    parts = [p.usage_based(f"Storage ({label})", f"efs/{zone}storage-gb-month", "GB", "storage_gb")]
    if any(policy.is_set("transition_to_ia") for policy in a.blocks("lifecycle_policy")):
        parts += [
            p.usage_based(
                f"Storage ({label}, infrequent access)",
                f"efs/{zone}ia-storage-gb-month",
                "GB",
                "infrequent_access_storage_gb",
            ),
            p.usage_based(
                "Read requests (infrequent access)",
                "efs/ia-read-gb",
                "GB",
                "monthly_infrequent_access_read_gb",
            ),
            p.usage_based(
                "Write requests (infrequent access)",
                "efs/ia-write-gb",
                "GB",
                "monthly_infrequent_access_write_gb",
            ),
        ]
    mode = p.setting(a, "throughput_mode", "bursting")
    if mode == "provisioned":
        provisioned = a.number("provisioned_throughput_in_mibps")
        stored = p.usage_value("storage_gb") or ZERO
        billed = max(ZERO, provisioned - stored * INCLUDED_MIBPS_PER_GB)
        parts.append(
            p.fixed("Provisioned throughput", "efs/provisioned-throughput-mibps-month", "MBps", billed)
        )
    elif mode == "elastic":
        parts += [
            p.usage_based("Elastic throughput reads", "efs/elastic-read-gb", "GB", "monthly_elastic_read_gb"),
            p.usage_based(
                "Elastic throughput writes", "efs/elastic-write-gb", "GB", "monthly_elastic_write_gb"
            ),
        ]
    return parts
