"""`tfoidc prices update -e ENV` signs GetProducts with the credentials tfoidc obtains: the GitLab ID
token is exchanged with STS (the local sandbox: moto + a local issuer) and those keys, not the caller's,
reach the Price List API (the local GetProducts server)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PRICES, need_shared
from tests.cost.pricelist_server import PriceListState, load_wire_samples, serve
from tfoidc.sandbox import SANDBOX_ACCESS_KEY_ID, Sandbox
from tfoidc.sandbox.pytest_fixtures import sandbox, sandbox_env  # noqa: F401


@pytest.fixture
def state() -> PriceListState:
    return PriceListState(products=load_wire_samples(need_shared(PRICES / "wire-format")))


@pytest.fixture
def endpoint(state: PriceListState) -> Iterator[str]:
    yield from serve(state)


def test_update_with_an_environment_uses_the_sts_credentials(
    tmp_path: Path,
    sandbox: Sandbox,  # noqa: F811
    sandbox_env: dict[str, str],  # noqa: F811
    endpoint: str,
    state: PriceListState,
) -> None:
    (tmp_path / "tfoidc.toml").write_text(
        f'[environments.dev]\nroot = "."\nrole_arn = "{sandbox.roles["dev"]}"\nregion = "us-east-1"\n'
    )
    token = sandbox.issuer.mint()
    env = {
        **{k: v for k, v in os.environ.items() if k != "TFOIDC_PRICES"},
        **sandbox_env,
        "GITLAB_OIDC_TOKEN": token,
        "AWS_ENDPOINT_URL_PRICING": endpoint,
        "TFOIDC_HOME": str(tmp_path / "home"),
    }
    out = tmp_path / "prices.json"
    result = subprocess.run(
        [sys.executable, "-m", "tfoidc", "prices", "update", "-e", "dev", "--regions", "us-east-1",
         "--services", "AmazonEC2", "-o", str(out)],
        env=env, cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text())["prices"]["us-east-1"]["ec2/instance-hour/m5.large"][0] == "0.096"
    keys = {r["authorization"].split("Credential=")[1].split("/")[0] for r in state.requests}
    assert len(keys) == 1 and SANDBOX_ACCESS_KEY_ID not in keys  # STS-issued, not the caller's
    assert token not in result.stdout + result.stderr + out.read_text()
