"""Reading the Terraform files of a repository: the working tree, or any commit through git.

Facts are cached by git blob id: a file whose content git already knows (unchanged since the index,
or the same at the base commit) is parsed once per run, so reading the base of a change costs only
the files that differ. Without git, the folder is walked and every file parsed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from tfoidc.errors import TfoidcError
from tfoidc.files import write_atomic
from tfoidc.stacks.git import Git
from tfoidc.stacks.hcl import EMPTY, FACTS_VERSION, FileFacts, read_facts

TERRAFORM_SUFFIXES = (".tf", ".tf.json")
MAX_CACHED = 200_000  # files: the cache of a large monorepo stays a few tens of MB
# Every block `hcl` reads is introduced by one of these words (a substring test, not a parse).
_MAY_HOLD_FACTS = re.compile(rb"module|backend|terraform_remote_state")


def is_terraform_file(path: str) -> bool:
    return path.endswith(TERRAFORM_SUFFIXES) and not _hidden(path)


def _hidden(path: str) -> bool:
    """Paths under a dot-folder (.terraform, .git, .venv) are never configuration."""
    return any(part.startswith(".") for part in path.split("/")[:-1])


@dataclass
class FactCache:
    """Facts by git blob id (content-addressed, so one cache serves every repository and branch).

    With `path`, the cache is read from and written back to that file, so a later run reads and
    parses only files it has not seen (`TFOIDC_CACHE_DIR`; in CI, a folder the job caches).
    """

    by_blob: dict[str, FileFacts] = field(default_factory=dict)
    parsed: int = 0  # files parsed in this run (the rest came from the cache)
    path: Path | None = None
    _loaded: int = 0

    @classmethod
    def at(cls, folder: Path | None) -> FactCache:
        if folder is None:
            return cls()
        path = folder / f"hcl-facts-v{FACTS_VERSION}.json"
        cache = cls(path=path)
        try:
            raw = orjson.loads(path.read_bytes())
            cache.by_blob = {k: FileFacts.from_json(v) for k, v in raw.items()}
        except (OSError, orjson.JSONDecodeError, ValueError, TypeError, KeyError):
            cache.by_blob = {}  # no cache yet, or one from another version: start afresh
        cache._loaded = len(cache.by_blob)
        return cache

    def known(self, path: str, blob: str) -> FileFacts | None:
        return self.by_blob.get(blob + (":json" if path.endswith(".json") else ""))

    def save(self) -> None:
        """Write the cache back when this run added to it (best effort: a cache is never required)."""
        if self.path is None or len(self.by_blob) == self._loaded:
            return
        entries = dict(list(self.by_blob.items())[-MAX_CACHED:])
        with contextlib.suppress(TfoidcError):
            write_atomic(self.path, orjson.dumps({k: v.to_json() for k, v in entries.items()}))

    def facts(self, path: str, blob: str | None, content: bytes) -> FileFacts:
        key = (blob or git_blob_id(content)) + (":json" if path.endswith(".json") else "")
        found = self.by_blob.get(key)
        if found is None:
            # A file naming none of the blocks read has no facts: it is not parsed at all.
            found = read_facts(path, content) if _MAY_HOLD_FACTS.search(content) else EMPTY
            self.by_blob[key] = found
            self.parsed += 1
        return found


@dataclass(frozen=True)
class TreeFiles:
    """The Terraform files of one tree, by path relative to the project root."""

    facts: dict[str, FileFacts]


def cache_folder(environ: Mapping[str, str]) -> Path | None:
    """$TFOIDC_CACHE_DIR (empty: no cache), else $XDG_CACHE_HOME/tfoidc, else ~/.cache/tfoidc."""
    if "TFOIDC_CACHE_DIR" in environ:
        return Path(environ["TFOIDC_CACHE_DIR"]) if environ["TFOIDC_CACHE_DIR"] else None
    base = environ.get("XDG_CACHE_HOME") or (
        str(Path(environ["HOME"]) / ".cache") if environ.get("HOME") else ""
    )
    return Path(base) / "tfoidc" if base else None


def git_blob_id(content: bytes) -> str:
    """The id git gives a file with this content (what `git hash-object` prints)."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()


def read_worktree(project_root: Path, git: Git | None, cache: FactCache) -> TreeFiles:
    """Every Terraform file under `project_root` as it is on disk (git's ignore rules apply in a
    repository: tracked and untracked-but-not-ignored files)."""
    if git is None:
        return TreeFiles({p: cache.facts(p, None, _read(project_root / p)) for p in _walk(project_root)})
    prefix = _prefix(git.root, project_root)
    index = git.index_blobs()
    dirty = git.dirty_paths()
    paths = [p for p in index if p not in dirty or (git.root / p).exists()]
    paths.extend(git.untracked())
    out: dict[str, FileFacts] = {}
    for repo_path in paths:
        if not repo_path.startswith(prefix) or not is_terraform_file(repo_path):
            continue
        local = repo_path[len(prefix) :]
        blob = index.get(repo_path) if repo_path not in dirty else None
        known = cache.known(local, blob) if blob is not None else None
        out[local] = known if known is not None else cache.facts(local, blob, _read(git.root / repo_path))
    return TreeFiles(out)


def read_revision(git: Git, rev: str, project_root: Path, cache: FactCache) -> TreeFiles:
    """Every Terraform file of commit `rev`; only blobs the cache does not know are read and parsed."""
    prefix = _prefix(git.root, project_root)
    blobs = {
        path[len(prefix) :]: blob
        for path, blob in git.tree_blobs(rev).items()
        if path.startswith(prefix) and is_terraform_file(path)
    }
    unknown = sorted({b for p, b in blobs.items() if _key(p, b) not in cache.by_blob})
    contents = git.read_blobs(unknown)
    return TreeFiles({p: cache.facts(p, b, contents.get(b, b"")) for p, b in blobs.items()})


def _key(path: str, blob: str) -> str:
    return blob + (":json" if path.endswith(".json") else "")


def _prefix(git_root: Path, project_root: Path) -> str:
    relative = project_root.resolve().relative_to(git_root).as_posix()
    return "" if relative == "." else relative + "/"


def _walk(root: Path) -> Iterable[str]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        rel = Path(folder).relative_to(root).as_posix()
        for name in sorted(files):
            path = name if rel == "." else f"{rel}/{name}"
            if is_terraform_file(path):
                yield path


def _read(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""  # a file removed while reading: it has no facts
