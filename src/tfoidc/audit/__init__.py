"""Auditing the GitLab roles of a live account: who can assume them (`roles`) and who did (`trail`).

Reading is I/O at the edges (`iam_inventory`, `cloudtrail`); judging is pure (`trail`, `roles`), on the one
IAM evaluator in `tfoidc.iam`.
"""
