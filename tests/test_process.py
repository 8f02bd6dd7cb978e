"""`tfoidc.process`: every child tfoidc starts is drained through its filter, stopped once when tfoidc
is cancelled, dies with tfoidc, and cannot read tfoidc's environment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tfoidc import process
from tfoidc.errors import InputError
from tfoidc.terraform.masking import MASK, Masker

PY = sys.executable


def _run(code: str, **kwargs: object) -> tuple[process.Exit, list[str], list[str]]:
    out: list[str] = []
    err: list[str] = []
    ended = process.run(
        [PY, "-c", textwrap.dedent(code)],
        env=dict(os.environ),
        on_stdout=out.append,
        on_stderr=err.append,
        **kwargs,  # type: ignore[arg-type]
    )
    return ended, out, err


def test_both_streams_are_drained_line_by_line_through_the_filter() -> None:
    secret = "s3cr3t-value-Hk29"
    ended, out, err = _run(
        f"""
        import sys
        print("one {secret} two")
        print("to stderr {secret}", file=sys.stderr)
        sys.stdout.write("no newline at the end")
        sys.exit(3)
        """,
        line_filter=Masker([secret]).stream,
    )
    assert ended == process.Exit(3) and ended.shell_code == 3
    assert out == [f"one {MASK} two", "no newline at the end"]
    assert err == [f"to stderr {MASK}"]


def test_a_child_killed_by_a_signal_reports_it_as_a_shell_would() -> None:
    ended, _, _ = _run("import os, signal; os.kill(os.getpid(), signal.SIGKILL)")
    assert ended.signal == signal.SIGKILL
    assert ended.shell_code == 128 + signal.SIGKILL
    assert ended.describe() == "killed by SIGKILL"


def test_a_huge_line_without_newline_is_passed_on_in_pieces() -> None:
    ended, out, _ = _run(f"import sys; sys.stdout.write('x' * {process.MAX_LINE * 2 + 5})")
    assert ended.returncode == 0
    assert [len(line) for line in out] == [process.MAX_LINE, process.MAX_LINE, 5]


def test_a_missing_command_is_an_input_error() -> None:
    with pytest.raises(InputError, match="command not found: no-such-program-tfoidc"):
        process.run(["no-such-program-tfoidc"], env=dict(os.environ), on_stdout=print)


def test_private_files_makes_what_the_child_writes_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = tmp_path / "written"
        process.run(
            [PY, "-c", f"open({str(target)!r}, 'w').write('x')"],
            env=dict(os.environ),
            on_stdout=print,
            private_files=True,
        )
        other = tmp_path / "other"
        process.run(
            [PY, "-c", f"open({str(other)!r}, 'w').write('x')"], env=dict(os.environ), on_stdout=print
        )
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o600
    assert other.stat().st_mode & 0o777 == 0o644  # only when asked: the umask is the parent's again


def test_a_held_line_is_let_go_when_the_stream_goes_quiet() -> None:
    """A line that ends like the start of a secret waits for the next one, but not forever: a command
    that prints a prompt and waits must not look hung."""
    secret = "SECRET-sentinel-abcdefghijklmnop"
    started = time.monotonic()
    seen: list[tuple[float, str]] = []
    process.run(
        [PY, "-c", "import time; print('waiting for SECR', flush=True); time.sleep(2); print('done')"],
        env=dict(os.environ),
        on_stdout=lambda line: seen.append((time.monotonic() - started, line)),
        line_filter=Masker([secret]).stream,
    )
    assert [line for _, line in seen] == ["waiting for SECR", "done"]
    assert seen[0][0] < 1.5  # released after the quiet period, not with the next line at 2 s


# --- as tfoidc runs it: a process of its own -----------------------------------------------------------

SUPERVISOR = """
import os, sys
from tfoidc import process
from tfoidc.errors import Cancelled

with process.cancellable():
    try:
        ended = process.run(sys.argv[1:], env=dict(os.environ), on_stdout=print, stop_signal={stop})
    except Cancelled as exc:
        print("cancelled:", exc.one_line(), flush=True)
        sys.exit(exc.exit_code)
print("ended", ended.returncode)
"""

# Counts the signals it receives, then exits 42 a moment after the first.
COUNTER = """
import signal, sys, time
got = []
for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(s, lambda n, f: got.append(n))
print("ready", flush=True)
while not got:
    time.sleep(0.05)
time.sleep(1.5)
print("child got", [signal.Signals(n).name for n in got], flush=True)
sys.exit(42)
"""


def _supervise(stop: str = "None") -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [PY, "-c", SUPERVISOR.format(stop=stop), PY, "-c", COUNTER],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "ready\n"
    return child


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_stop_signal_reaches_the_child_once_then_tfoidc_exits_128_plus_n(signum: signal.Signals) -> None:
    supervisor = _supervise()
    for _ in range(3):  # GitLab, an impatient user, a terminal closing: the child still gets one
        supervisor.send_signal(signum)
        time.sleep(0.2)
    out, _ = supervisor.communicate(timeout=30)
    child_line, cancelled = out.splitlines()
    assert child_line == f"child got ['{signum.name}']"
    assert cancelled.startswith(f"cancelled: cancelled by {signum.name}: python")
    assert cancelled.endswith(" stopped (exit 42)")
    assert supervisor.returncode == 128 + signum


def test_the_caller_chooses_the_signal_that_stops_the_child_gracefully() -> None:
    supervisor = _supervise(stop="2")  # SIGINT, as Terraform wants it, whatever tfoidc received
    supervisor.send_signal(signal.SIGHUP)
    out, _ = supervisor.communicate(timeout=30)
    assert out.splitlines()[0] == "child got ['SIGINT']"
    assert supervisor.returncode == 128 + signal.SIGHUP


def test_the_child_dies_with_tfoidc(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    child_code = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); print('ready', flush=True); time.sleep(120)"
    supervisor = subprocess.Popen(
        [PY, "-c", SUPERVISOR.format(stop="None"), PY, "-c", child_code], stdout=subprocess.PIPE, text=True
    )
    assert supervisor.stdout is not None
    assert supervisor.stdout.readline() == "ready\n"
    grandchild = int(pid_file.read_text())
    supervisor.kill()  # SIGKILL: tfoidc cannot clean up, the kernel must
    supervisor.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(grandchild):
        time.sleep(0.1)
    assert not _alive(grandchild)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


READ_PARENT = """
import os, sys
try:
    data = open(f"/proc/{os.getppid()}/environ", "rb").read()
    print("read", len(data))
    sys.stdout.buffer.write(data)
except PermissionError:
    print("denied")
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and prctl are Linux's")
def test_a_child_cannot_read_tfoidcs_environment_even_as_root(tmp_path: Path) -> None:
    """The ID token stays in tfoidc's environment after tfoidc drops it from the child's: the child must
    not read it from /proc/<tfoidc>/environ (this test runs as whoever runs the suite, root included)."""
    record = tmp_path / "record"
    code = f"""
import os, sys
from tfoidc import process
process.run([sys.executable, "-c", {READ_PARENT!r}], env={{"PATH": os.environ["PATH"]}},
            on_stdout=lambda line: open({str(record)!r}, "a").write(line + "\\n"))
"""
    env = {**os.environ, "PLANTED_TOKEN": "planted-token-Xq9-" + "z" * 20}
    done = subprocess.run([PY, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    text = record.read_text()
    assert "planted-token-Xq9-" not in text
    assert text == "denied\n"
