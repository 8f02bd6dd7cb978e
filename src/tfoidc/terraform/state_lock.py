"""The state lock tfoidc holds around an apply, so that comparing the state with the plan's and applying
the plan are one critical section.

Terraform checks a saved plan against the state under its own lock, but not a plan made against no state
(its prior state has no lineage): two plans made before the first apply would both apply and orphan one
set of resources. So tfoidc takes Terraform's own lock itself, the very item of the S3 backend's
DynamoDB lock table that Terraform takes (same LockID, same conditional write, same lock info, so
`terraform force-unlock` and every other Terraform run see it as Terraform's), compares the state with
the plan's under it, runs `terraform apply -lock=false` and releases it. Every run that honours the lock,
tfoidc or plain Terraform, is excluded for the whole section.
"""

from __future__ import annotations

import getpass
import json
import socket
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tfoidc.errors import Cancelled, OperationalError, TfoidcError
from tfoidc.process import shielded, sleep

# How long releasing the lock keeps trying through a flaky or restarting endpoint.
RELEASE_PATIENCE = 30.0
_POLL = 1.0


@dataclass(frozen=True)
class S3Backend:
    """What the lock needs of an initialised S3 backend (`.terraform/terraform.tfstate`)."""

    bucket: str
    key: str
    table: str
    region: str | None = None
    endpoint: str | None = None
    workspace_key_prefix: str = "env:"
    role_arn: str | None = None
    external_id: str | None = None
    profile: str | None = None
    access_key: str | None = None
    secret_key: str | None = None
    token: str | None = None

    def lock_id(self, workspace: str) -> str:
        path = self.key if workspace == "default" else f"{self.workspace_key_prefix}/{workspace}/{self.key}"
        return f"{self.bucket}/{path}"


@dataclass(frozen=True)
class LockInfo:
    """Terraform's lock info, field for field (statemgr.LockInfo)."""

    ID: str
    Operation: str
    Info: str
    Who: str
    Version: str
    Created: str
    Path: str

    def encoded(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))


def data_dir(root: Path, env: Mapping[str, str]) -> Path:
    return root / env.get("TF_DATA_DIR", ".terraform")


def read_backend(root: Path, env: Mapping[str, str]) -> S3Backend | None:
    """The S3 backend with a DynamoDB lock table that `terraform init` configured in `root`; None for
    any other backend (Terraform's own lock is then all there is)."""
    try:
        doc = json.loads((data_dir(root, env) / "terraform.tfstate").read_text())
    except (OSError, ValueError):
        return None
    backend = doc.get("backend") if isinstance(doc, dict) else None
    if not isinstance(backend, dict) or backend.get("type") != "s3":
        return None
    config = backend.get("config") or {}
    table = config.get("dynamodb_table") or config.get("lock_table")
    if not (isinstance(config.get("bucket"), str) and isinstance(config.get("key"), str) and table):
        return None
    endpoints = _object(config.get("endpoints"))
    assume = _object(config.get("assume_role"))
    return S3Backend(
        bucket=config["bucket"],
        key=config["key"],
        table=str(table),
        region=config.get("region") or None,
        endpoint=endpoints.get("dynamodb") or config.get("dynamodb_endpoint") or None,
        workspace_key_prefix=config.get("workspace_key_prefix") or "env:",
        role_arn=assume.get("role_arn") or config.get("role_arn") or None,
        external_id=assume.get("external_id") or config.get("external_id") or None,
        profile=config.get("profile") or None,
        access_key=config.get("access_key") or None,
        secret_key=config.get("secret_key") or None,
        token=config.get("token") or None,
    )


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def current_workspace(root: Path, env: Mapping[str, str]) -> str:
    if env.get("TF_WORKSPACE"):
        return env["TF_WORKSPACE"]
    try:
        return (data_dir(root, env) / "environment").read_text().strip() or "default"
    except OSError:
        return "default"


def who_am_i(environ: Mapping[str, str]) -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "tfoidc"
    where = environ.get("CI_JOB_URL") or (f"job {environ['CI_JOB_ID']}" if environ.get("CI_JOB_ID") else "")
    return f"{user}@{socket.gethostname()}" + (f" (tfoidc, {where})" if where else " (tfoidc)")


@contextmanager
def hold_state_lock(
    backend: S3Backend,
    *,
    session: Any,
    workspace: str,
    who: str,
    terraform_version: str,
    timeout_seconds: float,
    operation: str = "OperationTypeApply",
) -> Iterator[LockInfo]:
    """Hold Terraform's state lock for the block: wait up to `timeout_seconds` for a holder to let go,
    release it whatever happens in the block (retrying through a flaky endpoint)."""
    client = _client(backend, session)
    lock_id = backend.lock_id(workspace)
    info = LockInfo(
        ID=str(uuid.uuid4()),
        Operation=operation,
        Info="tfoidc: compare the state with the plan's, then terraform apply",
        Who=who,
        Version=terraform_version,
        Created=datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        Path=lock_id,
    )
    try:
        _acquire(client, backend.table, info, timeout_seconds)
    except Cancelled:
        # Cancelled as the write went through: the lock may be ours (the delete is conditional on it).
        _release(client, backend.table, info)
        raise
    try:
        yield info
    except BaseException as exc:
        problem = _release(client, backend.table, info)
        if problem is None:
            raise
        if isinstance(exc, TfoidcError):
            raise type(exc)(f"{exc.message}; and {problem}", hint=_force_unlock(info)) from None
        if isinstance(exc, Cancelled):
            raise Cancelled(exc.signum, f"{exc.detail}; {problem} ({_force_unlock(info)})") from None
        raise
    problem = _release(client, backend.table, info)
    if problem is not None:
        raise OperationalError(problem, hint=_force_unlock(info))


def _client(backend: S3Backend, session: Any) -> Any:
    import boto3
    from botocore.config import Config

    if backend.access_key and backend.secret_key:
        session = boto3.Session(
            aws_access_key_id=backend.access_key,
            aws_secret_access_key=backend.secret_key,
            aws_session_token=backend.token,
        )
    elif backend.profile:
        session = boto3.Session(profile_name=backend.profile)
    config = Config(
        retries={"mode": "standard", "total_max_attempts": 3}, connect_timeout=10, read_timeout=20
    )
    if backend.role_arn:
        extra = {"ExternalId": backend.external_id} if backend.external_id else {}
        sts = session.client("sts", region_name=backend.region, config=config)
        creds = _aws(
            lambda: sts.assume_role(RoleArn=backend.role_arn, RoleSessionName="tfoidc-state-lock", **extra),
            f"cannot assume the backend's role {backend.role_arn} to take the state lock",
        )["Credentials"]
        session = boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
    return session.client(
        "dynamodb", region_name=backend.region, endpoint_url=backend.endpoint, config=config
    )


def _acquire(client: Any, table: str, info: LockInfo, timeout_seconds: float) -> None:
    from botocore.exceptions import ClientError

    deadline = time.monotonic() + timeout_seconds
    while True:
        with shielded():  # a cancellation waits until the write's outcome is known
            try:
                _aws(
                    lambda: client.put_item(
                        TableName=table,
                        Item={"LockID": {"S": info.Path}, "Info": {"S": info.encoded()}},
                        ConditionExpression="attribute_not_exists(LockID)",
                    ),
                    f"cannot take the state lock {info.Path}",
                    passing=("ConditionalCheckFailedException",),
                )
                return
            except ClientError:
                holder = _holder(client, table, info.Path)
        if time.monotonic() >= deadline:
            who = holder.get("Who") or "another run"
            raise OperationalError(
                f"cannot take the state lock {info.Path}: it is held by {who} "
                f"({holder.get('Operation') or 'unknown operation'} since {holder.get('Created') or '?'}, "
                f"lock ID {holder.get('ID') or '?'})",
                hint=f"another run ({who}) holds the state lock: wait for it, or give it time with "
                "--lock-timeout / lock_timeout; `terraform force-unlock` only if it is gone",
            )
        sleep(min(_POLL, max(deadline - time.monotonic(), 0.05)))


def _holder(client: Any, table: str, lock_id: str) -> dict[str, Any]:
    try:
        item = client.get_item(TableName=table, Key={"LockID": {"S": lock_id}}, ConsistentRead=True)
        decoded = json.loads(item.get("Item", {}).get("Info", {}).get("S", "{}"))
    except Exception:  # the holder is only named in the message: any failure leaves it unnamed
        return {}
    return decoded if isinstance(decoded, dict) else {}


def _release(client: Any, table: str, info: LockInfo) -> str | None:
    """Delete our lock item (and only ours); None when done, else what went wrong."""
    from botocore.exceptions import BotoCoreError, ClientError

    deadline = time.monotonic() + RELEASE_PATIENCE
    last = ""
    with shielded():
        while True:
            try:
                client.delete_item(
                    TableName=table,
                    Key={"LockID": {"S": info.Path}},
                    ConditionExpression="#info = :info",
                    ExpressionAttributeNames={"#info": "Info"},
                    ExpressionAttributeValues={":info": {"S": info.encoded()}},
                )
                return None
            except ClientError as exc:
                code = str(exc.response.get("Error", {}).get("Code", ""))
                if code == "ConditionalCheckFailedException":
                    return None  # gone already, or force-unlocked and taken by someone else: not ours
                last = f"{code}: {exc.response.get('Error', {}).get('Message', '')}"
            except BotoCoreError as exc:
                last = str(exc)
            if time.monotonic() >= deadline:
                return f"the state lock {info.Path} could not be released ({last})"
            time.sleep(_POLL)


def _aws(call: Any, failure: str, passing: tuple[str, ...] = ()) -> Any:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return call()
    except ClientError as exc:
        error = exc.response.get("Error", {})
        if error.get("Code") in passing:
            raise
        raise OperationalError(f"{failure}: {error.get('Code')}: {error.get('Message', '')}") from None
    except BotoCoreError as exc:
        raise OperationalError(f"{failure}: {exc}") from None


def _force_unlock(info: LockInfo) -> str:
    return f"once no run is left, release it with `terraform force-unlock {info.ID}`"
