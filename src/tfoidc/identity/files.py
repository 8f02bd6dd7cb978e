"""Writing credential-bearing files: atomically, readable by the owner only."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tfoidc.errors import InputError


def write_private(path: Path, data: bytes | str) -> None:
    """Write `data` to `path` with mode 0600 via a temp file and os.replace (no partial file on failure)."""
    payload = data.encode() if isinstance(data, str) else data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
