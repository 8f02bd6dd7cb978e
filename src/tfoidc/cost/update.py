"""`tfoidc prices update`: refresh the user catalog from the AWS Price List Query API.

boto3's `pricing` client (us-east-1) pages through `GetProducts`; each `PriceList` element is a JSON
*string* holding one product with its terms. On-demand prices of the products tfoidc prices are turned
into catalog rows keyed like the shipped catalog, and written atomically to the user catalog, merged
over what it already holds.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import orjson

from tfoidc.cost.catalog import CATALOG_FORMAT, read_catalog_file
from tfoidc.errors import AuthError, InputError, OperationalError, TfoidcError
from tfoidc.files import write_atomic

PRICING_REGION = "us-east-1"  # the Price List Query API answers from us-east-1 (and two others)
DEFAULT_REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1")
ON_DEMAND = "OnDemand"

# Price-list `location` names, for items without `regionCode` (older price lists).
LOCATIONS = {
    "US East (N. Virginia)": "us-east-1",
    "US East (Ohio)": "us-east-2",
    "US West (N. California)": "us-west-1",
    "US West (Oregon)": "us-west-2",
    "EU (Ireland)": "eu-west-1",
    "EU (Frankfurt)": "eu-central-1",
    "EU (London)": "eu-west-2",
    "EU (Paris)": "eu-west-3",
    "EU (Stockholm)": "eu-north-1",
    "Canada (Central)": "ca-central-1",
    "Asia Pacific (Singapore)": "ap-southeast-1",
    "Asia Pacific (Sydney)": "ap-southeast-2",
    "Asia Pacific (Tokyo)": "ap-northeast-1",
    "Asia Pacific (Mumbai)": "ap-south-1",
    "South America (Sao Paulo)": "sa-east-1",
}
REGION_LOCATIONS = {region: location for location, region in LOCATIONS.items()}
_REGION = re.compile(r"^[a-z]{2}(?:-gov)?-[a-z]+-\d$")


@dataclass(frozen=True, slots=True)
class Row:
    region: str
    key: str
    price: Decimal
    unit: str
    reference: str  # SKU and rate code
    date: str  # effective date of the price


Filters = Mapping[str, str]
Mapper = Callable[[str, Mapping[str, Any]], str | None]  # (productFamily, attributes) -> catalog key


# --- product -> catalog key, per service ----------------------------------------------------------

_EBS_VOLUME = {
    "gp2": "gp2",
    "gp3": "gp3",
    "piops": "io1",
    "io1": "io1",
    "io2": "io2",
    "st1": "st1",
    "sc1": "sc1",
}
_RDS_STORAGE = {"General Purpose": "gp2", "General Purpose-GP3": "gp3", "Provisioned IOPS": "io1"}
_RDS_ENGINES = {"MySQL", "PostgreSQL", "MariaDB", "Aurora MySQL", "Aurora PostgreSQL"}


def _usage_suffix(attrs: Mapping[str, Any]) -> str:
    return str(attrs.get("usagetype", "")).split("-", 1)[-1] if "-" in str(attrs.get("usagetype", "")) else ""


def map_ec2(family: str, attrs: Mapping[str, Any]) -> str | None:
    usagetype = str(attrs.get("usagetype", ""))
    if family == "Compute Instance":
        linux_shared = (
            attrs.get("operatingSystem") == "Linux"
            and attrs.get("tenancy") == "Shared"
            and attrs.get("preInstalledSw", "NA") == "NA"
            and attrs.get("capacitystatus", "Used") == "Used"
            and attrs.get("licenseModel", "No License required") == "No License required"
        )
        return (
            f"ec2/instance-hour/{attrs['instanceType']}" if linux_shared and "instanceType" in attrs else None
        )
    if family == "Storage":
        match = re.search(r"EBS:VolumeUsage(?:\.(\w+))?$", usagetype)
        if match:
            volume = attrs.get("volumeApiName") or _EBS_VOLUME.get(match.group(1) or "", "standard")
            return f"ebs/storage-gb-month/{volume}"
    if family == "System Operation":
        match = re.search(r"EBS:VolumeP-IOPS\.(\w+)$", usagetype)
        if match and match.group(1) in _EBS_VOLUME:
            return f"ebs/iops-month/{_EBS_VOLUME[match.group(1)]}"
    if family == "Provisioned Throughput" and usagetype.endswith("EBS:VolumeP-Throughput.gp3"):
        return "ebs/throughput-mbps-month/gp3"
    if family == "NAT Gateway":
        if usagetype.endswith("NatGateway-Hours"):
            return "natgateway/hour"
        if usagetype.endswith("NatGateway-Bytes"):
            return "natgateway/data-gb"
    return None


def map_rds(family: str, attrs: Mapping[str, Any]) -> str | None:
    if attrs.get("deploymentOption", "Single-AZ") != "Single-AZ":
        return None
    engine = attrs.get("databaseEngine")
    if family == "Database Instance" and engine in _RDS_ENGINES and "instanceType" in attrs:
        return f"rds/instance-hour/{engine}/{attrs['instanceType']}"
    if family == "Database Storage" and attrs.get("volumeType") in _RDS_STORAGE and engine in (None, "Any"):
        return f"rds/storage-gb-month/{_RDS_STORAGE[attrs['volumeType']]}"
    return None


def map_elasticache(family: str, attrs: Mapping[str, Any]) -> str | None:
    engine = attrs.get("cacheEngine")
    if family == "Cache Instance" and engine in ("Redis", "Memcached") and "instanceType" in attrs:
        return f"elasticache/node-hour/{engine}/{attrs['instanceType']}"
    return None


def map_elb(family: str, attrs: Mapping[str, Any]) -> str | None:
    kind = {
        "Load Balancer-Application": "application",
        "Load Balancer-Network": "network",
        "Load Balancer": "classic",
    }.get(family)
    usagetype = str(attrs.get("usagetype", ""))
    if kind is None:
        return None
    if usagetype.endswith("LoadBalancerUsage"):
        return f"elb/{kind}-hour"
    if usagetype.endswith("LCUUsage") and kind != "classic":
        return f"elb/{kind}-lcu-hour"
    if usagetype.endswith("DataProcessing-Bytes") and kind == "classic":
        return "elb/classic-data-gb"
    return None


def map_eks(family: str, attrs: Mapping[str, Any]) -> str | None:
    usagetype = str(attrs.get("usagetype", ""))
    if usagetype.endswith("AmazonEKS-Hours:perCluster"):
        return "eks/cluster-hour"
    if usagetype.endswith("AmazonEKS-Hours:extendedSupport"):
        return "eks/cluster-extended-support-hour"
    return None


def map_secretsmanager(family: str, attrs: Mapping[str, Any]) -> str | None:
    if family == "Secret":
        return "secretsmanager/secret-month"
    if family == "API Request":
        return "secretsmanager/api-request"
    return None


@dataclass(frozen=True)
class Service:
    code: str
    mapper: Mapper
    queries: tuple[Filters, ...]  # one GetProducts pass per query (filters AND together)


SERVICES: dict[str, Service] = {
    s.code: s
    for s in (
        Service(
            "AmazonEC2",
            map_ec2,
            (
                {
                    "productFamily": "Compute Instance",
                    "operatingSystem": "Linux",
                    "tenancy": "Shared",
                    "preInstalledSw": "NA",
                    "capacitystatus": "Used",
                },
                {"productFamily": "Storage"},
                {"productFamily": "System Operation"},
                {"productFamily": "Provisioned Throughput"},
                {"productFamily": "NAT Gateway"},
            ),
        ),
        Service(
            "AmazonRDS",
            map_rds,
            (
                {"productFamily": "Database Instance", "deploymentOption": "Single-AZ"},
                {"productFamily": "Database Storage", "deploymentOption": "Single-AZ"},
            ),
        ),
        Service("AmazonElastiCache", map_elasticache, ({"productFamily": "Cache Instance"},)),
        Service("AWSELB", map_elb, ({},)),
        Service("AmazonEKS", map_eks, ({},)),
        Service("AWSSecretsManager", map_secretsmanager, ({},)),
    )
}


# --- wire format -> rows ---------------------------------------------------------------------------


def decode_price_list(price_list: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """Each element of a GetProducts `PriceList` is a JSON document in a string."""
    for element in price_list:
        try:
            item = orjson.loads(element) if isinstance(element, str | bytes) else element
        except orjson.JSONDecodeError as exc:
            raise OperationalError(f"Price List API returned an item that is not JSON ({exc})") from None
        if isinstance(item, dict):
            yield item


def rows_from_item(item: Mapping[str, Any], mapper: Mapper) -> list[Row]:
    product = item.get("product") or {}
    attrs = product.get("attributes") or {}
    key = mapper(str(product.get("productFamily", "")), attrs)
    region = attrs.get("regionCode") or LOCATIONS.get(str(attrs.get("location", "")))
    if key is None or not region:
        return []
    rows = []
    for term in ((item.get("terms") or {}).get(ON_DEMAND) or {}).values():
        dimension = _first_tier(term.get("priceDimensions") or {})
        if dimension is None:
            continue
        try:
            price = Decimal(str((dimension.get("pricePerUnit") or {})["USD"]))
        except (KeyError, InvalidOperation):
            continue
        reference = f"sku {product.get('sku', '?')}, rateCode {dimension.get('rateCode', '?')}"
        date = str(term.get("effectiveDate") or item.get("publicationDate") or "")[:10]
        rows.append(Row(region, key, price, str(dimension.get("unit", "")), reference, date))
    return rows


def _first_tier(dimensions: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The dimension a new resource pays first: the tier that begins at 0."""
    tiers = [d for d in dimensions.values() if isinstance(d, dict)]
    for tier in tiers:
        if str(tier.get("beginRange", "0")) == "0":
            return tier
    return tiers[0] if tiers else None


# --- the API ---------------------------------------------------------------------------------------


DEFAULT_MAX_ATTEMPTS = 6


def pricing_client(credentials: Mapping[str, str] | None = None) -> Any:
    """boto3's pricing client in us-east-1 (`AWS_ENDPOINT_URL_PRICING` honoured).

    `credentials` are `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN` values (the ones
    tfoidc obtained); without them boto3's default chain applies. Throttling is retried with
    botocore's standard backoff, `AWS_MAX_ATTEMPTS` times in all (default 6)."""
    from botocore.config import Config

    from tfoidc.identity.sts import session as sts_session
    from tfoidc.identity.sts import session_for_own_credentials

    attempts = os.environ.get("AWS_MAX_ATTEMPTS", "")
    total = int(attempts) if attempts.isdigit() and int(attempts) > 0 else DEFAULT_MAX_ATTEMPTS
    creds = credentials or {}
    # With tfoidc's credentials no profile is needed; without, boto3's chain must find the named one.
    session = session_for_own_credentials() if credentials else sts_session(None)
    return session.client(
        "pricing",
        region_name=PRICING_REGION,
        config=Config(retries={"mode": "standard", "total_max_attempts": total}),
        aws_access_key_id=creds.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=creds.get("AWS_SECRET_ACCESS_KEY"),
        aws_session_token=creds.get("AWS_SESSION_TOKEN"),
    )


def fetch_rows(client: Any, service: Service, regions: Iterable[str]) -> Iterator[Row]:
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    for region in regions:
        location = REGION_LOCATIONS.get(region)
        for query in service.queries:
            filters = [{"Type": "TERM_MATCH", "Field": f, "Value": v} for f, v in query.items()]
            filters.append(
                {"Type": "TERM_MATCH", "Field": "location", "Value": location}
                if location
                else {"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}
            )
            paginator = client.get_paginator("get_products")
            pages = paginator.paginate(ServiceCode=service.code, Filters=filters, FormatVersion="aws_v1")
            try:
                for page in pages:
                    for item in decode_price_list(page.get("PriceList") or ()):
                        yield from (r for r in rows_from_item(item, service.mapper) if r.region == region)
            except ClientError as exc:
                raise _client_error(exc, service.code) from None
            except NoCredentialsError:
                raise AuthError(
                    "no AWS credentials for the Price List API",
                    hint="run in a job with a GitLab ID token and --environment, or set up AWS credentials",
                ) from None
            except BotoCoreError as exc:
                raise OperationalError(f"AWS Price List API call failed: {exc}") from None


def _client_error(exc: Any, service_code: str) -> TfoidcError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", "?"))
    message = f"AWS Price List API refused GetProducts for {service_code}: {code}: {error.get('Message', '')}"
    if code in ("ThrottlingException", "Throttling", "TooManyRequestsException"):
        return OperationalError(
            message, hint="throttled after retries; try again later or set AWS_MAX_ATTEMPTS"
        )
    if code in ("AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
                "ExpiredTokenException"):  # fmt: skip
        return AuthError(message, hint="the credentials need pricing:GetProducts")
    return OperationalError(message)


def build_user_catalog(rows: Iterable[Row], existing: Mapping[str, Any] | None) -> dict[str, Any]:
    """Merge `rows` over an existing user catalog document (or start one)."""
    sources: dict[str, dict[str, str]] = dict((existing or {}).get("sources") or {})
    prices: dict[str, dict[str, list[str]]] = {
        region: dict(keys) for region, keys in ((existing or {}).get("prices") or {}).items()
    }
    by_date: dict[str, str] = {info.get("date", ""): sid for sid, info in sources.items()
                               if info.get("file") == "AWS Price List API (GetProducts)"}  # fmt: skip
    for row in rows:
        sid = by_date.get(row.date)
        if sid is None:
            sid = f"api{len(sources) + 1}"
            sources[sid] = {
                "file": "AWS Price List API (GetProducts)",
                "date": row.date,
                "origin": "tfoidc prices update",
            }
            by_date[row.date] = sid
        prices.setdefault(row.region, {})[row.key] = [
            format(row.price.normalize(), "f"),
            row.unit,
            sid,
            row.reference,
        ]
    return {
        "format": CATALOG_FORMAT,
        "currency": "USD",
        "description": "tfoidc user price catalog (tfoidc prices update); takes precedence over the shipped one",
        "sources": sources,
        "prices": {r: dict(sorted(k.items())) for r, k in sorted(prices.items())},
    }


def update_catalog(
    output: Path,
    *,
    regions: Iterable[str] = DEFAULT_REGIONS,
    services: Iterable[str] | None = None,
    client: Any = None,
    credentials: Mapping[str, str] | None = None,
) -> tuple[int, dict[str, int]]:
    """Fetch prices and write the user catalog at `output`. Returns (rows written, rows per service)."""
    chosen = list(services) if services else list(SERVICES)
    unknown = [s for s in chosen if s not in SERVICES]
    if unknown:
        raise InputError(f"unknown service(s) {', '.join(unknown)}; known: {', '.join(SERVICES)}")
    region_list = list(regions)
    bad = [r for r in region_list if not _REGION.match(r)]
    if bad or not region_list:
        raise InputError(f"not an AWS region: {', '.join(bad) or '(none given)'}")
    existing = None
    if output.exists():
        read_catalog_file(output)  # refuse to merge into something that is not a catalog
        existing = orjson.loads(output.read_bytes())
    api = client if client is not None else pricing_client(credentials)
    rows: list[Row] = []
    per_service: dict[str, int] = {}
    for code in chosen:
        found = list(fetch_rows(api, SERVICES[code], region_list))
        per_service[code] = len(found)
        rows.extend(found)
    if not rows:
        raise OperationalError(
            f"the Price List API returned no prices tfoidc uses for {', '.join(chosen)} in "
            f"{', '.join(region_list)}; {output} was not changed"
        )
    write_atomic(output, orjson.dumps(build_user_catalog(rows, existing)))
    return len(rows), per_service
