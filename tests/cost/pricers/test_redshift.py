"""Redshift clusters."""

from __future__ import annotations

from tests.cost.costplans import HOURS, Change, one, price, priced, usage
from tests.cost.goldens import check_golden


def test_redshift_cluster_golden() -> None:
    check_golden("redshift_cluster")


def test_nodes_managed_storage_and_backup_tiers() -> None:
    values = {"node_type": "ra3.4xlarge", "cluster_type": "multi-node", "number_of_nodes": 2}
    config = usage("aws_redshift_cluster.c", managed_storage_gb=1000, backup_storage_gb=60 * 1024)
    cluster = one(priced([Change("aws_redshift_cluster.c", values)], config=config), "aws_redshift_cluster.c")
    backup = {c.name: c.monthly_quantity for c in cluster.components if c.name.startswith("Backup")}
    assert backup == {"Backup storage (first 50 TB)": 50 * 1024, "Backup storage (next 450 TB)": 10 * 1024}
    assert cluster.monthly_after == (
        2 * price("redshift/node-hour/ra3.4xlarge") * HOURS
        + 1000 * price("redshift/managed-storage-gb-month")
        + 50 * 1024 * price("redshift/backup-storage-gb-month/tier1")
        + 10 * 1024 * price("redshift/backup-storage-gb-month/tier2")
    )
    single = priced(
        [Change("aws_redshift_cluster.s", {"node_type": "dc2.large", "cluster_type": "single-node"})]
    )
    assert (
        one(single, "aws_redshift_cluster.s").monthly_after == price("redshift/node-hour/dc2.large") * HOURS
    )
