"""What every pricer is made of (pure).

A pricer is a function from one resource's values to its cost components, declared once with
`@pricer(...)`: the resource types it prices, the catalog key prefixes it reads and the `[cost.usage]`
keys it reads (with what each means). The registry, `tfoidc prices show`, the usage validation in
tfoidc.toml and docs/cost.md all come from those declarations, and `Pricing` refuses a key a pricer
did not declare, so the declaration cannot drift from the code.

A pricer reads attributes through `Attrs` (which refuses unknown and sensitive values) and builds
components through `Pricing` (which refuses prices missing from the catalog). Either refusal becomes
a `NotPriced` with the reason; nothing is ever silently $0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Any, Protocol

from tfoidc.cost.catalog import Catalog
from tfoidc.cost.model import HOURS_PER_MONTH, CostComponent
from tfoidc.plan.model import REDACTED

ZERO = Decimal(0)
Path = tuple[str | int, ...]


class Unpriceable(Exception):
    """This resource cannot be priced; the message says why, in words for the user."""


class UndeclaredKey(RuntimeError):
    """A pricer read a catalog or usage key its declaration does not name: a bug in tfoidc."""


class _AllUnknown(dict[str, Any]):
    """`after_unknown` of a block that is unknown as a whole: every attribute in it is unknown."""

    def get(self, key: str, default: Any = None) -> Any:
        return True


@dataclass(frozen=True)
class Attrs:
    """One object of a resource's values with its `after_unknown` mirror."""

    values: Mapping[str, Any]
    unknown: Mapping[str, Any]
    path: str = ""

    def get(self, key: str, default: Any = None) -> Any:
        name = f"{self.path}{key}"
        if self.unknown.get(key) is True:
            raise Unpriceable(f"{name} is known only after apply")
        value = self.values.get(key)
        if value == REDACTED:
            raise Unpriceable(f"{name} is sensitive")
        return default if value is None else value

    def text(self, key: str) -> str:
        """A required string attribute."""
        value = self.get(key)
        if value in (None, ""):
            raise Unpriceable(f"{self.path}{key} is not set")
        return str(value)

    def number(self, key: str, default: Decimal | int | None = None) -> Decimal:
        value = self.get(key)
        if value is None or value == "":
            if default is None:
                raise Unpriceable(f"{self.path}{key} is not set")
            return Decimal(default)
        try:
            return Decimal(str(value))
        except ArithmeticError:
            raise Unpriceable(f"{self.path}{key} is not a number: {value!r}") from None

    def optional(self, key: str, default: Any) -> Any:
        """An optional attribute whose unknown value means "not set": the provider/AWS default
        (e.g. `tenancy` is computed as "default" when the configuration leaves it out)."""
        if self.unknown.get(key) is True or self.values.get(key) is None:
            return default
        return self.get(key)

    def optional_number(self, key: str, default: Decimal | int) -> Decimal:
        if self.unknown.get(key) is True or self.values.get(key) in (None, ""):
            return Decimal(default)
        return self.number(key)

    def is_unknown(self, key: str) -> bool:
        return self.unknown.get(key) is True

    def is_set(self, key: str) -> bool:
        """Known and not empty (an unknown value is not "set" yet)."""
        return not self.is_unknown(key) and self.values.get(key) not in (None, "", [], {})

    def blocks(self, key: str) -> list[Attrs]:
        """The nested blocks under `key` (a list of objects); unknown as a whole is refused."""
        raw = self.get(key, [])
        unknown = self.unknown.get(key)
        if not isinstance(raw, list):
            raw = [raw] if isinstance(raw, dict) else []
        out = []
        for i, item in enumerate(raw):
            mirror = unknown[i] if isinstance(unknown, list) and i < len(unknown) else {}
            if mirror is True:  # the whole block is known only after apply
                mirror = _AllUnknown()
            elif not isinstance(mirror, dict):
                mirror = {}
            out.append(Attrs(item if isinstance(item, dict) else {}, mirror, f"{self.path}{key}[{i}]."))
        return out

    def block(self, key: str) -> Attrs | None:
        """The first nested block under `key`, or None when there is none."""
        found = self.blocks(key)
        return found[0] if found else None

    def strings(self, key: str) -> list[str]:
        """A list (or set) of strings; unknown is refused, absent is empty."""
        raw = self.get(key, [])
        return [str(v) for v in raw] if isinstance(raw, list) else []


@dataclass(frozen=True)
class Found:
    """Another resource of the plan this one depends on for its price (e.g. its launch template)."""

    address: str
    type: str
    attrs: Attrs
    how: str  # "reference", "matching id", ... said in the resource's notes


class Related(Protocol):
    """What a pricer may ask about the rest of the plan (see `tfoidc.cost.related`)."""

    def find(self, path: Path, types: Sequence[str], keys: Sequence[str] = ("id", "name")) -> Found | None:
        """The resource this one's attribute at `path` refers to: by the configuration's reference,
        else by matching the attribute's value against the candidates' `keys`."""
        ...

    def only(self, types: Sequence[str]) -> Found | None:
        """The one resource of these types in this resource's module instance, if there is exactly one."""
        ...

    def referring(
        self, types: Sequence[str], path: Path, keys: Sequence[str] = ("id", "arn"), to: str | None = None
    ) -> list[Found]:
        """Resources of these types whose attribute at `path` refers to this resource (or to the
        resource at address `to`): by reference, else by value against its `keys`."""
        ...

    def configured(self, path: Path) -> bool | None:
        """Whether the configuration sets this attribute (None: the plan has no configuration for it)."""
        ...


class _NoRelated:
    def find(self, path: Path, types: Sequence[str], keys: Sequence[str] = ("id", "name")) -> Found | None:
        return None

    def only(self, types: Sequence[str]) -> Found | None:
        return None

    def referring(
        self, types: Sequence[str], path: Path, keys: Sequence[str] = ("id", "arn"), to: str | None = None
    ) -> list[Found]:
        return []

    def configured(self, path: Path) -> bool | None:
        return None


NO_RELATED: Related = _NoRelated()


@dataclass(frozen=True)
class Tier:
    """One price tier: `size` raw units at the price of catalog `key` (None: everything above)."""

    label: str
    key: str
    size: Decimal | int | None = None


PriceFunction = Callable[["Attrs", "Pricing"], list[CostComponent]]


@dataclass(frozen=True)
class Pricer:
    """One pricer and its declaration: what it prices and which catalog and usage keys it reads."""

    types: tuple[str, ...]
    catalog: tuple[str, ...]  # catalog key prefixes, e.g. "ec2/instance-hour/"
    usage: Mapping[str, str]  # usage key -> what it counts (for docs and `[cost.usage]` errors)
    function: PriceFunction
    name: str

    def __call__(self, attrs: Attrs, pricing: Pricing) -> list[CostComponent]:
        return self.function(attrs, pricing)

    def reads_catalog_key(self, key: str) -> bool:
        return any(key.startswith(prefix) for prefix in self.catalog)

    @property
    def service(self) -> str:
        """The pricer module (its AWS service), e.g. "ec2"."""
        return self.function.__module__.rsplit(".", 1)[-1]


def pricer(
    *types: str, catalog: Iterable[str], usage: Mapping[str, str] | None = None
) -> Callable[[PriceFunction], Pricer]:
    """Declare a pricer: `@pricer("aws_sqs_queue", catalog=("sqs/",), usage={"monthly_requests": "…"})`."""

    def declare(function: PriceFunction) -> Pricer:
        return Pricer(tuple(types), tuple(catalog), dict(usage or {}), function, function.__name__)

    return declare


@dataclass(frozen=True)
class Pricing:
    catalog: Catalog
    region: str
    usage: Mapping[str, Decimal]
    declared: Pricer | None = None  # the declaration keys are checked against (None: unchecked)
    related: Related = field(default=NO_RELATED)
    managed_volume_ids: frozenset[str] = frozenset()  # priced as aws_ebs_volume, not again as a device
    notes: list[str] = field(default_factory=list)  # how the resource was priced, for the user

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def unit_price(self, key: str) -> tuple[Decimal, str]:
        if self.declared is not None and not self.declared.reads_catalog_key(key):
            raise UndeclaredKey(f"{self.declared.name} reads {key}, outside its declared catalog keys")
        price = self.catalog.price(self.region, key)
        if price is None:
            raise Unpriceable(f"no price for {key} in {self.region} in the catalog")
        return price.amount, price.describe_source()

    def setting(self, a: Attrs, key: str, default: Any) -> Any:
        """An optional attribute with a default: "known after apply" means the default when the
        configuration does not set it (the provider computes it), and is refused when it does (the
        value comes from something unknown yet)."""
        if a.is_unknown(key) and self.related.configured((key,)):
            raise Unpriceable(f"{a.path}{key} is known only after apply")
        return a.optional(key, default)

    def usage_value(self, key: str) -> Decimal | None:
        if self.declared is not None and key not in self.declared.usage:
            raise UndeclaredKey(f"{self.declared.name} reads usage {key}, which it does not declare")
        return self.usage.get(key)

    def fixed(self, name: str, key: str, unit: str, quantity: Decimal | int) -> CostComponent:
        amount, source = self.unit_price(key)
        quantity = Decimal(quantity)
        return CostComponent(name, unit, amount, quantity, amount * quantity, source)

    def hourly(self, name: str, key: str, count: Decimal | int = 1) -> CostComponent:
        return self.fixed(name, key, "hours", HOURS_PER_MONTH * count)

    def monthly(self, name: str, key: str, unit: str = "months", count: Decimal | int = 1) -> CostComponent:
        return self.fixed(name, key, unit, count)

    def usage_based(
        self, name: str, key: str, unit: str, usage_key: str, units_per_shown: Decimal | int = 1
    ) -> CostComponent:
        """A component priced per use. The catalog prices one raw unit (a request, a GB); the usage
        value counts raw units, as Infracost's usage file does; `units_per_shown` groups raw units
        for display (1,000,000 for "1M requests")."""
        return self.per_use(name, key, unit, self.usage_value(usage_key), (usage_key,), units_per_shown)

    def per_use(
        self,
        name: str,
        key: str,
        unit: str,
        quantity: Decimal | None,
        usage_keys: Sequence[str],
        units_per_shown: Decimal | int = 1,
    ) -> CostComponent:
        """A per-use component whose raw quantity the pricer computed from usage (None: not supplied)."""
        amount, source = self.unit_price(key)
        return self.usage_component(name, unit, amount, source, quantity, units_per_shown, usage_keys)

    def tiered(
        self,
        name: str,
        tiers: Sequence[Tier],
        unit: str,
        quantity: Decimal | None,
        usage_keys: Sequence[str],
        units_per_shown: Decimal | int = 1,
    ) -> list[CostComponent]:
        """A per-use quantity split over price tiers, one component per tier it reaches. Without usage,
        the first tier alone, as "depends on usage"."""
        if quantity is None:
            first = tiers[0]
            return [
                self.per_use(f"{name} ({first.label})", first.key, unit, None, usage_keys, units_per_shown)
            ]
        parts: list[CostComponent] = []
        left = quantity
        for i, tier in enumerate(tiers):
            size = None if tier.size is None else Decimal(tier.size)
            used = left if size is None else min(left, size)
            if used > 0 or i == 0:
                parts.append(
                    self.per_use(f"{name} ({tier.label})", tier.key, unit, used, usage_keys, units_per_shown)
                )
            left -= used
            if left <= 0:
                break
        return parts

    @staticmethod
    def usage_component(
        name: str,
        unit: str,
        amount: Decimal,
        source: str,
        quantity: Decimal | None,
        units_per_shown: Decimal | int,
        usage_keys: str | Sequence[str],
    ) -> CostComponent:
        keys = (usage_keys,) if isinstance(usage_keys, str) else tuple(usage_keys)
        shown_price = amount * units_per_shown
        if quantity is None:
            source = f"{source}; usage: {' + '.join(keys)}"
            return CostComponent(name, unit, shown_price, None, None, source, keys)
        return CostComponent(
            name, unit, shown_price, quantity / units_per_shown, amount * quantity, source, keys
        )


def scaled(c: CostComponent, factor: Decimal | int) -> CostComponent:
    """The same component `factor` times over (e.g. a Multi-AZ standby), quantity unchanged."""
    if factor == 1 or c.monthly_quantity is None or c.monthly_cost is None:
        return c
    return CostComponent(
        c.name,
        c.unit,
        c.unit_price * factor,
        c.monthly_quantity,
        c.monthly_cost * factor,
        c.price_source,
        c.usage_keys,
    )


def times(c: CostComponent, count: Decimal | int) -> CostComponent:
    """The same component for `count` resources: the quantity (and cost) multiplied."""
    if count == 1:
        return c
    return CostComponent(
        c.name,
        c.unit,
        c.unit_price,
        None if c.monthly_quantity is None else c.monthly_quantity * count,
        None if c.monthly_cost is None else c.monthly_cost * count,
        c.price_source,
        c.usage_keys,
    )


def prefixed(prefix: str, components: Iterable[CostComponent]) -> list[CostComponent]:
    return [
        CostComponent(
            f"{prefix}{c.name}",
            c.unit,
            c.unit_price,
            c.monthly_quantity,
            c.monthly_cost,
            c.price_source,
            c.usage_keys,
        )
        for c in components
    ]


def ceil(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding=ROUND_CEILING)


def missing(key: str) -> Any:
    raise Unpriceable(f"{key} is not set")
