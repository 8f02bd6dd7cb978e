"""NAT gateways, public IPv4 addresses, VPC endpoints, Transit Gateway attachments, VPN connections."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.cost.costplans import HOURS, Change, one, price, priced
from tests.cost.goldens import check_golden
from tfoidc.cost.config import CostConfig


@pytest.mark.parametrize("region", ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1"])
def test_nat_gateway_and_eip_in_every_covered_region(region: str) -> None:
    est = priced(
        [
            Change("aws_nat_gateway.nat", {"allocation_id": "eipalloc-1"}),
            Change("aws_eip.ip", {"domain": "vpc"}),
        ],
        region=region,
    )
    assert one(est, "aws_nat_gateway.nat").monthly_after == price("natgateway/hour", region) * HOURS
    assert one(est, "aws_eip.ip").monthly_after == price("vpc/public-ipv4-idle-hour", region) * HOURS
    assert est.region == region and not est.not_priced


def test_nat_gateway_data_processed_from_usage() -> None:
    config = CostConfig(usage={"aws_nat_gateway": {"monthly_data_processed_gb": Decimal(200)}})
    est = priced([Change("aws_nat_gateway.nat", {})], config=config)
    expected = price("natgateway/hour") * HOURS + 200 * price("natgateway/data-gb")
    assert one(est, "aws_nat_gateway.nat").monthly_after == expected


def test_eip_attached_to_an_instance_uses_the_in_use_price() -> None:
    est = priced([Change("aws_eip.ip", {"instance": "i-0123"})])
    ip = one(est, "aws_eip.ip")
    assert ip.monthly_after == price("vpc/public-ipv4-in-use-hour") * HOURS
    assert "idle" not in ip.components[0].name


def test_vpc_endpoints() -> None:
    est = priced(
        [
            Change("aws_vpc_endpoint.one", {"vpc_endpoint_type": "Interface", "subnet_ids": ["subnet-a"]}),
            Change(
                "aws_vpc_endpoint.two",
                {"vpc_endpoint_type": "Interface", "subnet_ids": ["subnet-a", "subnet-b"]},
            ),
            Change("aws_vpc_endpoint.s3", {"vpc_endpoint_type": "Gateway"}),
            Change("aws_vpc_endpoint.unknown", {}, after_unknown={"vpc_endpoint_type": True}),
            Change("aws_vpc_endpoint.gwlb", {"vpc_endpoint_type": "GatewayLoadBalancer"}),
        ]
    )
    assert one(est, "aws_vpc_endpoint.one").monthly_after == price("vpc/endpoint-hour") * HOURS
    assert one(est, "aws_vpc_endpoint.two").monthly_after == 2 * price("vpc/endpoint-hour") * HOURS
    gateway = one(est, "aws_vpc_endpoint.s3")
    assert gateway.monthly_after == 0 and gateway.components == ()  # gateway endpoints are free
    reasons = {n.address: n.reason for n in est.not_priced}
    assert reasons["aws_vpc_endpoint.unknown"] == "vpc_endpoint_type is known only after apply"
    assert "GatewayLoadBalancer" in reasons["aws_vpc_endpoint.gwlb"]


@pytest.mark.parametrize(
    "golden", ["nat_gateway", "eip", "vpc_endpoint", "ec2_transit_gateway_vpc_attachment", "vpn_connection"]
)
def test_goldens(golden: str) -> None:
    check_golden(golden)


@pytest.mark.parametrize("region", ["us-east-1", "eu-central-1"])
def test_transit_gateway_attachment_and_vpn_on_a_transit_gateway(region: str) -> None:
    usage = CostConfig(usage={"aws_vpn_connection.tgw": {"monthly_data_processed_gb": Decimal(100)}})
    est = priced(
        [
            Change("aws_ec2_transit_gateway_vpc_attachment.a", {"transit_gateway_id": "tgw-1"}),
            Change("aws_vpn_connection.vgw", {"vpn_gateway_id": "vgw-1", "transit_gateway_id": None}),
            Change("aws_vpn_connection.tgw", {"transit_gateway_id": "tgw-1"}),
        ],
        region=region,
        config=usage,
    )
    attachment = price("vpc/transit-gateway-attachment-hour", region) * HOURS
    assert one(est, "aws_ec2_transit_gateway_vpc_attachment.a").monthly_after == attachment
    vpn = price("vpc/vpn-connection-hour", region) * HOURS
    assert one(est, "aws_vpn_connection.vgw").monthly_after == vpn
    assert one(est, "aws_vpn_connection.tgw").monthly_after == (
        vpn
        + price("vpc/transit-gateway-vpn-attachment-hour", region) * HOURS
        + 100 * price("vpc/transit-gateway-vpn-data-gb", region)
    )
