from tfoidc.sandbox.pytest_fixtures import sandbox, sandbox_env  # noqa: F401
