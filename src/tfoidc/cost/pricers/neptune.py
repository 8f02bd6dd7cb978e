"""Neptune: instances (standard or I/O-optimized storage), and cluster storage and I/O."""

from __future__ import annotations

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, missing, pricer

BURSTABLE = ("db.t3.", "db.t4g.")
IO_OPTIMIZED = "iopt1"


@pricer(
    "aws_neptune_cluster_instance",
    catalog=("neptune/instance-hour", "neptune/cpu-credit-vcpu-hour"),
    usage={"monthly_cpu_credit_hrs": "vCPU-hours of surplus CPU credits a month (t3/t4g instances)"},
)
def neptune_cluster_instance(a: Attrs, p: Pricing) -> list[CostComponent]:
    instance_class = a.get("instance_class") or missing("instance_class")
    cluster = p.related.find(("cluster_identifier",), ["aws_neptune_cluster"], ("id", "cluster_identifier"))
    optimized = cluster is not None and cluster.attrs.optional("storage_type", "") == IO_OPTIMIZED
    key = f"neptune/instance-hour{'-iopt' if optimized else ''}/{instance_class}"
    parts = [p.hourly(f"Database instance (on-demand, {instance_class})", key)]
    if optimized:
        p.note(f"I/O-optimized instance prices: {cluster.address if cluster else ''} uses storage_type iopt1")
    if instance_class.startswith(BURSTABLE):
        parts.append(
            p.usage_based(
                "CPU credits", "neptune/cpu-credit-vcpu-hour", "vCPU-hours", "monthly_cpu_credit_hrs"
            )
        )
    return parts


@pricer(
    "aws_neptune_cluster",
    catalog=("neptune/storage-gb-month", "neptune/io-request"),
    usage={
        "storage_gb": "GB of data stored by the cluster",
        "monthly_io_requests": "I/O requests a month (standard storage only)",
    },
)
def neptune_cluster(a: Attrs, p: Pricing) -> list[CostComponent]:
    if p.setting(a, "storage_type", "") == IO_OPTIMIZED:  # no I/O charges, higher storage price
        return [p.usage_based("Storage (I/O-optimized)", "neptune/storage-gb-month-iopt", "GB", "storage_gb")]
    return [
        p.usage_based("Storage", "neptune/storage-gb-month", "GB", "storage_gb"),
        p.usage_based("I/O requests", "neptune/io-request", "1M requests", "monthly_io_requests", 1_000_000),
    ]
