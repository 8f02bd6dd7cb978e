"""Neptune instances and clusters."""

from __future__ import annotations

from tests.cost.costplans import HOURS, Change, one, price, priced
from tests.cost.goldens import check_golden


def test_neptune_cluster_instance_golden() -> None:
    check_golden("neptune_cluster_instance")


def test_io_optimized_clusters_price_their_instances_at_the_io_optimized_rate() -> None:
    ref = {"cluster_identifier": {"references": ["aws_neptune_cluster.c.id", "aws_neptune_cluster.c"]}}
    est = priced(
        [
            Change("aws_neptune_cluster.c", {"storage_type": "iopt1"}, after_unknown={"id": True}),
            Change(
                "aws_neptune_cluster_instance.i",
                {"instance_class": "db.r5.large"},
                after_unknown={"cluster_identifier": True},
                expressions=ref,
            ),
        ]
    )
    instance = one(est, "aws_neptune_cluster_instance.i")
    assert instance.monthly_after == price("neptune/instance-hour-iopt/db.r5.large") * HOURS
    cluster = one(est, "aws_neptune_cluster.c")
    assert [c.name for c in cluster.components] == ["Storage (I/O-optimized)"]
