"""Reading CloudTrail: the `LookupEvents` API (event history, 90 days, per region) or a trail's log
files in S3. Both stream records into a `TrailCollector`; nothing holds more than one log file.

The S3 layout is CloudTrail's own (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html):
`<prefix>/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz`, and for organisation trails
`<prefix>/AWSLogs/<org id>/<account>/CloudTrail/...`. Only the days in the window are listed.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson

from tfoidc.audit.trail import ASSUME_EVENT, TrailCollector
from tfoidc.errors import InputError, OperationalError

_ACCOUNT = re.compile(r"^\d{12}$")
_ORG = re.compile(r"^o-[a-z0-9]{10,32}$")
_LOG_FILE = re.compile(r"\.json(\.gz)?$")
_MAX_LOOKUP_RESULTS = 50  # LookupEvents' page size limit
_PREFETCH = 4  # log files fetched ahead


@dataclass(frozen=True, slots=True)
class S3Location:
    bucket: str
    prefix: str  # '' or ending with '/'

    @classmethod
    def parse(cls, url: str) -> S3Location:
        if not url.startswith("s3://") or not url[5:].split("/", 1)[0]:
            raise InputError(f"--s3 {url!r}: expected s3://bucket or s3://bucket/prefix")
        bucket, _, prefix = url[5:].partition("/")
        prefix = prefix.strip("/")
        return cls(bucket, f"{prefix}/" if prefix else "")


def read_lookup_events(
    client: Any,
    collector: TrailCollector,
    *,
    since: datetime,
    until: datetime,
    activity: bool,
) -> None:
    """Every assumption in the window from one region's event history, then (with `activity`) every event
    made with the credentials each successful assumption returned."""
    for record in _lookup(client, "EventName", ASSUME_EVENT, since, until):
        collector.add(record)
    if not activity:
        return
    keys = sorted({a.access_key_id for a in collector.assumptions if a.access_key_id})
    for key in keys:
        for record in _lookup(client, "AccessKeyId", key, since, until):
            collector.add(record)


def _lookup(client: Any, key: str, value: str, since: datetime, until: datetime) -> Iterator[Any]:
    token: str | None = None
    while True:
        request: dict[str, Any] = {
            "LookupAttributes": [{"AttributeKey": key, "AttributeValue": value}],
            "StartTime": since,
            "EndTime": until,
            "MaxResults": _MAX_LOOKUP_RESULTS,
        }
        if token:
            request["NextToken"] = token
        page = _aws(lambda r=request: client.lookup_events(**r), "cloudtrail:LookupEvents")
        for event in page.get("Events") or ():
            raw = event.get("CloudTrailEvent")
            try:
                yield orjson.loads(raw) if isinstance(raw, str | bytes) else raw
            except orjson.JSONDecodeError:
                yield None  # counted as skipped by the collector
        token = page.get("NextToken")
        if not token:
            return


def read_s3_logs(
    client: Any, location: S3Location, collector: TrailCollector, *, since: datetime, until: datetime
) -> None:
    """Stream the log files of the days in [since, until] under `location` into `collector`.

    A few files are fetched and decompressed ahead in threads (network and zlib release the GIL) while
    the current one is read; at most `_PREFETCH` files are in memory at once, however many there are.
    """
    first, last = _stamp(since), _stamp(until)
    keys = _log_keys(client, location, since.date(), until.date())

    def fetch(key: str) -> tuple[str, list[Any] | str]:
        data = _aws(lambda: client.get_object(Bucket=location.bucket, Key=key), f"s3:GetObject {key}")[
            "Body"
        ].read()
        return key, _decode(key, data)

    with ThreadPoolExecutor(max_workers=_PREFETCH) as pool:
        pending: deque[Future[tuple[str, list[Any] | str]]] = deque()
        for key in keys:
            pending.append(pool.submit(fetch, key))
            if len(pending) >= _PREFETCH:
                _read_file(pending.popleft().result(), collector, first, last)
        while pending:
            _read_file(pending.popleft().result(), collector, first, last)


def _read_file(
    fetched: tuple[str, list[Any] | str], collector: TrailCollector, first: str, last: str
) -> None:
    _, records = fetched
    if isinstance(records, str):
        collector.stats.skip_file(records)
        return
    collector.stats.files_read += 1
    add = collector.add
    for record in records:
        # CloudTrail writes eventTime as YYYY-MM-DDTHH:MM:SSZ: in that form, text order is time order.
        when = record.get("eventTime") if type(record) is dict else None
        if type(when) is str and len(when) == 20 and not first <= when <= last:
            continue
        add(record)


def _decode(key: str, data: bytes) -> list[Any] | str:
    """A log file's records, or why it was skipped."""
    try:
        if key.endswith(".gz"):
            data = gzip.decompress(data)
        doc = orjson.loads(data)
    except (OSError, EOFError, zlib.error):
        return "not a readable gzip file"
    except orjson.JSONDecodeError:
        return "not JSON"
    records = doc.get("Records") if isinstance(doc, dict) else None
    if not isinstance(records, list):
        return "not a CloudTrail log file (no Records list)"
    return records


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _log_keys(client: Any, location: S3Location, first: date, last: date) -> Iterator[str]:
    root = f"{location.prefix}AWSLogs/"
    for account_prefix in _account_prefixes(client, location.bucket, root):
        trail = f"{account_prefix}CloudTrail/"
        for region_prefix in _folders(client, location.bucket, trail):
            day = first
            while day <= last:
                day_prefix = f"{region_prefix}{day:%Y/%m/%d}/"
                for key in _keys(client, location.bucket, day_prefix):
                    if _LOG_FILE.search(key):
                        yield key
                day += timedelta(days=1)


def _account_prefixes(client: Any, bucket: str, root: str) -> Iterator[str]:
    """`AWSLogs/<account>/` and, for organisation trails, `AWSLogs/<org id>/<account>/`."""
    for folder in _folders(client, bucket, root):
        name = folder[len(root) :].rstrip("/")
        if _ACCOUNT.match(name):
            yield folder
        elif _ORG.match(name):
            yield from (
                f for f in _folders(client, bucket, folder) if _ACCOUNT.match(f[len(folder) :].rstrip("/"))
            )


def _folders(client: Any, bucket: str, prefix: str) -> Iterator[str]:
    for page in _pages(client, bucket, prefix, delimiter="/"):
        for entry in page.get("CommonPrefixes") or ():
            yield entry["Prefix"]


def _keys(client: Any, bucket: str, prefix: str) -> Iterator[str]:
    for page in _pages(client, bucket, prefix, delimiter=None):
        for entry in page.get("Contents") or ():
            yield entry["Key"]


def _pages(client: Any, bucket: str, prefix: str, *, delimiter: str | None) -> Iterator[dict[str, Any]]:
    token: str | None = None
    while True:
        request: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
        if delimiter:
            request["Delimiter"] = delimiter
        if token:
            request["ContinuationToken"] = token
        page = _aws(lambda r=request: client.list_objects_v2(**r), f"s3:ListObjectsV2 s3://{bucket}/{prefix}")
        yield page
        if not page.get("IsTruncated"):
            return
        token = page.get("NextContinuationToken")


def _aws(call: Any, what: str) -> Any:
    """One AWS read; a refusal or a dead endpoint is one line (the client already retried throttling)."""
    import botocore.exceptions

    try:
        return call()
    except botocore.exceptions.ClientError as exc:
        error = exc.response.get("Error", {})
        raise OperationalError(
            f"{what}: {error.get('Code', 'error')}: {error.get('Message', '') or 'refused'}"
        ) from None
    except botocore.exceptions.BotoCoreError as exc:
        raise OperationalError(f"{what}: {exc}") from None
