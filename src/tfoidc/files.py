"""Writing output files atomically: readers never see half a file, a failure leaves nothing behind."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from tfoidc.errors import OperationalError, TfoidcError


def write_atomic(
    path: Path,
    data: bytes | str,
    *,
    mode: int | None = None,
    error: type[TfoidcError] = OperationalError,
) -> Path:
    """Write `data` through a temporary file in the same folder and os.replace; `mode` (e.g. 0o600)
    is set before the file appears under its name. An OSError becomes one `error` line."""
    payload = data.encode() if isinstance(data, str) else data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
            if mode is not None:
                os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise error(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def safe_filename(name: str) -> str:
    """`name` as one file or folder name: anything but letters, digits, `.`, `_` and `-` becomes `_`."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")
    return cleaned or "default"
