"""Writing output files atomically: readers never see half a file, a failure leaves nothing behind.

A path that already exists is written only if it is a regular file: a symlink is followed to its
target, which is replaced (the link stays); a directory, device, FIFO or socket is refused with
exit 2, since replacing it with a regular file (or writing into it) is never what was meant.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from tfoidc.errors import InputError, OperationalError, TfoidcError


def write_atomic(
    path: Path,
    data: bytes | str,
    *,
    mode: int | None = None,
    error: type[TfoidcError] = OperationalError,
) -> Path:
    """Write `data` through a temporary file in the same folder and os.replace; `mode` (e.g. 0o600)
    is set before the file appears under its name. An OSError becomes one `error` line; a path
    that is not a regular file (after following symlinks) is one `InputError` line (exit 2)."""
    payload = data.encode() if isinstance(data, str) else data
    target = writable_target(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
            if mode is not None:
                os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise error(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def writable_target(path: Path) -> Path:
    """The file that writing `path` replaces: `path` itself, or the end of its symlink chain.
    Refuses (exit 2) anything that is not a regular file or absent."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return path
    except OSError as exc:  # e.g. a path through a regular file ("Not a directory")
        raise OperationalError(f"cannot write {path}: {exc.strerror or exc}") from None
    target = path
    if stat.S_ISLNK(info.st_mode):
        target = Path(os.path.realpath(path))
        if os.path.islink(target):
            raise InputError(f"cannot write {path}: a symlink loop")
        try:
            info = os.stat(target)
        except FileNotFoundError:
            return target  # a dangling link: the file it names is created
        except OSError as exc:
            raise OperationalError(f"cannot write {path}: {exc.strerror or exc}") from None
    if stat.S_ISREG(info.st_mode):
        return target
    kind = (
        "a directory"
        if stat.S_ISDIR(info.st_mode)
        else "a FIFO"
        if stat.S_ISFIFO(info.st_mode)
        else "a device"
        if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
        else "a socket"
        if stat.S_ISSOCK(info.st_mode)
        else "a special file"
    )
    shown = path if target == path else f"{path} (-> {target})"
    raise InputError(f"cannot write {shown}: it is {kind}, not a regular file; name a file to write")
