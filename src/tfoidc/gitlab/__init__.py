"""GitLab integration: the merge request note upsert (renders nothing itself)."""
