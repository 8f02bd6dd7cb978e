"""EBS: volumes, and the block devices of instances, launch templates and launch configurations."""

from __future__ import annotations

from decimal import Decimal

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, pricer

EBS_NAMES = {
    "gp2": "general purpose SSD, gp2",
    "gp3": "general purpose SSD, gp3",
    "io1": "provisioned IOPS SSD, io1",
    "io2": "provisioned IOPS SSD, io2",
    "st1": "throughput optimized HDD, st1",
    "sc1": "cold HDD, sc1",
}
GP3_FREE_IOPS = Decimal(3000)
GP3_FREE_THROUGHPUT = Decimal(125)
# The size of a root volume the plan does not know: the 8 GB of common Linux AMIs, as Infracost assumes.
ROOT_VOLUME_DEFAULT_GB = Decimal(8)
STANDARD_IO_USAGE = {"monthly_standard_io_requests": "I/O requests a month on magnetic (standard) volumes"}


def ebs_components(
    p: Pricing, prefix: str, volume_type: str, size: Decimal, iops: Decimal, throughput: Decimal
) -> list[CostComponent]:
    label = EBS_NAMES.get(volume_type, "magnetic" if volume_type == "standard" else volume_type)
    parts = [p.fixed(f"{prefix}Storage ({label})", f"ebs/storage-gb-month/{volume_type}", "GB", size)]
    if volume_type in ("io1", "io2"):
        parts.append(p.fixed(f"{prefix}Provisioned IOPS", f"ebs/iops-month/{volume_type}", "IOPS", iops))
    elif volume_type == "gp3":
        if iops > GP3_FREE_IOPS:
            parts.append(
                p.fixed(f"{prefix}Provisioned IOPS", "ebs/iops-month/gp3", "IOPS", iops - GP3_FREE_IOPS)
            )
        if throughput > GP3_FREE_THROUGHPUT:
            extra = throughput - GP3_FREE_THROUGHPUT
            parts.append(
                p.fixed(f"{prefix}Provisioned throughput", "ebs/throughput-mbps-month/gp3", "MBps", extra)
            )
    elif volume_type == "standard":
        parts.append(
            p.usage_based(
                f"{prefix}I/O requests",
                "ebs/io-request/standard",
                "1M requests",
                "monthly_standard_io_requests",
                1_000_000,
            )
        )
    return parts


@pricer("aws_ebs_volume", catalog=("ebs/",), usage=STANDARD_IO_USAGE)
def ebs_volume(a: Attrs, p: Pricing) -> list[CostComponent]:
    volume_type = a.optional("type", "gp2")
    size = a.number("size")
    iops, throughput = a.optional_number("iops", 0), a.optional_number("throughput", 0)
    return ebs_components(p, "", volume_type, size, iops, throughput)


def block_device(a: Attrs, p: Pricing, prefix: str, *, root: bool) -> list[CostComponent]:
    """One block device of an instance or launch configuration (or an `ebs` block of a launch
    template mapping); a root volume of unknown size is assumed to be 8 GB, and says so."""
    volume_type = a.optional("volume_type", "gp2") or "gp2"
    if root and (a.is_unknown("volume_size") or a.values.get("volume_size") in (None, 0)):
        size, prefix = ROOT_VOLUME_DEFAULT_GB, f"{prefix}(size known after apply, assumed 8 GB) "
    else:
        size = a.number("volume_size")
    iops, throughput = a.optional_number("iops", 0), a.optional_number("throughput", 0)
    return ebs_components(p, prefix, volume_type, size, iops, throughput)


def root_device(a: Attrs, p: Pricing, prefix: str = "root_block_device: ") -> list[CostComponent]:
    """The `root_block_device` of an instance or launch configuration (computed when not configured)."""
    roots = a.blocks("root_block_device") if not a.is_unknown("root_block_device") else []
    if not roots:
        roots = [Attrs({}, {"volume_size": True}, f"{a.path}root_block_device[0].")]
    return block_device(roots[0], p, prefix, root=True)
