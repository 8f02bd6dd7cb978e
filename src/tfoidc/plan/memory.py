"""Pausing Python's cyclic garbage collector while large plans are read and analysed.

A 100 MB plan is millions of dicts and lists, all acyclic (JSON) and all alive until the command
ends. Every full collection walks all of them again, which measured ~35% of `tfoidc analyze` on a
10k-resource plan (bench/README.md) while finding nothing to free. Reference counting still frees
everything as usual; only the cycle detector waits until the block ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block; restore its previous state after (nests)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_teardown_skipped = False


def skip_teardown() -> None:
    """For a command that is about to end the process with a large analysis still alive: the OS
    frees it all at exit, so neither the collector's final walk (2.5 s after a markdown report of
    a 10k-resource plan) nor freeing millions of objects one by one (0.3 s) is needed. Moves every
    live object out of the collector's reach now; the `tfoidc` program (`tfoidc.cli.main.main`,
    never an in-process caller) then ends with `os._exit` once its output is flushed."""
    global _teardown_skipped
    gc.freeze()
    _teardown_skipped = True


def teardown_skipped() -> bool:
    return _teardown_skipped
