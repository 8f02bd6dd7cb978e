"""ECS services on Fargate: vCPU and memory of the service's task definition, per running task.

A service on EC2 (or external) capacity costs nothing itself: its instances are priced as
aws_instance or aws_autoscaling_group.
"""

from __future__ import annotations

import re
from decimal import Decimal

from tfoidc.cost.model import HOURS_PER_MONTH, CostComponent
from tfoidc.cost.pricers.base import ZERO, Attrs, Found, Pricing, Unpriceable, pricer

INCLUDED_EPHEMERAL_GB = Decimal(20)
_AMOUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(vcpu|gb)?\s*$", re.IGNORECASE)


@pricer("aws_ecs_service", catalog=("ecs/fargate-",))
def ecs_service(a: Attrs, p: Pricing) -> list[CostComponent]:
    launch = fargate_launch(a, p)
    if launch is None:
        p.note("runs on EC2 or external capacity, priced with those instances; the service itself is free")
        return []
    if launch == "FARGATE_SPOT":
        raise Unpriceable("Fargate Spot prices are not in the catalog")
    task = p.related.find(
        ("task_definition",), ["aws_ecs_task_definition"], ("arn", "family", "arn_without_revision")
    )
    if task is None:
        raise Unpriceable("its task definition is not in this plan, so its vCPU and memory are unknown")
    tasks = a.number("desired_count")
    return fargate_task(task, p, tasks)


def fargate_launch(a: Attrs, p: Pricing) -> str | None:
    """FARGATE or FARGATE_SPOT when the service runs on Fargate, else None."""
    launch_type = p.setting(a, "launch_type", "")
    if launch_type == "FARGATE":
        return "FARGATE"
    if launch_type in ("EC2", "EXTERNAL"):
        return None
    providers = [s.optional("capacity_provider", "") for s in a.blocks("capacity_provider_strategy")]
    if not providers:
        providers = cluster_capacity_providers(p)
    if providers and all(provider in ("FARGATE", "FARGATE_SPOT") for provider in providers):
        return "FARGATE" if "FARGATE" in providers else "FARGATE_SPOT"
    return None


def cluster_capacity_providers(p: Pricing) -> list[str]:
    """The capacity providers of the service's cluster, from aws_ecs_cluster_capacity_providers."""
    cluster = p.related.find(("cluster",), ["aws_ecs_cluster"], ("arn", "id", "name"))
    if cluster is None:
        return []
    strategy = [
        s.optional("capacity_provider", "")
        for s in cluster.attrs.blocks("default_capacity_provider_strategy")
    ]
    if strategy:
        return strategy
    found: list[str] = []
    for providers in _cluster_providers(p, cluster):
        default = [
            s.optional("capacity_provider", "")
            for s in providers.attrs.blocks("default_capacity_provider_strategy")
        ]
        found += default or providers.attrs.strings("capacity_providers")
    return found


def _cluster_providers(p: Pricing, cluster: Found) -> list[Found]:
    return p.related.referring(
        ["aws_ecs_cluster_capacity_providers"], ("cluster_name",), ("name", "id"), to=cluster.address
    )


def fargate_task(task: Found, p: Pricing, tasks: Decimal) -> list[CostComponent]:
    t = task.attrs
    platform = t.block("runtime_platform")
    if platform is not None and str(platform.optional("operating_system_family", "LINUX")).upper() not in (
        "LINUX",
        "",
    ):
        raise Unpriceable("Windows Fargate tasks are not in the catalog")
    arm = platform is not None and str(platform.optional("cpu_architecture", "X86_64")).upper() == "ARM64"
    suffix = "-arm" if arm else ""
    vcpu = _amount(t, "cpu", 1024)
    memory_gb = _amount(t, "memory", 1024)
    p.note(f"{tasks:,} task{'s' if tasks != 1 else ''} of {task.address} ({vcpu} vCPU, {memory_gb} GB)")
    hours = HOURS_PER_MONTH * tasks
    parts = [
        p.fixed("Per GB per hour", f"ecs/fargate-gb-hour{suffix}", "GB-hours", memory_gb * hours),
        p.fixed("Per vCPU per hour", f"ecs/fargate-vcpu-hour{suffix}", "vCPU-hours", vcpu * hours),
    ]
    storage = t.block("ephemeral_storage")
    extra = (storage.number("size_in_gib") - INCLUDED_EPHEMERAL_GB) if storage is not None else ZERO
    if extra > 0:
        parts.append(
            p.fixed(
                "Ephemeral storage (over 20 GB)", "ecs/fargate-storage-gb-hour", "GB-hours", extra * hours
            )
        )
    return parts


def _amount(t: Attrs, key: str, units_per_one: int) -> Decimal:
    """Task-level cpu or memory: "1 vCPU" / "2 GB", or CPU units (1024 per vCPU) / MiB."""
    raw = str(t.get(key) or "")
    match = _AMOUNT.match(raw)
    if not match:
        raise Unpriceable(f"{t.path}{key} is not set at task level (Fargate needs it): {raw!r}")
    value = Decimal(match[1])
    return value if match[2] else value / units_per_one
