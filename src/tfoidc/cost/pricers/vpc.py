"""VPC: NAT gateways, public IPv4 addresses, interface endpoints, Transit Gateway attachments and
Site-to-Site VPN connections."""

from __future__ import annotations

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, Unpriceable, pricer

DATA_PROCESSED = {"monthly_data_processed_gb": "GB of data processed a month"}


@pricer("aws_nat_gateway", catalog=("natgateway/",), usage=DATA_PROCESSED)
def nat_gateway(a: Attrs, p: Pricing) -> list[CostComponent]:
    return [
        p.hourly("NAT gateway", "natgateway/hour"),
        p.usage_based("Data processed", "natgateway/data-gb", "GB", "monthly_data_processed_gb"),
    ]


@pricer("aws_eip", catalog=("vpc/public-ipv4-",))
def eip(a: Attrs, p: Pricing) -> list[CostComponent]:
    attached = bool(a.values.get("instance") or a.values.get("network_interface"))
    key = "vpc/public-ipv4-in-use-hour" if attached else "vpc/public-ipv4-idle-hour"
    return [p.hourly("Public IPv4 address" + ("" if attached else " (idle)"), key)]


@pricer("aws_vpc_endpoint", catalog=("vpc/endpoint-",), usage=DATA_PROCESSED)
def vpc_endpoint(a: Attrs, p: Pricing) -> list[CostComponent]:
    kind = a.get("vpc_endpoint_type", "Gateway")  # unknown is refused: Interface costs, Gateway is free
    if kind == "Gateway":
        p.note("gateway endpoints (S3, DynamoDB) are free")
        return []
    if kind != "Interface":
        raise Unpriceable(f"VPC endpoint type {kind!r} is not in the catalog")
    subnets = a.get("subnet_ids") or []
    count = max(len(subnets), 1)
    return [
        p.hourly("Endpoint (Interface)", "vpc/endpoint-hour", count),
        p.usage_based(
            "Data processed (first 1PB)", "vpc/endpoint-data-gb", "GB", "monthly_data_processed_gb"
        ),
    ]


@pricer(
    "aws_ec2_transit_gateway_vpc_attachment",
    catalog=("vpc/transit-gateway-attachment-hour", "vpc/transit-gateway-data-gb"),
    usage=DATA_PROCESSED,
)
def transit_gateway_vpc_attachment(a: Attrs, p: Pricing) -> list[CostComponent]:
    return [
        p.hourly("Transit gateway attachment", "vpc/transit-gateway-attachment-hour"),
        p.usage_based("Data processed", "vpc/transit-gateway-data-gb", "GB", "monthly_data_processed_gb"),
    ]


@pricer(
    "aws_vpn_connection",
    catalog=("vpc/vpn-connection-hour", "vpc/transit-gateway-vpn-"),
    usage={"monthly_data_processed_gb": "GB a month through the Transit Gateway the VPN is attached to"},
)
def vpn_connection(a: Attrs, p: Pricing) -> list[CostComponent]:
    parts = [p.hourly("VPN connection", "vpc/vpn-connection-hour")]
    # On a Transit Gateway, the VPN is also a Transit Gateway attachment, billed per hour and per GB.
    if a.is_set("transit_gateway_id") or a.is_unknown("transit_gateway_id"):
        parts += [
            p.hourly("Transit gateway attachment", "vpc/transit-gateway-vpn-attachment-hour"),
            p.usage_based(
                "Data processed", "vpc/transit-gateway-vpn-data-gb", "GB", "monthly_data_processed_gb"
            ),
        ]
    return parts
