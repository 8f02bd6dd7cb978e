"""Malformed, truncated and mistyped plans: the parser and `tfoidc analyze` end as success (or a
guardrail block, exit 3) or as one `tfoidc: error:` line with exit 2 - never a traceback, never an
internal error.

Property-based (hypothesis) over real fixture plans: truncated bytes, random JSON, and a value of
the wrong type (or a deleted key) at any path of a real document; plus an exhaustive sweep that puts
wrong-typed values at every path of a few small real plans.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import PLANS, all_fixture_plans, need_shared
from tfoidc.analysis.contract import analysis_to_dict
from tfoidc.analysis.model import Analysis
from tfoidc.analysis.run import analyze
from tfoidc.cli.main import main
from tfoidc.config import Config
from tfoidc.cost.catalog import Catalog, load_catalog
from tfoidc.errors import ExitCode, InputError
from tfoidc.plan.model import Plan
from tfoidc.plan.parse import parse_plan

FIXTURES = all_fixture_plans()
# Small real plans covering 0.1/0.2/1.x, modules, count/for_each, sensitive values, data sources,
# outputs, prior state and drift: every path in them gets wrong-typed values.
SWEPT = [
    "infracost/instance_with_attachment_before_deploy.json",
    "terraform-json/110_sensitive_values.json",
    "regula/resource_view_modules_tf1_0.json",
    "checkov/iam_policy_document_data_block.json",
    "opentofu/equivalence_drift_relevant_attributes.json",
]

JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
# One value of each JSON type, for the sweep.
WRONG: dict[str, Any] = {"null": None, "bool": True, "int": 7, "str": "x", "list": [1], "object": {"k": 1}}


@cache
def catalog() -> Catalog:
    return load_catalog()


@cache
def fixture_bytes(path: Path) -> bytes:
    return path.read_bytes()


def assert_one_input_error(exc: InputError) -> None:
    assert exc.exit_code == ExitCode.USAGE
    line = exc.one_line()
    assert line and "\n" not in line


def analyse(data: bytes) -> Analysis | InputError:
    """What `tfoidc analyze` does with the bytes, in process: an Analysis or one InputError."""
    try:
        plan = parse_plan(data, source="plan.json")
        assert isinstance(plan, Plan)
        result = analyze(plan, Config(), catalog=catalog())
    except InputError as exc:
        assert_one_input_error(exc)
        return exc
    # The JSON contract must serialise whatever the model let through.
    orjson.dumps(analysis_to_dict(result))
    return result


def run_cli(data: bytes, fmt: str) -> tuple[int, str, bytes | None]:
    """`tfoidc analyze FILE --format FMT -o OUT` in process: (exit code, stderr, output bytes)."""
    with tempfile.TemporaryDirectory() as tmp:
        plan_file, out = Path(tmp) / "plan.json", Path(tmp) / "out"
        plan_file.write_bytes(data)
        err = io.StringIO()
        with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exited:
            main(["analyze", str(plan_file), "--format", fmt, "--output", str(out)])
        code = exited.value.code
        assert isinstance(code, int)
        return code, err.getvalue(), out.read_bytes() if out.exists() else None


def assert_success_or_one_line(code: int, stderr: str, output: bytes | None) -> None:
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    if code == 0:
        assert output is not None
        assert stderr == ""
    elif code == ExitCode.POLICY:  # the plan parsed and a guardrail blocks: the report is written
        assert output is not None
        assert stderr.startswith("tfoidc: error: ") and stderr.count("\n") == 1, stderr
    else:
        assert code == ExitCode.USAGE, stderr
        assert stderr.startswith("tfoidc: error: ") and stderr.count("\n") == 1, stderr
        assert output is None  # no partial write


def paths(value: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from paths(child, (*prefix, index))


def replaced(doc: Any, path: tuple[str | int, ...], value: Any) -> Any:
    """A copy of `doc` with the value at `path` replaced (the rest shared)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(doc, dict):
        return {**doc, head: replaced(doc[head], rest, value)}
    copy = list(doc)
    copy[head] = replaced(doc[head], rest, value)  # type: ignore[index]
    return copy


def deleted(doc: Any, path: tuple[str | int, ...]) -> Any:
    head, rest = path[0], path[1:]
    if rest:
        return replaced(doc, (head,), deleted(doc[head], rest))
    if isinstance(doc, dict):
        return {k: v for k, v in doc.items() if k != head}
    return [v for i, v in enumerate(doc) if i != head]


def type_name(value: Any) -> str:
    for name, example in WRONG.items():
        if type(value) is type(example) or (name == "null" and value is None):
            return name
    return "float" if isinstance(value, float) else "other"


# --- properties ---------------------------------------------------------------------------------

fixture_paths = st.sampled_from(FIXTURES) if FIXTURES else st.nothing()


@settings(max_examples=150, deadline=None)
@given(path=fixture_paths, cut=st.floats(min_value=0.0, max_value=1.0, exclude_max=True))
def test_truncated_real_plans_are_one_input_error(path: Path, cut: float) -> None:
    document = fixture_bytes(path).rstrip()  # cut inside the JSON, not in trailing whitespace
    truncated = document[: int(len(document) * cut)]
    result = analyse(truncated)
    assert isinstance(result, InputError)


@settings(max_examples=150, deadline=None)
@given(value=JSON_VALUES)
def test_random_json_is_success_or_one_input_error(value: Any) -> None:
    analyse(json.dumps(value).encode())


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=64))
def test_random_bytes_are_success_or_one_input_error(data: bytes) -> None:
    analyse(data)


@st.composite
def mutated_fixture(draw: st.DrawFn) -> bytes:
    path = draw(fixture_paths)
    data = fixture_bytes(path)
    text = data.decode("utf-16") if data.startswith(b"\xff\xfe") else data.decode("utf-8")
    doc = orjson.loads(text)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        all_paths = list(paths(doc))
        where: tuple[str | int, ...] = draw(st.sampled_from(all_paths))
        delete: bool = draw(st.booleans())
        doc = deleted(doc, where) if where and delete else replaced(doc, where, draw(JSON_VALUES))
    return json.dumps(doc).encode()


@settings(max_examples=300, deadline=None)
@given(data=mutated_fixture())
def test_real_plans_with_wrong_values_anywhere_are_success_or_one_input_error(data: bytes) -> None:
    analyse(data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=mutated_fixture() | st.builds(lambda v: json.dumps(v).encode(), JSON_VALUES),
    fmt=st.sampled_from(["json", "md", "html"]),
)
def test_cli_on_mutated_plans_exits_0_or_2_with_one_line(data: bytes, fmt: str) -> None:
    assert_success_or_one_line(*run_cli(data, fmt))


@pytest.mark.parametrize("name", SWEPT)
def test_wrong_type_at_every_path_of_a_real_plan(name: str) -> None:
    doc = orjson.loads(need_shared(PLANS / name).read_bytes())
    refused = accepted = 0
    for where in paths(doc):
        original = type_name(_at(doc, where))
        for kind, value in WRONG.items():
            if kind == original:
                continue
            result = analyse(orjson.dumps(replaced(doc, where, value)))
            if isinstance(result, InputError):
                refused += 1
            else:
                accepted += 1
    # Both outcomes occur: structural fields are refused, values Terraform leaves free are kept.
    assert refused and accepted


def _at(doc: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        doc = doc[step]
    return doc


# --- the CLI, as a user runs it -----------------------------------------------------------------


def run_tfoidc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tfoidc", *args], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"<html>not json</html>", "not valid JSON"),
        (
            orjson.dumps(
                {"version": 4, "terraform_version": "1.5.0", "serial": 9, "lineage": "l", "resources": []}
            ),
            "is a Terraform state file",
        ),
        (
            orjson.dumps(
                {"format_version": "1.0", "terraform_version": "1.5.0", "values": {"root_module": {}}}
            ),
            "state, not of a plan",
        ),
        (
            orjson.dumps({"format_version": "2.0", "resource_changes": []}),
            "format_version 2.0 is not supported",
        ),
    ],
    ids=["not-json", "tfstate", "state-show-json", "future-format-version"],
)
def test_cli_refuses_non_plans_in_one_line_exit_2(tmp_path: Path, content: bytes, expected: str) -> None:
    plan_file = tmp_path / "input.json"
    plan_file.write_bytes(content)
    out = tmp_path / "analysis.json"
    result = run_tfoidc("analyze", str(plan_file), "--format", "json", "--output", str(out))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("tfoidc: error: ") and result.stderr.count("\n") == 1
    assert expected in result.stderr and "input.json" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_cli_on_a_truncated_real_plan_is_one_line_exit_2(tmp_path: Path) -> None:
    data = need_shared(PLANS / "terraform-compliance/issue_249_alb_ecs_modules_update.json").read_bytes()
    plan_file = tmp_path / "plan.json"
    plan_file.write_bytes(data[: len(data) // 2])
    result = run_tfoidc("analyze", str(plan_file))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_mistyped_configuration_is_refused_naming_the_path() -> None:
    doc = orjson.loads(need_shared(PLANS / "regula/resource_view_modules_tf1_0.json").read_bytes())
    calls = doc["configuration"]["root_module"]["module_calls"]
    calls["child1"]["module"]["resources"][0]["expressions"] = ["not", "a", "map"]
    result = analyse(orjson.dumps(doc))
    assert isinstance(result, InputError)
    assert "configuration.root_module.module_calls.child1.module.resources[0].expressions" in result.message


def test_a_constant_map_with_a_references_key_is_a_value_not_an_expression() -> None:
    doc = orjson.loads(
        need_shared(PLANS / "infracost/instance_with_attachment_before_deploy.json").read_bytes()
    )
    resource = doc["configuration"]["root_module"]["resources"][0]
    resource["expressions"]["tags"] = {"constant_value": {"references": "aws_instance.ec2"}}
    result = analyse(orjson.dumps(doc))
    assert isinstance(result, Analysis)
    assert not result.graph.graph.has_edge("aws_default_subnet.default", "aws_instance.ec2")


def _module_called_twice(second_references: Any) -> dict[str, Any]:
    module: dict[str, Any] = {
        "resources": [
            {"address": "null_resource.x", "expressions": {"triggers": {"references": ["var.name"]}}}
        ],
        "variables": {"name": {}},
    }
    other = json.loads(json.dumps(module))
    other["resources"][0]["expressions"]["triggers"]["references"] = second_references
    return {
        "format_version": "1.2",
        "configuration": {
            "root_module": {
                "module_calls": {
                    "a": {"source": "./m", "module": module},
                    "b": {"source": "./m", "module": other},
                }
            }
        },
    }


def test_a_module_called_twice_is_checked_by_content_each_copy_that_differs_is_checked() -> None:
    # The same content twice is checked once; a copy that differs in one place is checked itself.
    assert parse_plan(orjson.dumps(_module_called_twice(["var.name"]))).configuration is not None
    with pytest.raises(InputError) as caught:
        parse_plan(orjson.dumps(_module_called_twice([3])), source="p.json")
    assert caught.value.message == (
        "p.json: plan configuration.root_module.module_calls.b.module.resources[0].expressions.triggers"
        ".references is not a list of strings"
    )
