"""The price catalog: the one shipped with tfoidc plus a user catalog that takes precedence.

Both are the same JSON document (`tfoidc-price-catalog/1`):
`{"format", "currency", "sources": {id: {file, date, origin}}, "prices": {region: {key: [price, unit,
source id, reference]}}}`. Keys name what is priced, e.g. `ec2/instance-hour/m5.large`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

from tfoidc.errors import InputError

CATALOG_FORMAT = "tfoidc-price-catalog/1"
USER_CATALOG_ENV = "TFOIDC_PRICES"  # an explicit user catalog file
HOME_ENV = "TFOIDC_HOME"  # tfoidc's own directory; the user catalog is prices.json inside it


@dataclass(frozen=True, slots=True)
class Price:
    key: str
    region: str
    amount: Decimal
    unit: str
    source_file: str
    date: str
    reference: str  # AWS SKU / rate code, or the price-list attributes that identify the price
    origin: str

    def describe_source(self) -> str:
        return f"{self.source_file} ({self.date}); {self.reference}"


@dataclass(frozen=True)
class CatalogDocument:
    path: str
    sources: Mapping[str, Mapping[str, str]]
    prices: Mapping[str, Mapping[str, list[str]]]

    def lookup(self, region: str, key: str) -> Price | None:
        row = self.prices.get(region, {}).get(key)
        if row is None:
            return None
        amount, unit, source_id, reference = row
        source = self.sources.get(source_id, {})
        return Price(
            key=key,
            region=region,
            amount=Decimal(amount),
            unit=unit,
            source_file=source.get("file", self.path),
            date=source.get("date", "unknown date"),
            reference=reference,
            origin=source.get("origin", ""),
        )


@dataclass(frozen=True)
class Catalog:
    """Documents in order of precedence (user catalog first, shipped catalog last)."""

    documents: tuple[CatalogDocument, ...]

    def price(self, region: str, key: str) -> Price | None:
        for doc in self.documents:
            found = doc.lookup(region, key)
            if found is not None:
                return found
        return None

    def prices(self, region: str | None = None, prefix: str = "") -> Iterator[Price]:
        """Every price the catalog knows (the winning one per region and key), sorted."""
        seen: set[tuple[str, str]] = set()
        rows: list[Price] = []
        for doc in self.documents:
            for reg, keys in doc.prices.items():
                if region is not None and reg != region:
                    continue
                for key in keys:
                    if key.startswith(prefix) and (reg, key) not in seen:
                        seen.add((reg, key))
                        found = doc.lookup(reg, key)
                        if found is not None:
                            rows.append(found)
        yield from sorted(rows, key=lambda p: (p.key, p.region))


def default_user_catalog_path() -> Path:
    if explicit := os.environ.get(USER_CATALOG_ENV):
        return Path(explicit)
    if home := os.environ.get(HOME_ENV):
        return Path(home) / "prices.json"
    return Path.home() / ".cache" / "tfoidc" / "prices.json"


def load_catalog(user_path: Path | None = None) -> Catalog:
    """The shipped catalog, preceded by the user catalog when it exists.

    `user_path` defaults to `$TFOIDC_PRICES`, else `$TFOIDC_HOME/prices.json`, else
    `~/.cache/tfoidc/prices.json`. A user catalog that was asked for explicitly must exist.
    """
    documents: list[CatalogDocument] = []
    path = user_path if user_path is not None else default_user_catalog_path()
    if path.exists() or user_path is not None:
        documents.append(read_catalog_file(path))
    documents.append(shipped_catalog())
    return Catalog(tuple(documents))


def shipped_catalog() -> CatalogDocument:
    data = resources.files("tfoidc.cost").joinpath("data/catalog.json").read_bytes()
    return parse_catalog(data, source="tfoidc shipped catalog")


def read_catalog_file(path: Path) -> CatalogDocument:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read price catalog {path}: {exc.strerror or exc}") from None
    return parse_catalog(data, source=str(path))


def parse_catalog(data: bytes, *, source: str) -> CatalogDocument:
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{source}: price catalog is not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != CATALOG_FORMAT:
        raise InputError(f"{source}: not a tfoidc price catalog (format is not {CATALOG_FORMAT})")
    prices = doc.get("prices")
    sources = doc.get("sources")
    if not isinstance(prices, dict) or not isinstance(sources, dict):
        raise InputError(f"{source}: price catalog lacks 'prices' or 'sources'")
    for region, keys in prices.items():
        _check_rows(source, region, keys)
    return CatalogDocument(path=source, sources=sources, prices=prices)


def _check_rows(source: str, region: str, keys: Any) -> None:
    if not isinstance(keys, dict):
        raise InputError(f"{source}: prices.{region} is not an object")
    for key, row in keys.items():
        if not (isinstance(row, list) and len(row) == 4 and all(isinstance(x, str) for x in row)):
            raise InputError(f"{source}: prices.{region}.{key} is not [price, unit, source, reference]")
        try:
            amount = Decimal(row[0])
        except InvalidOperation:
            raise InputError(f"{source}: prices.{region}.{key}: {row[0]!r} is not a number") from None
        if not amount.is_finite() or amount < 0:
            raise InputError(f"{source}: prices.{region}.{key}: {row[0]!r} is not a price")
