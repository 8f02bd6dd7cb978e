"""Internet ingress and public network exposure.

Every security-group rule that admits the internet (any CIDR of prefix length 0: 0.0.0.0/0, ::/0, or a
managed prefix list containing one) is found whatever its shape: inline `ingress` blocks of
aws_security_group / aws_default_security_group, aws_security_group_rule, and
aws_vpc_security_group_ingress_rule. A separate rule resource is tied to its group (by id, configuration
reference or graph edge), so the finding names the group it opens and, as its blast radius, every
resource that uses the group. Its severity follows the exposure, one rule id per level so each level is
configurable per environment:

- TFO-NET-003 all traffic (protocol -1, or every port) → block
- TFO-NET-004 a range containing an administration or database port (rule param `ports`) → block
- TFO-NET-006 any other port or range, other protocols, ICMP (info) → warn
- TFO-NET-007 exactly port 80 or 443: a web entry point → info
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field

from tfoidc.analysis.graph import RESOURCE
from tfoidc.guardrails.links import configuration_block, linked
from tfoidc.guardrails.model import Severity
from tfoidc.guardrails.registry import Hit, RuleContext, rule
from tfoidc.guardrails.resources import blocks, known, live, truthy, unknown, value
from tfoidc.guardrails.settings import State, setting
from tfoidc.plan.model import Plan, ResourceChange

WORLD = ("0.0.0.0/0", "::/0")
ALL_PROTOCOLS = {"-1", "all"}
PORT_PROTOCOLS = {"tcp", "udp", "6", "17"}
ICMP_PROTOCOLS = {"icmp", "icmpv6", "1", "58"}  # from/to_port are ICMP type/code there
WEB_PORTS = (80, 443)
# SSH, FTP, Telnet, RDP, VNC, WinRM, Docker, and database / cache / search / queue engines that should never
# face the internet (CIS AWS 5.2/5.3, Checkov CKV_AWS_24/25, Trivy AWS-0107).
ADMIN_PORTS = (
    20,
    21,
    22,
    23,
    1433,
    1521,
    2049,
    2375,
    2376,
    3306,
    3389,
    5432,
    5439,
    5601,
    5900,
    5984,
    5985,
    5986,
    6379,
    7000,
    7001,
    8888,
    9042,
    9092,
    9200,
    9300,
    11211,
    27017,
    27018,
    50070,
)
SECURITY_GROUPS = ("aws_security_group", "aws_default_security_group")
PREFIX_LIST = "aws_ec2_managed_prefix_list"


@dataclass(frozen=True)
class Ingress:
    address: str
    attribute: str  # where the open source sits, e.g. "ingress[0].cidr_blocks"
    protocol: str
    from_port: int | None
    to_port: int | None
    world: tuple[str, ...]  # the internet-wide sources, as the reader should see them
    group: str | None = None  # the security group a separate rule resource opens
    radius: tuple[str, ...] = ()  # resources that use the group
    pending: bool = False  # the source is known only after apply

    @property
    def all_traffic(self) -> bool:
        if self.protocol in ALL_PROTOCOLS:
            return True
        if self.protocol not in PORT_PROTOCOLS:
            return False
        low = self.from_port if self.from_port is not None else 0
        high = self.to_port if self.to_port is not None else 65535
        return low <= 0 and high >= 65535

    @property
    def ports(self) -> tuple[int, int] | None:
        """(low, high) for TCP/UDP; None for protocols without ports."""
        if self.protocol in ALL_PROTOCOLS:
            return (0, 65535)
        if self.protocol not in PORT_PROTOCOLS:
            return None
        low = self.from_port if self.from_port is not None else 0
        high = self.to_port if self.to_port is not None else low
        return (max(low, 0), high if high >= 0 else 65535)

    def opens(self, port: int) -> bool:
        span = self.ports
        return span is not None and span[0] <= port <= span[1]

    @property
    def web_entry(self) -> bool:
        span = self.ports
        return span is not None and span[0] == span[1] and span[0] in WEB_PORTS

    def describe(self) -> str:
        if self.all_traffic:
            what = "all traffic"
        elif self.protocol in ICMP_PROTOCOLS:
            what = "ICMP"
        elif self.ports is None:
            what = f"all of IP protocol {self.protocol}"
        else:
            low, high = self.ports
            what = (
                f"{self.protocol.upper()} port {low}"
                if low == high
                else f"{self.protocol.upper()} ports {low}-{high}"
            )
        where = f" into {self.group}" if self.group else ""
        return f"{what} from {', '.join(self.world)}{where}"


def is_world(cidr: Any) -> bool:
    """A CIDR of prefix length 0 (0.0.0.0/0, ::/0 and their other spellings)."""
    try:
        return ipaddress.ip_network(str(cidr).strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def ingress_rules(ctx: RuleContext) -> tuple[Ingress, ...]:
    """Every ingress permission that admits the internet (or whose source is not known yet), worked
    out once per plan and graph for the four rules that read them."""
    by_graph: dict[int, tuple[object, tuple[Ingress, ...]]] = ctx.plan.derived("ingress_rules", dict)
    held = by_graph.get(id(ctx.graph))
    if held is None or held[0] is not ctx.graph:  # the graph is kept, so its id is never reused
        held = by_graph[id(ctx.graph)] = (ctx.graph, tuple(_ingress_rules(ctx)))
    return held[1]


def _ingress_rules(ctx: RuleContext) -> Iterator[Ingress]:
    plan = ctx.plan
    lists = _world_prefix_lists(plan)
    for sg in live(plan, *SECURITY_GROUPS):
        radius = _users(ctx, sg.address)
        for index, block in enumerate(blocks(sg, "ingress")):
            prefix = f"ingress[{index}]"
            yield from _from_block(plan, sg, prefix, block, lists, None, radius)
        if unknown(sg, "ingress") and setting(plan, sg, "ingress").pending:
            yield Ingress(sg.address, "ingress", "-1", None, None, (), None, radius, pending=True)
    for rc in live(plan, "aws_security_group_rule"):
        if value(rc, "type") != "ingress":
            continue
        group, radius = _group_of(ctx, rc)
        yield from _from_block(plan, rc, "", rc.after, lists, group, radius)
    for rc in live(plan, "aws_vpc_security_group_ingress_rule"):
        group, radius = _group_of(ctx, rc)
        protocol = str(value(rc, "ip_protocol") or "-1").lower()
        ports = _port(value(rc, "from_port")), _port(value(rc, "to_port"))
        for attribute in ("cidr_ipv4", "cidr_ipv6"):
            cidr = value(rc, attribute)
            if is_world(cidr):
                yield Ingress(rc.address, attribute, protocol, *ports, (str(cidr),), group, radius)
            elif unknown(rc, attribute) and setting(plan, rc, attribute).pending:
                yield Ingress(rc.address, attribute, protocol, *ports, (), group, radius, pending=True)
        opened = _prefix_lists_opened(plan, rc, "prefix_list_id", [value(rc, "prefix_list_id")], lists)
        if opened:
            yield Ingress(rc.address, "prefix_list_id", protocol, *ports, opened, group, radius)


def _from_block(
    plan: Plan,
    rc: ResourceChange,
    prefix: str,
    block: dict[str, Any],
    lists: dict[str, tuple[str, ResourceChange]],
    group: str | None,
    radius: tuple[str, ...],
) -> Iterator[Ingress]:
    dot = f"{prefix}." if prefix else ""
    protocol = str(block.get("protocol") or "-1").lower()
    ports = _port(block.get("from_port")), _port(block.get("to_port"))
    for attribute in ("cidr_blocks", "ipv6_cidr_blocks"):
        cidrs = [c for c in block.get(attribute) or () if known(c)]
        world = tuple(str(c) for c in cidrs if is_world(c))
        if world:
            yield Ingress(rc.address, f"{dot}{attribute}", protocol, *ports, world, group, radius)
        elif not prefix and unknown(rc, attribute) and setting(plan, rc, attribute).pending:
            yield Ingress(rc.address, attribute, protocol, *ports, (), group, radius, pending=True)
    ids = block.get("prefix_list_ids") or []
    opened = _prefix_lists_opened(plan, rc, f"{dot}prefix_list_ids", ids, lists)
    if opened:
        yield Ingress(rc.address, f"{dot}prefix_list_ids", protocol, *ports, opened, group, radius)


def _world_prefix_lists(plan: Plan) -> dict[str, tuple[str, ResourceChange]]:
    """Managed prefix lists in the plan that contain an internet-wide CIDR: address -> (cidr, rc)."""
    found: dict[str, tuple[str, ResourceChange]] = {}
    for pl in [*live(plan, PREFIX_LIST), *live(plan, PREFIX_LIST, data=True)]:
        for item in blocks(pl, "entry") or blocks(pl, "entries"):
            if is_world(item.get("cidr")):
                found[pl.address] = (str(item.get("cidr")), pl)
    for entry in live(plan, "aws_ec2_managed_prefix_list_entry"):
        if is_world(value(entry, "cidr")):
            for target in linked(plan, _NO_GRAPH, entry, "prefix_list_id", (PREFIX_LIST,)):
                found[target.address] = (str(value(entry, "cidr")), target)
    return found


def _prefix_lists_opened(
    plan: Plan,
    rc: ResourceChange,
    attribute: str,
    ids: list[Any],
    lists: dict[str, tuple[str, ResourceChange]],
) -> tuple[str, ...]:
    """The internet-wide prefix lists among `ids` (by id, or by the configuration's references)."""
    if not lists:
        return ()
    opened = []
    for address, (cidr, pl) in sorted(lists.items()):
        pl_id = value(pl, "id")
        by_id = known(pl_id) and pl_id in ids
        if by_id or _references(plan, rc, address):
            opened.append(f"prefix list {address} ({cidr})")
    return tuple(opened)


def _references(plan: Plan, rc: ResourceChange, address: str) -> bool:
    block = configuration_block(plan, rc)
    if block is None:
        return False
    local = address.split("]")[-1] if "]" in address else address
    name = local.removeprefix(f"{rc.module_address}.") if rc.module_address else local
    return _mentions(block.get("expressions"), name)


def _mentions(node: Any, name: str) -> bool:
    if isinstance(node, dict):
        refs = node.get("references")
        if isinstance(refs, list) and any(str(r) == name or str(r).startswith(f"{name}.") for r in refs):
            return True
        return any(_mentions(child, name) for child in node.values())
    if isinstance(node, list):
        return any(_mentions(child, name) for child in node)
    return False


class _NoGraph:
    """`linked` without graph fallback (prefix-list entries are tied by id or reference only)."""

    def __contains__(self, node: object) -> bool:
        return False


_NO_GRAPH: Any = _NoGraph()


def _group_of(ctx: RuleContext, rc: ResourceChange) -> tuple[str | None, tuple[str, ...]]:
    groups = linked(ctx.plan, ctx.graph, rc, "security_group_id", SECURITY_GROUPS)
    if len(groups) != 1:
        return None, ()
    group = groups[0].address
    return group, tuple(a for a in _users(ctx, group) if a != rc.address)


def _users(ctx: RuleContext, address: str) -> tuple[str, ...]:
    if address not in ctx.graph:
        return ()
    return ctx.graph.blast_radius(address, kinds=(RESOURCE,))


def _port(raw: Any) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _hit(ingress: Ingress, message: str, severity: Severity | None = None) -> Hit:
    return Hit(ingress.address, message, ingress.attribute, blast_radius=ingress.radius, severity=severity)


def _admin_ports(ctx: RuleContext) -> tuple[int, ...]:
    return tuple(int(p) for p in ctx.params.get("ports", ADMIN_PORTS))


# --- the rules -----------------------------------------------------------------------------------


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
    "barrier. Left unset, an instance takes its subnet's map_public_ip_on_launch (true in default subnets).",
    fix="Set associate_public_ip_address = false and reach the instance through a load balancer, SSM "
    "Session Manager or a VPN; keep map_public_ip_on_launch off in the subnet.",
    references=("CKV_AWS_88", "AWS-0009"),
)
def public_instance_ip(ctx: RuleContext) -> Iterator[Hit]:
    plan = ctx.plan
    for rc in live(plan, "aws_instance", "aws_launch_configuration"):
        chosen = setting(plan, rc, "associate_public_ip_address")
        if chosen.state is State.SET and truthy(chosen.value):
            yield Hit(rc.address, "associate_public_ip_address is true", "associate_public_ip_address")
        elif rc.type == "aws_instance" and chosen.state is State.UNSET:
            subnets = linked(plan, ctx.graph, rc, "subnet_id", ("aws_subnet", "aws_default_subnet"))
            mapping = [s for s in subnets if truthy(value(s, "map_public_ip_on_launch"))]
            if mapping:
                yield Hit(
                    rc.address,
                    f"associate_public_ip_address is not set and subnet {mapping[0].address} maps "
                    "public IPs on launch",
                    "associate_public_ip_address",
                )
    for rc in live(plan, "aws_launch_template"):
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
    references=("CKV_AWS_277", "CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "AWS-0107"),
)
def all_ports_open(ctx: RuleContext) -> Iterator[Hit]:
    for ingress in ingress_rules(ctx):
        if ingress.world and ingress.all_traffic:
            yield _hit(ingress, f"ingress admits {ingress.describe()}")


@rule(
    "TFO-NET-004",
    title="Security group opens an administration or database port to the internet",
    severity=Severity.BLOCK,
    rationale="SSH, RDP, and database, cache and search ports facing 0.0.0.0/0 or ::/0 are scanned and "
    "brute-forced within minutes of appearing; a port range that merely contains one counts.",
    fix="Restrict the source to a VPN or bastion range, or use SSM Session Manager instead of SSH/RDP.",
    references=("CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "AWS-0107"),
    params={"ports": list[Annotated[int, Field(ge=0, le=65535)]]},
)
def admin_port_open(ctx: RuleContext) -> Iterator[Hit]:
    ports = _admin_ports(ctx)
    for ingress in ingress_rules(ctx):
        if not ingress.world or ingress.all_traffic:
            continue  # all traffic is TFO-NET-003's finding
        exposed = [p for p in ports if ingress.opens(p)]
        if exposed:
            listed = ", ".join(str(p) for p in exposed[:8]) + (" …" if len(exposed) > 8 else "")
            yield _hit(
                ingress, f"ingress admits {ingress.describe()}, including admin/database port {listed}"
            )


@rule(
    "TFO-NET-006",
    title="Security group opens a non-web port or range to the internet",
    severity=Severity.WARN,
    rationale="A port range wider than one web port (e.g. 8000-8099 or 440-450), a single non-web port, "
    "or a whole protocol facing 0.0.0.0/0 or ::/0 exposes services nobody reviewed as public.",
    fix="Open only 80/443 to the internet (ideally on a load balancer) and everything else to known "
    "sources; ICMP only the types you need.",
    references=("CKV_AWS_260", "AWS-0107"),
)
def other_ports_open(ctx: RuleContext) -> Iterator[Hit]:
    admin = _admin_ports(ctx)
    for ingress in ingress_rules(ctx):
        if ingress.pending:
            yield Hit(
                ingress.address,
                f"the source of {ingress.attribute} is known only after apply: whether it admits the "
                "internet cannot be judged yet",
                ingress.attribute,
                blast_radius=ingress.radius,
                pending=True,
            )
            continue
        if not ingress.world or ingress.all_traffic or ingress.web_entry:
            continue
        if any(ingress.opens(p) for p in admin):
            continue  # TFO-NET-004's finding
        if ingress.protocol in ICMP_PROTOCOLS:
            yield _hit(ingress, f"ingress admits {ingress.describe()}", Severity.INFO)
        else:
            yield _hit(ingress, f"ingress admits {ingress.describe()}")


@rule(
    "TFO-NET-007",
    title="Security group is a web entry point from the internet",
    severity=Severity.INFO,
    rationale="Exactly port 80 or 443 open to 0.0.0.0/0 or ::/0 is how a public web service is reached; "
    "it is listed so a reviewer sees what this plan puts on the internet.",
    fix="If the service is not meant to be public, restrict the source; otherwise prefer 443 on a load "
    "balancer and redirect 80 to it.",
    references=("CKV_AWS_260", "AWS-0107"),
)
def web_entry_point(ctx: RuleContext) -> Iterator[Hit]:
    for ingress in ingress_rules(ctx):
        if ingress.world and ingress.web_entry:
            yield _hit(ingress, f"web entry point: ingress admits {ingress.describe()}")


@rule(
    "TFO-NET-005",
    title="Database or data warehouse is publicly accessible",
    severity=Severity.BLOCK,
    rationale="publicly_accessible gives the database a public DNS name and address; only its security "
    "group stands between it and the internet.",
    fix="Set publicly_accessible = false and connect from inside the VPC.",
    references=("CKV_AWS_17", "CKV_AWS_87", "CKV_AWS_89", "AWS-0082", "AWS-0127"),
)
def public_database(ctx: RuleContext) -> Iterator[Hit]:
    types = (
        "aws_db_instance",
        "aws_rds_cluster_instance",
        "aws_neptune_cluster_instance",
        "aws_redshift_cluster",
        "aws_redshiftserverless_workgroup",
        "aws_dms_replication_instance",
    )
    for rc in live(ctx.plan, *types):
        chosen = setting(ctx.plan, rc, "publicly_accessible")
        if chosen.value is not None and truthy(chosen.value):
            yield Hit(rc.address, "publicly_accessible is true", "publicly_accessible")
        elif chosen.pending:
            yield Hit(
                rc.address,
                "publicly_accessible is known only after apply: cannot be judged yet",
                "publicly_accessible",
                pending=True,
            )


@rule(
    "TFO-NET-008",
    title="EKS cluster API endpoint is open to the internet",
    severity=Severity.WARN,
    rationale="EKS enables the public endpoint by default with public_access_cidrs 0.0.0.0/0 "
    "(https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html): the Kubernetes API is then "
    "reachable, and attackable with any leaked credential, from anywhere.",
    fix="Set vpc_config.endpoint_public_access = false (with endpoint_private_access = true), or limit "
    "public_access_cidrs to your office / CI egress ranges.",
    references=("CKV_AWS_38", "CKV_AWS_39", "AWS-0040", "AWS-0041"),
)
def eks_public_endpoint(ctx: RuleContext) -> Iterator[Hit]:
    plan = ctx.plan
    for rc in live(plan, "aws_eks_cluster"):
        for index, _ in enumerate(blocks(rc, "vpc_config")):
            base = ("vpc_config", index)
            public = setting(plan, rc, *base, "endpoint_public_access")
            if public.pending:
                yield Hit(
                    rc.address,
                    "endpoint_public_access is known only after apply",
                    f"vpc_config[{index}].endpoint_public_access",
                    pending=True,
                )
                continue
            if public.value is not None and not truthy(public.value):
                continue  # AWS's default is true: unset means public
            cidrs = setting(plan, rc, *base, "public_access_cidrs")
            attribute = f"vpc_config[{index}].public_access_cidrs"
            if cidrs.pending:
                yield Hit(
                    rc.address,
                    "public endpoint; public_access_cidrs known only after apply",
                    attribute,
                    pending=True,
                )
            elif cidrs.unset or not cidrs.value:
                yield Hit(
                    rc.address,
                    "public endpoint open to 0.0.0.0/0 (public_access_cidrs not set: AWS's default)",
                    attribute,
                )
            elif any(is_world(c) for c in cidrs.value):
                yield Hit(rc.address, "public endpoint open to 0.0.0.0/0", attribute)
            else:
                shown = ", ".join(str(c) for c in cidrs.value[:5])
                yield Hit(
                    rc.address, f"public endpoint limited to {shown}", attribute, severity=Severity.INFO
                )


LOAD_BALANCERS = ("aws_lb", "aws_alb")
LISTENERS = ("aws_lb_listener", "aws_alb_listener")


@rule(
    "TFO-NET-009",
    title="Internet-facing load balancer serves plain HTTP without redirecting to HTTPS",
    severity=Severity.WARN,
    rationale="An internet-facing listener on HTTP that does not redirect sends requests, cookies and "
    "credentials in clear text over the internet. Load balancers are internet-facing unless internal = "
    "true (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html).",
    fix="Listen on HTTPS (443) with a certificate and make the HTTP listener's default action a redirect "
    "to HTTPS (status HTTP_301).",
    references=("CKV_AWS_2", "CKV_AWS_376", "CKV2_AWS_20", "AWS-0054"),
)
def plain_http_listener(ctx: RuleContext) -> Iterator[Hit]:
    plan = ctx.plan
    for listener in live(plan, *LISTENERS):
        if str(value(listener, "protocol") or "").upper() != "HTTP":
            continue
        balancers = linked(
            plan, ctx.graph, listener, "load_balancer_arn", LOAD_BALANCERS, id_attributes=("arn", "id")
        )
        public = [lb for lb in balancers if _internet_facing(plan, lb)]
        if not public:
            continue
        actions = blocks(listener, "default_action")
        if any(_redirects_to_https(a) for a in actions):
            continue
        yield Hit(
            listener.address,
            f"HTTP listener on internet-facing {public[0].address} does not redirect to HTTPS",
            "default_action",
            blast_radius=(public[0].address,),
        )
    for elb in live(plan, "aws_elb"):
        if not _internet_facing(plan, elb):
            continue
        for index, block in enumerate(blocks(elb, "listener")):
            if str(block.get("lb_protocol") or "").lower() == "http":
                yield Hit(
                    elb.address,
                    f"internet-facing classic load balancer listens on HTTP port {block.get('lb_port')} "
                    "(classic load balancers cannot redirect)",
                    f"listener[{index}].lb_protocol",
                )


def _internet_facing(plan: Plan, lb: ResourceChange) -> bool:
    """Internet-facing unless `internal` is true (AWS's default scheme); network and gateway load
    balancers do not speak HTTP."""
    internal = setting(plan, lb, "internal")
    if internal.pending or (internal.value is not None and truthy(internal.value)):
        return False
    return lb.type == "aws_elb" or str(value(lb, "load_balancer_type") or "application") == "application"


def _redirects_to_https(action: dict[str, Any]) -> bool:
    if str(action.get("type") or "") != "redirect":
        return False
    targets = [r for r in action.get("redirect") or () if isinstance(r, dict)]
    # "#{protocol}" (the default) keeps the request's own protocol: HTTP stays HTTP
    return any(str(r.get("protocol") or "").upper() == "HTTPS" for r in targets)
