"""IAM policy language: the policy document model and the one evaluator of IAM semantics (pure, no I/O)."""
