"""A local CloudTrail `LookupEvents` endpoint (moto has none), speaking the API's JSON 1.1 protocol.

It pages with `NextToken`, filters by the one lookup attribute and the time window, answers
`ThrottlingException` to the first `throttle` calls (the API allows 2 calls per second), and records the
requests it saw. See README.md for the documentation it follows.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson

TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"
_ATTRIBUTES = {"EventName": ("eventName",), "AccessKeyId": ("userIdentity", "accessKeyId")}


@dataclass
class EventHistory:
    records: list[dict[str, Any]] = field(default_factory=list)
    throttle: int = 0
    page_size_cap: int = 50
    requests: list[dict[str, Any]] = field(default_factory=list)
    access_keys: list[str] = field(default_factory=list)  # who signed each request (SigV4 Credential=)
    url: str = ""

    def answer(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.requests.append(request)
        if self.throttle > 0:
            self.throttle -= 1
            return 400, {"__type": "ThrottlingException", "message": "Rate exceeded"}
        attributes = request.get("LookupAttributes") or []
        if len(attributes) > 1:
            return 400, {"__type": "InvalidLookupAttributesException", "message": "only one attribute"}
        size = int(request.get("MaxResults") or self.page_size_cap)
        if not 1 <= size <= self.page_size_cap:
            return 400, {"__type": "InvalidMaxResultsException", "message": "MaxResults 1-50"}
        matching = [r for r in self.records if _matches(r, attributes, request)]
        # Event history returns the newest first.
        matching.sort(key=lambda r: r["eventTime"], reverse=True)
        start = int(request.get("NextToken") or 0)
        page = matching[start : start + size]
        body: dict[str, Any] = {"Events": [_event(r) for r in page]}
        if start + size < len(matching):
            body["NextToken"] = str(start + size)
        return 200, body


def _matches(record: dict[str, Any], attributes: list[dict[str, str]], request: dict[str, Any]) -> bool:
    when = _epoch(record["eventTime"])
    if "StartTime" in request and when < float(request["StartTime"]):
        return False
    if "EndTime" in request and when > float(request["EndTime"]):
        return False
    for attribute in attributes:
        value: Any = record
        for step in _ATTRIBUTES[attribute["AttributeKey"]]:
            value = value.get(step) if isinstance(value, dict) else None
        if value != attribute["AttributeValue"]:
            return False
    return True


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def _event(record: dict[str, Any]) -> dict[str, Any]:
    identity = record.get("userIdentity") or {}
    return {
        "EventId": record.get("eventID"),
        "EventName": record.get("eventName"),
        "ReadOnly": str(record.get("readOnly")).lower(),
        "AccessKeyId": identity.get("accessKeyId"),
        "EventTime": _epoch(record["eventTime"]),
        "EventSource": record.get("eventSource"),
        "Username": identity.get("userName"),
        "Resources": [],
        "CloudTrailEvent": orjson.dumps(record).decode(),
    }


def _handler(history: EventHistory) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = orjson.loads(self.rfile.read(length) or b"{}")
            signed = self.headers.get("Authorization", "")
            history.access_keys.append(signed.split("Credential=")[-1].split("/")[0])
            if self.headers.get("X-Amz-Target") != TARGET:
                status, body = 400, {"__type": "UnknownOperationException", "message": "not served here"}
            else:
                status, body = history.answer(request)
            data = orjson.dumps(body)
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serving(history: EventHistory) -> Iterator[EventHistory]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(history))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    history.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield history
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
