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


def skip_final_collection() -> None:
    """For a command that is about to end the process: move every live object out of the
    collector's reach, so the interpreter's final collection does not walk the whole analysis
    again (2.5 s after a markdown report of a 10k-resource plan). The OS frees it all at exit."""
    gc.freeze()
