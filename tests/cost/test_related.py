"""Finding the other resources a price depends on, the way Terraform knows them."""

from __future__ import annotations

from typing import Any

from tests.cost.costplans import Change, make_plan
from tfoidc.cost.related import PlanIndex


def _lookup(changes: list[Change], address: str, side: str = "after") -> Any:
    plan = make_plan(changes)
    rc = next(r for r in plan.resource_changes if r.address == address)
    return PlanIndex(plan).lookup(rc, side)


def _ref(*refs: str) -> dict[str, Any]:
    return {"references": list(refs)}


def test_a_reference_resolves_in_the_resources_own_module_instance() -> None:
    changes = [
        Change('module.a["x"].aws_launch_template.lt', {"instance_type": "m5.large"}),
        Change('module.a["y"].aws_launch_template.lt', {"instance_type": "t3.nano"}),
        Change(
            'module.a["x"].aws_autoscaling_group.g',
            {"launch_template": [{"id": None}]},
            expressions={
                "launch_template": [{"id": _ref("aws_launch_template.lt.id", "aws_launch_template.lt")}]
            },
        ),
    ]
    found = _lookup(changes, 'module.a["x"].aws_autoscaling_group.g').find(
        ("launch_template", 0, "id"), ["aws_launch_template"]
    )
    assert found.address == 'module.a["x"].aws_launch_template.lt' and found.how == "reference"
    assert found.attrs.get("instance_type") == "m5.large"


def test_count_index_picks_the_instance_with_the_same_key() -> None:
    changes = [
        Change("aws_launch_configuration.lc[0]", {"instance_type": "t2.micro"}),
        Change("aws_launch_configuration.lc[1]", {"instance_type": "t2.medium"}),
        *(
            Change(
                f"aws_autoscaling_group.g[{i}]",
                {},
                expressions={"launch_configuration": _ref("aws_launch_configuration.lc", "count.index")},
            )
            for i in (0, 1)
        ),
    ]
    found = _lookup(changes, "aws_autoscaling_group.g[1]").find(
        ("launch_configuration",), ["aws_launch_configuration"]
    )
    assert found.address == "aws_launch_configuration.lc[1]"


def test_without_a_reference_the_value_is_matched_and_unrelated_resources_are_not() -> None:
    changes = [
        Change("aws_launch_template.a", {"id": "lt-a", "name": "a"}),
        Change("aws_launch_template.b", {"id": "lt-b", "name": "b"}),
        Change("aws_autoscaling_group.g", {"launch_template": [{"id": "lt-b"}]}),
        Change("aws_autoscaling_group.h", {"launch_template": [{"id": "lt-elsewhere"}]}),
    ]
    found = _lookup(changes, "aws_autoscaling_group.g").find(
        ("launch_template", 0, "id"), ["aws_launch_template"], ("id",)
    )
    assert found.address == "aws_launch_template.b" and found.how == "matching id"
    lookup = _lookup(changes, "aws_autoscaling_group.h")
    assert lookup.find(("launch_template", 0, "id"), ["aws_launch_template"], ("id",)) is None
    assert lookup.only(["aws_launch_template"]) is None  # two candidates: no guess


def test_referring_resources_and_the_before_side() -> None:
    changes = [
        Change(
            "aws_sns_topic.t",
            {"arn": "arn:aws:sns:us-east-1:1:t"},
            before={"arn": "arn:aws:sns:us-east-1:1:t"},
            actions=("no-op",),
        ),
        Change(
            "aws_sns_topic_subscription.by_value",
            {"topic_arn": "arn:aws:sns:us-east-1:1:t", "protocol": "email"},
        ),
        Change(
            "aws_sns_topic_subscription.by_ref",
            {"protocol": "sqs"},
            expressions={"topic_arn": _ref("aws_sns_topic.t.arn")},
        ),
        Change("aws_sns_topic_subscription.other", {"topic_arn": "arn:aws:sns:us-east-1:1:other"}),
    ]
    after = _lookup(changes, "aws_sns_topic.t").referring(["aws_sns_topic_subscription"], ("topic_arn",))
    assert sorted(f.address for f in after) == [
        "aws_sns_topic_subscription.by_ref",
        "aws_sns_topic_subscription.by_value",
    ]
    # before this plan the subscriptions (being created) did not exist
    assert (
        _lookup(changes, "aws_sns_topic.t", "before").referring(
            ["aws_sns_topic_subscription"], ("topic_arn",)
        )
        == []
    )


def test_configured_tells_unset_from_unknown() -> None:
    changes = [Change("aws_autoscaling_group.g", {}, expressions={"desired_capacity": _ref("var.n")})]
    lookup = _lookup(changes, "aws_autoscaling_group.g")
    assert lookup.configured(("desired_capacity",)) is True
    assert lookup.configured(("min_size",)) is False
    bare = _lookup([Change("aws_autoscaling_group.g", {})], "aws_autoscaling_group.g")
    assert bare.configured(("desired_capacity",)) is None  # the plan has nothing to say
