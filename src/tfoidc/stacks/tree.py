"""Reading the Terraform files of a repository: the working tree, or any commit through git.

Facts are cached by git blob id: a file whose content git already knows (unchanged since the index,
or the same at the base commit) is parsed once per run, so reading the base of a change costs only
the files that differ. Without git, the folder is walked and every file parsed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tfoidc.stacks.git import Git
from tfoidc.stacks.hcl import FileFacts, read_facts

TERRAFORM_SUFFIXES = (".tf", ".tf.json")


def is_terraform_file(path: str) -> bool:
    return path.endswith(TERRAFORM_SUFFIXES) and not _hidden(path)


def _hidden(path: str) -> bool:
    """Paths under a dot-folder (.terraform, .git, .venv) are never configuration."""
    return any(part.startswith(".") for part in path.split("/")[:-1])


@dataclass
class FactCache:
    by_blob: dict[str, FileFacts] = field(default_factory=dict)
    parsed: int = 0  # files parsed in this run (the rest came from the cache)

    def facts(self, path: str, blob: str | None, content: bytes) -> FileFacts:
        key = (blob or git_blob_id(content)) + (":json" if path.endswith(".json") else "")
        found = self.by_blob.get(key)
        if found is None:
            found = read_facts(path, content)
            self.by_blob[key] = found
            self.parsed += 1
        return found


@dataclass(frozen=True)
class TreeFiles:
    """The Terraform files of one tree, by path relative to the project root."""

    facts: dict[str, FileFacts]


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
        content = _read(git.root / repo_path)
        out[local] = cache.facts(local, blob, content)
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
        return path.read_bytes()
    except OSError:
        return b""  # a file removed while reading: it has no facts
