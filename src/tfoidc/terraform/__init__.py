"""Terraform: the python-terraform adapter, binary discovery, the masking stream, the plan manifest.

Never parses plan JSON (that is `tfoidc.plan`)."""
