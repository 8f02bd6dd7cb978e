"""MSK (Managed Streaming for Apache Kafka) provisioned clusters."""

from __future__ import annotations

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, missing, pricer


@pricer("aws_msk_cluster", catalog=("msk/",))
def msk_cluster(a: Attrs, p: Pricing) -> list[CostComponent]:
    brokers = a.number("number_of_broker_nodes")
    group = a.block("broker_node_group_info") or missing("broker_node_group_info")
    instance_type = group.get("instance_type") or missing(f"{group.path}instance_type")
    parts = [
        p.hourly(
            f"Instance ({instance_type})", f"msk/broker-hour/{instance_type.removeprefix('kafka.')}", brokers
        )
    ]
    storage = group.block("storage_info")
    ebs = storage.block("ebs_storage_info") if storage is not None else None
    # provider 4.x has broker_node_group_info.ebs_volume_size instead of storage_info
    size = ebs.number("volume_size") if ebs is not None else group.number("ebs_volume_size")
    parts.append(p.fixed("Storage", "msk/storage-gb-month", "GB", size * brokers))
    return parts
