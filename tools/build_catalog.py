"""Build tfoidc's shipped price catalog from the price fixtures in ../shared/fixtures/prices.

    python tools/build_catalog.py [--prices DIR] [--output src/tfoidc/cost/data/catalog.json]

Every price keeps where it came from: the source file, the date of the price, and the AWS rate code /
SKU or the price-list attributes that identify it. Only on-demand prices are kept, for the five regions
tfoidc covers (the unit maps hold nothing else), plus the few prices the Infracost goldens give for
another region (Backup in us-west-1, Neptune in eu-west-2): that is what the estimator uses, and it
keeps the file about 1 MB (all EC2 instance types are included, since people use many families).

Sources, by preference (see ../shared/fixtures/prices/SOURCES.md):
  * AWS pricing-page metered unit maps (2025): NAT, VPC endpoints / public IPv4, Transit Gateway, VPN,
    EKS, KMS, Lambda, DynamoDB, S3, CloudWatch (logs, metrics, alarms), EC2 Linux on-demand, Redshift,
    MSK, EFS, Route 53, SNS, CloudFront requests, Fargate, API Gateway, Kinesis, Neptune, CloudTrail,
    Config; Karpenter's us-east-1 EC2 table (2026) fills instance types the unit map lacks. Route 53
    and CloudFront prices are global and are written to every region.
  * ec2instances.info scrapes: RDS (2021, Single-AZ) and ElastiCache (2022; the nodes whose prices
    disagree between us-east-1, us-east-2 and us-west-2 are known bad and are left out).
  * Infracost golden outputs (us-east-1 unless a row says otherwise): EBS, ELB/ALB/NLB, Secrets
    Manager, RDS storage/IOPS, and the services without a unit map here (OpenSearch, SQS, ECR, Step
    Functions, MQ, DocumentDB, SSM, private CA, Backup, FSx, Global Accelerator, Transfer Family,
    Direct Connect, CloudFront data transfer, CodeBuild); unit price = the shortest decimal that
    reproduces the golden's rounded monthly cost.
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
    "cloudwatch/metric-month": ("cloudwatch", "Metric for the first 10000", "metric-month"),
    "cloudwatch/alarm-standard-month": ("cloudwatch", "Alarm Standard", "alarm-metric-month"),
    "cloudwatch/alarm-high-month": ("cloudwatch", "Alarm High Resolution", "alarm-metric-month"),
    "cloudwatch/alarm-composite-month": ("cloudwatch", "Alarm Composite", "alarm-month"),
    "vpc/transit-gateway-attachment-hour": (
        "vpc",
        "Hourly charge for Transit Gateway VPC Attachments per hour",
        "hour",
    ),
    "vpc/transit-gateway-data-gb": (
        "vpc",
        "Charge for per GB data processed by AWS Transit Gateways for VPC attachments per GigaBytes",
        "GB",
    ),
    "vpc/vpn-connection-hour": ("vpc", "CreateVpnConnection per Hrs", "hour"),
    "vpc/transit-gateway-vpn-attachment-hour": (
        "vpc",
        "Hourly charge for Transit Gateway Site to-Site VPN attachments per hour",
        "hour",
    ),
    "vpc/transit-gateway-vpn-data-gb": (
        "vpc",
        "Charge for per GB data processed by AWS Transit Gateways for Site to-Site VPN attachments per GigaBytes",
        "GB",
    ),
    "efs/storage-gb-month": ("efs", "General Purpose Storage GB Mo", "GB-month"),
    "efs/one-zone-storage-gb-month": ("efs", "One Zone General Purpose Storage GB Mo", "GB-month"),
    "efs/ia-storage-gb-month": ("efs", "Infrequent Access Storage GB Mo", "GB-month"),
    "efs/one-zone-ia-storage-gb-month": ("efs", "One Zone Infrequent Access Storage GB Mo", "GB-month"),
    "efs/ia-read-gb": ("efs", "Infrequent Access Requests Read per GB", "GB"),
    "efs/ia-write-gb": ("efs", "Infrequent Access Requests Write per GB", "GB"),
    "efs/provisioned-throughput-mibps-month": ("efs", "Throughput Provisioned", "MBps-month"),
    "efs/elastic-read-gb": ("efs", "EFS Storage Requests Read per GB", "GB"),
    "efs/elastic-write-gb": ("efs", "EFS Storage Requests Write per GB", "GB"),
    "msk/storage-gb-month": ("msk", "RunVolume", "GB-month"),
    "kinesis/shard-hour": ("kinesis", "Provisioned shard hour per ShardHour", "shard-hour"),
    "kinesis/extended-retention-shard-hour": ("kinesis", "Addon shard hour per ShardHour", "shard-hour"),
    "kinesis/put-payload-unit": ("kinesis", "Payload Units per PutRequest", "payload unit"),
    "kinesis/long-term-retention-gb-month": (
        "kinesis",
        "Long term Data Retention GB-month per GB-month",
        "GB-month",
    ),
    "kinesis/long-term-retrieval-gb": ("kinesis", "Long term Data Retrieval GB per GB", "GB"),
    "kinesis/efo-retrieved-gb": ("kinesis", "Enhanced fan out GB of data retrieved per GB", "GB"),
    "kinesis/efo-consumer-shard-hour": (
        "kinesis",
        "Enhanced fan out per ConsumerShardHour",
        "consumer-shard-hour",
    ),
    "kinesis/on-demand-stream-hour": ("kinesis", "OnDemandStreamHr per StreamHr", "stream-hour"),
    "kinesis/on-demand-ingested-gb": ("kinesis", "OnDemandDataIngested per GB", "GB"),
    "kinesis/on-demand-retrieved-gb": ("kinesis", "OnDemandDataRetrieval per GB", "GB"),
    "kinesis/on-demand-efo-retrieved-gb": ("kinesis", "OnDemandEFODataRetrieval per GB", "GB"),
    "kinesis/on-demand-extended-retention-gb-month": (
        "kinesis",
        "OnDemandExtendedRetentionByteHrs per GB month",
        "GB-month",
    ),
    "sns/api-request": ("sns", "Amazon SNS API Requests", "request"),
    "sns/http-notification": ("sns", "HTTP Notifications", "notification"),
    "sns/email-notification": ("sns", "SNS Email and Email JSON Notifications", "notification"),
    "sns/firehose-notification": ("sns", "Amazon Kinesis Data Firehose Messages", "notification"),
    "sns/mobile-push-notification": (
        "sns",
        "Google Cloud Messaging for Android GCM Notifications",
        "notification",
    ),
    "sns/macos-notification": (
        "sns",
        "Apple Push Notification Service APNS Mac OS Notifications",
        "notification",
    ),
    "sns/fifo-api-request": ("sns", "Amazon SNS FIFO API Requests per Requests", "request"),
    "sns/fifo-payload-gb": ("sns", "SNS FIFO Publish Payload per GB", "GB"),
    "sns/fifo-notification": ("sns", "Amazon SNS FIFO Subscription Messages per Messages", "notification"),
    "sns/fifo-notification-payload-gb": ("sns", "Amazon SNS FIFO Subscription Messages Payload per GB", "GB"),
    "apigateway/rest-request/tier1": ("apigateway", "API Calls Number of up to 333 million", "request"),
    "apigateway/rest-request/tier2": (
        "apigateway",
        "API Calls Number of Request Next 667 million",
        "request",
    ),
    "apigateway/rest-request/tier3": ("apigateway", "API Calls Number of Request Next 19 billion", "request"),
    "apigateway/rest-request/tier4": ("apigateway", "API Calls Number of Request Over 20 billion", "request"),
    "apigateway/http-request/tier1": ("apigateway", "ApiGatewayHttpApi First 300 million", "request"),
    "apigateway/http-request/tier2": ("apigateway", "ApiGatewayHttpApi more than 300 million", "request"),
    "apigateway/websocket-message/tier1": (
        "apigateway",
        "WebSocket Messages Messages first 1 billion",
        "message",
    ),
    "apigateway/websocket-message/tier2": (
        "apigateway",
        "WebSocket Messages Messages over 1 billion",
        "message",
    ),
    "apigateway/websocket-connection-minute": ("apigateway", "WebSocket Connection Minutes", "minute"),
    "ecs/fargate-vcpu-hour": ("ecs", "perCPU per hour", "vCPU-hour"),
    "ecs/fargate-gb-hour": ("ecs", "perGB per hour", "GB-hour"),
    "ecs/fargate-vcpu-hour-arm": ("ecs", "ARM perCPU per hour", "vCPU-hour"),
    "ecs/fargate-gb-hour-arm": ("ecs", "ARM perGB per hour", "GB-hour"),
    "ecs/fargate-storage-gb-hour": ("ecs", "Storage per GB-Hours", "GB-hour"),
    "cloudtrail/management-event": ("cloudtrail", "Management Paid Events Recorded", "event"),
    "cloudtrail/data-event": ("cloudtrail", "Data Events Recorded", "event"),
    "cloudtrail/insight-event": ("cloudtrail", "Insights Events", "event"),
    "config/rule-evaluation/tier1": ("config", "Config Rules first 100000", "evaluation"),
    "config/rule-evaluation/tier2": ("config", "Config Rules next 400000", "evaluation"),
    "config/rule-evaluation/tier3": ("config", "Config Rules 500001 and more", "evaluation"),
    "neptune/storage-gb-month": ("neptune", "Storage Rate", "GB-month"),
    "neptune/storage-gb-month-iopt": (
        "neptune",
        "IO optimized Storage Rate General Purpose-Aurora",
        "GB-month",
    ),
    "neptune/io-request": ("neptune", "IO Rate", "request"),
}

# Unit-map entries named by a pattern: (file, pattern over the entry name, catalog key template, unit)
UNIT_MAP_PATTERNS: tuple[tuple[str, str, str, str], ...] = (
    ("msk", r"^RunBroker (?P<t>[a-z0-9]+\.[a-z0-9]+)$", "msk/broker-hour/{t}", "broker-hour"),
    (
        "redshift",
        r"^(?P<f>[a-z0-9]+) (?P<s>[a-z0-9]+) OnDemand Compute Instance Current Generation$",
        "redshift/node-hour/{f}.{s}",
        "node-hour",
    ),
    (
        "redshift",
        r"^(?P<f>[a-z0-9]+) (?P<s>[a-z0-9]+) Redshift Concurrency Scaling Current Generation .+$",
        "redshift/concurrency-scaling-node-second/{f}.{s}",
        "node-second",
    ),
    (
        "neptune",
        r"^Neptune (?:Memory Optimized|General purpose) Current Generation db (?P<c>[a-z0-9.]+)$",
        "neptune/instance-hour/db.{c}",
        "hour",
    ),
    (
        "neptune",
        r"^Neptune IO optimized (?:Memory Optimized|General purpose) Current Generation db (?P<c>[a-z0-9.]+)"
        r" General Purpose-Aurora$",
        "neptune/instance-hour-iopt/db.{c}",
        "hour",
    ),
)

# Global services: (file, bucket, entry name, catalog key, unit), written to every region.
GLOBAL_UNIT_MAP_PRICES: tuple[tuple[str, str, str, str, str], ...] = (
    ("route53", "Any", "DNS Zone first 25", "route53/hosted-zone-month", "zone-month"),
    *(
        (
            "route53",
            "",
            f"Query {name} External {tier}",
            f"route53/query/{key}/{tier.lower().replace(' ', '-')}",
            "query",
        )
        for name, key in (
            ("Standard", "standard"),
            ("Latency Based Routing", "latency"),
            ("Geo DNS", "geo"),
            ("Geoproximity", "geoproximity"),
            ("IP Based Routing", "ip"),
        )
        for tier in ("first 1B", "over 1B")
    ),
    (
        "cloudfront",
        "Any",
        "Charge for using an SSL certificate with a CloudFront alternate domain name",
        "cloudfront/dedicated-ip-certificate-month",
        "certificate-month",
    ),
    *(
        (
            "cloudfront",
            bucket,
            f"Request {proto.upper()} Methods",
            f"cloudfront/{proto}-request/{group}",
            "request",
        )
        for group, bucket in (
            ("us", "United States"),
            ("europe", "EU"),
            ("south_africa", "South Africa"),
            ("south_america", "South America"),
            ("japan", "Japan"),
            ("australia", "Australia"),
            ("asia_pacific", "Asia Pacific"),
            ("india", "India"),
        )
        for proto in ("http", "https")
    ),
    *(
        (
            "cloudfront",
            location,
            "CloudFront Request-Origin-Shield Origin Shield Requests",
            f"cloudfront/origin-shield-request/{region}",
            "request",
        )
        for location, region in (
            ("US East (N. Virginia)", "us-east-1"),
            ("US East (Ohio)", "us-east-2"),
            ("US West (Oregon)", "us-west-2"),
            ("EU (Ireland)", "eu-west-1"),
            ("EU (Frankfurt)", "eu-central-1"),
        )
    ),
)

# Prices derived from the Infracost goldens: unit price = the row's monthly cost / (quantity x divisor).
# The divisor turns the golden's unit into the catalog's (LCU-month -> LCU-hour, 1M requests -> request,
# brokers of a deployment -> one broker); `regions` are where the golden's resources are (GLOBAL: every
# catalog region, for CloudFront's global prices).
GLOBAL = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1")
PER_MONTH = Decimal(1) / Decimal(730)  # a row counted in hours, priced per month


@dataclass(frozen=True)
class G:
    key: str
    golden: str
    address: str
    component: str  # the row's name, prefixed by its group rows ("root_block_device: Storage (...)")
    unit: str
    divisor: Decimal | int = 1
    regions: tuple[str, ...] = ("us-east-1",)


GOLDEN_PRICES: tuple[G, ...] = (
    G(
        "ebs/storage-gb-month/gp2",
        "ebs_volume",
        "aws_ebs_volume.gp2",
        "Storage (general purpose SSD, gp2)",
        "GB-month",
    ),
    G(
        "ebs/storage-gb-month/gp3",
        "ebs_volume",
        "aws_ebs_volume.gp3",
        "Storage (general purpose SSD, gp3)",
        "GB-month",
    ),
    G(
        "ebs/storage-gb-month/io1",
        "ebs_volume",
        "aws_ebs_volume.io1",
        "Storage (provisioned IOPS SSD, io1)",
        "GB-month",
    ),
    G(
        "ebs/storage-gb-month/io2",
        "ebs_volume",
        "aws_ebs_volume.io2",
        "Storage (provisioned IOPS SSD, io2)",
        "GB-month",
    ),
    G(
        "ebs/storage-gb-month/st1",
        "ebs_volume",
        "aws_ebs_volume.st1",
        "Storage (throughput optimized HDD, st1)",
        "GB-month",
    ),
    G("ebs/storage-gb-month/sc1", "ebs_volume", "aws_ebs_volume.sc1", "Storage (cold HDD, sc1)", "GB-month"),
    G(
        "ebs/storage-gb-month/standard",
        "ebs_volume",
        "aws_ebs_volume.standard",
        "Storage (magnetic)",
        "GB-month",
    ),
    G("ebs/io-request/standard", "ebs_volume", "aws_ebs_volume.standard", "I/O requests", "request", 1000000),
    G("ebs/iops-month/io1", "ebs_volume", "aws_ebs_volume.io1", "Provisioned IOPS", "IOPS-month"),
    G("ebs/iops-month/io2", "ebs_volume", "aws_ebs_volume.io2", "Provisioned IOPS", "IOPS-month"),
    G("ebs/iops-month/gp3", "ebs_volume", "aws_ebs_volume.gp3", "Provisioned IOPS", "IOPS-month"),
    G(
        "ebs/throughput-mbps-month/gp3",
        "ebs_volume",
        "aws_ebs_volume.gp3",
        "Provisioned throughput",
        "MBps-month",
    ),
    G("elb/application-hour", "lb", "aws_lb.lb1", "Application load balancer", "hour"),
    G("elb/application-lcu-hour", "lb", "aws_lb.lb1", "Load balancer capacity units", "LCU-hour", 730),
    G("elb/network-hour", "lb", "aws_lb.nlb1", "Network load balancer", "hour"),
    G("elb/network-lcu-hour", "lb", "aws_lb.nlb1", "Load balancer capacity units", "LCU-hour", 730),
    G("elb/classic-hour", "elb", "aws_elb.elb1", "Classic load balancer", "hour"),
    G("elb/classic-data-gb", "elb", "aws_elb.elb1", "Data processed", "GB"),
    G(
        "secretsmanager/secret-month",
        "secretsmanager_secret",
        "aws_secretsmanager_secret.secret",
        "Secret",
        "month",
    ),
    G(
        "secretsmanager/api-request",
        "secretsmanager_secret",
        "aws_secretsmanager_secret.secret",
        "API requests",
        "request",
        10000,
    ),
    G(
        "rds/storage-gb-month/gp2",
        "db_instance",
        "aws_db_instance.oracle-se1",
        "Storage (general purpose SSD, gp2)",
        "GB-month",
    ),
    G(
        "rds/storage-gb-month/gp3",
        "db_instance",
        'aws_db_instance.gp3["below_low_baseline"]',
        "Storage (general purpose SSD, gp3)",
        "GB-month",
    ),
    G(
        "rds/storage-gb-month/io1",
        "db_instance",
        "aws_db_instance.mysql-iops",
        "Storage (provisioned IOPS SSD, io1)",
        "GB-month",
    ),
    G("rds/iops-month/io1", "db_instance", "aws_db_instance.mysql-iops", "Provisioned IOPS", "IOPS-month"),
    G(
        "rds/iops-month/gp3",
        "db_instance",
        'aws_db_instance.gp3["above_low_baseline"]',
        "Provisioned GP3 IOPS (above 3,000)",
        "IOPS-month",
    ),
    G(
        "rds/backup-storage-gb-month",
        "db_instance",
        "aws_db_instance.mysql-iops",
        "Additional backup storage",
        "GB-month",
    ),
    G(
        "elasticache/backup-storage-gb-month",
        "elasticache_cluster",
        "aws_elasticache_cluster.redis_snapshot",
        "Backup storage",
        "GB-month",
    ),
    G(
        "elasticache/node-hour/Redis/cache.r5.4xlarge",
        "elasticache_replication_group",
        "aws_elasticache_replication_group.non-cluster",
        "ElastiCache (on-demand, cache.r5.4xlarge)",
        "hour",
    ),
    G(
        "opensearch/instance-hour/c4.2xlarge",
        "elasticsearch_domain",
        "aws_elasticsearch_domain.gp2",
        "Instance (on-demand, c4.2xlarge.elasticsearch)",
        "hour",
    ),
    G(
        "opensearch/instance-hour/c4.8xlarge",
        "elasticsearch_domain",
        "aws_elasticsearch_domain.gp2",
        "Dedicated master (on-demand, c4.8xlarge.elasticsearch)",
        "hour",
    ),
    G(
        "opensearch/instance-hour/ultrawarm1.medium",
        "elasticsearch_domain",
        "aws_elasticsearch_domain.gp2",
        "UltraWarm instance (on-demand, ultrawarm1.medium.elasticsearch)",
        "hour",
    ),
    G(
        "opensearch/storage-gb-month/gp2",
        "elasticsearch_domain",
        "aws_elasticsearch_domain.gp2",
        "Storage (gp2)",
        "GB-month",
    ),
    G(
        "opensearch/storage-gb-month/gp3",
        "elasticsearch_domain",
        "aws_elasticsearch_domain.gp3",
        "Storage (gp3)",
        "GB-month",
    ),
    G(
        "opensearch/storage-gb-month/io1",
        "elasticsearch_domain",
        "aws_elasticsearch_domain.io1",
        "Storage (io1)",
        "GB-month",
    ),
    G(
        "opensearch/storage-gb-month/standard",
        "elasticsearch_domain",
        "aws_elasticsearch_domain.std",
        "Storage (standard)",
        "GB-month",
    ),
    G(
        "opensearch/iops-month/io1",
        "elasticsearch_domain",
        "aws_elasticsearch_domain.io1",
        "Storage IOPS (io1)",
        "IOPS-month",
    ),
    G(
        "opensearch/throughput-mibps-month/gp3",
        "elasticsearch_domain",
        'aws_elasticsearch_domain.gp3_throughput["above_3TB_paid"]',
        "Throughput (gp3)",
        "MiBps-month",
    ),
    G(
        "redshift/managed-storage-gb-month",
        "redshift_cluster",
        "aws_redshift_cluster.manageda_withUsage",
        "Managed storage (ra3.16xlarge)",
        "GB-month",
    ),
    G("redshift/spectrum-tb", "redshift_cluster", "aws_redshift_cluster.ca_withUsage", "Spectrum", "TB"),
    G(
        "redshift/backup-storage-gb-month/tier1",
        "redshift_cluster",
        "aws_redshift_cluster.ca_withUsage",
        "Backup storage (first 50 TB)",
        "GB-month",
    ),
    G(
        "redshift/backup-storage-gb-month/tier2",
        "redshift_cluster",
        "aws_redshift_cluster.ca_withUsage",
        "Backup storage (next 450 TB)",
        "GB-month",
    ),
    G(
        "redshift/backup-storage-gb-month/tier3",
        "redshift_cluster",
        "aws_redshift_cluster.ca_withUsage",
        "Backup storage (over 500 TB)",
        "GB-month",
    ),
    G(
        "sqs/standard-request",
        "sqs_queue",
        "aws_sqs_queue.standard_sqs_queue",
        "Requests",
        "request",
        1000000,
    ),
    G("sqs/fifo-request", "sqs_queue", "aws_sqs_queue.fifo_sqs_queue", "Requests", "request", 1000000),
    G("ecr/storage-gb-month", "ecr_repository", "aws_ecr_repository.repo1", "Storage", "GB-month"),
    G(
        "sfn/standard-transition",
        "sfn_state_machine",
        "aws_sfn_state_machine.standardWithoutUsage",
        "Transitions",
        "transition",
        1000,
    ),
    G(
        "sfn/express-request",
        "sfn_state_machine",
        "aws_sfn_state_machine.expressWithoutUsage",
        "Requests",
        "request",
        1000000,
    ),
    G(
        "sfn/express-duration-gb-hour/tier1",
        "sfn_state_machine",
        "aws_sfn_state_machine.expressWithoutUsage",
        "Duration (first 1K)",
        "GB-hour",
    ),
    G(
        "sfn/express-duration-gb-hour/tier2",
        "sfn_state_machine",
        "aws_sfn_state_machine.express3Tiers",
        "Duration (next 4K)",
        "GB-hour",
    ),
    G(
        "sfn/express-duration-gb-hour/tier3",
        "sfn_state_machine",
        "aws_sfn_state_machine.express3Tiers",
        "Duration (over 5K)",
        "GB-hour",
    ),
    G(
        "mq/broker-hour/RabbitMQ/mq.m5.xlarge",
        "mq_broker",
        "aws_mq_broker.my_aws_mq_broker_rabbitmq_single",
        "Instance usage (RabbitMQ, mq.m5.xlarge, single_instance)",
        "hour",
    ),
    G(
        "mq/broker-hour/ActiveMQ/mq.m5.large",
        "mq_broker",
        "aws_mq_broker.my_aws_mq_broker_activemq_standby_efs",
        "Instance usage (ActiveMQ, mq.m5.large, active_standby_multi_az)",
        "hour",
        2,
    ),
    G(
        "mq/broker-hour/ActiveMQ/mq.t2.micro",
        "mq_broker",
        "aws_mq_broker.my_aws_mq_broker_activemq_single_default",
        "Instance usage (ActiveMQ, mq.t2.micro, single_instance)",
        "hour",
    ),
    G(
        "mq/storage-gb-month/efs",
        "mq_broker",
        "aws_mq_broker.my_aws_mq_broker_activemq_single_default",
        "Storage (ActiveMQ, EFS)",
        "GB-month",
    ),
    G(
        "mq/storage-gb-month/ebs",
        "mq_broker",
        "aws_mq_broker.my_aws_mq_broker_rabbitmq_single",
        "Storage (RabbitMQ, EBS)",
        "GB-month",
    ),
    G(
        "codebuild/build-minute/linux/general1.small",
        "codebuild_project",
        "aws_codebuild_project.my_small_project",
        "Linux (general1.small)",
        "minute",
    ),
    G(
        "codebuild/build-minute/linux/general1.medium",
        "codebuild_project",
        "aws_codebuild_project.my_medium_project",
        "Linux (general1.medium)",
        "minute",
    ),
    G(
        "codebuild/build-minute/linux/general1.large",
        "codebuild_project",
        "aws_codebuild_project.my_large_linux_project",
        "Linux (general1.large)",
        "minute",
    ),
    G(
        "codebuild/build-minute/windows/general1.large",
        "codebuild_project",
        "aws_codebuild_project.my_large_windows_project",
        "Windows (general1.large)",
        "minute",
    ),
    G(
        "docdb/instance-hour/db.t3.medium",
        "docdb_cluster_instance",
        "aws_docdb_cluster_instance.db",
        "Database instance (on-demand, db.t3.medium)",
        "hour",
        regions=("us-east-1",),
    ),
    G(
        "docdb/instance-hour/db.r5.4xlarge",
        "docdb_cluster_instance",
        "aws_docdb_cluster_instance.large",
        "Database instance (on-demand, db.r5.4xlarge)",
        "hour",
        regions=("us-east-1",),
    ),
    G(
        "docdb/storage-gb-month",
        "docdb_cluster_instance",
        "aws_docdb_cluster_instance.db",
        "Storage",
        "GB-month",
        regions=("us-east-1",),
    ),
    G(
        "docdb/io-request",
        "docdb_cluster_instance",
        "aws_docdb_cluster_instance.db",
        "I/O requests",
        "request",
        1000000,
        regions=("us-east-1",),
    ),
    G(
        "docdb/cpu-credit-vcpu-hour",
        "docdb_cluster_instance",
        "aws_docdb_cluster_instance.db",
        "CPU credits",
        "vCPU-hour",
        regions=("us-east-1",),
    ),
    G(
        "docdb/instance-hour/db.t3.medium",
        "docdb_cluster_instance",
        "aws_docdb_cluster_instance.dbue2",
        "Database instance (on-demand, db.t3.medium)",
        "hour",
        regions=("us-east-2",),
    ),
    G(
        "docdb/instance-hour/db.r5.4xlarge",
        "docdb_cluster_instance",
        "aws_docdb_cluster_instance.largeue2",
        "Database instance (on-demand, db.r5.4xlarge)",
        "hour",
        regions=("us-east-2",),
    ),
    G(
        "docdb/storage-gb-month",
        "docdb_cluster_instance",
        "aws_docdb_cluster_instance.dbue2",
        "Storage",
        "GB-month",
        regions=("us-east-2",),
    ),
    G(
        "docdb/io-request",
        "docdb_cluster_instance",
        "aws_docdb_cluster_instance.dbue2",
        "I/O requests",
        "request",
        1000000,
        regions=("us-east-2",),
    ),
    G(
        "docdb/cpu-credit-vcpu-hour",
        "docdb_cluster_instance",
        "aws_docdb_cluster_instance.dbue2",
        "CPU credits",
        "vCPU-hour",
        regions=("us-east-2",),
    ),
    G(
        "neptune/instance-hour/db.t3.medium",
        "neptune_cluster_instance",
        "aws_neptune_cluster_instance.dbT3WithoutUsage",
        "Database instance (on-demand, db.t3.medium)",
        "hour",
        regions=("eu-west-2",),
    ),
    G(
        "neptune/instance-hour/db.r4.large",
        "neptune_cluster_instance",
        "aws_neptune_cluster_instance.dbR4LargeCount2[0]",
        "Database instance (on-demand, db.r4.large)",
        "hour",
        regions=("eu-west-2",),
    ),
    G(
        "neptune/instance-hour-iopt/db.t3.medium",
        "neptune_cluster_instance",
        "aws_neptune_cluster_instance.dbT3Medium-iooptimized",
        "Database instance (on-demand, db.t3.medium)",
        "hour",
        regions=("eu-west-2",),
    ),
    G(
        "neptune/cpu-credit-vcpu-hour",
        "neptune_cluster_instance",
        "aws_neptune_cluster_instance.dbT3WithoutUsage",
        "CPU credits",
        "vCPU-hour",
        regions=("eu-west-2",),
    ),
    G(
        "neptune/storage-gb-month",
        "neptune_cluster_instance",
        "aws_neptune_cluster.default",
        "Storage",
        "GB-month",
        regions=("eu-west-2",),
    ),
    G(
        "neptune/io-request",
        "neptune_cluster_instance",
        "aws_neptune_cluster.default",
        "I/O requests",
        "request",
        1000000,
        regions=("eu-west-2",),
    ),
    G(
        "ssm/advanced-parameter-month",
        "ssm_parameter",
        "aws_ssm_parameter.ssm_parameter_advanced",
        "Parameter storage (advanced)",
        "parameter-month",
        PER_MONTH,
    ),
    G(
        "ssm/advanced-api-interaction",
        "ssm_parameter",
        "aws_ssm_parameter.ssm_parameter_advanced",
        "API interactions (advanced)",
        "interaction",
        10000,
    ),
    G(
        "acmpca/certificate",
        "acm_certificate",
        "aws_acm_certificate.private_cert",
        "Certificate",
        "certificate",
    ),
    G(
        "backup/efs-warm-gb-month",
        "backup_vault",
        "aws_backup_vault.usage",
        "EFS backup (warm)",
        "GB-month",
        regions=("us-west-1",),
    ),
    G(
        "backup/efs-cold-gb-month",
        "backup_vault",
        "aws_backup_vault.usage",
        "EFS backup (cold)",
        "GB-month",
        regions=("us-west-1",),
    ),
    G(
        "backup/efs-warm-restore-gb",
        "backup_vault",
        "aws_backup_vault.usage",
        "EFS restore (warm)",
        "GB",
        regions=("us-west-1",),
    ),
    G(
        "backup/efs-cold-restore-gb",
        "backup_vault",
        "aws_backup_vault.usage",
        "EFS restore (cold)",
        "GB",
        regions=("us-west-1",),
    ),
    G(
        "backup/efs-item-restore-request",
        "backup_vault",
        "aws_backup_vault.usage",
        "EFS restore (item-level)",
        "request",
        regions=("us-west-1",),
    ),
    G(
        "backup/ebs-snapshot-gb-month",
        "backup_vault",
        "aws_backup_vault.usage",
        "EBS snapshot",
        "GB-month",
        regions=("us-west-1",),
    ),
    G(
        "backup/rds-snapshot-gb-month",
        "backup_vault",
        "aws_backup_vault.usage",
        "RDS snapshot",
        "GB-month",
        regions=("us-west-1",),
    ),
    G(
        "backup/dynamodb-gb-month",
        "backup_vault",
        "aws_backup_vault.usage",
        "DynamoDB backup",
        "GB-month",
        regions=("us-west-1",),
    ),
    G(
        "backup/dynamodb-restore-gb",
        "backup_vault",
        "aws_backup_vault.usage",
        "DynamoDB restore",
        "GB",
        regions=("us-west-1",),
    ),
    G(
        "backup/aurora-snapshot-gb-month",
        "backup_vault",
        "aws_backup_vault.usage",
        "Aurora snapshot",
        "GB-month",
        regions=("us-west-1",),
    ),
    G(
        "backup/fsx-windows-gb-month",
        "backup_vault",
        "aws_backup_vault.usage",
        "FSx for Windows backup",
        "GB-month",
        regions=("us-west-1",),
    ),
    G(
        "backup/fsx-lustre-gb-month",
        "backup_vault",
        "aws_backup_vault.usage",
        "FSx for Lustre backup",
        "GB-month",
        regions=("us-west-1",),
    ),
    G(
        "fsx/windows/throughput-mbps-month/multi-az-1",
        "fsx_windows_file_system",
        "aws_fsx_windows_file_system.my_file_system",
        "Throughput capacity",
        "MBps-month",
    ),
    G(
        "fsx/windows/storage-gb-month/hdd/multi-az-1",
        "fsx_windows_file_system",
        "aws_fsx_windows_file_system.my_file_system",
        "HDD storage",
        "GB-month",
    ),
    G(
        "fsx/windows/storage-gb-month/ssd/multi-az-1",
        "fsx_windows_file_system",
        "aws_fsx_windows_file_system.my_file_system_ssd",
        "SSD storage",
        "GB-month",
    ),
    G(
        "fsx/windows/backup-gb-month",
        "fsx_windows_file_system",
        "aws_fsx_windows_file_system.my_file_system",
        "Backup storage",
        "GB-month",
    ),
    # Global Accelerator is a global service: the fixed fee is the same whatever the provider region
    G(
        "globalaccelerator/accelerator-hour",
        "global_accelerator",
        "aws_globalaccelerator_accelerator.example",
        "Fixed fee",
        "hour",
        regions=GLOBAL,
    ),
    G(
        "transfer/protocol-hour",
        "transfer_server",
        "aws_transfer_server.default_no_protocols",
        "SFTP protocol enabled",
        "protocol-hour",
    ),
    G(
        "transfer/data-downloaded-gb",
        "transfer_server",
        "aws_transfer_server.default_no_protocols",
        "Data downloaded",
        "GB",
    ),
    G(
        "transfer/data-uploaded-gb",
        "transfer_server",
        "aws_transfer_server.default_no_protocols",
        "Data uploaded",
        "GB",
    ),
    G(
        "directconnect/dedicated-port-hour/1Gbps",
        "dx_connection",
        "aws_dx_connection.my_dx_connection",
        "DX connection",
        "port-hour",
    ),
    G(
        "directconnect/outbound-gb/us-east-1",
        "dx_connection",
        "aws_dx_connection.my_dx_connection_usage_backwards_compat",
        "Outbound data transfer (from us-east-1, to EqDC2)",
        "GB",
    ),
    G(
        "directconnect/outbound-gb/eu-west-1",
        "dx_connection",
        "aws_dx_connection.my_dx_connection_usage",
        "Outbound data transfer (from eu-west-1, to EqDC2)",
        "GB",
    ),
    G(
        "directconnect/outbound-gb/ap-east-1",
        "dx_connection",
        "aws_dx_connection.my_dx_connection_usage",
        "Outbound data transfer (from ap-east-1, to EqDC2)",
        "GB",
    ),
    G(
        "cloudfront/data-transfer-internet/us/tier1",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "US, Mexico, Canada: Data transfer out to internet (first 10TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/us/tier2",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "US, Mexico, Canada: Data transfer out to internet (next 40TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/us/tier3",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "US, Mexico, Canada: Data transfer out to internet (next 100TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/us/tier4",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "US, Mexico, Canada: Data transfer out to internet (next 350TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/us/tier5",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "US, Mexico, Canada: Data transfer out to internet (next 524TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/us/tier6",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "US, Mexico, Canada: Data transfer out to internet (next 4PB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/us/tier7",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "US, Mexico, Canada: Data transfer out to internet (over 5PB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-origin/us",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "US, Mexico, Canada: Data transfer out to origin",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/europe/tier1",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Europe, Israel: Data transfer out to internet (first 10TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/europe/tier2",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Europe, Israel: Data transfer out to internet (next 40TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/europe/tier3",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Europe, Israel: Data transfer out to internet (next 100TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/europe/tier4",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Europe, Israel: Data transfer out to internet (next 350TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/europe/tier5",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Europe, Israel: Data transfer out to internet (next 524TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/europe/tier6",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Europe, Israel: Data transfer out to internet (next 4PB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/europe/tier7",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Europe, Israel: Data transfer out to internet (over 5PB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-origin/europe",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Europe, Israel: Data transfer out to origin",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/south_africa/tier1",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "South Africa, Kenya, Middle East: Data transfer out to internet (first 10TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/south_africa/tier2",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "South Africa, Kenya, Middle East: Data transfer out to internet (next 40TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/south_africa/tier3",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "South Africa, Kenya, Middle East: Data transfer out to internet (next 100TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/south_africa/tier4",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "South Africa, Kenya, Middle East: Data transfer out to internet (next 350TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/south_africa/tier5",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "South Africa, Kenya, Middle East: Data transfer out to internet (next 524TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/south_africa/tier6",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "South Africa, Kenya, Middle East: Data transfer out to internet (next 4PB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/south_africa/tier7",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "South Africa, Kenya, Middle East: Data transfer out to internet (over 5PB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-origin/south_africa",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "South Africa, Kenya, Middle East: Data transfer out to origin",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/south_america/tier1",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "South America: Data transfer out to internet (first 10TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/south_america/tier2",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "South America: Data transfer out to internet (next 40TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/south_america/tier3",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "South America: Data transfer out to internet (next 100TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/south_america/tier4",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "South America: Data transfer out to internet (next 350TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/south_america/tier5",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "South America: Data transfer out to internet (next 524TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/south_america/tier6",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "South America: Data transfer out to internet (next 4PB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/south_america/tier7",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "South America: Data transfer out to internet (over 5PB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-origin/south_america",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "South America: Data transfer out to origin",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/japan/tier1",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Japan: Data transfer out to internet (first 10TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/japan/tier2",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Japan: Data transfer out to internet (next 40TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/japan/tier3",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Japan: Data transfer out to internet (next 100TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/japan/tier4",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Japan: Data transfer out to internet (next 350TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/japan/tier5",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Japan: Data transfer out to internet (next 524TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/japan/tier6",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Japan: Data transfer out to internet (next 4PB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/japan/tier7",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Japan: Data transfer out to internet (over 5PB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-origin/japan",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Japan: Data transfer out to origin",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/australia/tier1",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Australia, New Zealand: Data transfer out to internet (first 10TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/australia/tier2",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Australia, New Zealand: Data transfer out to internet (next 40TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/australia/tier3",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Australia, New Zealand: Data transfer out to internet (next 100TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/australia/tier4",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Australia, New Zealand: Data transfer out to internet (next 350TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/australia/tier5",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Australia, New Zealand: Data transfer out to internet (next 524TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/australia/tier6",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Australia, New Zealand: Data transfer out to internet (next 4PB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/australia/tier7",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Australia, New Zealand: Data transfer out to internet (over 5PB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-origin/australia",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Australia, New Zealand: Data transfer out to origin",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/asia_pacific/tier1",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Hong Kong, Philippines, Asia Pacific: Data transfer out to internet (first 10TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/asia_pacific/tier2",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Hong Kong, Philippines, Asia Pacific: Data transfer out to internet (next 40TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/asia_pacific/tier3",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Hong Kong, Philippines, Asia Pacific: Data transfer out to internet (next 100TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/asia_pacific/tier4",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Hong Kong, Philippines, Asia Pacific: Data transfer out to internet (next 350TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/asia_pacific/tier5",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Hong Kong, Philippines, Asia Pacific: Data transfer out to internet (next 524TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/asia_pacific/tier6",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Hong Kong, Philippines, Asia Pacific: Data transfer out to internet (next 4PB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/asia_pacific/tier7",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Hong Kong, Philippines, Asia Pacific: Data transfer out to internet (over 5PB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-origin/asia_pacific",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Hong Kong, Philippines, Asia Pacific: Data transfer out to origin",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/india/tier1",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "India: Data transfer out to internet (first 10TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/india/tier2",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "India: Data transfer out to internet (next 40TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/india/tier3",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "India: Data transfer out to internet (next 100TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/india/tier4",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "India: Data transfer out to internet (next 350TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/india/tier5",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "India: Data transfer out to internet (next 524TB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/india/tier6",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "India: Data transfer out to internet (next 4PB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-internet/india/tier7",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "India: Data transfer out to internet (over 5PB)",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/data-transfer-origin/india",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "India: Data transfer out to origin",
        "GB",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/invalidation-path/free",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Invalidation requests (first 1k)",
        "path",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/invalidation-path",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Invalidation requests (over 1k)",
        "path",
        regions=GLOBAL,
    ),
    G(
        "cloudfront/field-level-encryption-request",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Field level encryption requests",
        "request",
        10000,
        regions=GLOBAL,
    ),
    G(
        "cloudfront/realtime-log-line",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_usage",
        "Real-time log requests",
        "log line",
        1000000,
        regions=GLOBAL,
    ),
    G(
        "cloudfront/origin-shield-request/sa-east-1",
        "cloudfront_distribution",
        "aws_cloudfront_distribution.s3_distribution_with_single_non_default_usage",
        "Origin shield HTTP requests (South America sa-east-1)",
        "request",
        10000,
        regions=GLOBAL,
    ),
)

GOLDEN_DATES = {
    "db_instance": "2026-05-03",
    "eks_cluster": "2025-07-07",
    "dynamodb_table": "2024-11-15",
    "vpc_endpoint": "2024-10-18",
    "autoscaling_group": "2025-07-07",
    "ecs_service": "2025-07-07",
    "sns_topic": "2024-12-04",
}
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

    def unit_map(service: str) -> tuple[dict, str]:
        rel = f"{UNIT_MAPS}/{service}.5regions.json"
        if service not in docs:
            docs[service] = json.loads((b.prices_dir / rel).read_text())
        doc = docs[service]
        date = doc["manifest"]["hawkFilePublicationDate"][:10]
        return doc, b.source(rel, date, "AWS pricing-page metered unit map")

    for key, (service, description, unit) in UNIT_MAP_PRICES.items():
        doc, sid = unit_map(service)
        for location, entries in doc["regions"].items():
            entry = entries.get(description)
            if entry is None or location not in REGIONS:
                continue
            b.add(REGIONS[location], key, entry["price"], unit, sid, f"rateCode {entry['rateCode']}")
    for service, pattern, template, unit in UNIT_MAP_PATTERNS:
        doc, sid = unit_map(service)
        for location, entries in doc["regions"].items():
            if location not in REGIONS:
                continue
            for name, entry in sorted(entries.items()):
                if m := re.match(pattern, name):
                    ref = f"rateCode {entry['rateCode']} ({name})"
                    b.add(REGIONS[location], template.format(**m.groupdict()), entry["price"], unit, sid, ref)
    for service, bucket, name, key, unit in GLOBAL_UNIT_MAP_PRICES:
        doc, sid = unit_map(service)
        entry = doc["regions"][bucket][name]
        ref = f"rateCode {entry['rateCode']} (global: {bucket or 'no region'} / {name})"
        for region in REGIONS.values():
            b.add(region, key, entry["price"], unit, sid, ref)


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


TREE_ROW = re.compile(r"^ (?P<indent>(?:[│ ]  )*)[├└]─ (?P<name>.+?)(?:\s{2,}(?P<rest>\S.*?))?\s*\*?\s*$")
QTY_COST = re.compile(r"^(?P<qty>[\d,.]+)\s+(?P<unit>.+?)\s+\$(?P<cost>[\d,.]+)$")
PER_UNIT = re.compile(r"^Monthly cost depends on usage: \$(?P<price>[\d.]+) per (?P<unit>.+)$")
ADDRESS = re.compile(r"^ (?P<address>[a-z]\S*)\s*$")  # a resource address alone on its line


def golden_tree(text: str) -> dict[str, dict[str, str]]:
    """Resource address -> {row name: the rest of the row ("qty unit $cost", "Monthly cost depends
    on usage: $x per unit", or "not found")}. A row under group rows is named with their names as a
    prefix ("root_block_device: Storage (general purpose SSD, gp2)"), except the rows naming a
    resource (the launch template under an autoscaling group), which only nest."""
    tree: dict[str, dict[str, str]] = {}
    address: str | None = None
    groups: list[tuple[int, str]] = []
    for line in text.splitlines():
        if line.startswith(" OVERALL TOTAL"):
            address = None
        elif m := ADDRESS.match(line):
            address, groups = m["address"], []
            tree.setdefault(address, {})
        elif address and (m := TREE_ROW.match(line)):
            depth = len(m["indent"]) // 3
            groups = [g for g in groups if g[0] < depth]
            name = m["name"].strip()
            if m["rest"] is None:
                groups.append((depth, name))
                continue
            prefix = "".join(f"{g}: " for _, g in groups if not re.match(r"^(module\.|aws_)", g))
            tree[address].setdefault(prefix + name, m["rest"].strip())
    return tree


def unit_price_from_row(rest: str, divisor: Decimal | int) -> Decimal:
    if m := PER_UNIT.match(rest):
        return shortest_price(Decimal(m["price"]), Decimal(divisor))
    m = QTY_COST.match(rest)
    if not m:
        raise ValueError(f"cannot read golden row {rest!r}")
    qty = Decimal(m["qty"].replace(",", "")) * Decimal(divisor)
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
    trees: dict[str, dict[str, dict[str, str]]] = {}
    for g in GOLDEN_PRICES:
        rel = f"infracost-goldens/{g.golden}_test.golden.txt"
        if rel not in trees:
            trees[rel] = golden_tree((b.prices_dir / rel).read_text(encoding="utf-8"))
        rest = trees[rel].get(g.address, {}).get(g.component)
        if rest is None:
            raise SystemExit(f"{rel}: no row {g.component!r} under {g.address}")
        date = GOLDEN_DATES.get(g.golden, GOLDEN_DEFAULT_DATE)
        sid = b.source(rel, date, "infracost expected output (derived: monthly cost / quantity)")
        ref = f"derived from {g.address} / {g.component!r}: {' '.join(rest.split())}"
        for region in g.regions:
            b.add(region, g.key, unit_price_from_row(rest, g.divisor), g.unit, sid, ref)


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
