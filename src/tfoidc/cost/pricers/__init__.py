"""The pricer registry, built from each service module's declarations.

One module per AWS service; each `@pricer(...)` declares once the types it prices and the catalog
and usage keys it reads. Everything else is derived here: which pricer prices a type (`PRICERS`),
which catalog keys `tfoidc prices show TYPE` lists (`CATALOG_PREFIXES`), which `[cost.usage]` keys
tfoidc.toml accepts (`USAGE_KEYS`). `FREE_TYPES` (free.py) lists what AWS does not charge for.

Adding a pricer: write it in its service's module (or a new module listed in `SERVICES`), with a
test derived from its Infracost golden in tests/cost/pricers/, and its prices in
tools/build_catalog.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType, ModuleType

from tfoidc.cost.pricers import (
    acm,
    apigateway,
    awsconfig,
    awslambda,
    backup,
    cloudfront,
    cloudtrail,
    cloudwatch,
    codebuild,
    directconnect,
    docdb,
    dynamodb,
    ebs,
    ec2,
    ecr,
    ecs,
    efs,
    eks,
    elasticache,
    elb,
    fsx,
    globalaccelerator,
    kinesis,
    kms,
    mq,
    msk,
    neptune,
    opensearch,
    rds,
    redshift,
    route53,
    s3,
    secretsmanager,
    sfn,
    sns,
    sqs,
    ssm,
    transfer,
    vpc,
)
from tfoidc.cost.pricers.base import Attrs, Pricer, Pricing, Unpriceable
from tfoidc.cost.pricers.free import FREE_TYPES

SERVICES: tuple[ModuleType, ...] = (
    ec2, ebs, vpc, elb, eks, ecs, ecr, awslambda, rds, docdb, neptune, dynamodb, elasticache,
    opensearch, redshift, msk, kinesis, sqs, sns, sfn, mq, apigateway, cloudfront, route53, s3, efs,
    fsx, backup, kms, secretsmanager, ssm, acm, cloudwatch, cloudtrail, awsconfig, codebuild,
    transfer, globalaccelerator, directconnect,
)  # fmt: skip


def _declared() -> dict[str, Pricer]:
    pricers: dict[str, Pricer] = {}
    for service in SERVICES:
        for value in vars(service).values():
            if isinstance(value, Pricer) and value.function.__module__ == service.__name__:
                for resource_type in value.types:
                    if resource_type in pricers:
                        raise RuntimeError(f"{resource_type} is priced twice ({pricers[resource_type].name})")
                    if resource_type in FREE_TYPES:
                        raise RuntimeError(f"{resource_type} is both priced and free")
                    pricers[resource_type] = value
    return dict(sorted(pricers.items()))


PRICERS: Mapping[str, Pricer] = MappingProxyType(_declared())
# The catalog key prefixes each priced type reads (for `tfoidc prices show TYPE`).
CATALOG_PREFIXES: Mapping[str, tuple[str, ...]] = MappingProxyType({t: p.catalog for t, p in PRICERS.items()})
# The usage keys each type reads from `[cost.usage]` (as in Infracost's usage file, flattened).
USAGE_KEYS: Mapping[str, frozenset[str]] = MappingProxyType(
    {t: frozenset(p.usage) for t, p in PRICERS.items() if p.usage}
)

__all__ = [
    "CATALOG_PREFIXES",
    "FREE_TYPES",
    "PRICERS",
    "SERVICES",
    "USAGE_KEYS",
    "Attrs",
    "Pricer",
    "Pricing",
    "Unpriceable",
]
