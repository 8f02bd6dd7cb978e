"""Build tfoidc's shipped price catalog from the price fixtures in ../shared/fixtures/prices.

    python tools/build_catalog.py [--prices DIR] [--output src/tfoidc/cost/data/catalog.json]

Every price keeps where it came from: the source file, the date of the price, and the AWS rate code /
SKU or the price-list attributes that identify it. Only the five regions tfoidc covers are kept (the
fixtures hold nothing else), and only on-demand prices: that is what the estimator uses, and it keeps
the file small (about 0.4 MB, all EC2 instance types included, since people use many families).

Sources, by preference (see ../shared/fixtures/prices/SOURCES.md):
  * AWS pricing-page metered unit maps (2025): NAT, VPC endpoints / public IPv4, EKS, KMS, Lambda,
    DynamoDB, S3, CloudWatch Logs, EC2 Linux on-demand; Karpenter's us-east-1 EC2 table (2026) fills
    instance types the unit map lacks.
  * ec2instances.info scrapes: RDS (2021, Single-AZ) and ElastiCache (2022; the nodes whose prices
    disagree between us-east-1, us-east-2 and us-west-2 are known bad and are left out).
  * Infracost golden outputs (us-east-1 only): EBS, ELB/ALB/NLB, Secrets Manager, RDS storage/IOPS;
    unit price = the shortest decimal that reproduces the golden's rounded monthly cost.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PRICES = REPO.parent / "shared" / "fixtures" / "prices"
DEFAULT_OUTPUT = REPO / "src" / "tfoidc" / "cost" / "data" / "catalog.json"

REGIONS = {
    "US East (N. Virginia)": "us-east-1",
    "US East (Ohio)": "us-east-2",
    "US West (Oregon)": "us-west-2",
    "EU (Ireland)": "eu-west-1",
    "EU (Frankfurt)": "eu-central-1",
}
UNIT_MAPS = "pricing-page-unit-maps/lamngockhuong-aws-price"

# catalog key -> (unit-map file, entry description, unit)
UNIT_MAP_PRICES: dict[str, tuple[str, str, str]] = {
    "natgateway/hour": ("natgateway", "Hourly charge for NAT Gateways", "hour"),
    "natgateway/data-gb": ("natgateway", "Charge for per GB data processed by NatGateways", "GB"),
    "vpc/endpoint-hour": ("vpc", "Hourly charge for VPC Endpoints per Hrs", "hour"),
    "vpc/endpoint-data-gb": (
        "vpc",
        "Charge for per GB data processed by VPC Endpoints per GB from 0 to 1048576",
        "GB",
    ),
    "vpc/public-ipv4-in-use-hour": ("vpc", "Hourly charge for In use Public IPv4 Addresses per Hrs", "hour"),
    "vpc/public-ipv4-idle-hour": ("vpc", "Hourly charge for Idle Public IPv4 Addresses per Hrs", "hour"),
    "eks/cluster-hour": ("eks", "Compute per hours", "hour"),
    "eks/cluster-extended-support-hour": ("eks", "Compute ExtendedSupport per Hours", "hour"),
    "kms/key-month": ("kms", "Encryption Key", "month"),
    "kms/request": ("kms", "API request - Non Free Tier", "request"),
    "lambda/request": ("lambda", "Lambda Requests", "request"),
    "lambda/request-arm": ("lambda", "Lambda Requests-ARM", "request"),
    "lambda/duration-gb-second": ("lambda", "Lambda Duration", "GB-second"),
    "lambda/duration-gb-second-arm": ("lambda", "Lambda Duration-ARM", "GB-second"),
    "lambda/ephemeral-storage-gb-second": ("lambda", "Lambda Storage-Duration", "GB-second"),
    "lambda/ephemeral-storage-gb-second-arm": ("lambda", "Lambda Storage-Duration-ARM", "GB-second"),
    "dynamodb/rcu-hour": ("dynamodb", "Provisioned Read Units", "RCU-hour"),
    "dynamodb/wcu-hour": ("dynamodb", "Provisioned Write Units", "WCU-hour"),
    "dynamodb/read-request-unit": ("dynamodb", "PayPerRequest Read Request Units", "RRU"),
    "dynamodb/write-request-unit": ("dynamodb", "PayPerRequest Write Request Units", "WRU"),
    "dynamodb/storage-gb-month": ("dynamodb", "Data Storage Indexed GB-Mo", "GB-month"),
    "s3/standard-storage-gb-month": ("s3", "Standard Storage First 50 TB per GB Mo", "GB-month"),
    "s3/standard-put-request": ("s3", "PUT COPY/POST or LIST requests per Requests", "request"),
    "s3/standard-get-request": ("s3", "GET and all other requests per Requests", "request"),
    "cloudwatch/logs-ingested-gb": ("cloudwatch", "Logs Collected Data Ingestion", "GB"),
    "cloudwatch/logs-stored-gb-month": ("cloudwatch", "Stored Data", "GB-month"),
    "cloudwatch/logs-insights-scanned-gb": ("cloudwatch", "Queried Logs Insights", "GB"),
}

# catalog key -> (golden file, resource address, component name, unit, quantity divisor)
# The divisor turns the golden's unit into the catalog's (LCU-month -> LCU-hour, 1M requests -> request).
GOLDEN_PRICES: dict[str, tuple[str, str, str, str, int]] = {
    "ebs/storage-gb-month/gp2": (
        "ebs_volume",
        "aws_ebs_volume.gp2",
        "Storage (general purpose SSD, gp2)",
        "GB-month",
        1,
    ),
    "ebs/storage-gb-month/gp3": (
        "ebs_volume",
        "aws_ebs_volume.gp3",
        "Storage (general purpose SSD, gp3)",
        "GB-month",
        1,
    ),
    "ebs/storage-gb-month/io1": (
        "ebs_volume",
        "aws_ebs_volume.io1",
        "Storage (provisioned IOPS SSD, io1)",
        "GB-month",
        1,
    ),
    "ebs/storage-gb-month/io2": (
        "ebs_volume",
        "aws_ebs_volume.io2",
        "Storage (provisioned IOPS SSD, io2)",
        "GB-month",
        1,
    ),
    "ebs/storage-gb-month/st1": (
        "ebs_volume",
        "aws_ebs_volume.st1",
        "Storage (throughput optimized HDD, st1)",
        "GB-month",
        1,
    ),
    "ebs/storage-gb-month/sc1": (
        "ebs_volume",
        "aws_ebs_volume.sc1",
        "Storage (cold HDD, sc1)",
        "GB-month",
        1,
    ),
    "ebs/storage-gb-month/standard": (
        "ebs_volume",
        "aws_ebs_volume.standard",
        "Storage (magnetic)",
        "GB-month",
        1,
    ),
    "ebs/io-request/standard": (
        "ebs_volume",
        "aws_ebs_volume.standard",
        "I/O requests",
        "request",
        1_000_000,
    ),
    "ebs/iops-month/io1": ("ebs_volume", "aws_ebs_volume.io1", "Provisioned IOPS", "IOPS-month", 1),
    "ebs/iops-month/io2": ("ebs_volume", "aws_ebs_volume.io2", "Provisioned IOPS", "IOPS-month", 1),
    "ebs/iops-month/gp3": ("ebs_volume", "aws_ebs_volume.gp3", "Provisioned IOPS", "IOPS-month", 1),
    "ebs/throughput-mbps-month/gp3": (
        "ebs_volume",
        "aws_ebs_volume.gp3",
        "Provisioned throughput",
        "MBps-month",
        1,
    ),
    "elb/application-hour": ("lb", "aws_lb.lb1", "Application load balancer", "hour", 1),
    "elb/application-lcu-hour": ("lb", "aws_lb.lb1", "Load balancer capacity units", "LCU-hour", 730),
    "elb/network-hour": ("lb", "aws_lb.nlb1", "Network load balancer", "hour", 1),
    "elb/network-lcu-hour": ("lb", "aws_lb.nlb1", "Load balancer capacity units", "LCU-hour", 730),
    "elb/classic-hour": ("elb", "aws_elb.elb1", "Classic load balancer", "hour", 1),
    "elb/classic-data-gb": ("elb", "aws_elb.elb1", "Data processed", "GB", 1),
    "secretsmanager/secret-month": (
        "secretsmanager_secret",
        "aws_secretsmanager_secret.secret",
        "Secret",
        "month",
        1,
    ),
    "secretsmanager/api-request": (
        "secretsmanager_secret",
        "aws_secretsmanager_secret.secret",
        "API requests",
        "request",
        10_000,
    ),
    "rds/storage-gb-month/gp2": (
        "db_instance",
        "aws_db_instance.oracle-se1",
        "Storage (general purpose SSD, gp2)",
        "GB-month",
        1,
    ),
    "rds/storage-gb-month/gp3": (
        "db_instance",
        'aws_db_instance.gp3["below_low_baseline"]',
        "Storage (general purpose SSD, gp3)",
        "GB-month",
        1,
    ),
    "rds/storage-gb-month/io1": (
        "db_instance",
        "aws_db_instance.mysql-iops",
        "Storage (provisioned IOPS SSD, io1)",
        "GB-month",
        1,
    ),
    "rds/iops-month/io1": ("db_instance", "aws_db_instance.mysql-iops", "Provisioned IOPS", "IOPS-month", 1),
    "rds/iops-month/gp3": (
        "db_instance",
        'aws_db_instance.gp3["above_low_baseline"]',
        "Provisioned GP3 IOPS (above 3,000)",
        "IOPS-month",
        1,
    ),
    "rds/backup-storage-gb-month": (
        "db_instance",
        "aws_db_instance.mysql-iops",
        "Additional backup storage",
        "GB-month",
        1,
    ),
}

GOLDEN_DATES = {"db_instance": "2026-05-03", "eks_cluster": "2025-07-07", "dynamodb_table": "2024-11-15"}
GOLDEN_DEFAULT_DATE = "2024-07-01"

RDS_ENGINES = ("MySQL", "PostgreSQL", "MariaDB", "Aurora MySQL", "Aurora PostgreSQL")
ELASTICACHE_ENGINES = ("Redis", "Memcached")
US_REGIONS = ("us-east-1", "us-east-2", "us-west-2")


@dataclass
class Builder:
    prices_dir: Path
    sources: dict[str, dict[str, str]]
    prices: dict[str, dict[str, list[str]]]

    def source(self, file: str, date: str, origin: str) -> str:
        sid = f"s{len(self.sources) + 1}"
        for existing, info in self.sources.items():
            if info["file"] == file:
                return existing
        self.sources[sid] = {"file": file, "date": date, "origin": origin}
        return sid

    def add(self, region: str, key: str, price: Decimal | str, unit: str, sid: str, ref: str) -> None:
        self.prices.setdefault(region, {}).setdefault(key, [normalise(price), unit, sid, ref])


def normalise(price: Decimal | str) -> str:
    text = format(Decimal(str(price)).normalize(), "f")
    return text


def add_unit_maps(b: Builder) -> None:
    docs: dict[str, dict] = {}
    for key, (service, description, unit) in UNIT_MAP_PRICES.items():
        rel = f"{UNIT_MAPS}/{service}.5regions.json"
        if service not in docs:
            docs[service] = json.loads((b.prices_dir / rel).read_text())
        doc = docs[service]
        date = doc["manifest"]["hawkFilePublicationDate"][:10]
        sid = b.source(rel, date, "AWS pricing-page metered unit map")
        for location, entries in doc["regions"].items():
            entry = entries.get(description)
            if entry is None or location not in REGIONS:
                continue
            b.add(REGIONS[location], key, entry["price"], unit, sid, f"rateCode {entry['rateCode']}")


def add_ec2(b: Builder) -> None:
    rel = f"{UNIT_MAPS}/ec2-linux-ondemand.5regions.json"
    sid = b.source(rel, "2025-11-03", "AWS pricing-page EC2 unit map (Linux, on-demand, shared)")
    for rec in json.loads((b.prices_dir / rel).read_text()):
        itype = rec["attributes"]["instanceType"]
        ref = f"instanceType={itype}, operatingSystem=Linux, tenancy=Shared"
        b.add(rec["region"], f"ec2/instance-hour/{itype}", rec["pricePerUnit"], "hour", sid, ref)
    rel = "curated/karpenter/ec2-ondemand-linux.us-east-1.2026-07-20.csv"
    sid = b.source(rel, "2026-07-20", "Karpenter generated table from the AWS Price List API")
    with (b.prices_dir / rel).open(newline="") as fh:
        for row in csv.DictReader(fh):
            ref = f"instanceType={row['instance_type']}, operatingSystem=Linux"
            key = f"ec2/instance-hour/{row['instance_type']}"
            b.add(row["region"], key, row["usd_per_hour"], "hour", sid, ref)


def add_rds(b: Builder) -> None:
    rel = "curated/ec2instances.info/rds-instances.2021-08-03.5regions.json"
    sid = b.source(rel, "2021-08-03", "ec2instances.info scrape of the AWS price list (Single-AZ)")
    for rec in json.loads((b.prices_dir / rel).read_text()):
        for region, engines in rec["pricing"].items():
            for engine in RDS_ENGINES:
                ondemand = (engines.get(engine) or {}).get("ondemand")
                if ondemand is None:
                    continue
                ref = (
                    f"instanceType={rec['instance_type']}, databaseEngine={engine}, "
                    "deploymentOption=Single-AZ"
                )
                key = f"rds/instance-hour/{engine}/{rec['instance_type']}"
                b.add(region, key, str(ondemand), "hour", sid, ref)


def add_elasticache(b: Builder) -> None:
    rel = "curated/ec2instances.info/elasticache-instances.2022-02-13.5regions.json"
    sid = b.source(rel, "2022-02-13", "ec2instances.info scrape of the AWS price list")
    for rec in json.loads((b.prices_dir / rel).read_text()):
        for engine in ELASTICACHE_ENGINES:
            by_region = {
                region: engines[engine]["ondemand"]
                for region, engines in rec["pricing"].items()
                if engine in engines and engines[engine].get("ondemand") is not None
            }
            us = {by_region[r] for r in US_REGIONS if r in by_region}
            known_bad = len(us) > 1  # AWS charges the same in these three; the scrape does not
            for region, price in by_region.items():
                if known_bad and region in US_REGIONS:
                    continue
                ref = f"instanceType={rec['instance_type']}, cacheEngine={engine}"
                b.add(
                    region,
                    f"elasticache/node-hour/{engine}/{rec['instance_type']}",
                    str(price),
                    "hour",
                    sid,
                    ref,
                )


ROW = re.compile(r"^[\s│├└─]*(?P<name>\S.*?)\s{2,}(?P<rest>\S.*?)\s*\*?\s*$")
QTY_COST = re.compile(r"^(?P<qty>[\d,.]+)\s+(?P<unit>.+?)\s+\$(?P<cost>[\d,.]+)$")
PER_UNIT = re.compile(r"^Monthly cost depends on usage: \$(?P<price>[\d.]+) per (?P<unit>.+)$")
ADDRESS = re.compile(r"^ (?P<address>aws_\S+)\s*$")


def golden_rows(text: str) -> dict[tuple[str, str], str]:
    """(resource address, component name) -> the rest of the row ("qty unit $cost" or "$x per unit")."""
    rows: dict[tuple[str, str], str] = {}
    address = ""
    for line in text.splitlines():
        if m := ADDRESS.match(line):
            address = m["address"]
            continue
        if address and (m := ROW.match(line)):
            rows.setdefault((address, m["name"].strip()), m["rest"].strip())
    return rows


def unit_price_from_row(rest: str, divisor: int) -> Decimal:
    if m := PER_UNIT.match(rest):
        return shortest_price(Decimal(m["price"]), Decimal(divisor))
    m = QTY_COST.match(rest)
    if not m:
        raise ValueError(f"cannot read golden row {rest!r}")
    qty = Decimal(m["qty"].replace(",", "")) * divisor
    return shortest_price(Decimal(m["cost"].replace(",", "")), qty)


def shortest_price(cost: Decimal, qty: Decimal) -> Decimal:
    """The shortest decimal unit price that reproduces a cost rounded to cents for `qty`."""
    exact = cost / qty
    for digits in range(1, 12):
        candidate = exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
        if (candidate * qty).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) == cost:
            return candidate
    return exact


def add_goldens(b: Builder) -> None:
    for key, (golden, address, component, unit, divisor) in GOLDEN_PRICES.items():
        rel = f"infracost-goldens/{golden}_test.golden.txt"
        rows = golden_rows((b.prices_dir / rel).read_text())
        rest = rows.get((address, component))
        if rest is None:
            raise SystemExit(f"{rel}: no row {component!r} under {address}")
        date = GOLDEN_DATES.get(golden, GOLDEN_DEFAULT_DATE)
        sid = b.source(rel, date, "infracost expected output (derived: monthly cost / quantity)")
        ref = f"derived from {address} / {component!r}: {rest}"
        b.add("us-east-1", key, unit_price_from_row(rest, divisor), unit, sid, ref)


def build(prices_dir: Path) -> dict:
    b = Builder(prices_dir, {}, {})
    add_unit_maps(b)
    add_ec2(b)
    add_rds(b)
    add_elasticache(b)
    add_goldens(b)
    return {
        "format": "tfoidc-price-catalog/1",
        "currency": "USD",
        "description": "On-demand AWS list prices; see tools/build_catalog.py and docs/cost.md",
        "sources": b.sources,
        "prices": {region: dict(sorted(keys.items())) for region, keys in sorted(b.prices.items())},
    }


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prices", type=Path, default=DEFAULT_PRICES)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if not args.prices.is_dir():
        print(f"build_catalog: price fixtures not found at {args.prices}", file=sys.stderr)
        return 2
    catalog = build(args.prices)
    text = json.dumps(catalog, separators=(",", ":"), sort_keys=False) + "\n"
    write_atomically(args.output, text)
    count = sum(len(v) for v in catalog["prices"].values())
    print(f"wrote {args.output} ({len(text) / 1e6:.2f} MB, {count} prices)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
