"""Public networking: public IPs by default, security groups open to the internet, public databases."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field

from tfoidc.guardrails.model import Severity
from tfoidc.guardrails.registry import Hit, RuleContext, rule
from tfoidc.guardrails.resources import blocks, live, truthy, value

WORLD = ("0.0.0.0/0", "::/0")
ALL_PROTOCOLS = {"-1", "all"}
NO_PORT_PROTOCOLS = {"icmp", "icmpv6", "1", "58"}  # from/to_port are ICMP type/code there
# SSH, RDP, and database / cache / search engines that should never face the internet.
ADMIN_PORTS = (22, 3389, 1433, 1521, 2049, 3306, 5432, 5439, 6379, 9042, 9200, 9300, 11211, 27017)


@dataclass(frozen=True)
class Ingress:
    address: str
    attribute: str  # where the open CIDR sits, e.g. "ingress[0].cidr_blocks"
    protocol: str
    from_port: int | None
    to_port: int | None
    cidrs: tuple[str, ...]

    @property
    def world(self) -> tuple[str, ...]:
        return tuple(c for c in self.cidrs if c in WORLD)

    @property
    def all_ports(self) -> bool:
        if self.protocol in ALL_PROTOCOLS:
            return True
        if self.protocol in NO_PORT_PROTOCOLS:
            return False
        return (self.from_port or 0) <= 0 and (self.to_port if self.to_port is not None else 65535) >= 65535

    def opens(self, port: int) -> bool:
        if self.protocol in NO_PORT_PROTOCOLS:
            return False
        if self.all_ports:
            return True
        low = self.from_port if self.from_port is not None else 0
        high = self.to_port if self.to_port is not None else low
        return low <= port <= high


def ingress_rules(ctx: RuleContext) -> Iterator[Ingress]:
    plan = ctx.plan
    for sg in live(plan, "aws_security_group", "aws_default_security_group"):
        for index, block in enumerate(blocks(sg, "ingress")):
            yield from _from_block(sg.address, f"ingress[{index}]", block)
    for rc in live(plan, "aws_security_group_rule"):
        if value(rc, "type") == "ingress":
            yield from _from_block(rc.address, "", rc.after)
    for rc in live(plan, "aws_vpc_security_group_ingress_rule"):
        cidrs = tuple(str(c) for c in (value(rc, "cidr_ipv4"), value(rc, "cidr_ipv6")) if c)
        attribute = "cidr_ipv4" if value(rc, "cidr_ipv4") in WORLD else "cidr_ipv6"
        yield Ingress(
            rc.address,
            attribute,
            str(value(rc, "ip_protocol") or "-1").lower(),
            _port(value(rc, "from_port")),
            _port(value(rc, "to_port")),
            cidrs,
        )


def _from_block(address: str, prefix: str, block: dict[str, Any]) -> Iterator[Ingress]:
    dot = f"{prefix}." if prefix else ""
    protocol = str(block.get("protocol") or "-1").lower()
    for attribute in ("cidr_blocks", "ipv6_cidr_blocks"):
        cidrs = tuple(str(c) for c in block.get(attribute) or () if c)
        if cidrs:
            yield Ingress(
                address,
                f"{dot}{attribute}",
                protocol,
                _port(block.get("from_port")),
                _port(block.get("to_port")),
                cidrs,
            )


def _port(raw: Any) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _ports_text(ingress: Ingress) -> str:
    if ingress.all_ports:
        return "all ports"
    if ingress.from_port == ingress.to_port:
        return f"port {ingress.from_port}"
    return f"ports {ingress.from_port}-{ingress.to_port}"


@rule(
    "TFO-NET-001",
    title="Subnet assigns public IPs on launch",
    severity=Severity.WARN,
    rationale="Every instance started in the subnet gets an internet-routable address, whether or not it "
    "was meant to be reachable.",
    fix="Set map_public_ip_on_launch = false and give public addresses explicitly (load balancer, EIP).",
    references=("CKV_AWS_130", "AWS-0164"),
)
def public_subnet(ctx: RuleContext) -> Iterator[Hit]:
    for rc in live(ctx.plan, "aws_subnet", "aws_default_subnet"):
        if truthy(value(rc, "map_public_ip_on_launch")):
            yield Hit(rc.address, "map_public_ip_on_launch is true", "map_public_ip_on_launch")


@rule(
    "TFO-NET-002",
    title="Instance or launch template gets a public IP address",
    severity=Severity.WARN,
    rationale="A public address puts the instance on the internet; its security groups become the only "
    "barrier.",
    fix="Set associate_public_ip_address = false and reach the instance through a load balancer, SSM "
    "Session Manager or a VPN.",
    references=("CKV_AWS_88", "AWS-0009"),
)
def public_instance_ip(ctx: RuleContext) -> Iterator[Hit]:
    for rc in live(ctx.plan, "aws_instance", "aws_launch_configuration"):
        if truthy(value(rc, "associate_public_ip_address")):
            yield Hit(rc.address, "associate_public_ip_address is true", "associate_public_ip_address")
    for rc in live(ctx.plan, "aws_launch_template"):
        for index, interface in enumerate(blocks(rc, "network_interfaces")):
            if truthy(interface.get("associate_public_ip_address")):
                attribute = f"network_interfaces[{index}].associate_public_ip_address"
                yield Hit(rc.address, f"{attribute} is true", attribute)


@rule(
    "TFO-NET-003",
    title="Security group allows all traffic from the internet",
    severity=Severity.BLOCK,
    rationale="Ingress on every port from 0.0.0.0/0 or ::/0 exposes every service on the attached "
    "resources, including ones that were never meant to listen publicly.",
    fix="Allow only the ports the service needs, from the narrowest source (a load balancer's security "
    "group, a VPN range).",
    references=("CKV_AWS_277", "CKV_AWS_24", "CKV_AWS_25", "AWS-0107"),
)
def all_ports_open(ctx: RuleContext) -> Iterator[Hit]:
    for ingress in ingress_rules(ctx):
        if ingress.world and ingress.all_ports:
            yield Hit(
                ingress.address, f"ingress on all ports from {', '.join(ingress.world)}", ingress.attribute
            )


@rule(
    "TFO-NET-004",
    title="Security group opens an administration or database port to the internet",
    severity=Severity.BLOCK,
    rationale="SSH, RDP and database ports facing 0.0.0.0/0 or ::/0 are scanned and brute-forced within "
    "minutes of appearing.",
    fix="Restrict the source to a VPN or bastion range, or use SSM Session Manager instead of SSH/RDP.",
    references=("CKV_AWS_24", "CKV_AWS_25", "AWS-0107"),
    params={"ports": list[Annotated[int, Field(ge=0, le=65535)]]},
)
def admin_port_open(ctx: RuleContext) -> Iterator[Hit]:
    ports = tuple(int(p) for p in ctx.params.get("ports", ADMIN_PORTS))
    for ingress in ingress_rules(ctx):
        if not ingress.world or ingress.all_ports:
            continue  # all ports is TFO-NET-003's finding
        exposed = [p for p in ports if ingress.opens(p)]
        if exposed:
            listed = ", ".join(str(p) for p in exposed)
            yield Hit(
                ingress.address,
                f"{_ports_text(ingress)} (admin/database port {listed}) open to {', '.join(ingress.world)}",
                ingress.attribute,
            )


@rule(
    "TFO-NET-005",
    title="Database is publicly accessible",
    severity=Severity.BLOCK,
    rationale="publicly_accessible gives the database a public DNS name and address; only its security "
    "group stands between it and the internet.",
    fix="Set publicly_accessible = false and connect from inside the VPC.",
    references=("CKV_AWS_17", "AWS-0082"),
)
def public_database(ctx: RuleContext) -> Iterator[Hit]:
    for rc in live(ctx.plan, "aws_db_instance", "aws_rds_cluster_instance"):
        if truthy(value(rc, "publicly_accessible")):
            yield Hit(rc.address, "publicly_accessible is true", "publicly_accessible")
