"""EKS: the control plane and managed node groups (whose nodes are EC2 instances)."""

from __future__ import annotations

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, Unpriceable, pricer
from tfoidc.cost.pricers.ec2 import instance_usage

# AWS defaults for a node group that does not say (EKS CreateNodegroup API reference).
DEFAULT_INSTANCE_TYPE = "t3.medium"
DEFAULT_DISK_GB = 20


@pricer("aws_eks_cluster", catalog=("eks/cluster-hour",))
def eks_cluster(a: Attrs, p: Pricing) -> list[CostComponent]:
    return [p.hourly("EKS cluster", "eks/cluster-hour")]


@pricer("aws_eks_node_group", catalog=("ec2/instance-hour/", "ebs/storage-gb-month/gp2"))
def eks_node_group(a: Attrs, p: Pricing) -> list[CostComponent]:
    if p.setting(a, "capacity_type", "ON_DEMAND") != "ON_DEMAND":
        raise Unpriceable("spot capacity is not in the catalog (on-demand only)")
    scaling = a.blocks("scaling_config")
    if not scaling:
        raise Unpriceable("scaling_config is not set")
    desired = scaling[0].number("desired_size")
    launch_template = a.is_unknown("launch_template") or bool(a.blocks("launch_template"))
    types = a.optional("instance_types", None)
    if not types and launch_template:
        template = p.related.find(("launch_template", 0, "id"), ["aws_launch_template"], ("id",))
        template = template or p.related.find(
            ("launch_template", 0, "name"), ["aws_launch_template"], ("name",)
        )
        if template is None:
            raise Unpriceable("its launch template is not in this plan, so its instance type is unknown")
        p.note(f"instance type from {template.address}")
        types = [template.attrs.get("instance_type") or DEFAULT_INSTANCE_TYPE]
    parts = [instance_usage(p, (types or [DEFAULT_INSTANCE_TYPE])[0], desired)]
    if not launch_template:  # with a launch template, the template's block devices decide the disks
        disk = a.optional_number("disk_size", DEFAULT_DISK_GB)
        parts.append(
            p.fixed("Storage (general purpose SSD, gp2)", "ebs/storage-gb-month/gp2", "GB", disk * desired)
        )
    return parts
