"""EC2: instances, and autoscaling groups priced from their launch template or launch configuration.

`aws_launch_template` and `aws_launch_configuration` cost nothing themselves (see free.py): the
group that launches instances from them carries the cost, read from the template the group refers
to in the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import (
    Attrs,
    Found,
    Pricing,
    Unpriceable,
    ceil,
    missing,
    pricer,
    times,
)
from tfoidc.cost.pricers.ebs import ROOT_VOLUME_DEFAULT_GB, STANDARD_IO_USAGE, block_device, root_device

# AWS bills EC2 detailed monitoring as CloudWatch metrics; its pricing page counts 7 per instance.
DETAILED_MONITORING_METRICS = 7
SHARED_TENANCY = ("default", "", None)
# Root device names of common AMIs: a launch template mapping one of these maps the root volume.
ROOT_DEVICE_NAMES = frozenset({"/dev/xvda", "/dev/sda1", "/dev/sda", "xvda", "sda1"})
EC2_CATALOG = ("ec2/instance-hour/", "ebs/", "cloudwatch/metric-month")


def instance_usage(p: Pricing, instance_type: str, count: Decimal | int = 1) -> CostComponent:
    return p.hourly(
        f"Instance usage (Linux/UNIX, on-demand, {instance_type})",
        f"ec2/instance-hour/{instance_type}",
        count,
    )


def detailed_monitoring(p: Pricing, count: Decimal | int = 1) -> CostComponent:
    return p.fixed(
        "EC2 detailed monitoring",
        "cloudwatch/metric-month",
        "metrics",
        DETAILED_MONITORING_METRICS * Decimal(count),
    )


def require_shared_tenancy(tenancy: object, where: str) -> None:
    if tenancy not in SHARED_TENANCY:
        raise Unpriceable(f"{where}tenancy {tenancy!r} is not in the catalog (shared tenancy only)")


@pricer("aws_instance", catalog=EC2_CATALOG, usage=STANDARD_IO_USAGE)
def instance(a: Attrs, p: Pricing) -> list[CostComponent]:
    require_shared_tenancy(p.setting(a, "tenancy", "default"), "")
    parts = [instance_usage(p, instance_type(a, p))]
    if p.setting(a, "monitoring", False) is True:
        parts.append(detailed_monitoring(p))
    parts += root_device(a, p)
    if not a.is_unknown("ebs_block_device"):
        for i, dev in enumerate(a.blocks("ebs_block_device")):
            if dev.values.get("volume_id") not in p.managed_volume_ids:
                parts += block_device(dev, p, f"ebs_block_device[{i}]: ", root=False)
    return parts


def instance_type(a: Attrs, p: Pricing) -> str:
    """The instance's type, or its launch template's when the instance leaves it to the template."""
    unset = a.is_unknown("instance_type") or not a.values.get("instance_type")
    if unset and (a.is_unknown("launch_template") or a.blocks("launch_template")):
        template = p.related.find(("launch_template", 0, "id"), ["aws_launch_template"], ("id",))
        template = template or p.related.find(
            ("launch_template", 0, "name"), ["aws_launch_template"], ("name",)
        )
        if template is not None and template.attrs.values.get("instance_type"):
            p.note(f"instance type from {template.address} ({template.how})")
            return str(template.attrs.get("instance_type"))
    return str(a.get("instance_type") or missing("instance_type"))


# --- autoscaling groups ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LaunchSource:
    found: Found
    instance_type_override: str | None = None
    weight: Decimal = Decimal(1)  # capacity units per instance (mixed instances `weighted_capacity`)


_MIXED_SPEC = ("mixed_instances_policy", 0, "launch_template", 0, "launch_template_specification", 0)
LAUNCH_TYPES = ("aws_launch_template", "aws_launch_configuration")


@pricer(
    "aws_autoscaling_group",
    catalog=EC2_CATALOG,
    usage={
        "instances": "instances running on average over the month (instead of desired_capacity)",
        **STANDARD_IO_USAGE,
    },
)
def autoscaling_group(a: Attrs, p: Pricing) -> list[CostComponent]:
    source = launch_source(a, p)
    capacity = group_capacity(a, p)
    count = capacity if source.weight == 1 else ceil(capacity / source.weight)
    p.note(
        f"instances from {source.found.address} ({source.found.how}), "
        f"{count:,} instance{'s' if count != 1 else ''}"
    )
    if source.found.type == "aws_launch_configuration":
        per_instance = launch_configuration_instance(source.found.attrs, p)
    else:
        per_instance = launch_template_instance(source.found.attrs, p, source.instance_type_override)
    return [times(c, count) for c in per_instance]


def group_capacity(a: Attrs, p: Pricing) -> Decimal:
    """Instances the group runs: `[cost.usage] instances`, else desired_capacity, else min_size (the
    AWS default desired capacity when it is not set)."""
    instances = p.usage_value("instances")
    if instances is not None:
        return instances
    if a.is_unknown("desired_capacity") and p.related.configured(("desired_capacity",)):
        raise Unpriceable("desired_capacity is known only after apply")
    desired = a.optional("desired_capacity", None)
    if desired is None:
        return a.number("min_size")
    return a.number("desired_capacity")


def launch_source(a: Attrs, p: Pricing) -> LaunchSource:
    if a.is_unknown("mixed_instances_policy"):
        raise Unpriceable("mixed_instances_policy is known only after apply")
    mixed = a.block("mixed_instances_policy")
    if mixed is not None:
        return _mixed_source(a, mixed, p)
    if a.is_unknown("launch_template") or a.blocks("launch_template"):
        found = p.related.find(("launch_template", 0, "id"), ["aws_launch_template"], ("id",))
        found = found or p.related.find(("launch_template", 0, "name"), ["aws_launch_template"], ("name",))
        return LaunchSource(found or _only(p, "aws_launch_template"))
    if a.is_unknown("launch_configuration") or a.values.get("launch_configuration"):
        found = p.related.find(("launch_configuration",), ["aws_launch_configuration"], ("name", "id"))
        return LaunchSource(found or _only(p, "aws_launch_configuration"))
    raise Unpriceable("it has no launch template, launch configuration or mixed instances policy")


def _mixed_source(a: Attrs, mixed: Attrs, p: Pricing) -> LaunchSource:
    template = mixed.block("launch_template") or missing("mixed_instances_policy.launch_template")
    found = p.related.find((*_MIXED_SPEC, "launch_template_id"), ["aws_launch_template"], ("id",))
    found = found or p.related.find(
        (*_MIXED_SPEC, "launch_template_name"), ["aws_launch_template"], ("name",)
    )
    found = found or _only(p, "aws_launch_template")
    # The first override is launched first (the default on-demand allocation strategy, "prioritized").
    override = template.block("override")
    instance_type = override.get("instance_type") if override is not None else None
    weight = override.optional_number("weighted_capacity", 1) if override is not None else Decimal(1)
    distribution = mixed.block("instances_distribution")
    if distribution is not None:
        base = distribution.optional_number("on_demand_base_capacity", 0)
        share = distribution.optional_number("on_demand_percentage_above_base_capacity", 100)
        if share < 100:
            raise Unpriceable(
                f"{100 - share}% of the instances above the on-demand base of {base} are spot; "
                "spot prices are not in the catalog"
            )
    return LaunchSource(found, instance_type or None, weight or Decimal(1))


def _only(p: Pricing, resource_type: str) -> Found:
    found = p.related.only([resource_type])
    if found is None:
        raise Unpriceable(
            f"its {resource_type.removeprefix('aws_').replace('_', ' ')} is not in this plan "
            "(or could not be told apart from others), so its instance type is unknown"
        )
    return found


def launch_configuration_instance(lc: Attrs, p: Pricing) -> list[CostComponent]:
    require_shared_tenancy(lc.optional("placement_tenancy", "default"), lc.path)
    instance_type = lc.get("instance_type") or missing(f"{lc.path}instance_type")
    parts = [instance_usage(p, instance_type)]
    if lc.optional("enable_monitoring", True) is True:  # on unless the configuration turns it off
        parts.append(detailed_monitoring(p))
    parts += root_device(lc, p)
    if not lc.is_unknown("ebs_block_device"):
        for i, dev in enumerate(lc.blocks("ebs_block_device")):
            if dev.values.get("no_device") is not True:
                parts += block_device(dev, p, f"ebs_block_device[{i}]: ", root=False)
    return parts


def launch_template_instance(lt: Attrs, p: Pricing, instance_type: str | None) -> list[CostComponent]:
    placement = lt.block("placement") if not lt.is_unknown("placement") else None
    if placement is not None:
        require_shared_tenancy(placement.optional("tenancy", "default"), placement.path)
    instance_type = instance_type or lt.get("instance_type") or missing(f"{lt.path}instance_type")
    parts = [instance_usage(p, instance_type)]
    monitoring = lt.block("monitoring") if not lt.is_unknown("monitoring") else None
    if monitoring is not None and monitoring.optional("enabled", False) is True:
        parts.append(detailed_monitoring(p))
    mappings = lt.blocks("block_device_mappings")
    if not any(m.optional("device_name", "") in ROOT_DEVICE_NAMES for m in mappings):
        # the AMI's root volume: its size comes from the AMI, which the plan does not show
        root = Attrs({}, {"volume_size": True}, f"{lt.path}root volume.")
        parts += block_device(root, p, "root volume from the AMI: ", root=True)
        p.note(f"the AMI's root volume is assumed to be {ROOT_VOLUME_DEFAULT_GB} GB gp2")
    for i, mapping in enumerate(mappings):
        ebs = mapping.block("ebs")
        if ebs is not None:
            parts += block_device(ebs, p, f"block_device_mapping[{i}]: ", root=False)
    return parts
