"""A local HTTP server that answers `AWSPriceListService.GetProducts` in the Price List Query API's
documented wire format (botocore's pricing/2017-10-15 model: JSON 1.1, `X-Amz-Target`), from the real
recorded responses under ../shared/fixtures/prices/wire-format.

It applies the request's TERM_MATCH filters to the products, pages with an opaque NextToken, records
every request, and can throttle or refuse on demand.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

TARGET = "AWSPriceListService.GetProducts"
JSON_11 = "application/x-amz-json-1.1"


def load_wire_samples(wire: Path) -> list[dict[str, Any]]:
    """Every recorded product, decoded from the PriceList strings it came in."""
    items: list[dict[str, Any]] = []
    for name in (
        "kubernetes-autoscaler/get-products.AmazonEC2.m4.xlarge.eu-west-1.json",
        "awscli/get-products.output.json",
    ):
        items += [json.loads(s) for s in json.loads((wire / name).read_text())["PriceList"]]
    examples = json.loads((wire / "botocore/pricing-2017-10-15.examples-1.json").read_text())
    items += [json.loads(s) for s in examples["examples"]["GetProducts"][0]["output"]["PriceList"]]
    items.append(
        json.loads(
            (wire / "amazon-ec2-instance-selector/price-item.AmazonEC2.m5.large.us-east-1.json").read_text()
        )
    )
    for item in items:
        item.setdefault("serviceCode", item["product"]["attributes"].get("servicecode", "AmazonEC2"))
    return items


def with_price(item: dict[str, Any], usd: str) -> dict[str, Any]:
    """A copy of a recorded product whose on-demand price is `usd` (a price change, for tests)."""
    changed = copy.deepcopy(item)
    for term in changed["terms"]["OnDemand"].values():
        for dimension in term["priceDimensions"].values():
            dimension["pricePerUnit"]["USD"] = usd
    return changed


@dataclass
class PriceListState:
    products: list[dict[str, Any]]
    page_size: int = 1
    mode: str = "ok"  # ok | throttle | throttle_once | denied | fail_second_page | garbage
    empty_first_page: bool = False  # AWS may answer a page with no products and a NextToken
    requests: list[dict[str, Any]] = field(default_factory=list)
    _throttled: bool = False

    def matching(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        def value(item: dict[str, Any], name: str) -> Any:
            if name == "productFamily":
                return item["product"].get("productFamily")
            return item["product"]["attributes"].get(name)

        filters = body.get("Filters") or []
        return [
            item
            for item in self.products
            if item.get("serviceCode") == body.get("ServiceCode")
            and all(f.get("Type") == "TERM_MATCH" and value(item, f["Field"]) == f["Value"] for f in filters)
        ]


def _handler(state: PriceListState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
            return

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", JSON_11)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, kind: str, message: str) -> None:
            self._send(status, {"__type": kind, "message": message})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            state.requests.append(
                {
                    "target": self.headers.get("X-Amz-Target"),
                    "content_type": self.headers.get("Content-Type"),
                    "authorization": self.headers.get("Authorization", ""),
                    "body": body,
                }
            )
            if self.headers.get("X-Amz-Target") != TARGET:
                return self._error(400, "UnknownOperationException", "unknown operation")
            if not (self.headers.get("Content-Type") or "").startswith(JSON_11):
                return self._error(400, "SerializationException", "expected application/x-amz-json-1.1")
            if state.mode == "denied":
                return self._error(
                    400, "AccessDeniedException", "User is not authorized to perform: pricing:GetProducts"
                )
            if state.mode == "throttle" or (state.mode == "throttle_once" and not state._throttled):
                state._throttled = True
                return self._error(400, "ThrottlingException", "Rate exceeded")
            token = base64.b64decode(body["NextToken"]).decode() if body.get("NextToken") else ""
            if state.mode == "fail_second_page" and token:
                return self._error(500, "InternalErrorException", "internal error")
            found = state.matching(body)
            if state.empty_first_page and not token:
                next_token = base64.b64encode(b"0").decode()
                return self._send(200, {"FormatVersion": "aws_v1", "PriceList": [], "NextToken": next_token})
            start = int(token or "0")
            page = found[start : start + state.page_size]
            payload: dict[str, Any] = {"FormatVersion": "aws_v1", "PriceList": [json.dumps(i) for i in page]}
            if state.mode == "garbage":
                payload["PriceList"] = ["{not json"]
            if start + state.page_size < len(found):
                payload["NextToken"] = base64.b64encode(str(start + state.page_size).encode()).decode()
            return self._send(200, payload)

    return Handler


def serve(state: PriceListState) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
