"""The masking filter, the manifest checks and the runner's error block, without running Terraform."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tfoidc.errors import PolicyBlocked
from tfoidc.terraform.manifest import (
    PlanManifest,
    read_manifest,
    sha256_file,
    verify_manifest,
    verify_state_unchanged,
    write_manifest,
)
from tfoidc.terraform.masking import MASK, Masker
from tfoidc.terraform.runner import error_block

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwcm9qZWN0X3BhdGgifQ.c2lnbmF0dXJl"


def test_masker_hides_listed_values_and_secret_shapes() -> None:
    masker = Masker(["hunter2-long", "abc"])
    line = f"token={JWT} key=ASIAABCDEFGHIJKLMNOP pw=hunter2-long short=abc"
    masked = masker.mask(line)
    assert JWT not in masked and "ASIAABCDEFGHIJKLMNOP" not in masked and "hunter2-long" not in masked
    assert masked.count(MASK) == 3
    assert "short=abc" in masked  # too short to mask without masking ordinary words


def test_masker_prefers_the_longest_overlapping_secret() -> None:
    assert Masker(["secret", "secret-and-more"]).mask("x secret-and-more y") == f"x {MASK} y"


def test_mask_document_keeps_json_valid_whatever_the_secret_contains() -> None:
    secret = 'we"ird, \\ secret'
    doc = {"a": [secret, {"k": f"pre {secret} post"}], secret: 1, "n": 3}
    masked = Masker([secret]).mask_document(doc)
    assert masked == {"a": [MASK, {"k": f"pre {MASK} post"}], MASK: 1, "n": 3}
    assert json.loads(json.dumps(masked)) == masked


def _manifest(plan: Path, **changes: object) -> PlanManifest:
    base = PlanManifest(
        environment="prod", plan_sha256=sha256_file(plan), terraform_version="1.0.3", root="envs/prod",
        commit_sha="a" * 40, pipeline_id="1", job_id="2",
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def _verify(manifest: PlanManifest, plan: Path) -> None:
    verify_manifest(
        manifest, plan_file=plan, environment="prod", root="envs/prod", commit_sha="a" * 40,
        terraform_version="1.0.3",
    )  # fmt: skip


def test_manifest_round_trip_verifies(tmp_path: Path) -> None:
    plan = tmp_path / "tfplan"
    plan.write_bytes(b"plan bytes")
    write_manifest(tmp_path / "manifest.json", _manifest(plan))
    _verify(read_manifest(tmp_path / "manifest.json"), plan)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"plan_sha256": "0" * 64}, "tampered"),
        ({"commit_sha": "b" * 40}, "commit"),
        ({"root": "envs/dev"}, "Terraform root"),
        ({"environment": "dev"}, "environment"),
        ({"terraform_version": "1.9.0"}, "Terraform version"),
        ({"blocking_findings": ["R on x"]}, "blocking guardrail"),
    ],
)
def test_manifest_mismatches_are_refused(tmp_path: Path, changes: dict[str, object], message: str) -> None:
    plan = tmp_path / "tfplan"
    plan.write_bytes(b"plan bytes")
    with pytest.raises(PolicyBlocked, match=message):
        _verify(_manifest(plan, **changes), plan)


@pytest.mark.parametrize("content", [b"{", b"[]", b'{"version": 1}', b'{"version": 2}'])
def test_unreadable_manifests_block(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "manifest.json"
    path.write_bytes(content)
    with pytest.raises(PolicyBlocked):
        read_manifest(path)


def test_state_check() -> None:
    m = PlanManifest("e", "x", "1.0.3", "r", None, None, None, state_lineage="L", state_serial=4)
    verify_state_unchanged(m, lineage="L", serial=4)
    for lineage, serial in (("L", 5), ("M", 4), (None, None)):
        with pytest.raises(PolicyBlocked, match="stale plan: the state changed since this plan was made"):
            verify_state_unchanged(m, lineage=lineage, serial=serial)


def test_error_block_starts_at_terraform_error() -> None:
    lines = ["Initializing...", "╷", "│ Error: Error acquiring the state lock", "│ ", "│ Lock Info:", "╵"]
    assert error_block(lines)[:3] == ["Error: Error acquiring the state lock", "", "Lock Info:"]
    assert error_block(["all good"]) == []
