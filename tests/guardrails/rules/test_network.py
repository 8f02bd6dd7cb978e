"""Public networking rules (TFO-NET-001..005)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.guardrails.support import add_resource, addresses, fixture, hits, parse, raw, run, set_after
from tfoidc.guardrails.model import Severity
from tfoidc.guardrails.policy import GuardrailsPolicy, RuleSettings

TRIVY = "trivy/plan_open_sg_s3.json"  # aws_security_group.sg: tcp/80 from 0.0.0.0/0
SG = "aws_security_group.sg"
ALL = GuardrailsPolicy(scope="all")  # judge unchanged (no-op) resources too, as scanners do


def ingress(**overrides: Any) -> list[dict[str, Any]]:
    rule = {
        "cidr_blocks": ["0.0.0.0/0"],
        "description": "",
        "from_port": 80,
        "ipv6_cidr_blocks": [],
        "prefix_list_ids": [],
        "protocol": "tcp",
        "security_groups": [],
        "self": False,
        "to_port": 80,
    }
    rule.update(overrides)
    return [rule]


def sg_plan(**overrides: Any) -> Any:
    return parse(set_after(raw(TRIVY), SG, ingress=ingress(**overrides)))


# --- TFO-NET-001 -----------------------------------------------------------------------------------


def test_subnet_mapping_public_ips() -> None:
    doc = add_resource(
        raw(TRIVY), "aws_subnet.public", {"cidr_block": "10.0.1.0/24", "map_public_ip_on_launch": True}
    )
    add_resource(doc, "aws_subnet.private", {"cidr_block": "10.0.2.0/24", "map_public_ip_on_launch": False})
    assert hits(parse(doc), "TFO-NET-001") == {("aws_subnet.public", "map_public_ip_on_launch")}


def test_default_subnet_with_public_ips_in_a_real_plan() -> None:
    plan = fixture("infracost/instance_with_attachment_after_deploy.json")
    assert addresses(plan, "TFO-NET-001", policy=ALL) == {"aws_default_subnet.default"}
    # the default scope judges only what the plan changes; this plan changes nothing
    assert addresses(plan, "TFO-NET-001") == set()


# --- TFO-NET-002 -----------------------------------------------------------------------------------


def test_instance_with_public_ip_in_a_real_plan() -> None:
    plan = fixture("infracost/instance_with_attachment_after_deploy.json")
    assert hits(plan, "TFO-NET-002", policy=ALL) == {("aws_instance.ec2", "associate_public_ip_address")}


def test_instance_whose_public_ip_is_unknown_is_not_flagged() -> None:
    plan = fixture("infracost/instance_with_attachment_before_deploy.json")
    assert hits(plan, "TFO-NET-002") == set()


def test_launch_template_interface_with_public_ip() -> None:
    doc = add_resource(
        raw(TRIVY),
        "aws_launch_template.web",
        {
            "image_id": "ami-123",
            "network_interfaces": [{"associate_public_ip_address": "true", "device_index": 0}],
        },
    )
    add_resource(
        doc,
        "aws_launch_template.private",
        {
            "image_id": "ami-123",
            "network_interfaces": [{"associate_public_ip_address": "false", "device_index": 0}],
        },
    )
    assert hits(parse(doc), "TFO-NET-002") == {
        ("aws_launch_template.web", "network_interfaces[0].associate_public_ip_address")
    }


# --- TFO-NET-003 / 004: security groups ------------------------------------------------------------


def test_real_plan_admin_ports_open_to_the_world() -> None:
    plan = fixture("regula/sg_ingress_anywhere_rdp.json")
    findings = run(plan, "TFO-NET-004")
    assert {(f.address, f.attribute, f.severity) for f in findings} == {
        ("aws_security_group.invalid_sg_1", "ingress[0].cidr_blocks", Severity.BLOCK),
        ("aws_security_group.invalid_sg_2", "ingress[0].cidr_blocks", Severity.BLOCK),  # 3380-3390
        ("aws_security_group.valid_sg_1", "ingress[0].cidr_blocks", Severity.BLOCK),  # 22
    }
    # valid_sg_2 opens 3389 only to 10.10.0.0/16
    assert "aws_security_group.valid_sg_2" not in {f.address for f in run(plan)}


def test_web_ports_open_to_the_world_are_not_admin_ports() -> None:
    assert hits(fixture(TRIVY), "TFO-NET-004") == set()
    assert hits(fixture(TRIVY), "TFO-NET-003") == set()
    sg_rules = fixture("terraform-compliance/issue_181_sg_open_ports.json")  # 53 and 80, inline and rules
    assert hits(sg_rules, "TFO-NET-004") == set() and hits(sg_rules, "TFO-NET-003") == set()


@pytest.mark.parametrize(
    "overrides",
    [
        {"protocol": "-1", "from_port": 0, "to_port": 0},
        {"protocol": "tcp", "from_port": 0, "to_port": 65535},
        {"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": [], "ipv6_cidr_blocks": ["::/0"]},
    ],
)
def test_all_ports_open_is_net_003_not_004(overrides: dict[str, Any]) -> None:
    plan = sg_plan(**overrides)
    findings = run(plan, "TFO-NET-003")
    assert [f.address for f in findings] == [SG]
    assert hits(plan, "TFO-NET-004") == set()


@pytest.mark.parametrize("port", [22, 3389, 5432, 3306, 6379, 27017])
def test_admin_and_database_ports(port: int) -> None:
    plan = sg_plan(from_port=port, to_port=port)
    assert hits(plan, "TFO-NET-004") == {(SG, "ingress[0].cidr_blocks")}


def test_ipv6_world_on_ssh() -> None:
    plan = sg_plan(from_port=22, to_port=22, cidr_blocks=[], ipv6_cidr_blocks=["::/0"])
    assert hits(plan, "TFO-NET-004") == {(SG, "ingress[0].ipv6_cidr_blocks")}


def test_icmp_from_the_world_is_not_a_port() -> None:
    plan = sg_plan(protocol="icmp", from_port=-1, to_port=-1)
    assert hits(plan, "TFO-NET-003") == set() and hits(plan, "TFO-NET-004") == set()


def test_private_source_is_not_the_internet() -> None:
    plan = sg_plan(from_port=22, to_port=22, cidr_blocks=["10.0.0.0/8"])
    assert hits(plan, "TFO-NET-004") == set()


def test_security_group_rule_resource() -> None:
    doc = raw("checkov/change_keys_sg_rule_update.json")  # postgres from another security group: fine
    assert hits(parse(doc), "TFO-NET-004") == set()
    opened = copy.deepcopy(doc)
    set_after(opened, "aws_security_group_rule.foo", cidr_blocks=["0.0.0.0/0"], source_security_group_id=None)
    assert hits(parse(opened), "TFO-NET-004") == {("aws_security_group_rule.foo", "cidr_blocks")}


def test_egress_rule_to_the_world_is_not_ingress() -> None:
    doc = raw("checkov/change_keys_sg_rule_update.json")
    set_after(doc, "aws_security_group_rule.foo", cidr_blocks=["0.0.0.0/0"], type="egress")
    assert hits(parse(doc), "TFO-NET-004") == set()


def test_vpc_security_group_ingress_rule_resource() -> None:
    doc = add_resource(
        raw(TRIVY),
        "aws_vpc_security_group_ingress_rule.ssh",
        {"cidr_ipv6": "::/0", "cidr_ipv4": None, "from_port": 22, "to_port": 22, "ip_protocol": "tcp"},
        refs={"security_group_id": ["aws_security_group.sg.id", "aws_security_group.sg"]},
    )
    add_resource(
        doc,
        "aws_vpc_security_group_ingress_rule.everything",
        {"cidr_ipv4": "0.0.0.0/0", "ip_protocol": "-1", "from_port": None, "to_port": None},
    )
    plan = parse(doc)
    assert hits(plan, "TFO-NET-004") == {("aws_vpc_security_group_ingress_rule.ssh", "cidr_ipv6")}
    assert hits(plan, "TFO-NET-003") == {("aws_vpc_security_group_ingress_rule.everything", "cidr_ipv4")}


def test_admin_ports_are_a_rule_parameter() -> None:
    policy = GuardrailsPolicy(rules={"TFO-NET-004": RuleSettings(params={"ports": [80]})})
    assert hits(fixture(TRIVY), "TFO-NET-004", policy=policy) == {(SG, "ingress[0].cidr_blocks")}


# --- TFO-NET-005 -----------------------------------------------------------------------------------


def test_publicly_accessible_database() -> None:
    doc = add_resource(
        raw(TRIVY),
        "aws_db_instance.main",
        {
            "engine": "postgres",
            "instance_class": "db.t3.micro",
            "publicly_accessible": True,
            "storage_encrypted": True,
        },
    )
    add_resource(
        doc,
        "aws_db_instance.internal",
        {
            "engine": "postgres",
            "instance_class": "db.t3.micro",
            "publicly_accessible": False,
            "storage_encrypted": True,
        },
    )
    assert hits(parse(doc), "TFO-NET-005") == {("aws_db_instance.main", "publicly_accessible")}
