"""Supervising a child process: how it starts, its signals, its output and its exit status.

Every program tfoidc starts (Terraform, the command of `tfoidc exec`, git) starts here, and this module
never knows what the child is: the caller says which signal stops it gracefully, where each line of its
output goes and through which filter (the masking filter) it passes.

What holds by construction:

- Cancellation. Inside `cancellable()` (the CLI wraps every command in it) SIGTERM, SIGINT and SIGHUP
  never kill tfoidc outright. A running child's process group gets one stop signal, once: the child
  runs in a process group of its own, so a terminal's Ctrl-C reaches it only through tfoidc. Its
  output is drained and filtered until it exits, then `Cancelled` is raised so that every `finally` on the way out runs (the state lock, the
  private token folder) and tfoidc exits 128+N. With no child running, `Cancelled` is raised at once;
  `shielded()` defers it over a step that must not be cut in half. Once cancelled, no child starts.
- A child never outlives tfoidc: if tfoidc itself is killed, the kernel kills the child (Linux:
  PR_SET_PDEATHSIG).
- A child cannot read tfoidc's environment (which holds the job's tokens) or memory: tfoidc makes itself
  non-dumpable before any child starts, so /proc/<tfoidc>/environ and ptrace need CAP_SYS_PTRACE
  (or CAP_SYS_ADMIN, or CAP_PERFMON), and those are dropped from every child's bounding set, so a
  child running as root has none of them either (Linux). The job's shell, tfoidc's own parent, still holds the token: see docs/identity.md.
- Every line a child prints passes the caller's filter before it is written anywhere.
"""

from __future__ import annotations

import codecs
import contextlib
import ctypes
import ctypes.util
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from tfoidc.errors import Cancelled, InputError, OperationalError

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
# A line longer than this is passed on in pieces (the masking filter still sees across the cut).
MAX_LINE = 1 << 20
# How long an abandoned child (its supervisor failed) gets to stop before it is killed.
_ABANDON_GRACE = 10.0

Sink = Callable[[str], None]


class LineFilter(Protocol):
    """What every line of a child's output passes through. It may hold lines back (a secret split across
    lines is only recognised with the next line): `idle` when the stream has been quiet for
    `IDLE_AFTER` seconds, and `flush` at its end, return what it held."""

    def feed(self, line: str) -> list[str]: ...

    def idle(self) -> list[str]: ...

    def flush(self) -> list[str]: ...


class PassThrough:
    def feed(self, line: str) -> list[str]:
        return [line]

    def idle(self) -> list[str]:
        return []

    def flush(self) -> list[str]:
        return []


# How long a quiet stream waits before its filter lets go of what it held.
IDLE_AFTER = 0.3


@dataclass(frozen=True)
class Exit:
    """How a child ended: `returncode` as Popen reports it (-N: signal N ended it)."""

    returncode: int

    @property
    def signal(self) -> int | None:
        return -self.returncode if self.returncode < 0 else None

    @property
    def shell_code(self) -> int:
        """What a shell would report: 128+N for a child a signal ended."""
        return 128 - self.returncode if self.returncode < 0 else self.returncode

    def describe(self) -> str:
        if self.signal is None:
            return f"exit {self.returncode}"
        return f"killed by {signal_name(self.signal)}"


@dataclass(frozen=True)
class Captured:
    exit: Exit
    stdout: bytes = field(repr=False)
    stderr: bytes = field(repr=False)


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


# --- cancellation -------------------------------------------------------------------------------------


class _Cancellation:
    def __init__(self) -> None:
        self.installed = False
        self.received: int | None = None
        self.raised = False
        self.shield_depth = 0
        # pid -> (child, the signal that stops it gracefully; None: the one tfoidc received)
        self.children: dict[int, tuple[subprocess.Popen[bytes], int | None]] = {}
        self.forwarded: set[int] = set()

    def reset(self) -> None:
        self.received = None
        self.raised = False
        self.shield_depth = 0
        self.forwarded.clear()

    def forward(self) -> None:
        """Send each running child's process group its stop signal, once: what a terminal's Ctrl-C does
        to a foreground job (Terraform 1.0 relays nothing itself; its provisioners' commands are in the
        group too)."""
        if self.received is None:
            return
        for pid, (_child, stop) in list(self.children.items()):
            if pid in self.forwarded:
                continue
            self.forwarded.add(pid)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, stop if stop is not None else self.received)

    def should_raise(self) -> bool:
        return (
            self.installed
            and self.received is not None
            and not self.raised
            and self.shield_depth == 0
            and not self.children
        )

    def cancelled(self, detail: str = "") -> Cancelled:
        assert self.received is not None
        self.raised = True
        return Cancelled(self.received, detail)


_state = _Cancellation()


def _on_signal(signum: int, _frame: object) -> None:
    if _state.received is None:
        _state.received = signum
    _state.forward()
    if _state.should_raise():
        raise _state.cancelled()


@contextmanager
def cancellable() -> Iterator[None]:
    """Handle SIGTERM, SIGINT and SIGHUP as described above for the duration of one command. Signal
    handlers belong to the main thread: elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _on_signal) for signum in STOP_SIGNALS}
    _state.reset()
    _state.installed = True
    try:
        yield
    finally:
        _state.installed = False
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def shielded() -> Iterator[None]:
    """A stop signal received inside the block is acted on when the block ends: for steps that must not
    be cut in half (taking or releasing a lock)."""
    _state.shield_depth += 1
    try:
        yield
    finally:
        _state.shield_depth -= 1
    raise_if_cancelled()


def raise_if_cancelled() -> None:
    if _state.should_raise():
        raise _state.cancelled()


def cancellation_pending() -> bool:
    return _state.received is not None


def sleep(seconds: float) -> None:
    """time.sleep that a stop signal ends (with Cancelled)."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        raise_if_cancelled()
        time.sleep(min(left, 0.2))
    raise_if_cancelled()


# --- the environment a child cannot read --------------------------------------------------------------

_PR_SET_PDEATHSIG = 1
_PR_SET_DUMPABLE = 4
_PR_CAPBSET_DROP = 24
# Any of these lets a process read a non-dumpable process's /proc/<pid>/environ: CAP_SYS_PTRACE,
# CAP_SYS_ADMIN and CAP_PERFMON (which Linux 5.8+ accepts for read-only ptrace access).
_INTROSPECTION_CAPABILITIES = (19, 21, 38)


def _load_libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None


_libc = _load_libc()


def protect_environment() -> bool:
    """Make this process non-dumpable: its /proc/<pid>/environ, /proc/<pid>/mem and ptrace then need
    capabilities no child of tfoidc has. True when it took effect (Linux)."""
    if _libc is None:
        return False
    return _prctl(_libc, _PR_SET_DUMPABLE, 0) == 0


def _prctl(libc: ctypes.CDLL, option: int, argument: int) -> int:
    zero = ctypes.c_ulong(0)
    return int(libc.prctl(ctypes.c_int(option), ctypes.c_ulong(argument), zero, zero, zero))


def _child_setup(parent: int) -> Callable[[], None]:
    libc = _libc

    def setup() -> None:  # runs in the child between fork and exec: no allocation-heavy work
        if libc is None:
            return
        _prctl(libc, _PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # tfoidc died before the line above took effect
            os._exit(1)
        for capability in _INTROSPECTION_CAPABILITIES:
            _prctl(libc, _PR_CAPBSET_DROP, capability)  # EPERM without CAP_SETPCAP: nothing to drop

    return setup


@contextmanager
def _umask(mask: int | None) -> Iterator[None]:
    if mask is None:
        yield
        return
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


# --- running a child ----------------------------------------------------------------------------------


def _start(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | None,
    stop_signal: int | None,
    private_files: bool,
    merge_stderr: bool,
    capture_stderr: bool = True,
) -> subprocess.Popen[bytes]:
    raise_if_cancelled()  # once cancelled, nothing new starts
    protect_environment()
    stdin = subprocess.DEVNULL if _stdin_is_a_terminal() else None
    if merge_stderr:
        stderr: int | None = subprocess.STDOUT
    else:
        stderr = subprocess.PIPE if capture_stderr else None
    _state.shield_depth += 1  # a signal while the child starts is forwarded once it is registered
    try:
        with _umask(0o077 if private_files else None):
            child = subprocess.Popen(
                list(argv),
                cwd=cwd,
                env=dict(env),
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=stderr,
                process_group=0,
                preexec_fn=_child_setup(os.getpid()),
            )
        _state.children[child.pid] = (child, stop_signal)
    except FileNotFoundError:
        raise InputError(f"command not found: {argv[0]}") from None
    except PermissionError:
        raise InputError(f"command not executable: {argv[0]}") from None
    except OSError as exc:
        raise OperationalError(f"cannot run {argv[0]}: {exc.strerror or exc}") from None
    finally:
        _state.shield_depth -= 1
    _state.forward()
    return child


def _finish(child: subprocess.Popen[bytes], what: str) -> Exit:
    """Reap `child` (stopping it if its supervisor failed), then raise Cancelled if tfoidc was asked to
    stop while it ran."""
    if child.poll() is None:  # the supervisor failed (e.g. stdout closed): do not leave it running
        stop = _state.children.get(child.pid, (child, None))[1] or signal.SIGTERM
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(stop)
        try:
            child.wait(timeout=_ABANDON_GRACE)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    _state.children.pop(child.pid, None)
    ended = Exit(child.returncode)
    if _state.should_raise():
        raise _state.cancelled(f"{what} stopped ({ended.describe()})")
    return ended


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    on_stdout: Sink,
    on_stderr: Sink | None = None,
    line_filter: Callable[[], LineFilter] = PassThrough,
    cwd: Path | None = None,
    stop_signal: int | None = None,
    private_files: bool = False,
    what: str | None = None,
) -> Exit:
    """Run `argv` to its end, every line of its output through a fresh `line_filter()` into `on_stdout`
    (stderr into `on_stderr`, or merged into stdout when None).

    `stop_signal`: what the child gets when tfoidc is asked to stop (default: the signal tfoidc got).
    `private_files`: the child creates files readable by its owner only (umask 077).
    Raises Cancelled (after the child exited and its output was drained) when tfoidc was asked to stop."""
    child = _start(
        argv,
        env=env,
        cwd=cwd,
        stop_signal=stop_signal,
        private_files=private_files,
        merge_stderr=on_stderr is None,
    )
    try:
        streams = [(child.stdout, on_stdout)]
        if on_stderr is not None:
            streams.append((child.stderr, on_stderr))
        _drain([(s, sink, line_filter()) for s, sink in streams if s is not None])
        child.wait()
    finally:
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
        ended = _finish(child, what or Path(argv[0]).name)
    return ended


def capture(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | None = None,
    stop_signal: int | None = None,
    timeout: float | None = None,
    what: str | None = None,
) -> Captured:
    """Run `argv` and return what it printed (nothing is shown). A child that outlives `timeout` is
    stopped and an OperationalError raised."""
    child = _start(argv, env=env, cwd=cwd, stop_signal=stop_signal, private_files=True, merge_stderr=False)
    try:
        try:
            out, err = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            raise OperationalError(
                f"{what or Path(argv[0]).name} did not finish within {timeout:g} s"
            ) from None
    finally:
        ended = _finish(child, what or Path(argv[0]).name)
    return Captured(ended, out, err)


def _drain(streams: list[tuple[IO[bytes], Sink, LineFilter]]) -> None:
    """Read every stream to its end, line by line through its filter into its sink."""
    selector = selectors.DefaultSelector()
    pending: dict[int, tuple[Any, list[str], Sink, LineFilter]] = {}
    for stream, sink, line_filter in streams:
        fd = stream.fileno()
        selector.register(fd, selectors.EVENT_READ)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        pending[fd] = (decoder, [""], sink, line_filter)
    try:
        while selector.get_map():
            ready = selector.select(timeout=IDLE_AFTER)
            if not ready:
                for _decoder, _buffer, sink, line_filter in pending.values():
                    for out in line_filter.idle():
                        sink(out)
                continue
            for key, _ in ready:
                fd = int(key.fd)
                decoder, buffer, sink, line_filter = pending[fd]
                data = os.read(fd, 65536)
                if data:
                    _emit(buffer, decoder.decode(data), sink, line_filter, final=False)
                    continue
                selector.unregister(fd)
                _emit(buffer, decoder.decode(b"", final=True), sink, line_filter, final=True)
    finally:
        selector.close()


def _emit(buffer: list[str], text: str, sink: Sink, line_filter: LineFilter, *, final: bool) -> None:
    data = buffer[0] + text
    *lines, rest = data.split("\n")
    while len(rest) > MAX_LINE:
        lines.append(rest[:MAX_LINE])
        rest = rest[MAX_LINE:]
    for line in lines:
        for out in line_filter.feed(line):
            sink(out)
    if final:
        if rest:
            for out in line_filter.feed(rest):
                sink(out)
        rest = ""
        for out in line_filter.flush():
            sink(out)
    buffer[0] = rest


def _stdin_is_a_terminal() -> bool:
    """A child in its own process group that reads the terminal would stop (SIGTTIN): give it none."""
    try:
        return os.isatty(0)
    except OSError:
        return False
