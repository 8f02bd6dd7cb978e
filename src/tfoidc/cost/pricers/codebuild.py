"""CodeBuild projects (build minutes, usage)."""

from __future__ import annotations

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, Unpriceable, missing, pricer

OPERATING_SYSTEMS = {
    "LINUX_CONTAINER": "Linux",
    "LINUX_GPU_CONTAINER": "Linux GPU",
    "ARM_CONTAINER": "Linux ARM",
    "WINDOWS_CONTAINER": "Windows",
    "WINDOWS_SERVER_2019_CONTAINER": "Windows",
    "WINDOWS_SERVER_2022_CONTAINER": "Windows",
}


@pricer(
    "aws_codebuild_project", catalog=("codebuild/",), usage={"monthly_build_mins": "build minutes a month"}
)
def codebuild_project(a: Attrs, p: Pricing) -> list[CostComponent]:
    env = a.block("environment") or missing("environment")
    os_name = OPERATING_SYSTEMS.get(str(env.get("type") or missing(f"{env.path}type")))
    if os_name is None:
        raise Unpriceable(f"environment type {env.values.get('type')!r} is not in the catalog")
    compute = str(env.get("compute_type") or missing(f"{env.path}compute_type"))
    size = compute.removeprefix("BUILD_").lower().replace("_", "")  # BUILD_GENERAL1_SMALL -> general1small
    size = size.replace("general1", "general1.")
    key = f"codebuild/build-minute/{os_name.lower().replace(' ', '-')}/{size}"
    return [p.usage_based(f"{os_name} ({size})", key, "minutes", "monthly_build_mins")]
