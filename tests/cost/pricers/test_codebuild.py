"""CodeBuild projects."""

from __future__ import annotations

from tests.cost.costplans import Change, priced
from tests.cost.goldens import check_golden


def test_codebuild_project_golden() -> None:
    check_golden("codebuild_project")


def test_a_compute_type_without_a_price_is_not_priced() -> None:
    env = [{"compute_type": "BUILD_GENERAL1_2XLARGE", "type": "LINUX_CONTAINER"}]
    est = priced([Change("aws_codebuild_project.p", {"environment": env})])
    assert "codebuild/build-minute/linux/general1.2xlarge" in est.not_priced[0].reason
