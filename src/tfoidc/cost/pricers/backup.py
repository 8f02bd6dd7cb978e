"""AWS Backup vaults: what is stored in and restored from them (all usage)."""

from __future__ import annotations

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, pricer

# usage key -> (component, catalog key, unit)
ITEMS = {
    "monthly_efs_warm_backup_gb": ("EFS backup (warm)", "backup/efs-warm-gb-month", "GB"),
    "monthly_efs_cold_backup_gb": ("EFS backup (cold)", "backup/efs-cold-gb-month", "GB"),
    "monthly_efs_warm_restore_gb": ("EFS restore (warm)", "backup/efs-warm-restore-gb", "GB"),
    "monthly_efs_cold_restore_gb": ("EFS restore (cold)", "backup/efs-cold-restore-gb", "GB"),
    "monthly_efs_item_restore_requests": (
        "EFS restore (item-level)",
        "backup/efs-item-restore-request",
        "requests",
    ),
    "monthly_ebs_snapshot_gb": ("EBS snapshot", "backup/ebs-snapshot-gb-month", "GB"),
    "monthly_rds_snapshot_gb": ("RDS snapshot", "backup/rds-snapshot-gb-month", "GB"),
    "monthly_dynamodb_backup_gb": ("DynamoDB backup", "backup/dynamodb-gb-month", "GB"),
    "monthly_dynamodb_restore_gb": ("DynamoDB restore", "backup/dynamodb-restore-gb", "GB"),
    "monthly_aurora_snapshot_gb": ("Aurora snapshot", "backup/aurora-snapshot-gb-month", "GB"),
    "monthly_fsx_windows_backup_gb": ("FSx for Windows backup", "backup/fsx-windows-gb-month", "GB"),
    "monthly_fsx_lustre_backup_gb": ("FSx for Lustre backup", "backup/fsx-lustre-gb-month", "GB"),
}


@pricer(
    "aws_backup_vault",
    catalog=("backup/",),
    usage={key: f"{name} ({unit} a month)" for key, (name, _, unit) in ITEMS.items()},
)
def backup_vault(a: Attrs, p: Pricing) -> list[CostComponent]:
    return [p.usage_based(name, key, unit, usage_key) for usage_key, (name, key, unit) in ITEMS.items()]
