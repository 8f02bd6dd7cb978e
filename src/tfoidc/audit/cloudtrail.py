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
from collections.abc import Iterator
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
    """Stream the log files of the days in [since, until] under `location` into `collector`."""
    for key in _log_keys(client, location, since.date(), until.date()):
        body = _aws(lambda k=key: client.get_object(Bucket=location.bucket, Key=k), f"s3:GetObject {key}")
        data = body["Body"].read()
        records = _records_of(key, data, collector)
        if records is None:
            continue
        collector.stats.files_read += 1
        for record in records:
            if isinstance(record, dict) and not _in_window(record, since, until):
                continue
            collector.add(record)


def _records_of(key: str, data: bytes, collector: TrailCollector) -> list[Any] | None:
    try:
        if key.endswith(".gz"):
            data = gzip.decompress(data)
        doc = orjson.loads(data)
    except (OSError, EOFError, zlib.error):
        collector.stats.skip_file("not a readable gzip file")
        return None
    except orjson.JSONDecodeError:
        collector.stats.skip_file("not JSON")
        return None
    records = doc.get("Records") if isinstance(doc, dict) else None
    if not isinstance(records, list):
        collector.stats.skip_file("not a CloudTrail log file (no Records list)")
        return None
    return records


def _in_window(record: dict[str, Any], since: datetime, until: datetime) -> bool:
    text = record.get("eventTime")
    if not isinstance(text, str):
        return True  # the collector counts it as a bad event
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return True
    return since <= when <= until


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
