"""The resources of Infracost's test configurations, as plan changes, for the goldens added with the
new pricers (`prices/infracost-goldens/<t>_test.tf.txt`, next to each golden).

Values are what the plan would hold for the configuration: set attributes, the provider's defaults
where the plan shows them, "known after apply" for ids and names of resources created in the same
plan, and the `configuration` references that link them (`launch_template { id = aws_launch_template
.lt.id }`). The usage comes from the golden's own `.usage.yml.txt` (see goldens.py), not from here.
"""

from __future__ import annotations

from typing import Any

from tests.cost.costplans import Change

Derived = tuple[Change, dict[str, Any]]


def _r(
    address: str,
    values: dict[str, Any] | None = None,
    *,
    unknown: dict[str, Any] | None = None,
    refs: dict[tuple[str | int, ...], list[str]] | None = None,
    region: str | None = None,
) -> Derived:
    expressions: dict[str, Any] | None = None
    if refs is not None:
        expressions = {}
        for path, references in refs.items():
            _set_path(expressions, path, {"references": references})
    change = Change(
        address, values or {}, after_unknown=unknown or {}, expressions=expressions, region=region
    )
    return change, {}


def _set_path(root: dict[str, Any], path: tuple[str | int, ...], leaf: dict[str, Any]) -> None:
    """Put `leaf` at `path` in a configuration `expressions` tree (blocks are lists of objects)."""
    node: Any = root
    for step, after in zip(path, (*path[1:], None), strict=True):
        empty: Any = leaf if after is None else ([] if isinstance(after, int) else {})
        if isinstance(step, int):
            while len(node) <= step:
                node.append({})
            if after is None:
                node[step] = leaf
            node = node[step]
        else:
            node = node.setdefault(step, empty)


def _lc(name: str, instance_type: str, *, monitoring: bool = True, **extra: Any) -> Derived:
    values = {"name": None, "instance_type": instance_type, "enable_monitoring": monitoring, **extra}
    unknown = {"name": True, "id": True}
    if "root_block_device" not in extra:
        unknown["root_block_device"] = True
    return _r(f"aws_launch_configuration.{name}", values, unknown=unknown)


def _lt(address: str, instance_type: str, **extra: Any) -> Derived:
    return _r(address, {"instance_type": instance_type, **extra}, unknown={"id": True, "name": True})


def _ebs(device: str, size: int, **extra: Any) -> dict[str, Any]:
    return {"device_name": device, "ebs": [{"volume_size": size, **extra}]}


def _asg_lc(name: str, lc: str, *, desired: int | None, min_size: int, by: str = "id") -> Derived:
    values: dict[str, Any] = {"launch_configuration": None, "min_size": min_size, "max_size": 3}
    unknown: dict[str, Any] = {"launch_configuration": True}
    refs: dict[tuple[str | int, ...], list[str]] = {
        ("launch_configuration",): [f"aws_launch_configuration.{lc}.{by}", f"aws_launch_configuration.{lc}"]
    }
    if desired is None:
        unknown["desired_capacity"] = True
    else:
        values["desired_capacity"] = desired
        refs[("desired_capacity",)] = []
    return _r(f"aws_autoscaling_group.{name}", values, unknown=unknown, refs=refs)


def _asg_lt(name: str, lt: str, *, desired: int | None, min_size: int) -> Derived:
    values: dict[str, Any] = {"launch_template": [{"id": None}], "min_size": min_size, "max_size": 3}
    unknown: dict[str, Any] = {"launch_template": [{"id": True}]}
    refs: dict[tuple[str | int, ...], list[str]] = {
        ("launch_template", 0, "id"): [f"aws_launch_template.{lt}.id", f"aws_launch_template.{lt}"]
    }
    if desired is None:
        unknown["desired_capacity"] = True
    else:
        values["desired_capacity"] = desired
    return _r(f"aws_autoscaling_group.{name}", values, unknown=unknown, refs=refs)


def _mixed(name: str, lt: str, desired: int, overrides: list[dict[str, Any]]) -> Derived:
    spec = ("mixed_instances_policy", 0, "launch_template", 0, "launch_template_specification", 0)
    policy = {
        "launch_template": [
            {"launch_template_specification": [{"launch_template_id": None}], "override": overrides}
        ],
        "instances_distribution": [
            {"on_demand_base_capacity": 1, "on_demand_percentage_above_base_capacity": 100}
        ],
    }
    unknown = {
        "mixed_instances_policy": [
            {"launch_template": [{"launch_template_specification": [{"launch_template_id": True}]}]}
        ]
    }
    return _r(
        f"aws_autoscaling_group.{name}",
        {"desired_capacity": desired, "min_size": 1, "max_size": 10, "mixed_instances_policy": [policy]},
        unknown=unknown,
        refs={(*spec, "launch_template_id"): [f"aws_launch_template.{lt}.id", f"aws_launch_template.{lt}"]},
    )


_LC_BASIC_DEVICES = {
    "root_block_device": [{"volume_size": 10}],
    "ebs_block_device": [
        {"device_name": "xvdf", "volume_size": 10},
        {"device_name": "xvdg", "volume_type": "gp3", "volume_size": 10},
    ],
}
_LT_BASIC_MAPPINGS = [_ebs("xvdf", 10), _ebs("xvfa", 20, volume_type="io1", iops=200)]

AUTOSCALING_GROUP: list[Derived] = [
    _lc("lc_basic", "t2.medium", **_LC_BASIC_DEVICES),
    _lc("lc_ebs_optimized", "r3.xlarge", monitoring=False, ebs_optimized=True),
    _lc("lc_tenancy_dedicated", "m3.medium", monitoring=False, placement_tenancy="dedicated"),
    _lc("lc_cpu_credits_noUsage", "t3.medium", monitoring=False),
    _lc("lc_cpu_credits", "t3.medium", monitoring=False),
    _lc(
        "lc_usage",
        "t2.medium",
        root_block_device=[{"volume_size": 10}],
        ebs_block_device=[{"device_name": "xvdf", "volume_size": 10}],
    ),
    _lc("lc_reserved", "t3.medium"),
    _lc("lc_windows", "t3.medium"),
    _lc("test_count[0]", "t2.micro"),
    _lc("test_count[1]", "t2.medium"),
    _lt("aws_launch_template.lt_basic", "t2.medium", block_device_mappings=_LT_BASIC_MAPPINGS),
    _lt("aws_launch_template.lt_tenancy_dedicated", "m3.medium", placement=[{"tenancy": "dedicated"}]),
    _lt("aws_launch_template.lt_ebs_optimized", "r3.xlarge", ebs_optimized="true"),
    _lt("aws_launch_template.lt_monitoring", "t2.medium", monitoring=[{"enabled": True}]),
    _lt("aws_launch_template.lt_cpu_credits_noUsage", "t3.large"),
    _lt("aws_launch_template.lt_cpu_credits", "t3.large"),
    _lt("aws_launch_template.lt_usage", "t2.medium", block_device_mappings=[_ebs("xvdf", 10)]),
    _lt("aws_launch_template.lt_mixed_instance_basic", "t2.medium"),
    _lt("aws_launch_template.lt_mixed_instance_dynamic", "t2.medium"),
    _lt(
        "module.asg-lt.aws_launch_template.this[0]",
        "t3.micro",
        block_device_mappings=[_ebs("/dev/xvdf", 10)],
        monitoring=[{"enabled": True}],  # the module's default (enable_monitoring = true)
    ),
    _asg_lc("asg_lc_basic", "lc_basic", desired=2, min_size=1),
    _asg_lc("asg_lc_min_size", "lc_basic", desired=None, min_size=2),
    _asg_lc("asg_lc_min_size_name_ref", "lc_basic", desired=None, min_size=2, by="name"),
    _asg_lc("asg_lc_min_size_zero", "lc_basic", desired=None, min_size=0),
    _asg_lc("asg_lc_ebs_optimized", "lc_ebs_optimized", desired=2, min_size=1),
    _asg_lc("asg_lc_tenancy_dedicated", "lc_tenancy_dedicated", desired=2, min_size=1),
    _asg_lc("asg_lc_cpu_credits_noUsage", "lc_cpu_credits_noUsage", desired=2, min_size=1),
    _asg_lc("asg_lc_cpu_credits", "lc_cpu_credits", desired=2, min_size=1),
    _asg_lc("asg_lc_usage", "lc_usage", desired=2, min_size=1),
    _asg_lc("asg_lc_reserved", "lc_reserved", desired=1, min_size=1),
    _asg_lc("asg_lc_windows", "lc_windows", desired=1, min_size=1),
    *(
        _r(
            f"aws_autoscaling_group.test_count[{i}]",
            {"launch_configuration": None, "desired_capacity": 2, "min_size": 1, "max_size": 3},
            unknown={"launch_configuration": True},
            # `aws_launch_configuration.test_count.*.id[count.index]`
            refs={("launch_configuration",): ["aws_launch_configuration.test_count", "count.index"]},
        )
        for i in (0, 1)
    ),
    _asg_lt("asg_lt_basic", "lt_basic", desired=2, min_size=1),
    _asg_lt("asg_lt_min_size", "lt_basic", desired=None, min_size=2),
    _asg_lt("asg_lt_min_size_zero", "lt_basic", desired=None, min_size=0),
    _asg_lt("asg_lt_tenancy_dedicated", "lt_tenancy_dedicated", desired=2, min_size=1),
    _asg_lt("asg_lt_ebs_optimized", "lt_ebs_optimized", desired=2, min_size=1),
    _asg_lt("asg_lt_monitoring", "lt_monitoring", desired=2, min_size=1),
    _asg_lt("asg_lt_cpu_credits_noUsage", "lt_cpu_credits_noUsage", desired=2, min_size=1),
    _asg_lt("asg_lt_cpu_credits", "lt_cpu_credits", desired=2, min_size=1),
    _asg_lt("asg_lt_usage", "lt_usage", desired=2, min_size=1),
    _mixed(
        "asg_mixed_instance_basic",
        "lt_mixed_instance_basic",
        6,
        [
            {"instance_type": "t2.large", "weighted_capacity": "2"},
            {"instance_type": "t2.xlarge", "weighted_capacity": "4"},
        ],
    ),
    _mixed(
        "asg_mixed_instance_dynamic",
        "lt_mixed_instance_dynamic",
        3,
        [{"instance_type": "t2.large", "weighted_capacity": None}, {"instance_type": "t2.xlarge"}],
    ),
    # terraform-aws-modules/autoscaling: the group's template id is `local.launch_template_id`
    _r(
        "module.asg-lt.aws_autoscaling_group.this[0]",
        {
            "launch_template": [{"id": None, "version": None}],
            "desired_capacity": 1,
            "min_size": 0,
            "max_size": 2,
        },
        unknown={"launch_template": [{"id": True, "version": True}]},
        refs={("launch_template", 0, "id"): ["local.launch_template_id"]},
    ),
]


def _rg(name: str, values: dict[str, Any]) -> Derived:
    return _r(f"aws_elasticache_replication_group.{name}", {"engine": "redis", **values})


ELASTICACHE_REPLICATION_GROUP: list[Derived] = [
    _rg("cluster", {"node_type": "cache.m4.large", "num_node_groups": 4, "replicas_per_node_group": 3}),
    _rg("non-cluster", {"node_type": "cache.r5.4xlarge", "num_cache_clusters": 3}),
    _rg(
        "non-cluster-snapshot",
        {"node_type": "cache.m6g.12xlarge", "num_cache_clusters": 3, "snapshot_retention_limit": 2},
    ),
    _rg(
        "cluster-autoscale",
        {"node_type": "cache.m4.large", "num_node_groups": 4, "replicas_per_node_group": 3},
    ),
    _rg(
        "cluster-autoscale-usage",
        {"node_type": "cache.m4.large", "num_node_groups": 4, "replicas_per_node_group": 3},
    ),
    _rg("cluster_reserved", {"node_type": "cache.m6g.12xlarge", "num_cache_clusters": 3}),
]


def _domain(resource: str, name: str, cluster: dict[str, Any], ebs: dict[str, Any]) -> Derived:
    return _r(
        f"{resource}.{name}", {"cluster_config": [cluster], "ebs_options": [{"ebs_enabled": True, **ebs}]}
    )


_ES_FULL = {
    "instance_type": "c4.2xlarge.elasticsearch",
    "instance_count": 3,
    "dedicated_master_enabled": True,
    "dedicated_master_type": "c4.8xlarge.elasticsearch",
    "dedicated_master_count": 1,
    "warm_enabled": True,
    "warm_count": 2,
    "warm_type": "ultrawarm1.medium.elasticsearch",
}
_ES_THREE = {"instance_type": "c4.2xlarge.elasticsearch", "instance_count": 3}
_GP3_CASES = {
    "below_min_storage_free": (1, 150, 125),
    "below_min_storage_paid": (1, 150, 200),
    "below_min_storage_mul_paid": (2, 150, 200),
    "above_min_storage_free": (1, 180, 125),
    "above_3TB_free": (1, 3500, 250),
    "above_3TB_free_round_up": (1, 5000, 500),
    "above_3TB_paid": (1, 4000, 700),
    "above_3TB_paid_mul": (2, 4000, 700),
}
ES = "aws_elasticsearch_domain"
ELASTICSEARCH_DOMAIN: list[Derived] = [
    _domain(ES, "gp2", _ES_FULL, {"volume_size": 400, "volume_type": "gp2"}),
    _domain(ES, "gp3", _ES_FULL, {"volume_size": 400, "volume_type": "gp3"}),
    _domain(ES, "io1", _ES_THREE, {"volume_size": 1000, "volume_type": "io1", "iops": 10}),
    _domain(ES, "std", _ES_THREE, {"volume_size": 123, "volume_type": "standard"}),
    *(
        _domain(
            ES,
            f'gp3_throughput["{key}"]',
            {"instance_type": "c4.2xlarge.elasticsearch", "instance_count": count},
            {"volume_size": size, "volume_type": "gp3", "throughput": throughput},
        )
        for key, (count, size, throughput) in _GP3_CASES.items()
    ),
]
OS = "aws_opensearch_domain"
OPENSEARCH_DOMAIN: list[Derived] = [
    _domain(
        OS,
        "gp2",
        {k: v.replace(".elasticsearch", ".search") if isinstance(v, str) else v for k, v in _ES_FULL.items()},
        {"volume_size": 400, "volume_type": "gp2"},
    ),
    _domain(
        OS,
        "io1",
        {"instance_type": "c4.2xlarge.search", "instance_count": 3},
        {"volume_size": 1000, "volume_type": "io1", "iops": 10},
    ),
    _domain(
        OS,
        "std",
        {"instance_type": "c4.2xlarge.search", "instance_count": 3},
        {"volume_size": 123, "volume_type": "standard"},
    ),
]

REDSHIFT_CLUSTER: list[Derived] = [
    _r(
        "aws_redshift_cluster.ca",
        {"node_type": "dc2.large", "cluster_type": "multi-node", "number_of_nodes": 4},
    ),
    _r("aws_redshift_cluster.ca_withUsage", {"node_type": "ds2.8xlarge", "cluster_type": "single-node"}),
    _r(
        "aws_redshift_cluster.manageda",
        {"node_type": "ra3.4xlarge", "cluster_type": "multi-node", "number_of_nodes": 6},
    ),
    _r(
        "aws_redshift_cluster.manageda_withUsage",
        {"node_type": "ra3.16xlarge", "cluster_type": "single-node"},
    ),
]


def _msk(name: str, brokers: int, instance_type: str, size: int) -> Derived:
    group = {"instance_type": instance_type, "storage_info": [{"ebs_storage_info": [{"volume_size": size}]}]}
    return _r(
        f"aws_msk_cluster.{name}", {"number_of_broker_nodes": brokers, "broker_node_group_info": [group]}
    )


MSK_CLUSTER: list[Derived] = [
    _msk("cluster-2-nodes", 2, "kafka.t3.small", 500),
    _msk("cluster-4-nodes", 4, "kafka.m5.24xlarge", 1000),
    _msk("cluster-autoscaling", 2, "kafka.t3.small", 1000),
    _msk("cluster-autoscaling-usage", 2, "kafka.t3.small", 1000),
]

_IA = {"lifecycle_policy": [{"transition_to_ia": "AFTER_7_DAYS"}]}
EFS_FILE_SYSTEM: list[Derived] = [
    _r("aws_efs_file_system.standard", {**_IA, "throughput_mode": "bursting"}),
    _r("aws_efs_file_system.oneZone", {**_IA, "availability_zone_name": "One Zone"}),
    _r(
        "aws_efs_file_system.provisioned",
        {"throughput_mode": "provisioned", "provisioned_throughput_in_mibps": 100},
    ),
    _r("aws_efs_file_system.no_usage", {"availability_zone_name": "One Zone"}),
    _r("aws_efs_file_system.no_usage_with_lifecycle_policy", {**_IA, "availability_zone_name": "One Zone"}),
]

ROUTE53_ZONE: list[Derived] = [_r("aws_route53_zone.zone1", {"name": "example.com"})]
_RECORD = {"name": "standard.example.com", "type": "A", "ttl": 300, "records": ["10.0.0.1"]}
ROUTE53_RECORD: list[Derived] = [
    _r("aws_route53_zone.zone1", {"name": "example.com"}),
    _r("aws_route53_zone.zone_withUsage", {"name": "example.com"}),
    _r("aws_route53_record.standard", _RECORD, unknown={"zone_id": True}),
    _r("aws_route53_record.my_record_withUsage", _RECORD, unknown={"zone_id": True}),
]

SQS_QUEUE: list[Derived] = [
    _r(f"aws_sqs_queue.{name}", {"fifo_queue": fifo})
    for name, fifo in (
        ("standard_sqs_queue", False),
        ("fifo_sqs_queue", True),
        ("standard_sqs_queue_withUsage", False),
        ("fifo_sqs_queue_withUsage", True),
    )
]

_SNS_STANDARD = (
    "sns_topic",
    "sns_topic_withUsage",
    "sns_topic_withFreeNotifications",
    "sns_topic_withChargedSubscribers",
    "sns_topic_withZeroRequests",
    "sns_topic_customSmsPrice",
)
_SNS_FIFO = (
    "sns_fifo_topic",
    "sns_fifo_topic_withUsage",
    "sns_fifo_topic_withZeroRequests",
    "sns_fifo_topic_withSubscriptions",
    "sns_fifo_topic_withUsageAndSubscriptions",
)
SNS_TOPIC: list[Derived] = [
    *(_r(f"aws_sns_topic.{name}", {"fifo_topic": False}, unknown={"arn": True}) for name in _SNS_STANDARD),
    _r(
        "aws_sns_topic.sns_topic_another_region",
        {"fifo_topic": False},
        unknown={"arn": True},
        region="eu-west-1",
    ),
    *(_r(f"aws_sns_topic.{name}", {"fifo_topic": True}, unknown={"arn": True}) for name in _SNS_FIFO),
    _r(
        "aws_sns_topic.sns_fifo_topic_another_region",
        {"fifo_topic": True},
        unknown={"arn": True},
        region="eu-west-1",
    ),
    *(
        _r(
            f"aws_sns_topic_subscription.sns_fifo_topic_subscription{i}",
            {"protocol": "sqs", "endpoint": "some-dummy-endpoint"},
            unknown={"topic_arn": True},
            refs={("topic_arn",): [f"aws_sns_topic.{topic}.arn", f"aws_sns_topic.{topic}"]},
        )
        for i, topic in (
            (1, "sns_fifo_topic_withSubscriptions"),
            (2, "sns_fifo_topic_withSubscriptions"),
            (3, "sns_fifo_topic_withUsageAndSubscriptions"),
            (4, "sns_fifo_topic_withUsageAndSubscriptions"),
            (5, "sns_fifo_topic_withUsageAndSubscriptions"),
        )
    ),
]


def _distribution(
    name: str, *, encryption: bool = False, realtime: bool = False, vip: bool = False
) -> Derived:
    behavior: dict[str, Any] = {"viewer_protocol_policy": "allow-all"}
    if encryption:
        behavior["field_level_encryption_id"] = "test encryption"
    if realtime:
        behavior["realtime_log_config_arn"] = "arn:aws:cloudfront::123456789012:realtime-log-config/x"
    shield = [{"enabled": True, "origin_shield_region": "sa-east-1"}]
    values: dict[str, Any] = {
        "origin": [{"origin_id": "s3", "origin_shield": shield}],
        "default_cache_behavior": [behavior],
        "ordered_cache_behavior": [],
        "viewer_certificate": [
            {"cloudfront_default_certificate": True, "ssl_support_method": "vip" if vip else "sni-only"}
        ],
    }
    return _r(f"aws_cloudfront_distribution.{name}", values)


CLOUDFRONT_DISTRIBUTION: list[Derived] = [
    _distribution("s3_distribution_with_usage", encryption=True, realtime=True, vip=True),
    _distribution("s3_distribution_with_single_non_default_usage", encryption=True, realtime=True, vip=True),
    _distribution("s3_distribution_3_with_ssl", encryption=True, realtime=True, vip=True),
    _r(
        "aws_cloudfront_distribution.s3_distribution",
        {"origin": [{"origin_id": "s3"}], "default_cache_behavior": [{}], "viewer_certificate": [{}]},
    ),
    _distribution("s3_distribution_0_with_shield"),
    _distribution("s3_distribution_1_with_logging", realtime=True),
    _distribution("s3_distribution_2_with_encryption", encryption=True, realtime=True),
    _r("aws_s3_bucket.b", {"bucket": "mybucket"}),
]


def _task(address: str, cpu: str, memory: str) -> Derived:
    return _r(
        address,
        {"family": "ecs_task1", "cpu": cpu, "memory": memory, "requires_compatibilities": ["FARGATE"]},
        unknown={"arn": True, "arn_without_revision": True},
    )


def _service(
    name: str, count: int, *, refs: dict[tuple[str | int, ...], list[str]], **values: Any
) -> Derived:
    return _r(
        f"aws_ecs_service.{name}",
        {"desired_count": count, "task_definition": None, **values},
        unknown={"task_definition": True, "cluster": True},
        refs=refs,
    )


_TASK = {("task_definition",): ["aws_ecs_task_definition.ecs_task.arn", "aws_ecs_task_definition.ecs_task"]}


def _cluster(n: int, default_strategy: list[dict[str, Any]] | None = None) -> list[Derived]:
    return [
        _r(f"aws_ecs_cluster.ecs{n}", {"name": f"ecs{n}"}, unknown={"arn": True, "id": True}),
        _r(
            f"aws_ecs_cluster_capacity_providers.cappro{n}",
            {
                "cluster_name": f"ecs{n}",
                "capacity_providers": ["FARGATE"],
                "default_capacity_provider_strategy": default_strategy or [],
            },
            refs={("cluster_name",): [f"aws_ecs_cluster.ecs{n}.name", f"aws_ecs_cluster.ecs{n}"]},
        ),
    ]


def _in_cluster(name: str, n: int, count: int) -> Derived:
    cluster = {("cluster",): [f"aws_ecs_cluster.ecs{n}.id", f"aws_ecs_cluster.ecs{n}"]}
    return _service(name, count, refs={**_TASK, **cluster})


ECS_SERVICE: list[Derived] = [
    _task("aws_ecs_task_definition.ecs_task", "1 vCPU", "2 GB"),
    _task("aws_ecs_task_definition.task_set", "2 vCPU", "4 GB"),
    _service("ecs_fargate_no_cluster_1", 1, refs=_TASK, launch_type="FARGATE"),
    _service(
        "ecs_fargate_no_cluster_2",
        2,
        refs=_TASK,
        capacity_provider_strategy=[{"capacity_provider": "FARGATE", "weight": 1, "base": 0}],
    ),
    _service(
        "ecs_fargate11_family",
        1,
        refs={
            ("task_definition",): [
                "aws_ecs_task_definition.ecs_task.family",
                "aws_ecs_task_definition.ecs_task",
            ]
        },
        launch_type="FARGATE",
    ),
    *_cluster(1),
    _in_cluster("ecs_fargate1", 1, 1),
    *_cluster(2, [{"capacity_provider": "FARGATE", "weight": 0, "base": 1}]),
    _in_cluster("ecs_fargate2", 2, 2),
    *_cluster(3),
    _in_cluster("ecs_fargate3", 3, 3),
    *_cluster(4),
    _in_cluster("ecs_fargate4", 4, 4),
    *_cluster(5, [{"capacity_provider": "FARGATE", "weight": 100, "base": 1}]),
    _in_cluster("ecs_fargate5", 5, 5),
    _service("ecs_no_fargate_1", 1, refs=_TASK),
    _r("aws_ecs_service.task_set", {"desired_count": 2, "launch_type": "FARGATE"}),
]

ECR_REPOSITORY: list[Derived] = [
    _r(f"aws_ecr_repository.{n}", {"name": "my-ecr-repo"}) for n in ("repo", "repo1")
]
API_GATEWAY_REST_API: list[Derived] = [
    _r(f"aws_api_gateway_rest_api.{n}", {"name": "rest-api-gateway"}) for n in ("api", "my_rest_api")
]
APIGATEWAYV2_API: list[Derived] = [
    _r(f"aws_apigatewayv2_api.{n}", {"protocol_type": protocol})
    for n, protocol in (
        ("http", "HTTP"),
        ("websocket", "WEBSOCKET"),
        ("http_usage", "HTTP"),
        ("websocket_usage", "WEBSOCKET"),
    )
]
SFN_STATE_MACHINE: list[Derived] = [
    _r(f"aws_sfn_state_machine.{n}", {"type": kind})
    for n, kind in (
        ("expressWithoutUsage", "EXPRESS"),
        ("express1Tier", "EXPRESS"),
        ("express2Tiers", "EXPRESS"),
        ("express3Tiers", "EXPRESS"),
        ("standardWithoutUsage", "STANDARD"),
        ("standard", "STANDARD"),
    )
]


def _broker(name: str, engine: str, instance_type: str, mode: str, storage: str | None = None) -> Derived:
    values = {"engine_type": engine, "host_instance_type": instance_type, "deployment_mode": mode}
    if storage:
        values["storage_type"] = storage
    return _r(f"aws_mq_broker.my_aws_mq_broker_{name}", values)


MQ_BROKER: list[Derived] = [
    _broker("activemq_single_default", "ActiveMQ", "mq.t2.micro", "SINGLE_INSTANCE"),
    _broker("activemq_single_ebs", "ActiveMQ", "mq.t2.micro", "SINGLE_INSTANCE", "ebs"),
    _broker("activemq_standby_efs", "ActiveMQ", "mq.m5.large", "ACTIVE_STANDBY_MULTI_AZ", "efs"),
    _broker("rabbitmq_single", "RabbitMQ", "mq.m5.xlarge", "SINGLE_INSTANCE"),
    _broker("rabbitmq_cluster", "RabbitMQ", "mq.m5.xlarge", "CLUSTER_MULTI_AZ"),
]


def _stream(name: str, mode: str, shards: int | None = None, region: str | None = None) -> Derived:
    values: dict[str, Any] = {"stream_mode_details": [{"stream_mode": mode}], "retention_period": 24}
    if shards is not None:
        values["shard_count"] = shards
    return _r(f"aws_kinesis_stream.{name}", values, region=region)


KINESIS_STREAM: list[Derived] = [
    _stream("test_stream_on_demand", "ON_DEMAND"),
    _stream("test_stream_on_demand_with_usage", "ON_DEMAND"),
    _stream("test_stream_provisioned", "PROVISIONED", 1),
    _stream("test_stream_provisioned_with_usage", "PROVISIONED", 4),
    _stream("use2_test_stream_on_demand", "ON_DEMAND", region="us-east-2"),
    _stream("use2_test_stream_on_demand_with_usage", "ON_DEMAND", region="us-east-2"),
    _stream("use2_test_stream_provisioned", "PROVISIONED", 1, region="us-east-2"),
    _stream("use2_test_stream_provisioned_with_usage", "PROVISIONED", 4, region="us-east-2"),
]

_METRIC = {"metric_name": "RequestCount", "namespace": "AWS/ApplicationELB", "period": 120, "stat": "Sum"}
CLOUDWATCH_METRIC_ALARM: list[Derived] = [
    _r("aws_cloudwatch_metric_alarm.standard", {"period": 120, "metric_name": "CPUUtilization"}),
    _r("aws_cloudwatch_metric_alarm.high", {"period": 10, "metric_name": "CPUUtilization"}),
    _r(
        "aws_cloudwatch_metric_alarm.expression",
        {
            "metric_query": [
                {"id": "e1", "expression": "m2/m1*100", "metric": []},
                {"id": "m1", "metric": [_METRIC]},
                {"id": "m2", "metric": [{**_METRIC, "metric_name": "HTTPCode_ELB_5XX_Count"}]},
            ]
        },
    ),
    _r(
        "aws_cloudwatch_metric_alarm.anomaly_detection",
        {
            "metric_query": [
                {"id": "e1", "expression": "ANOMALY_DETECTION_BAND(m1)", "metric": []},
                {
                    "id": "m1",
                    "metric": [{"metric_name": "CPUUtilization", "namespace": "AWS/EC2", "period": 30}],
                },
            ]
        },
    ),
]


def _build(name: str, compute: str, kind: str = "LINUX_CONTAINER") -> Derived:
    return _r(f"aws_codebuild_project.{name}", {"environment": [{"compute_type": compute, "type": kind}]})


CODEBUILD_PROJECT: list[Derived] = [
    _build("my_project_noUsage", "BUILD_GENERAL1_MEDIUM"),
    _build("my_small_project", "BUILD_GENERAL1_SMALL"),
    _build("my_medium_project", "BUILD_GENERAL1_MEDIUM"),
    _build("my_large_linux_project", "BUILD_GENERAL1_LARGE"),
    _build("my_large_windows_project", "BUILD_GENERAL1_LARGE", "WINDOWS_SERVER_2019_CONTAINER"),
]
DOCDB_CLUSTER_INSTANCE: list[Derived] = [
    _r(f"aws_docdb_cluster_instance.{name}{sfx}", {"instance_class": cls}, region=region)
    for sfx, region in (("", None), ("ue2", "us-east-2"))
    for name, cls in (("db", "db.t3.medium"), ("medium", "db.t3.medium"), ("large", "db.r5.4xlarge"))
]
_NEPTUNE_CLUSTER = {
    ("cluster_identifier",): ["aws_neptune_cluster.default.id", "aws_neptune_cluster.default"]
}
NEPTUNE_CLUSTER_INSTANCE: list[Derived] = [
    _r("aws_neptune_cluster.default", {"engine": "neptune"}, unknown={"id": True}, region="eu-west-2"),
    _r(
        "aws_neptune_cluster.iooptimized",
        {"engine": "neptune", "storage_type": "iopt1"},
        unknown={"id": True},
        region="eu-west-2",
    ),
    *(
        _r(
            address,
            {"instance_class": cls, "engine": "neptune"},
            unknown={"cluster_identifier": True},
            refs=refs,
            region="eu-west-2",
        )
        for address, cls, refs in (
            ("aws_neptune_cluster_instance.dbR4LargeCount2[0]", "db.r4.large", _NEPTUNE_CLUSTER),
            ("aws_neptune_cluster_instance.dbR4LargeCount2[1]", "db.r4.large", _NEPTUNE_CLUSTER),
            ("aws_neptune_cluster_instance.dbT3Medium", "db.t3.medium", _NEPTUNE_CLUSTER),
            ("aws_neptune_cluster_instance.dbT3WithoutUsage", "db.t3.medium", _NEPTUNE_CLUSTER),
            (
                "aws_neptune_cluster_instance.dbT3Medium-iooptimized",
                "db.t3.medium",
                {
                    ("cluster_identifier",): [
                        "aws_neptune_cluster.iooptimized.id",
                        "aws_neptune_cluster.iooptimized",
                    ]
                },
            ),
        )
    ),
]
EC2_TRANSIT_GATEWAY_VPC_ATTACHMENT: list[Derived] = [
    _r(
        "aws_ec2_transit_gateway_vpc_attachment.vpc_attachment",
        {"subnet_ids": ["subnet-123456", "subnet-654321"], "transit_gateway_id": "tgw-123456"},
    )
]
VPN_CONNECTION: list[Derived] = [
    _r("aws_vpn_connection.vpn_connection", {"vpn_gateway_id": "vpn-gateway-id", "transit_gateway_id": None}),
    _r("aws_vpn_connection.transit", {"transit_gateway_id": "dummy-transit-gateway-id"}),
    _r("aws_vpn_connection.vpn_connection_withUsage", {"vpn_gateway_id": "vpn-gateway-id"}),
    _r("aws_vpn_connection.transit_withUsage", {"transit_gateway_id": "dummy-transit-gateway-id2"}),
]
CLOUDTRAIL: list[Derived] = [
    _r("aws_cloudtrail.cloudtrail_with_defaults", {"s3_bucket_name": "bucket-1234"}),
    _r(
        "aws_cloudtrail.cloudtrail_without_management_events",
        {"s3_bucket_name": "bucket-1234", "include_global_service_events": False},
    ),
    *(
        _r(f"aws_cloudtrail.{n}", {"insight_selector": [{"insight_type": "ApiCallRateInsight"}]})
        for n in ("cloudtrail_with_insight_selector", "cloudtrail_with_usage")
    ),
]
SSM_PARAMETER: list[Derived] = [
    _r(f"aws_ssm_parameter.{n}", {"tier": "Advanced", "type": "String"})
    for n in ("ssm_parameter_advanced", "ssm_parameter_advancedWithUsage")
]
ACM_CERTIFICATE: list[Derived] = [
    _r(
        "aws_acm_certificate.private_cert",
        {
            "domain_name": "private-ca.com",
            "certificate_authority_arn": "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/1234",
        },
    )
]
BACKUP_VAULT: list[Derived] = [
    _r(f"aws_backup_vault.{n}", {"name": "aws_backup_vault"}, region="us-west-1")
    for n in ("usage", "non_usage")
]
FSX_WINDOWS_FILE_SYSTEM: list[Derived] = [
    _r(
        f"aws_fsx_windows_file_system.{name}",
        {
            "storage_capacity": 300,
            "throughput_capacity": 1024,
            "deployment_type": "MULTI_AZ_1",
            "storage_type": storage,
        },
    )
    for name, storage in (
        ("my_system", "HDD"),
        ("my_file_system", "HDD"),
        ("my_system_ssd", "SSD"),
        ("my_file_system_ssd", "SSD"),
    )
]
GLOBAL_ACCELERATOR: list[Derived] = [
    _r(
        "aws_globalaccelerator_accelerator.example",
        {"name": "Example", "ip_address_type": "IPV4", "enabled": True},
    )
]
TRANSFER_SERVER: list[Derived] = [
    _r("aws_transfer_server.default_no_protocols", {"protocols": ["SFTP"]}),
    _r("aws_transfer_server.multiple_protocols_with_usage", {"protocols": ["SFTP", "FTPS", "FTP"]}),
]
CONFIG_CONFIG_RULE: list[Derived] = [
    _r(f"aws_config_config_rule.{n}", {"name": "example"}) for n in ("my_config", "my_config_withUsage")
]
DX_CONNECTION: list[Derived] = [
    _r(f"aws_dx_connection.{n}", {"bandwidth": "1Gbps", "location": "EqDC2"})
    for n in ("my_dx_connection", "my_dx_connection_usage", "my_dx_connection_usage_backwards_compat")
]

# golden name (the `<t>` of `<t>_test.golden.txt`) -> its resources
NEW_GOLDENS: dict[str, list[Derived]] = {
    "autoscaling_group": AUTOSCALING_GROUP,
    "elasticache_replication_group": ELASTICACHE_REPLICATION_GROUP,
    "elasticsearch_domain": ELASTICSEARCH_DOMAIN,
    "opensearch_domain": OPENSEARCH_DOMAIN,
    "redshift_cluster": REDSHIFT_CLUSTER,
    "msk_cluster": MSK_CLUSTER,
    "efs_file_system": EFS_FILE_SYSTEM,
    "route53_zone": ROUTE53_ZONE,
    "route53_record": ROUTE53_RECORD,
    "sqs_queue": SQS_QUEUE,
    "sns_topic": SNS_TOPIC,
    "cloudfront_distribution": CLOUDFRONT_DISTRIBUTION,
    "ecs_service": ECS_SERVICE,
    "ecr_repository": ECR_REPOSITORY,
    "api_gateway_rest_api": API_GATEWAY_REST_API,
    "apigatewayv2_api": APIGATEWAYV2_API,
    "sfn_state_machine": SFN_STATE_MACHINE,
    "mq_broker": MQ_BROKER,
    "kinesis_stream": KINESIS_STREAM,
    "cloudwatch_metric_alarm": CLOUDWATCH_METRIC_ALARM,
    "codebuild_project": CODEBUILD_PROJECT,
    "docdb_cluster_instance": DOCDB_CLUSTER_INSTANCE,
    "neptune_cluster_instance": NEPTUNE_CLUSTER_INSTANCE,
    "ec2_transit_gateway_vpc_attachment": EC2_TRANSIT_GATEWAY_VPC_ATTACHMENT,
    "vpn_connection": VPN_CONNECTION,
    "cloudtrail": CLOUDTRAIL,
    "ssm_parameter": SSM_PARAMETER,
    "acm_certificate": ACM_CERTIFICATE,
    "backup_vault": BACKUP_VAULT,
    "fsx_windows_file_system": FSX_WINDOWS_FILE_SYSTEM,
    "global_accelerator": GLOBAL_ACCELERATOR,
    "transfer_server": TRANSFER_SERVER,
    "config_config_rule": CONFIG_CONFIG_RULE,
    "dx_connection": DX_CONNECTION,
}
