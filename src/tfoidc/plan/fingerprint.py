"""A change's fingerprint: what a reviewer saw of one resource change, as a short digest (pure).

Two plans with the same fingerprint for an address make the same change to it: the same actions, the
same planned values and the same values left unknown until apply. Values Terraform marks sensitive are
already redacted here, so a fingerprint neither reveals them (nothing to guess offline) nor notices
when only they change, as the reviewer did not either.
"""

from __future__ import annotations

import hashlib

import orjson

from tfoidc.plan.model import ResourceChange


def change_fingerprint(rc: ResourceChange) -> str | None:
    """`sha256:<hex>` of the change, or None for a change read back without its values (tfoidc.json)."""
    if rc.before is None and rc.after is None and rc.after_unknown is None:
        return None  # Terraform always writes at least one of them
    payload = orjson.dumps(
        [list(rc.actions), rc.after, rc.after_unknown, [list(p) for p in rc.replace_paths]],
        option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
    )
    return "sha256:" + hashlib.sha256(payload).hexdigest()
