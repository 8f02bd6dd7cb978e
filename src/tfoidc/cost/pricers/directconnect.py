"""Direct Connect dedicated connections: port hours, and data transfer out to the connection."""

from __future__ import annotations

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, missing, pricer

# Regions data can leave towards a Direct Connect location (usage keys use underscores).
SOURCE_REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1",
    "ap-east-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-southeast-1", "ap-southeast-2", "me-south-1", "af-south-1",
)  # fmt: skip
PER_REGION = "monthly_outbound_from_region_to_dx_connection_location"
OWN_REGION = "monthly_outbound_region_to_dx_location_gb"


@pricer(
    "aws_dx_connection",
    catalog=("directconnect/",),
    usage={
        OWN_REGION: "GB a month sent from the connection's region to it",
        **{
            f"{PER_REGION}.{r.replace('-', '_')}": f"GB a month sent from {r} to the connection"
            for r in SOURCE_REGIONS
        },
    },
)
def dx_connection(a: Attrs, p: Pricing) -> list[CostComponent]:
    bandwidth = a.get("bandwidth") or missing("bandwidth")
    location = a.optional("location", "")
    parts = [p.hourly("DX connection", f"directconnect/dedicated-port-hour/{bandwidth}")]
    per_region = {r: p.usage_value(f"{PER_REGION}.{r.replace('-', '_')}") for r in SOURCE_REGIONS}
    given = {r: gb for r, gb in per_region.items() if gb is not None}
    if not given:  # the older key: data from the connection's own region
        given = {p.region: gb} if (gb := p.usage_value(OWN_REGION)) is not None else {}
        keys: tuple[str, ...] = (OWN_REGION,)
    else:
        keys = tuple(f"{PER_REGION}.{r.replace('-', '_')}" for r in given)
    if not given:
        return [
            *parts,
            p.per_use(
                f"Outbound data transfer (from {p.region}, to {location})",
                f"directconnect/outbound-gb/{p.region}",
                "GB",
                None,
                (OWN_REGION,),
            ),
        ]
    for region, gb in sorted(given.items()):
        parts.append(
            p.per_use(
                f"Outbound data transfer (from {region}, to {location})",
                f"directconnect/outbound-gb/{region}",
                "GB",
                gb,
                keys,
            )
        )
    return parts
