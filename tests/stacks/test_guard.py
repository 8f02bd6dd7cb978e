"""The order guard of `tfoidc apply`: a stack waits for its dependency's planned changes, and a plan made
before those changes were applied is refused; stacks without planned dependencies are left alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tfoidc.errors import ExitCode, PolicyBlocked
from tfoidc.stacks.guard import (
    check_apply_order,
    dependency_states,
    plans_root,
    record_applied,
    write_stack_record,
)

COMMIT = "c" * 40


def plan(root: Path, name: str, *, changes: bool, sha: str, commit: str = COMMIT) -> Path:
    out = root / name
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").write_text(
        json.dumps({"plan_sha256": sha, "has_changes": changes, "commit_sha": commit})
    )
    return out


def record(root: Path, name: str, deps: list[str]) -> None:
    write_stack_record(root / name, {"name": name, "dependencies": dependency_states(root, deps, COMMIT)})


def test_plans_root_is_found_only_for_the_conventional_layout(tmp_path: Path) -> None:
    assert plans_root(tmp_path / "tfoidc-out" / "live" / "app", "live/app") == tmp_path / "tfoidc-out"
    assert plans_root(tmp_path / "elsewhere", "live/app") is None


def test_dependent_waits_then_must_be_planned_again_then_applies(tmp_path: Path) -> None:
    net = plan(tmp_path, "live/net", changes=True, sha="n1")
    app = plan(tmp_path, "live/app", changes=True, sha="a1")
    record(tmp_path, "live/app", ["live/net"])
    with pytest.raises(PolicyBlocked) as err:
        check_apply_order("live/app", app, ["live/net"], COMMIT)
    assert "apply live/net first" in err.value.message and err.value.exit_code == ExitCode.POLICY
    record_applied(net)
    with pytest.raises(
        PolicyBlocked, match="plan live/app again: it was planned before the changes of live/net"
    ):
        check_apply_order("live/app", app, ["live/net"], COMMIT)
    plan(tmp_path, "live/app", changes=True, sha="a2")
    record(tmp_path, "live/app", ["live/net"])  # planned after net's apply
    check_apply_order("live/app", app, ["live/net"], COMMIT)


def test_dependencies_without_changes_or_of_another_commit_do_not_hold_anything(tmp_path: Path) -> None:
    plan(tmp_path, "live/net", changes=False, sha="n1")
    plan(tmp_path, "live/db", changes=True, sha="d1", commit="d" * 40)
    app = plan(tmp_path, "live/app", changes=True, sha="a1")
    check_apply_order("live/app", app, ["live/net", "live/db", "live/not-planned"], COMMIT)
