"""The local sandbox: a moto server and a GitLab-like OIDC issuer on 127.0.0.1, provisioned like a real
account (OIDC provider, per-environment roles, Terraform state bucket and lock table).

Used by tests, `tfoidc demo` and local dry runs; production code paths never import it.
"""

from __future__ import annotations

import logging
from types import TracebackType

from moto.server import ThreadedMotoServer

from tfoidc.sandbox.config import SandboxEndpoints
from tfoidc.sandbox.issuer import DEFAULT_AUDIENCE, LocalIssuer
from tfoidc.sandbox.provision import provision

__all__ = ["LocalIssuer", "Sandbox"]

DEFAULT_REGION = "us-east-1"
# Caller credentials for signed calls against moto; moto accepts any, real AWS none of these.
SANDBOX_ACCESS_KEY_ID = "testing"
SANDBOX_SECRET_ACCESS_KEY = "testing"


class Sandbox:
    """`with Sandbox() as sb:` starts moto and the issuer on free ports and provisions the account."""

    def __init__(
        self,
        *,
        region: str = DEFAULT_REGION,
        audience: str = DEFAULT_AUDIENCE,
        moto_port: int = 0,
        issuer_port: int = 0,
        issuer: LocalIssuer | None = None,
    ) -> None:
        self.region = region
        self.issuer = issuer or LocalIssuer(audience=audience)
        self._moto_port = moto_port
        self._issuer_port = issuer_port
        self._moto: ThreadedMotoServer | None = None
        self.moto_endpoint = ""
        self.account_id = ""
        self.oidc_provider_arn = ""
        self.roles: dict[str, str] = {}
        self.state_bucket = ""
        self.lock_table = ""

    def start(self) -> Sandbox:
        if self._moto is not None:
            return self
        # werkzeug logs every moto request to stderr unless its level is set before the first request.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self._moto_port, verbose=False)
        moto.start()
        self._moto = moto
        try:
            host, port = moto.get_host_and_port()
            self.moto_endpoint = f"http://{host}:{port}"
            self.issuer.start(self._issuer_port)
            made = provision(
                endpoint=self.moto_endpoint,
                region=self.region,
                issuer_url=self.issuer.url,
                issuer_host=self.issuer.host,
                audience=self.issuer.audience,
            )
        except BaseException:
            self.stop()
            raise
        self.account_id = made.oidc_provider_arn.split(":")[4]
        self.oidc_provider_arn = made.oidc_provider_arn
        self.roles = made.roles
        self.state_bucket = made.state_bucket
        self.lock_table = made.lock_table
        return self

    def stop(self) -> None:
        self.issuer.stop()
        if self._moto is not None:
            self._moto.stop()
            self._moto = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def endpoints(self) -> SandboxEndpoints:
        return SandboxEndpoints(
            region=self.region,
            moto_endpoint=self.moto_endpoint,
            issuer_url=self.issuer.url,
            audience=self.issuer.audience,
            state_bucket=self.state_bucket,
            lock_table=self.lock_table,
            roles=dict(self.roles),
        )

    def sessions_issued(self) -> int:
        """How many sessions the in-process moto STS has handed out: the demo shows a refusal made none."""
        from moto.sts.models import sts_backends

        return len(sts_backends[self.account_id]["aws"].assumed_roles)

    def env(self) -> dict[str, str]:
        """Environment for child processes (terraform, boto3) to talk to the sandbox instead of AWS."""
        return {
            "AWS_ENDPOINT_URL": self.moto_endpoint,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ACCESS_KEY_ID": SANDBOX_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": SANDBOX_SECRET_ACCESS_KEY,
            "AWS_EC2_METADATA_DISABLED": "true",
            "TFOIDC_ISSUER": self.issuer.url,
            "TFOIDC_AUDIENCE": self.issuer.audience,
        }
