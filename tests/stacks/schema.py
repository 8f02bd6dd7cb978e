"""GitLab's CI JSON schema, as vendored by check-jsonschema, over generated pipelines."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml


def check_gitlab_ci(*paths: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or "check-jsonschema"
    return subprocess.run(
        [exe, "--builtin-schema", "vendor.gitlab-ci", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )


def jobs(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    reserved = {"stages", "variables", "workflow", "default", "include", "image", "services", "cache"}
    return {k: v for k, v in doc.items() if k not in reserved and not k.startswith(".")}


def load(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(path.read_text())
    return doc
