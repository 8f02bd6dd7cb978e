"""RDS: DB instances (MySQL, PostgreSQL, MariaDB, Aurora) and Aurora cluster instances."""

from __future__ import annotations

from decimal import Decimal

from tfoidc.cost.model import HOURS_PER_MONTH, CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, Unpriceable, missing, pricer, scaled
from tfoidc.cost.pricers.ebs import EBS_NAMES, GP3_FREE_IOPS

RDS_ENGINES = {
    "mysql": "MySQL",
    "postgres": "PostgreSQL",
    "mariadb": "MariaDB",
    "aurora": "Aurora MySQL",
    "aurora-mysql": "Aurora MySQL",
    "aurora-postgresql": "Aurora PostgreSQL",
}
RDS_GP3_LARGE_GB = Decimal(400)
RDS_GP3_BASELINE_LARGE = Decimal(12000)
MULTI_AZ_FACTOR = Decimal(2)  # AWS bills a Multi-AZ (one standby) instance and its storage twice


def rds_engine(a: Attrs) -> str:
    engine = a.get("engine") or missing("engine")
    if engine not in RDS_ENGINES:
        raise Unpriceable(f"engine {engine!r} is not in the catalog (MySQL, PostgreSQL, MariaDB, Aurora)")
    return RDS_ENGINES[engine]


@pricer(
    "aws_db_instance",
    catalog=("rds/",),
    usage={"additional_backup_storage_gb": "GB of backup storage beyond the free allocation"},
)
def db_instance(a: Attrs, p: Pricing) -> list[CostComponent]:
    engine = rds_engine(a)
    instance_class = a.get("instance_class") or missing("instance_class")
    multi_az = bool(a.optional("multi_az", False))
    factor = MULTI_AZ_FACTOR if multi_az else Decimal(1)
    deployment = "Multi-AZ" if multi_az else "Single-AZ"
    instance = p.fixed(
        f"Database instance (on-demand, {deployment}, {instance_class})",
        f"rds/instance-hour/{engine}/{instance_class}",
        "hours",
        HOURS_PER_MONTH,
    )
    parts = [scaled(instance, factor)]
    if not engine.startswith("Aurora"):
        iops = a.optional_number("iops", 0)
        storage_type = a.optional("storage_type", None) or ("io1" if iops else "gp2")
        size = a.number("allocated_storage")
        label = EBS_NAMES.get(storage_type, storage_type)
        parts.append(
            scaled(p.fixed(f"Storage ({label})", f"rds/storage-gb-month/{storage_type}", "GB", size), factor)
        )
        if storage_type in ("io1", "io2"):
            parts.append(
                scaled(p.fixed("Provisioned IOPS", f"rds/iops-month/{storage_type}", "IOPS", iops), factor)
            )
        elif storage_type == "gp3":
            # gp3 includes a baseline (3,000 IOPS below 400 GB, 12,000 from 400 GB); more is billed
            baseline = RDS_GP3_BASELINE_LARGE if size >= RDS_GP3_LARGE_GB else GP3_FREE_IOPS
            if iops > baseline:
                extra = p.fixed(
                    f"Provisioned GP3 IOPS (above {baseline:,})",
                    "rds/iops-month/gp3",
                    "IOPS",
                    iops - baseline,
                )
                parts.append(scaled(extra, factor))
        parts.append(
            p.usage_based(
                "Additional backup storage",
                "rds/backup-storage-gb-month",
                "GB",
                "additional_backup_storage_gb",
            )
        )
    return parts


@pricer("aws_rds_cluster_instance", catalog=("rds/instance-hour/Aurora",))
def rds_cluster_instance(a: Attrs, p: Pricing) -> list[CostComponent]:
    engine = rds_engine(a)
    instance_class = a.get("instance_class") or missing("instance_class")
    return [
        p.hourly(
            f"Database instance (on-demand, {instance_class})", f"rds/instance-hour/{engine}/{instance_class}"
        )
    ]


@pricer("aws_rds_cluster", catalog=("rds/instance-hour/Aurora",))
def rds_cluster(a: Attrs, p: Pricing) -> list[CostComponent]:
    raise Unpriceable(
        "Aurora cluster storage and I/O are not in the catalog (its instances are priced as"
        " aws_rds_cluster_instance)"
    )
