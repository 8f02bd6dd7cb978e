"""Amazon MQ brokers (ActiveMQ and RabbitMQ)."""

from __future__ import annotations

from decimal import Decimal

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, Unpriceable, missing, pricer

# deployment mode -> broker instances AWS runs (and bills) for it
BROKERS = {"SINGLE_INSTANCE": 1, "ACTIVE_STANDBY_MULTI_AZ": 2, "CLUSTER_MULTI_AZ": 3}
ENGINES = {"activemq": "ActiveMQ", "rabbitmq": "RabbitMQ"}


@pricer("aws_mq_broker", catalog=("mq/",), usage={"storage_size_gb": "GB stored per broker"})
def mq_broker(a: Attrs, p: Pricing) -> list[CostComponent]:
    engine = ENGINES.get(str(a.get("engine_type") or missing("engine_type")).lower())
    if engine is None:
        raise Unpriceable(f"engine_type {a.values.get('engine_type')!r} is not in the catalog")
    instance_type = a.get("host_instance_type") or missing("host_instance_type")
    mode = str(p.setting(a, "deployment_mode", "SINGLE_INSTANCE")).upper()
    if mode not in BROKERS:
        raise Unpriceable(f"deployment_mode {mode!r} is not in the catalog")
    brokers = Decimal(BROKERS[mode])
    # RabbitMQ brokers always use EBS; ActiveMQ uses EFS unless storage_type says "ebs".
    storage = "ebs" if engine == "RabbitMQ" else str(p.setting(a, "storage_type", "efs")).lower()
    stored = p.usage_value("storage_size_gb")
    return [
        p.hourly(
            f"Instance usage ({engine}, {instance_type}, {mode.lower()})",
            f"mq/broker-hour/{engine}/{instance_type}",
            brokers,
        ),
        p.per_use(
            f"Storage ({engine}, {storage.upper()})",
            f"mq/storage-gb-month/{storage}",
            "GB",
            None if stored is None else stored * brokers,
            ("storage_size_gb",),
        ),
    ]
