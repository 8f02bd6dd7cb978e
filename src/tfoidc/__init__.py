"""tfoidc: GitLab CI/CD -> AWS via OIDC for Terraform."""

__version__ = "0.1.0"
