"""The parser: every plan format a user meets, and one clear InputError for everything else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from tfoidc.errors import ExitCode, InputError
from tfoidc.plan.model import Action
from tfoidc.plan.parse import load_plan, parse_plan


def plan_doc(**extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"format_version": "1.2", "terraform_version": "1.9.0", "resource_changes": []}
    doc.update(extra)
    return doc


def change(address: str, actions: list[str], **extra: Any) -> dict[str, Any]:
    rtype, name = address.split(".")[-2:]
    rc: dict[str, Any] = {
        "address": address,
        "mode": "managed",
        "type": rtype,
        "name": name.split("[")[0],
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {"actions": actions, "before": None, "after": {"id": "x"}, "after_unknown": {}},
    }
    rc.update(extra)
    return rc


def parse(doc: Any) -> Any:
    return parse_plan(orjson.dumps(doc), source="plan.json")


def input_error(data: bytes) -> str:
    with pytest.raises(InputError) as caught:
        parse_plan(data, source="plan.json")
    assert caught.value.exit_code == ExitCode.USAGE
    line = caught.value.one_line()
    assert "\n" not in line
    return line


@pytest.mark.parametrize("version", ["0.1", "0.2", "1.0", "1.1", "1.2", "1.9"])
def test_supported_format_versions_parse(version: str) -> None:
    plan = parse(plan_doc(format_version=version, resource_changes=[change("aws_vpc.a", ["create"])]))
    assert plan.format_version == version
    assert plan.resource_changes[0].action is Action.CREATE


@pytest.mark.parametrize("version", ["2.0", "10.1"])
def test_future_major_format_version_is_refused_naming_it(version: str) -> None:
    line = input_error(orjson.dumps(plan_doc(format_version=version)))
    assert f"format_version {version}" in line and "not supported" in line


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty file"),
        (b"   \n", "empty file"),
        (b"not json at all", "not valid JSON"),
        (b'{"format_version": "1.2", "resource_changes": [', "not valid JSON"),
        (b"[1, 2, 3]", "not a Terraform plan"),
        (b'{"resource_changes": []}', "no format_version"),
        (b'{"format_version": {"x": 1}}', "unrecognised plan format_version"),
        (b'{"format_version": "1.2", "resource_changes": {"a": 1}}', "resource_changes is not a list"),
        (b'{"format_version": "1.2", "resource_changes": [7]}', "resource_changes[0] is not an object"),
        (b'{"format_version": "1.2", "resource_changes": [{}]}', "resource_changes[0] has no address"),
        (b"\xff\xfe{\x00", "not valid JSON"),
    ],
)
def test_bad_input_gives_one_line_naming_the_problem(data: bytes, expected: str) -> None:
    line = input_error(data)
    assert line.startswith("plan.json: ")
    assert expected in line


def test_unknown_action_list_is_refused() -> None:
    line = input_error(orjson.dumps(plan_doc(resource_changes=[change("aws_vpc.a", ["explode"])])))
    assert "unknown action list ['explode']" in line


def test_state_show_json_is_refused_as_a_state() -> None:
    state = {"format_version": "1.0", "terraform_version": "1.5.0", "values": {"root_module": {}}}
    assert "state, not of a plan" in input_error(orjson.dumps(state))


def test_raw_tfstate_is_refused_as_a_state() -> None:
    tfstate = {"version": 4, "terraform_version": "1.5.0", "serial": 3, "lineage": "x", "resources": []}
    assert "state file" in input_error(orjson.dumps(tfstate))


def test_errored_plan_parses_marked_errored_with_a_note() -> None:
    plan = parse(plan_doc(errored=True, resource_changes=None))
    assert plan.errored
    assert any("errored" in n for n in plan.notes)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read plan file"):
        load_plan(tmp_path / "nope.json")


def test_utf16_and_utf8_bom_files_parse(tmp_path: Path) -> None:
    text = orjson.dumps(plan_doc(resource_changes=[change("aws_vpc.a", ["create"])])).decode()
    for name, data in (
        ("le", b"\xff\xfe" + text.encode("utf-16-le")),
        ("u8", b"\xef\xbb\xbf" + text.encode()),
    ):
        path = tmp_path / f"{name}.json"
        path.write_bytes(data)
        assert load_plan(path).resource_changes[0].address == "aws_vpc.a"


def test_replace_in_both_orders_and_raw_actions_kept() -> None:
    plan = parse(
        plan_doc(
            resource_changes=[
                change("aws_instance.a", ["delete", "create"], action_reason="replace_because_cannot_update"),
                change("aws_instance.b", ["create", "delete"]),
            ]
        )
    )
    a, b = plan.resource_changes
    assert (a.action, b.action) == (Action.REPLACE, Action.REPLACE)
    assert a.actions == ("delete", "create") and b.actions == ("create", "delete")
    assert a.action_reason == "replace_because_cannot_update"


def test_deposed_importing_moved_forget_and_replace_paths() -> None:
    current = change("aws_instance.a", ["create"])
    deposed = change("aws_instance.a", ["delete"], deposed="00000001")
    imported = change("aws_s3_bucket.b", ["no-op"])
    imported["change"]["importing"] = {"id": "my-bucket"}
    moved = change("aws_vpc.new", ["no-op"], previous_address="aws_vpc.old")
    forgotten = change("local_file.f", ["forget"])
    replaced = change("aws_db_instance.d", ["delete", "create"])
    replaced["change"]["replace_paths"] = [["engine"], ["tags", "Name"]]
    plan = parse(plan_doc(resource_changes=[current, deposed, imported, moved, forgotten, replaced]))
    rcs = plan.resource_changes

    assert rcs[1].deposed == "00000001" and rcs[1].node_id == "aws_instance.a (deposed 00000001)"
    assert plan.by_address()["aws_instance.a"].deposed is None  # the deposed one never hides the current
    assert rcs[2].importing and rcs[2].import_id == "my-bucket"
    assert rcs[3].previous_address == "aws_vpc.old"
    assert rcs[4].action is Action.FORGET and rcs[4].action.is_change and not rcs[4].action.destroys
    assert rcs[5].replace_paths == (("engine",), ("tags", "Name"))


def test_missing_optional_keys_get_defaults_and_address_is_built() -> None:
    plan = parse(
        plan_doc(
            resource_changes=[
                {"type": "aws_vpc", "name": "main", "index": 0, "module_address": "module.net"},
                {"address": "data.aws_ami.a", "mode": "data", "change": {"actions": ["read"]}},
            ]
        )
    )
    built, data = plan.resource_changes
    assert built.address == "module.net.aws_vpc.main[0]"
    assert built.action is Action.NOOP and built.module_address == "module.net"
    assert data.is_data and data.action is Action.READ and data.after is None


def test_unknown_fields_are_ignored() -> None:
    plan = parse(plan_doc(future_field={"x": 1}, resource_changes=[change("aws_vpc.a", ["create"], new=1)]))
    assert plan.resource_changes[0].address == "aws_vpc.a"


def test_variables_and_output_changes_are_read() -> None:
    plan = parse(
        plan_doc(
            variables={"region": {"value": "eu-west-1"}},
            configuration={"root_module": {"variables": {"region": {"description": "not sensitive"}}}},
            output_changes={"vpc_id": {"actions": ["create"], "before": None, "after": "vpc-1"}},
        )
    )
    assert plan.variables == {"region": "eu-west-1"}
    (out,) = plan.output_changes
    assert (out.name, out.action, out.sensitive, out.after) == ("vpc_id", Action.CREATE, False, "vpc-1")


# Every `change.actions` list the JSON output format documents (Terraform and OpenTofu).
DOCUMENTED_ACTIONS = {
    ("no-op",): Action.NOOP,
    ("create",): Action.CREATE,
    ("read",): Action.READ,
    ("update",): Action.UPDATE,
    ("delete", "create"): Action.REPLACE,
    ("create", "delete"): Action.REPLACE,
    ("delete",): Action.DELETE,
    ("forget",): Action.FORGET,
    ("create", "forget"): Action.REPLACE_FORGET,
}


@pytest.mark.parametrize("actions", sorted(DOCUMENTED_ACTIONS), ids="+".join)
def test_every_documented_action_list_is_accepted(actions: tuple[str, ...]) -> None:
    plan = parse(plan_doc(resource_changes=[change("aws_instance.a", list(actions))]))
    rc = plan.resource_changes[0]
    assert rc.action is DOCUMENTED_ACTIONS[actions] and rc.actions == actions


def test_replace_with_forget_creates_and_destroys_nothing() -> None:
    """["create", "forget"] (lifecycle { destroy = false } on a replacement): a new object, and the
    old one leaves the state but keeps running."""
    plan = parse(plan_doc(resource_changes=[change("aws_instance.a", ["create", "forget"])]))
    action = plan.resource_changes[0].action
    assert action.is_change and not action.destroys
    assert plan.changes() == plan.resource_changes


def test_deferred_changes_make_the_plan_incomplete_and_are_listed() -> None:
    later = change('aws_instance.b["x"]', ["create"])
    plan = parse(
        plan_doc(
            complete=False,
            resource_changes=[change("aws_instance.a", ["create"])],
            deferred_changes=[{"reason": "instance_count_unknown", "resource_change": later}],
        )
    )
    assert plan.incomplete and not plan.complete
    (deferred,) = plan.deferred
    assert (deferred.address, deferred.action, deferred.reason) == (
        'aws_instance.b["x"]',
        Action.CREATE,
        "instance_count_unknown",
    )
    assert [rc.address for rc in plan.resource_changes] == ["aws_instance.a"]  # not part of this plan
    assert any("deferred 1 change" in note for note in plan.notes)


@pytest.mark.parametrize(
    ("extra", "incomplete"),
    [({}, False), ({"complete": True}, False), ({"complete": False}, True), ({"applyable": False}, False)],
)
def test_complete_false_alone_makes_the_plan_incomplete(extra: dict[str, Any], incomplete: bool) -> None:
    assert parse(plan_doc(**extra)).incomplete is incomplete


@pytest.mark.parametrize(
    ("deferred", "fragment"),
    [
        ({"deferred": 1}, "deferred_changes is not a list"),
        ([1], "deferred_changes[0] is not an object"),
        ([{"reason": "x"}], "deferred_changes[0].resource_change is not an object"),
        (
            [{"resource_change": {"address": "a.b", "change": {"actions": ["explode"]}}}],
            "unknown action list",
        ),
    ],
)
def test_malformed_deferred_changes_are_one_input_error(deferred: Any, fragment: str) -> None:
    assert fragment in input_error(orjson.dumps(plan_doc(deferred_changes=deferred)))
