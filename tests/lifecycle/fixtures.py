from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lifecycle.harness import StsRecorder, Workspace, copy_sandbox_root
from tfoidc.sandbox import Sandbox
from tfoidc.terraform.providers import build_null_provider_mirror


@pytest.fixture(scope="session")
def sts_recorder(sandbox: Sandbox) -> Iterator[StsRecorder]:
    recorder = StsRecorder(sandbox.moto_endpoint)
    yield recorder
    recorder.stop()


@pytest.fixture(scope="session")
def null_mirror(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_null_provider_mirror(tmp_path_factory.mktemp("providers"))


@pytest.fixture
def workspace(
    tmp_path: Path,
    sandbox: Sandbox,
    sts_recorder: StsRecorder,
    null_mirror: Path,
) -> Workspace:
    """A sandbox Terraform root with its own state; environment `sandbox` applies from protected main."""
    copy_sandbox_root(tmp_path / "root")
    sts_recorder.clear()
    ws = Workspace(path=tmp_path, sandbox=sandbox, sts=sts_recorder, mirror=null_mirror)
    ws.add_environment("sandbox", apply_refs=["main"], require_protected_ref=True)
    return ws
