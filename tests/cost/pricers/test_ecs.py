"""ECS services on Fargate."""

from __future__ import annotations

from decimal import Decimal

from tests.cost.costplans import HOURS, Change, one, price, priced
from tests.cost.goldens import check_golden

TASK = Change(
    "aws_ecs_task_definition.app",
    {"family": "app", "cpu": "512", "memory": "1024", "runtime_platform": [{"cpu_architecture": "ARM64"}]},
    after_unknown={"arn": True},
)
REFS = {"task_definition": {"references": ["aws_ecs_task_definition.app.arn", "aws_ecs_task_definition.app"]}}


def test_ecs_service_golden() -> None:
    check_golden("ecs_service")


def test_fargate_service_from_its_task_definition_in_cpu_units_on_arm() -> None:
    service = Change(
        "aws_ecs_service.s",
        {"launch_type": "FARGATE", "desired_count": 4},
        after_unknown={"task_definition": True},
        expressions=REFS,
    )
    s = one(priced([TASK, service]), "aws_ecs_service.s")
    hours = 4 * HOURS
    assert s.monthly_after == Decimal("0.5") * hours * price("ecs/fargate-vcpu-hour-arm") + 1 * hours * price(
        "ecs/fargate-gb-hour-arm"
    )
    assert s.notes == ("4 tasks of aws_ecs_task_definition.app (0.5 vCPU, 1 GB)",)


def test_services_on_ec2_cost_nothing_themselves_and_spot_is_refused() -> None:
    est = priced(
        [
            TASK,
            Change("aws_ecs_service.ec2", {"launch_type": "EC2", "desired_count": 2}, expressions=REFS),
            Change(
                "aws_ecs_service.spot",
                {"desired_count": 2, "capacity_provider_strategy": [{"capacity_provider": "FARGATE_SPOT"}]},
                expressions=REFS,
            ),
        ]
    )
    ec2 = one(est, "aws_ecs_service.ec2")
    assert ec2.components == () and "EC2" in ec2.notes[0]
    assert "Fargate Spot" in est.not_priced[0].reason
