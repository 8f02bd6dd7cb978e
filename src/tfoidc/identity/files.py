"""Writing credential-bearing files: atomically, readable by the owner only."""

from __future__ import annotations

from pathlib import Path

from tfoidc.errors import InputError
from tfoidc.files import write_atomic


def write_private(path: Path, data: bytes | str) -> None:
    """Write `data` to `path` with mode 0600 (no partial file on failure); the path is the user's choice,
    so a failure is an input error."""
    write_atomic(path, data, mode=0o600, error=InputError)
