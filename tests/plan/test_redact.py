"""The one redaction pass (`plan.redact.redact_document`): every place the plan JSON schema can carry a value
Terraform marks sensitive, the copies of such values Terraform's masks miss, and what must survive.

`tests/report/plans.sentinel_plan` plants a sentinel in each place; these tests check the document the
pass returns (what plan.json holds), and tests/report/test_sensitive.py every format rendered from it.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.report.plans import SENTINELS, sentinel_plan
from tfoidc.lifecycle.artifacts import plan_json_document, write_json
from tfoidc.plan.model import REDACTED
from tfoidc.plan.parse import plan_from_document
from tfoidc.plan.redact import PROVIDER_SETTINGS, RedactedDocument, redact_document
from tfoidc.terraform.masking import Masker


def leaks(doc: Any) -> list[str]:
    text = orjson.dumps(doc).decode()
    return [name for name, value in SENTINELS.items() if value in text or value.rsplit("-", 1)[1] in text]


def minimal(**fields: Any) -> dict[str, Any]:
    return {"format_version": "1.2", "terraform_version": "1.5.7", **fields}


def test_every_place_of_the_schema_is_redacted() -> None:
    doc = sentinel_plan()
    assert leaks(doc) == list(SENTINELS)
    assert leaks(redact_document(doc)) == []


@pytest.mark.parametrize("name", list(SENTINELS))
def test_each_place_alone(name: str) -> None:
    """Each sentinel, the only secret of its plan: nothing else's redaction can hide it by an echo."""
    doc = sentinel_plan()
    text = orjson.dumps(doc).decode()
    for other, value in SENTINELS.items():
        if other != name:
            text = text.replace(value, f"harmless-{other}")
    alone = orjson.loads(text)
    assert leaks(alone) == [name]
    assert leaks(redact_document(alone)) == []


def test_the_written_plan_json_is_redacted_and_masked(tmp_path: Path) -> None:
    doc = sentinel_plan()
    doc["resource_changes"][0]["change"]["after"]["arn"] = "AKIAEXAMPLE-session-key-123"
    path = write_json(
        tmp_path / "plan.json", plan_json_document(doc, Masker(["AKIAEXAMPLE-session-key-123"]))
    )
    written = path.read_text()
    assert leaks(orjson.loads(written)) == [] and "AKIAEXAMPLE" not in written
    assert written.count(REDACTED) >= len(SENTINELS)


def test_what_the_analysis_reads_survives() -> None:
    doc = sentinel_plan()
    out = redact_document(doc)
    aws = out["configuration"]["provider_config"]["aws"]["expressions"]
    assert aws["region"] == {"constant_value": "us-west-2"} and "region" in PROVIDER_SETTINGS
    assert aws["assume_role"][0]["role_arn"] == {"references": ["var.aws_account_id"]}
    call = out["configuration"]["root_module"]["module_calls"]["db"]["expressions"]
    assert call["name"] == {"constant_value": "orders"}
    policy = next(rc for rc in out["resource_changes"] if rc["address"] == "aws_iam_policy.policy")
    assert policy["change"]["after"]["tags"] == {"owner": REDACTED, "team": "platform"}
    assert policy["change"]["after"]["name"] == doc_change(doc, "aws_iam_policy.policy")["after"]["name"]
    plan = plan_from_document(out)
    assert {rc.address for rc in plan.changes()} >= {"aws_iam_policy.policy", "aws_s3_bucket.test-bucket1"}


def doc_change(doc: dict[str, Any], address: str) -> dict[str, Any]:
    return next(rc["change"] for rc in doc["resource_changes"] if rc["address"] == address)


def test_unmarked_values_stay_the_same_objects_and_a_second_pass_is_free() -> None:
    doc = sentinel_plan()
    out = redact_document(doc)
    bucket = next(rc for rc in doc["resource_changes"] if rc["address"] == "aws_s3_bucket.test-bucket1")
    out_bucket = next(rc for rc in out["resource_changes"] if rc["address"] == "aws_s3_bucket.test-bucket1")
    assert out_bucket["change"]["after"]["lifecycle_rule"] is bucket["change"]["after"]["lifecycle_rule"]
    assert (
        out["configuration"]["root_module"]["resources"][2]["expressions"]["acl"]
        is (doc["configuration"]["root_module"]["resources"][2]["expressions"]["acl"])
    )
    assert isinstance(out, RedactedDocument) and redact_document(out) is out
    untouched = copy.deepcopy(sentinel_plan())
    redact_document(untouched)
    assert untouched == sentinel_plan()  # the input is never modified


def test_without_a_configuration_no_variable_value_is_trusted() -> None:
    out = redact_document(minimal(variables={"token": {"value": "abc"}, "n": {"value": None}}))
    assert out["variables"] == {"token": {"value": REDACTED}, "n": {"value": None}}


def test_a_mask_whose_shape_differs_from_the_value_hides_all_of_it() -> None:
    rc = {
        "address": "aws_x.a",
        "change": {"actions": ["create"], "after": "flat-string-secret", "after_sensitive": {"k": True}},
    }
    out = redact_document(minimal(resource_changes=[rc]))
    assert out["resource_changes"][0]["change"]["after"] == REDACTED


def test_an_echo_inside_a_longer_literal_is_redacted_a_short_one_only_whole() -> None:
    rc = {
        "address": "aws_x.a",
        "change": {
            "actions": ["create"],
            "after": {"token": "longsecret-0123", "pin": "42ab"},
            "after_sensitive": {"token": True, "pin": True},
        },
    }
    configuration = {
        "root_module": {
            "module_calls": {
                "m": {
                    "expressions": {
                        "url": {"constant_value": "https://user:longsecret-0123@example.com"},
                        "pin": {"constant_value": "42ab"},
                        "label": {"constant_value": "x42abx"},
                    },
                    "module": {},
                }
            }
        }
    }
    out = redact_document(minimal(resource_changes=[rc], configuration=configuration))
    expressions = out["configuration"]["root_module"]["module_calls"]["m"]["expressions"]
    assert expressions["url"] == {"constant_value": REDACTED}
    assert expressions["pin"] == {"constant_value": REDACTED}
    assert expressions["label"] == {"constant_value": "x42abx"}


def test_legacy_values_without_any_mask_are_searched_for_echoes() -> None:
    """A 0.14-era data source in prior_state: no `sensitive_values`, no resource change."""
    rc = {
        "address": "aws_x.a",
        "change": {"actions": ["create"], "after": {"p": "s3cret-value"}, "after_sensitive": {"p": True}},
    }
    prior = {
        "values": {
            "root_module": {
                "resources": [{"address": "data.aws_y.b", "values": {"copy": "s3cret-value", "other": "ok"}}]
            }
        }
    }
    out = redact_document(minimal(format_version="0.1", resource_changes=[rc], prior_state=prior))
    values = out["prior_state"]["values"]["root_module"]["resources"][0]["values"]
    assert values == {"copy": REDACTED, "other": "ok"}


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)
SCHEMA_KEYS = st.sampled_from(
    [
        "variables", "configuration", "resource_changes", "resource_drift", "deferred_changes",
        "output_changes", "planned_values", "prior_state", "checks", "root_module", "resources",
        "module_calls", "module", "expressions", "provider_config", "change", "before", "after",
        "after_sensitive", "before_sensitive", "sensitive_values", "values", "outputs", "sensitive",
        "address", "constant_value", "default", "child_modules",
    ]
)  # fmt: skip
SHAPED = st.recursive(
    st.none() | st.booleans() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(SCHEMA_KEYS, inner, max_size=5),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(doc=st.dictionaries(SCHEMA_KEYS, SHAPED | JSON, max_size=6))
def test_any_shape_is_walked_without_an_error(doc: dict[str, Any]) -> None:
    before = copy.deepcopy(doc)
    out = redact_document(doc)
    assert isinstance(out, dict) and doc == before
    assert redact_document(out) is out


def test_a_variable_repeating_a_secret_without_being_declared_sensitive_is_redacted() -> None:
    configuration = {"root_module": {"variables": {"pw": {"sensitive": True}, "pw_copy": {}, "n": {}}}}
    variables = {
        "pw": {"value": "hunter2-hunter2"},
        "pw_copy": {"value": "hunter2-hunter2"},
        "n": {"value": "x"},
    }
    out = redact_document(minimal(configuration=configuration, variables=variables))
    assert out["variables"] == {
        "pw": {"value": REDACTED},
        "pw_copy": {"value": REDACTED},
        "n": {"value": "x"},
    }
