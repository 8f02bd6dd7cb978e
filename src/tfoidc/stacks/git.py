"""Real git, through its command line: the repository, what changed since a base, and the base itself.

Every call is `git -C <repo> ...` with a fixed argv (no shell); paths come back NUL-separated.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tfoidc.errors import InputError, OperationalError

ZERO_SHA = "0" * 40
_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
# Variables git itself reads that would point these commands at another repository.
_GIT_REDIRECTS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY")


@dataclass(frozen=True)
class FileChange:
    """One changed path, relative to the repository root; a rename is a deletion and an addition."""

    status: str  # "A" added, "M" modified, "D" deleted (renames and copies are split into A and D)
    path: str


@dataclass(frozen=True)
class Base:
    rev: str
    why: str  # how the base was chosen, for `--why` and errors


class Git:
    def __init__(self, root: Path, environ: Mapping[str, str] | None = None) -> None:
        self.root = root
        env = dict(os.environ if environ is None else environ)
        for name in _GIT_REDIRECTS:
            env.pop(name, None)
        env["GIT_OPTIONAL_LOCKS"] = "0"
        env["LC_ALL"] = "C"
        self._env = env

    @staticmethod
    def discover(start: Path) -> Git | None:
        """The repository holding `start`, or None outside one (or without git)."""
        try:
            done = subprocess.run(
                ["git", "-C", str(start), "rev-parse", "--show-toplevel"],
                capture_output=True,
                check=False,
            )
        except OSError:
            return None
        if done.returncode != 0:
            return None
        return Git(Path(os.fsdecode(done.stdout.strip())).resolve())

    def run(self, *args: str, ok: Sequence[int] = (0,), input: bytes | None = None) -> bytes:
        try:
            done = subprocess.run(
                ["git", "-C", str(self.root), *args],
                capture_output=True,
                env=self._env,
                input=input,
                check=False,
            )
        except OSError as exc:
            raise OperationalError(f"cannot run git: {exc.strerror or exc}") from None
        if done.returncode not in ok:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise OperationalError(
                f"git {args[0]} failed (exit {done.returncode}): {message[-1] if message else 'no message'}"
            )
        return done.stdout

    def has_commit(self, rev: str) -> bool:
        try:
            self.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        except OperationalError:
            return False
        return True

    def is_shallow(self) -> bool:
        return self.run("rev-parse", "--is-shallow-repository").strip() == b"true"

    def head(self) -> str | None:
        return self.resolve("HEAD")

    def resolve(self, rev: str) -> str | None:
        try:
            out = self.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        except OperationalError:
            return None
        return out.decode().strip() or None

    # --- the files of a tree -------------------------------------------------------------------------

    def index_blobs(self) -> dict[str, str]:
        """Tracked paths -> the blob id in the index (stage 0)."""
        out: dict[str, str] = {}
        for entry in self.run("ls-files", "-z", "--stage").split(b"\0"):
            if not entry:
                continue
            meta, _, path = entry.partition(b"\t")
            _mode, blob, stage = meta.split(b" ")
            if stage == b"0":
                out[os.fsdecode(path)] = blob.decode()
        return out

    def dirty_paths(self) -> set[str]:
        """Tracked paths whose working-tree file differs from the index (or is gone)."""
        return set(_paths(self.run("ls-files", "-z", "--modified")))

    def untracked(self) -> list[str]:
        return _paths(self.run("ls-files", "-z", "--others", "--exclude-standard"))

    def tree_blobs(self, rev: str) -> dict[str, str]:
        """Every file path of commit `rev` -> its blob id."""
        out: dict[str, str] = {}
        for entry in self.run("ls-tree", "-r", "-z", "--full-tree", rev).split(b"\0"):
            if not entry:
                continue
            meta, _, path = entry.partition(b"\t")
            _mode, kind, blob = meta.split(b" ")
            if kind == b"blob":
                out[os.fsdecode(path)] = blob.decode()
        return out

    def read_blobs(self, blobs: Sequence[str]) -> dict[str, bytes]:
        """The contents of `blobs`, in one `git cat-file --batch`."""
        if not blobs:
            return {}
        data = self.run("cat-file", "--batch", input=("\n".join(blobs) + "\n").encode())
        out: dict[str, bytes] = {}
        pos = 0
        for blob in blobs:
            header_end = data.index(b"\n", pos)
            header = data[pos:header_end].split(b" ")
            if len(header) < 3 or header[1] == b"missing":
                raise OperationalError(f"git cat-file: object {blob} is missing")
            size = int(header[2])
            out[blob] = data[header_end + 1 : header_end + 1 + size]
            pos = header_end + 1 + size + 1
        return out

    def show(self, rev: str, path: str) -> bytes | None:
        """The file `path` at commit `rev`, or None when it does not exist there."""
        try:
            return self.run("show", f"{rev}:{path}")
        except OperationalError:
            return None

    # --- changes ------------------------------------------------------------------------------------

    def changes(self, base: str, *, worktree: bool) -> list[FileChange]:
        """What changed from `base` to HEAD, and with `worktree` also uncommitted and untracked files."""
        args = ["diff", "-z", "--name-status", "--no-renames", "--no-ext-diff", "--no-textconv", base]
        if not worktree:
            args.append("HEAD")
        fields = [os.fsdecode(f) for f in self.run(*args).split(b"\0") if f]
        out: list[FileChange] = []
        i = 0
        while i < len(fields):
            status = fields[i][:1]
            path = fields[i + 1]
            i += 2
            out.append(FileChange("D" if status == "D" else "A" if status == "A" else "M", path))
        if worktree:
            out.extend(FileChange("A", p) for p in self.untracked())
        return out

    # --- the base -----------------------------------------------------------------------------------

    def ensure_commit(self, rev: str, why: str) -> str:
        """`rev` as a commit sha, fetching it into a shallow clone when it is missing there."""
        sha = self.resolve(rev)
        if sha is not None:
            return sha
        if not self.is_shallow():
            raise InputError(f"base {rev!r} ({why}) is not a commit of this repository")
        attempts: list[str] = []
        fetches = _fetches_for(rev)
        for args in fetches:
            try:
                self.run("fetch", "--quiet", "--no-tags", "--no-write-fetch-head", *args)
            except OperationalError as exc:
                attempts.append(str(exc))
                continue
            sha = self.resolve(rev)
            if sha is not None:
                return sha
        tried = "; ".join(attempts) or "the fetch brought no such commit"
        raise OperationalError(
            f"base {rev!r} ({why}) is not in this shallow clone and fetching it failed ({tried})",
            hint="fetch more history (GIT_DEPTH: 0 in GitLab, or `git fetch --unshallow`), or pass --base",
        )


def _fetches_for(rev: str) -> list[list[str]]:
    """How to bring `rev` into a shallow clone: the commit itself when it is a sha, else more history."""
    if _SHA.match(rev):
        return [["--depth=1", "origin", rev], ["--unshallow", "origin"]]
    match = re.fullmatch(r"HEAD~(\d+)", rev)
    if match:
        return [[f"--deepen={int(match[1])}", "origin"], ["--unshallow", "origin"]]
    return [
        [
            "origin",
            f"+refs/heads/{rev.removeprefix('origin/')}:refs/remotes/origin/{rev.removeprefix('origin/')}",
        ]
    ]


def _paths(raw: bytes) -> list[str]:
    return [os.fsdecode(p) for p in raw.split(b"\0") if p]


def default_base(git: Git, environ: Mapping[str, str], default_branch: str | None) -> Base:
    """The merge request's diff base; on the default branch the previous pipeline's commit (HEAD~1
    when unknown); locally the merge base with the default branch."""
    diff_base = environ.get("CI_MERGE_REQUEST_DIFF_BASE_SHA") or environ.get("TFOIDC_MR_DIFF_BASE_SHA")
    if diff_base:
        return Base(diff_base, "the merge request's diff base")
    if environ.get("GITLAB_CI") or environ.get("CI"):
        before = environ.get("CI_COMMIT_BEFORE_SHA", "")
        if before and before != ZERO_SHA:
            return Base(before, "the previous pipeline's commit (CI_COMMIT_BEFORE_SHA)")
        return Base("HEAD~1", "the parent commit (no CI_COMMIT_BEFORE_SHA)")
    branch = default_branch or _origin_head(git)
    for candidate in ([branch] if branch else []) + ["origin/main", "main", "origin/master", "master"]:
        if git.resolve(candidate) is None:
            continue
        try:
            merge_base = git.run("merge-base", "HEAD", candidate).decode().strip()
        except OperationalError:
            continue
        return Base(merge_base, f"the merge base with {candidate}")
    raise InputError(
        "cannot tell what to compare with: no default branch found (tried origin/HEAD, main, master)",
        hint="pass --base REF or set stacks.default_branch in tfoidc.toml",
    )


def _origin_head(git: Git) -> str | None:
    try:
        ref = git.run("symbolic-ref", "--quiet", "refs/remotes/origin/HEAD").decode().strip()
    except OperationalError:
        return None
    return ref.removeprefix("refs/remotes/") or None


def is_ci(environ: Mapping[str, str]) -> bool:
    return bool(environ.get("GITLAB_CI") or environ.get("CI"))
