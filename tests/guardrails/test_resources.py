"""`live`, the rules' way into the plan: resources of the asked types that exist after apply, in plan
order, read from a per-plan index that must never answer for another plan."""

from __future__ import annotations

from typing import Any

import orjson

from tfoidc.guardrails.resources import live
from tfoidc.plan.parse import parse_plan


def _change(
    address: str, *, after: Any = None, mode: str = "managed", deposed: str | None = None
) -> dict[str, Any]:
    rtype, name = address.removeprefix("data.").split(".")
    change: dict[str, Any] = {
        "address": address,
        "mode": mode,
        "type": rtype,
        "name": name,
        "change": {"actions": ["create"], "before": None, "after": {} if after is None else after},
    }
    if deposed:
        change["deposed"] = deposed
        change["change"]["actions"] = ["delete"]
    return change


def _plan(*changes: dict[str, Any]) -> Any:
    return parse_plan(orjson.dumps({"format_version": "1.2", "resource_changes": list(changes)}))


def test_live_yields_the_asked_types_in_plan_order_without_data_deposed_or_unknown_objects() -> None:
    plan = _plan(
        _change("aws_s3_bucket.b"),
        _change("aws_instance.i"),
        _change("aws_s3_bucket.a"),
        _change("data.aws_s3_bucket.d", mode="data"),
        _change("aws_s3_bucket.old", deposed="00000001"),
        _change("aws_ebs_volume.v", after=[]),  # not an object after apply
        _change("aws_ebs_volume.w"),
    )
    assert [rc.address for rc in live(plan, "aws_s3_bucket")] == ["aws_s3_bucket.b", "aws_s3_bucket.a"]
    assert [rc.address for rc in live(plan, "aws_ebs_volume", "aws_s3_bucket")] == [
        "aws_s3_bucket.b",
        "aws_s3_bucket.a",
        "aws_ebs_volume.w",
    ]
    assert [rc.address for rc in live(plan, "aws_s3_bucket", data=True)] == ["data.aws_s3_bucket.d"]
    assert list(live(plan, "aws_vpc")) == []


def test_live_answers_for_the_plan_it_is_given() -> None:
    first = _plan(_change("aws_s3_bucket.a"))
    second = _plan(_change("aws_s3_bucket.b"))
    assert [rc.address for rc in live(first, "aws_s3_bucket")] == ["aws_s3_bucket.a"]
    assert [rc.address for rc in live(second, "aws_s3_bucket")] == ["aws_s3_bucket.b"]
    assert [rc.address for rc in live(first, "aws_s3_bucket")] == ["aws_s3_bucket.a"]
