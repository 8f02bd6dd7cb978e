"""Which resource an attribute points at, when the same name lives in several accounts.

A module instantiated once per account (each call with its own provider) creates roles of one name in
every account: a role policy's `role = "deploy"` matches all of them by value, and only the
configuration's reference says which one it means. Grants must not be pooled across accounts.
"""

from __future__ import annotations

import json
from typing import Any

from tests.guardrails.support import AWS, parse, run
from tfoidc.analysis.graph_build import build_graph
from tfoidc.guardrails.links import linked
from tfoidc.plan.model import Plan

ACCOUNTS = ("account_a", "account_b")


def _policy(*actions: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
        }
    )


def _change(module: str, rtype: str, name: str, after: dict[str, Any]) -> dict[str, Any]:
    return {
        "address": f"module.{module}.{rtype}.{name}",
        "module_address": f"module.{module}",
        "mode": "managed",
        "type": rtype,
        "name": name,
        "provider_name": AWS,
        "change": {
            "actions": ["create"],
            "before": None,
            "after": after,
            "after_unknown": {"id": True, "arn": True},
            "before_sensitive": False,
            "after_sensitive": {},
        },
    }


def _config(rtype: str, name: str, refs: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "address": f"{rtype}.{name}",
        "mode": "managed",
        "type": rtype,
        "name": name,
        "provider_config_key": "aws",
        "expressions": {key: {"references": value} for key, value in refs.items()},
    }


def _plan(policies: dict[str, dict[str, str]]) -> Plan:
    """A role named `deploy` in each account's module, with the inline policies given per account."""
    changes: list[dict[str, Any]] = []
    calls: dict[str, Any] = {}
    for account in ACCOUNTS:
        changes.append(_change(account, "aws_iam_role", "deploy", {"name": "deploy"}))
        resources = [_config("aws_iam_role", "deploy", {})]
        for name, document in policies.get(account, {}).items():
            changes.append(
                _change(account, "aws_iam_role_policy", name, {"role": "deploy", "policy": document})
            )
            resources.append(
                _config(
                    "aws_iam_role_policy", name, {"role": ["aws_iam_role.deploy.name", "aws_iam_role.deploy"]}
                )
            )
        calls[account] = {"source": "./modules/account", "module": {"resources": resources}}
    return parse(
        {
            "format_version": "1.2",
            "terraform_version": "1.6.0",
            "resource_changes": changes,
            "configuration": {"root_module": {"module_calls": calls}},
        }
    )


def test_a_name_in_several_accounts_links_to_the_one_the_configuration_references() -> None:
    plan = _plan({account: {"pass": _policy("iam:PassRole")} for account in ACCOUNTS})
    graph = build_graph(plan)
    for account in ACCOUNTS:
        policy = plan.by_address()[f"module.{account}.aws_iam_role_policy.pass"]
        owners = linked(plan, graph, policy, "role", ("aws_iam_role",), id_attributes=("id", "name"))
        assert [o.address for o in owners] == [f"module.{account}.aws_iam_role.deploy"]


def test_grants_of_one_account_do_not_add_up_with_another_accounts() -> None:
    """Account A's role can pass a role to Lambda and run it; account B's role can only pass roles."""
    plan = _plan(
        {
            "account_a": {
                "pass": _policy("iam:PassRole"),
                "lambda": _policy("lambda:CreateFunction", "lambda:InvokeFunction"),
            },
            "account_b": {"pass": _policy("iam:PassRole")},
        }
    )
    escalating = {f.address for f in run(plan, "TFO-IAM-006") if "PassRole to Lambda" in f.message}
    assert escalating == {"module.account_a.aws_iam_role.deploy"}
