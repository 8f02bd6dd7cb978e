"""DocumentDB: instances, and the storage and I/O AWS bills per cluster."""

from __future__ import annotations

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, missing, pricer

BURSTABLE = ("db.t3.", "db.t4g.")


@pricer(
    "aws_docdb_cluster_instance",
    catalog=("docdb/instance-hour/", "docdb/cpu-credit-vcpu-hour"),
    usage={"monthly_cpu_credit_hrs": "vCPU-hours of surplus CPU credits a month (t3/t4g instances)"},
)
def docdb_cluster_instance(a: Attrs, p: Pricing) -> list[CostComponent]:
    instance_class = a.get("instance_class") or missing("instance_class")
    parts = [
        p.hourly(f"Database instance (on-demand, {instance_class})", f"docdb/instance-hour/{instance_class}")
    ]
    if instance_class.startswith(BURSTABLE):
        parts.append(
            p.usage_based("CPU credits", "docdb/cpu-credit-vcpu-hour", "vCPU-hours", "monthly_cpu_credit_hrs")
        )
    return parts


@pricer(
    "aws_docdb_cluster",
    catalog=("docdb/storage-gb-month", "docdb/io-request"),
    usage={
        "data_storage_gb": "GB of data stored by the cluster",
        "monthly_io_requests": "I/O requests a month",
    },
)
def docdb_cluster(a: Attrs, p: Pricing) -> list[CostComponent]:
    return [
        p.usage_based("Storage", "docdb/storage-gb-month", "GB", "data_storage_gb"),
        p.usage_based("I/O requests", "docdb/io-request", "1M requests", "monthly_io_requests", 1_000_000),
    ]
