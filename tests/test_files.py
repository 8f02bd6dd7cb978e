"""`write_atomic`, which every file tfoidc writes goes through: whole files or nothing, and never onto
something that is not a regular file."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from tfoidc.errors import ExitCode, InputError, OperationalError
from tfoidc.files import write_atomic


def test_writes_a_new_file_and_its_folders(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "report.md"
    assert write_atomic(target, "text") == target
    assert target.read_text() == "text"


def test_a_symlink_is_written_through_to_its_target(tmp_path: Path) -> None:
    real = tmp_path / "real" / "report.md"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"
    assert sorted(p.name for p in real.parent.iterdir()) == ["report.md"]  # no temporary file left


def test_a_dangling_symlink_creates_the_file_it_names(tmp_path: Path) -> None:
    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "made.md")
    write_atomic(link, "x")
    assert link.is_symlink() and (tmp_path / "made.md").read_text() == "x"


def test_a_chain_of_symlinks_is_followed_and_a_loop_refused(tmp_path: Path) -> None:
    (tmp_path / "end.md").write_text("")
    (tmp_path / "mid.md").symlink_to(tmp_path / "end.md")
    (tmp_path / "start.md").symlink_to(tmp_path / "mid.md")
    write_atomic(tmp_path / "start.md", "x")
    assert (tmp_path / "end.md").read_text() == "x"
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    with pytest.raises(InputError):
        write_atomic(tmp_path / "loop1", "x")


@pytest.mark.parametrize("kind", ["fifo", "device", "directory", "socket", "symlink to a fifo"])
def test_anything_but_a_regular_file_is_refused_with_exit_2(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "out"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path = Path("/dev/null")
    elif kind == "directory":
        path.mkdir()
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        server.close()
    else:
        os.mkfifo(tmp_path / "fifo")
        path.symlink_to(tmp_path / "fifo")
    before = sorted(tmp_path.iterdir())
    with pytest.raises(InputError) as caught:
        write_atomic(path, "x")  # a FIFO would block forever if it were opened
    assert caught.value.exit_code == ExitCode.USAGE
    assert "not a regular file" in caught.value.one_line() and str(path) in caught.value.one_line()
    assert sorted(tmp_path.iterdir()) == before
    if kind == "device":
        assert path.is_char_device()


def test_an_unwritable_folder_is_one_operational_line(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        blocker = tmp_path / "file"
        blocker.write_text("")
        target = blocker / "report.md"  # a folder that cannot exist: root ignores permissions
    else:
        folder = tmp_path / "ro"
        folder.mkdir(mode=0o500)
        target = folder / "report.md"
    with pytest.raises(OperationalError) as caught:
        write_atomic(target, "x")
    assert caught.value.one_line().startswith(f"cannot write {target}: ")
