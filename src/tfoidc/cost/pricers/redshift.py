"""Redshift provisioned clusters."""

from __future__ import annotations

from decimal import Decimal

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, Tier, missing, pricer

TB = 1024  # GB per TB, as AWS's Redshift backup tiers count
BACKUP_TIERS = (
    Tier("first 50 TB", "redshift/backup-storage-gb-month/tier1", 50 * TB),
    Tier("next 450 TB", "redshift/backup-storage-gb-month/tier2", 450 * TB),
    Tier("over 500 TB", "redshift/backup-storage-gb-month/tier3"),
)


@pricer(
    "aws_redshift_cluster",
    catalog=("redshift/",),
    usage={
        "managed_storage_gb": "GB of Redshift managed storage (RA3 nodes)",
        "excess_concurrency_scaling_secs": "concurrency-scaling seconds a month beyond the free credits",
        "spectrum_data_scanned_tb": "TB scanned by Redshift Spectrum a month",
        "backup_storage_gb": "GB of backup storage beyond the free allocation",
    },
)
def redshift_cluster(a: Attrs, p: Pricing) -> list[CostComponent]:
    node_type = a.get("node_type") or missing("node_type")
    nodes = a.number("number_of_nodes", 1)
    if p.setting(a, "cluster_type", "multi-node" if nodes > 1 else "single-node") == "single-node":
        nodes = Decimal(1)
    parts = [p.hourly(f"Cluster usage (on-demand, {node_type})", f"redshift/node-hour/{node_type}", nodes)]
    if node_type.startswith("ra3."):
        parts.append(
            p.usage_based(
                f"Managed storage ({node_type})",
                "redshift/managed-storage-gb-month",
                "GB",
                "managed_storage_gb",
            )
        )
    seconds = p.usage_value("excess_concurrency_scaling_secs")
    parts += [
        p.per_use(
            f"Concurrency scaling ({node_type})",
            f"redshift/concurrency-scaling-node-second/{node_type}",
            "node-seconds",
            None if seconds is None else seconds * nodes,
            ("excess_concurrency_scaling_secs",),
        ),
        p.usage_based("Spectrum", "redshift/spectrum-tb", "TB", "spectrum_data_scanned_tb"),
        *p.tiered(
            "Backup storage", BACKUP_TIERS, "GB", p.usage_value("backup_storage_gb"), ("backup_storage_gb",)
        ),
    ]
    return parts
