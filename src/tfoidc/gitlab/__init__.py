"""GitLab integration: the merge request note upsert (renders nothing itself)."""

from tfoidc.gitlab.notes import MergeRequestTarget, Outcome, UpsertResult, target_from_env, upsert_note

__all__ = ["MergeRequestTarget", "Outcome", "UpsertResult", "target_from_env", "upsert_note"]
