"""The free list: only what AWS charges nothing for, each with its reason, none of it priced."""

from __future__ import annotations

import re

from tests.conftest import PLANS, PRICES, need_shared
from tests.cost.costplans import Change, priced
from tests.cost.goldens import golden_components
from tfoidc.cost.pricers import FREE_TYPES, PRICERS


def test_every_free_type_says_why_and_none_is_priced() -> None:
    assert len(FREE_TYPES) > 150
    for resource_type, reason in FREE_TYPES.items():
        assert resource_type.startswith("aws_"), resource_type
        assert len(reason) > 12 and reason != resource_type, resource_type
    assert set(FREE_TYPES).isdisjoint(PRICERS)


def test_the_shared_price_data_prices_none_of_the_free_types() -> None:
    """The Infracost test configurations in the shared data declare free types next to the priced ones
    (launch templates, autoscaling targets, task definitions, subscriptions, security groups...): the
    goldens computed from them never give one a cost of its own. (A launch template's instances are
    shown nested under the autoscaling group, which carries their cost, as in tfoidc.)"""
    goldens = need_shared(PRICES / "infracost-goldens")
    declared = 0
    for tf in sorted(goldens.glob("*_test.tf.txt")):
        text = (goldens / tf.name.replace(".tf.txt", ".golden.txt")).read_text(encoding="utf-8")
        priced_addresses = {a for a, rows in golden_components(text).items() if any(r.cost for r in rows)}
        for resource_type, name in re.findall(
            r'^resource "(aws_\w+)" "([\w-]+)"', tf.read_text(), re.MULTILINE
        ):
            if resource_type in FREE_TYPES:
                declared += 1
                address = f"{resource_type}.{name}"
                assert not any(a == address or a.startswith(f"{address}[") for a in priced_addresses), (
                    tf.name,
                    address,
                )
    assert declared >= 30
    # and the plans Infracost priced whole list no free type among the resources with a cost
    for path in sorted(need_shared(PLANS / "infracost").glob("*.golden.txt")):
        text = path.read_text(encoding="utf-8")
        if "OVERALL TOTAL" in text:
            for address, rows in golden_components(text).items():
                if address.split(".")[-2].split("[")[0] in FREE_TYPES:
                    assert not any(r.cost for r in rows), (path.name, address)


def test_a_free_resource_is_listed_with_its_reason_not_as_zero_dollars() -> None:
    est = priced(
        [
            Change("aws_launch_template.lt", {"instance_type": "m5.large"}),
            Change("aws_iam_role.r", {"name": "r"}),
            Change("aws_wafv2_web_acl.w", {"name": "w"}),
        ]
    )
    assert est.resources == ()
    assert {f.address: f.reason for f in est.free_resources} == {
        "aws_launch_template.lt": FREE_TYPES["aws_launch_template"],
        "aws_iam_role.r": FREE_TYPES["aws_iam_role"],
    }
    assert est.free == ("aws_launch_template.lt", "aws_iam_role.r")
    # not free, not priced: said, never a silent zero
    assert [(n.address, n.reason) for n in est.not_priced] == [
        ("aws_wafv2_web_acl.w", "no price model for aws_wafv2_web_acl")
    ]
