"""The dependency graph on real plans: specific edges read from `configuration` (the full graph, with
the wiring as nodes, and the resource-level graph every stage reads, which must have exactly the full
graph's reachability between resources), the fallback without it, and the queries (blast radius,
creation order, cycles).

No fixture plan has an AWS `aws_subnet`; the subnet/VPC edges are checked on the real Azure and
Google networks and on the AWS security group/VPC pairs the fixtures do have.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import orjson
import pytest

from tests.conftest import PLANS, all_fixture_plans, need_shared
from tfoidc.analysis.contract import graph_to_dict
from tfoidc.analysis.graph import FULL, RESOURCES, GraphDetail, PlanGraph
from tfoidc.analysis.graph_build import build_graph
from tfoidc.errors import InputError
from tfoidc.plan.model import Plan
from tfoidc.plan.parse import load_plan, parse_plan


def fixture_doc(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = orjson.loads(need_shared(PLANS / name).read_bytes())
    return doc


def fixture_plan(name: str) -> Plan:
    return load_plan(need_shared(PLANS / name))


def graph_of(name: str, detail: GraphDetail = FULL) -> PlanGraph:
    return build_graph(fixture_plan(name), detail=detail)


def graph_of_doc(doc: dict[str, Any], detail: GraphDetail = FULL) -> PlanGraph:
    return build_graph(parse_plan(orjson.dumps(doc), source="edited.json"), detail=detail)


def depends(g: PlanGraph, a: str, b: str) -> bool:
    return g.graph.has_edge(a, b)


def depends_transitively(g: PlanGraph, a: str, b: str) -> bool:
    return a != b and nx.has_path(g.graph, a, b)


# --- edges read from configuration ---------------------------------------------------------------


def test_subnet_depends_on_its_virtual_network_and_firewall_on_the_subnet() -> None:
    g = graph_of("infracost/azure_firewall_plan_azurerm.json")
    assert depends(g, "azurerm_subnet.example", "azurerm_virtual_network.example")
    assert depends(g, "azurerm_subnet.example", "azurerm_resource_group.example")
    assert depends(g, "azurerm_firewall.standard", "azurerm_subnet.example")
    assert not depends(g, "azurerm_virtual_network.example", "azurerm_subnet.example")


def test_subnetwork_depends_on_its_vpc_inside_a_module() -> None:
    g = graph_of("guybarros-opa-policies-tfc/google_32_resources_no_op_prior_state.json")
    subnet = "module.network.google_compute_subnetwork.hashistack-subnet"
    vpc = "module.network.google_compute_network.hashistack-vpc"
    assert depends(g, subnet, vpc)
    assert g.graph.nodes[subnet]["module"] == "module.network"


def test_instances_depend_on_subnet_and_vpc_through_module_outputs() -> None:
    g = graph_of("guybarros-opa-policies-tfc/google_32_resources_no_op_prior_state.json")
    subnet = "module.network.google_compute_subnetwork.hashistack-subnet"
    # Root module instance -> module output -> the resource inside the module.
    assert depends(g, "google_compute_instance.mysql_db", "module.network.output.hashistack-subnet")
    assert depends(g, "module.network.output.hashistack-subnet", subnet)
    for n in range(3):  # count instances each get the edge
        assert depends_transitively(g, f"google_compute_instance.tfc-agent[{n}]", subnet)
    # The root output re-exporting the module output is wired to it, not to the module as a whole.
    assert depends(g, "output.vpc_subnet", "module.network.output.hashistack-subnet")


def test_aws_instance_depends_on_its_subnet_and_the_attachment_on_both() -> None:
    g = graph_of("infracost/instance_with_attachment_before_deploy.json")
    assert depends(g, "aws_instance.ec2", "aws_default_subnet.default")
    assert depends(g, "aws_volume_attachment.storage_attachment", "aws_instance.ec2")
    assert depends(g, "aws_volume_attachment.storage_attachment", "aws_ebs_volume.storage")
    assert not depends(g, "aws_instance.ec2", "aws_ebs_volume.storage")


def test_aws_instance_depends_on_its_security_group_and_tf012_module_reference() -> None:
    g = graph_of("terraform-compliance/issue_127_elb_security_groups.json")
    assert depends(g, "aws_instance.web[0]", "aws_security_group.instance")
    assert depends(g, "aws_elb.example", "aws_security_group.elb")
    # Terraform 0.12 writes `module.tagsmod.tags` (no `output`): it still names the output.
    assert depends(g, "aws_instance.web[0]", "module.tagsmod.output.tags")
    # A module-call input fed by another module's output.
    assert depends(g, "module.tagsmod2.var.context", "module.tagsmod.output.context")


def test_module_outputs_wired_across_module_boundaries() -> None:
    g = graph_of("regula/resource_view_modules_tf1_0.json")
    grandchild_vpc = "module.child1.module.grandchild1.aws_vpc.grandchild"
    # root SG -> child1 output -> grandchild output -> the VPC in the grandchild module
    assert depends(g, "aws_security_group.parent", "module.child1.output.grandchild_vpc")
    assert depends(
        g, "module.child1.output.grandchild_vpc", "module.child1.module.grandchild1.output.grandchild_vpc"
    )
    assert depends(g, "module.child1.module.grandchild1.output.grandchild_vpc", grandchild_vpc)
    # child2 receives that output through a module-call input variable.
    assert depends(g, "module.child2.var.child_vpc_id", "module.child1.output.grandchild_vpc")
    assert depends(g, "module.child2.aws_security_group.child", "module.child2.var.child_vpc_id")
    assert depends(g, "module.child1.module.grandchild1.aws_security_group.grandchild", grandchild_vpc)
    assert g.blast_radius(grandchild_vpc, kinds=("resource",)) == (
        "aws_security_group.parent",
        "module.child1.module.grandchild1.aws_security_group.grandchild",
        "module.child2.aws_security_group.child",
    )


def test_reference_inside_a_module_instance_stays_in_that_instance() -> None:
    g = graph_of("tf-summarize/github_provider_modules.json")
    demo = 'module.github["demo-repository"]'
    other = 'module.github["terraform-plan-summary"]'
    assert depends(g, f"{demo}.github_branch.main", f"{demo}.github_repository.repository")
    assert not depends(g, f"{demo}.github_branch.main", f"{other}.github_repository.repository")
    assert depends(g, f"{other}.github_branch.main", f"{other}.github_repository.repository")


def test_counted_outer_module_reaches_the_inner_module_output() -> None:
    g = graph_of("terraform-compliance/issue_796_tf1_14.json")
    output = "module.outer.module.inner.output.event_rule_arn"
    assert depends(g, "module.outer[0].aws_lambda_permission.example", output)
    assert depends(g, output, "module.outer[0].module.inner.aws_cloudwatch_event_rule.example")


def test_count_index_and_each_key_add_no_edges() -> None:
    g = graph_of("borchero-terraform-plan-comment/local_file_create_300.json")
    assert g.graph.number_of_nodes() == 300
    assert g.graph.number_of_edges() == 0  # every file uses each.key/each.value only
    assert g.orphans == []
    for name in ("count", "each", "count.index", "each.key"):
        assert name not in g.graph

    datadog = graph_of("terraform-compliance/issue_567_datadog_no_planned_values.json")
    monitors = [n for n in datadog.graph if n.startswith("datadog_monitor.")]
    assert monitors
    for monitor in monitors:  # references are [var.*, local.*, count.index]: only the vars remain
        assert {datadog.graph.nodes[d]["kind"] for d in datadog.graph.successors(monitor)} <= {"variable"}
    assert all(not ref.startswith(("count.", "each.")) for _, ref in datadog.orphans)


def test_depends_on_of_a_resource_and_of_a_module_call() -> None:
    g = graph_of("snyk-policy-engine/count_02.json")
    # `depends_on = [aws_s3_bucket_ownership_controls...]` with no expression reference to it.
    assert depends(g, "aws_s3_bucket_acl.acl1", "aws_s3_bucket_ownership_controls.logbucket1-acl-controls")

    m = graph_of("terraform-json/module_depends_on_tf0_13.json")
    # `module "foo" { depends_on = [null_resource.bar] }` holds back everything in the module.
    assert depends(m, "module.foo.null_resource.resource", "null_resource.bar")
    assert depends(m, "module.foo.data.null_data_source.data", "null_resource.bar")

    nested = graph_of("checkov/data_resource_partial_values_eks.json")
    # `depends_on = [module.a]` on module b: b's data source waits for all of module a.
    data = "module.child.module.b.data.aws_eks_cluster.cluster"
    assert depends(nested, data, "module.child.module.a")
    assert depends_transitively(nested, data, "module.child.module.a.aws_eks_cluster.cluster")


def test_data_sources_are_nodes_with_edges_both_ways() -> None:
    g = graph_of("checkov/iam_policy_document_data_block.json")
    data = "data.aws_iam_policy_document.allow_access_from_another_account"
    assert g.graph.nodes[data]["mode"] == "data"
    assert g.graph.nodes[data]["action"] == "read"
    assert depends(g, "aws_s3_bucket_policy.allow_access_from_another_account", data)
    assert depends(g, data, "aws_s3_bucket.example")
    assert "aws_s3_bucket_policy.allow_access_from_another_account" in g.blast_radius("aws_s3_bucket.example")


def test_orphaned_reference_is_reported_not_guessed() -> None:
    # The output names `module.some-service-iam`, a module call the configuration does not have.
    g = graph_of("terraform-compliance/issue_567_datadog_no_planned_values.json")
    assert ("output.iam_role_arn", "module.some-service-iam.iam_role_arn") in g.orphaned_references()
    assert list(g.graph.successors("output.iam_role_arn")) == []
    assert any("name nothing in the configuration" in note for note in g.notes)


# --- without configuration ----------------------------------------------------------------------


def test_plan_without_configuration_says_edges_are_inferred() -> None:
    g = graph_of("checkov/filtered_rule_update_fail.json")
    assert g.inferred is True
    assert any("no configuration" in note and "inferred" in note for note in g.notes)
    assert graph_to_dict(g)["inferred"] is True
    with_config = graph_of("infracost/instance_with_attachment_before_deploy.json")
    assert with_config.inferred is False


def test_without_configuration_edges_come_from_state_depends_on_and_ids() -> None:
    doc = fixture_doc("infracost/instance_with_attachment_after_deploy.json")
    del doc["configuration"]
    g = graph_of_doc(doc)
    assert g.inferred
    # prior_state records depends_on; ids in the attachment's values name the instance and volume.
    assert depends(g, "aws_volume_attachment.storage_attachment", "aws_instance.ec2")
    assert depends(g, "aws_volume_attachment.storage_attachment", "aws_ebs_volume.storage")
    assert depends(g, "aws_instance.ec2", "aws_default_subnet.default")


def test_shared_id_infers_no_edge_and_so_no_false_cycle() -> None:
    # random_id.cloudtrail's id is also the trail's id (the trail is named after it).
    doc = fixture_doc("regula/cloudtrail_issue355_no_op_tf1_1.json")
    del doc["configuration"]
    g = graph_of_doc(doc)
    assert g.cycles() == []
    assert depends(g, "aws_cloudtrail.cloudtrail", "random_id.cloudtrail")  # from state depends_on
    assert not depends(g, "random_id.cloudtrail", "aws_cloudtrail.cloudtrail")


# --- queries ------------------------------------------------------------------------------------


def test_blast_radius_is_transitive_and_accepts_configuration_addresses() -> None:
    g = graph_of("infracost/instance_with_attachment_before_deploy.json")
    assert g.blast_radius("aws_default_subnet.default", kinds=("resource",)) == (
        "aws_instance.ec2",
        "aws_volume_attachment.storage_attachment",
    )
    assert g.blast_radius("aws_volume_attachment.storage_attachment") == ()

    counted = graph_of("terraform-json/basic_tf0_12_aliased_providers.json")
    # `null_resource.baz` names all three count instances; their dependents are nothing.
    assert counted.blast_radius("null_resource.baz") == ()
    assert {"null_resource.baz[0]", "null_resource.bar", "data.null_data_source.baz"} <= set(
        counted.blast_radius("null_resource.foo")
    )


def test_blast_radius_of_a_replaced_resource_in_a_real_plan() -> None:
    plan = fixture_plan("terraform-json/config_resource_depends_on_replace.json")
    g = build_graph(plan)
    replaced = [rc.address for rc in plan.resource_changes if rc.action.value == "replace"]
    assert replaced == ["null_resource.bar"]
    assert depends(g, "null_resource.bar", "null_resource.foo")
    assert g.blast_radius("null_resource.foo") == ("null_resource.bar",)


@pytest.mark.parametrize(
    "name",
    [
        "guybarros-opa-policies-tfc/google_32_resources_no_op_prior_state.json",
        "terraform-compliance/issue_249_alb_ecs_modules_update.json",
        "terraform-compliance/non_created_module_resource_parameter.json",
        "regula/resource_view_modules_tf1_0.json",
        "infracost/azure_firewall_plan_azurerm.json",
    ],
)
def test_real_plans_give_acyclic_graphs_networkx_can_order(name: str) -> None:
    g = graph_of(name)
    assert g.cycles() == []
    # Edges run dependent -> dependency, so the reversed topological order is a creation order.
    order = list(reversed(list(nx.topological_sort(g.graph))))
    assert sorted(order) == sorted(g.graph.nodes)
    position = {n: i for i, n in enumerate(order)}
    for dependent, dependency in g.graph.edges():
        assert position[dependency] < position[dependent], (dependent, dependency)


def test_cycle_in_configuration_is_reported_and_queries_still_finish() -> None:
    doc = fixture_doc("infracost/instance_with_attachment_before_deploy.json")
    # Make the subnet reference the instance that already references the subnet.
    for resource in doc["configuration"]["root_module"]["resources"]:
        if resource["address"] == "aws_default_subnet.default":
            resource["expressions"]["tags"] = {"references": ["aws_instance.ec2.id", "aws_instance.ec2"]}
    g = graph_of_doc(doc)
    assert g.cycles() == [["aws_default_subnet.default", "aws_instance.ec2"]] or g.cycles() == [
        ["aws_instance.ec2", "aws_default_subnet.default"]
    ]
    assert any("dependency cycle" in note for note in g.notes)
    assert "aws_volume_attachment.storage_attachment" in g.blast_radius("aws_default_subnet.default")
    assert "aws_default_subnet.default" in g.blast_radius("aws_instance.ec2")
    assert graph_to_dict(g)["cycles"] == g.cycles()


def test_changed_nodes_are_the_changed_instances_and_outputs() -> None:
    plan = fixture_plan("terraform-compliance/issue_249_alb_ecs_modules_update.json")
    assert set(build_graph(plan).changed_nodes()) == {rc.address for rc in plan.changes()}
    g = build_graph(plan, detail=FULL)
    changed = set(g.changed_nodes())
    # Changed resource instances and root outputs whose value changes.
    assert changed == {rc.address for rc in plan.changes()} | {
        f"output.{oc.name}" for oc in plan.output_changes if oc.action.is_change
    }
    assert "module.alb.aws_alb.alb" in changed and "output.lambda_execution_arn" in changed


def test_json_export_edges_mean_from_depends_on_to() -> None:
    g = graph_of("infracost/instance_with_attachment_before_deploy.json")
    exported = graph_to_dict(g)
    assert ["aws_instance.ec2", "aws_default_subnet.default"] in exported["edges"]
    assert ["aws_default_subnet.default", "aws_instance.ec2"] not in exported["edges"]
    nodes = {n["id"]: n for n in exported["nodes"]}
    assert nodes["aws_instance.ec2"] == {
        "id": "aws_instance.ec2",
        "kind": "resource",
        "type": "aws_instance",
        "action": "create",
        "mode": "managed",
        "module": "",
    }


# --- modules called many times ------------------------------------------------------------------


def _module_app(variable: str) -> dict[str, Any]:
    return {
        "variables": {"name": {}, "other": {}},
        "resources": [
            {
                "address": "null_resource.x",
                "mode": "managed",
                "type": "null_resource",
                "name": "x",
                "expressions": {"triggers": {"references": [f"var.{variable}"]}},
            }
        ],
        "outputs": {"id": {"expression": {"references": ["null_resource.x.id", "null_resource.x"]}}},
    }


def _call(module: dict[str, Any], reference: str) -> dict[str, Any]:
    return {
        "source": "./app",
        "expressions": {"name": {"references": [reference]}, "other": {"references": [reference]}},
        "module": module,
    }


def _change(address: str) -> dict[str, Any]:
    module = address.rsplit(".null_resource", 1)[0]
    return {
        "address": address,
        "module_address": module,
        "mode": "managed",
        "type": "null_resource",
        "name": "x",
        "provider_name": "registry.terraform.io/hashicorp/null",
        "change": {"actions": ["create"], "before": None, "after": {}, "after_unknown": {"id": True}},
    }


def test_modules_of_one_source_get_their_own_edges_under_each_call() -> None:
    # a and c are the same module content; b has the same source but references another variable
    # (another version of the module): each call must be wired by its own content.
    doc = {
        "format_version": "1.2",
        "resource_changes": [_change(f"module.{m}.null_resource.x") for m in "abc"],
        "configuration": {
            "root_module": {
                "variables": {"va": {}, "vb": {}},
                "module_calls": {
                    "a": _call(_module_app("name"), "var.va"),
                    "b": _call(_module_app("other"), "var.vb"),
                    "c": _call(_module_app("name"), "module.a.id"),
                },
            }
        },
    }
    g = graph_of_doc(doc)
    assert depends(g, "module.a.null_resource.x", "module.a.var.name")
    assert depends(g, "module.a.var.name", "var.va")
    assert depends(g, "module.b.null_resource.x", "module.b.var.other")
    assert not depends(g, "module.b.null_resource.x", "module.b.var.name")
    assert depends(g, "module.b.var.other", "var.vb")
    assert depends(g, "module.c.null_resource.x", "module.c.var.name")
    assert depends(g, "module.c.var.name", "module.a.output.id")
    assert depends_transitively(g, "module.c.null_resource.x", "module.a.null_resource.x")
    assert not depends_transitively(g, "module.a.null_resource.x", "module.c.null_resource.x")


def test_a_configuration_nested_too_deep_to_serialise_still_builds_its_graph() -> None:
    deep: Any = "x"
    for _ in range(300):
        deep = {"constant_value": None, "nested": [deep]}
    module = _module_app("name")
    module["resources"][0]["expressions"]["deep"] = [deep]
    configuration: dict[str, Any] = {
        "root_module": {"variables": {"va": {}}, "module_calls": {"a": _call(module, "var.va")}}
    }
    doc = {"format_version": "1.2", "resource_changes": [_change("module.a.null_resource.x")]}
    # Built directly: orjson writes no document this deep, so it cannot be parsed from bytes here.
    plan = Plan(
        format_version="1.2",
        terraform_version=None,
        resource_changes=parse_plan(orjson.dumps(doc)).resource_changes,
        configuration=configuration,
    )
    g = build_graph(plan, detail=FULL)
    assert depends(g, "module.a.null_resource.x", "module.a.var.name")
    assert build_graph(plan).nodes.keys() == {"module.a.null_resource.x"}


# --- the resource-level graph (what every stage and report reads) -------------------------------


def _parseable(path: Path) -> bool:
    try:
        load_plan(path)
    except InputError:
        return False
    return True


PARSEABLE = [p for p in all_fixture_plans() if _parseable(p)]


def assert_same_reachability(full: PlanGraph, resources: PlanGraph) -> None:
    """`resources` has the resource nodes of `full`, and an edge a -> b exactly when a reaches b in
    `full` through non-resource nodes only; so transitive dependencies between resources agree too."""
    assert resources.detail == RESOURCES and full.detail == FULL
    assert resources.nodes == {n: a for n, a in full.nodes.items() if a.get("kind") == "resource"}
    for node in resources.nodes:
        assert set(resources.succ[node]) == full.resource_neighbours(node), node
        assert set(resources.pred[node]) == full.resource_neighbours(node, dependents=True), node
        assert nx.descendants(resources.graph, node) == {
            n for n in nx.descendants(full.graph, node) if n in resources.nodes
        }, node
    assert resources.orphans == full.orphans
    assert resources.inferred == full.inferred
    # A cycle through resources is one in both (the full graph's may run through its wiring).
    assert [n for n in resources.notes if "cycle" not in n] == [n for n in full.notes if "cycle" not in n]
    assert not resources.cycles() or full.cycles()


@pytest.mark.parametrize("path", PARSEABLE, ids=lambda p: str(p.relative_to(PLANS)))
def test_resource_graph_has_exactly_the_full_graphs_reachability_between_resources(path: Path) -> None:
    plan = load_plan(path)
    full = build_graph(plan, detail=FULL)
    resources = build_graph(plan)
    assert_same_reachability(full, resources)
    assert full.resource_graph().nodes == resources.nodes
    assert {n: list(t) for n, t in full.resource_graph().succ.items()} == {
        n: list(t) for n, t in resources.succ.items()
    }


def test_resource_edges_run_through_module_inputs_and_outputs() -> None:
    g = graph_of("regula/resource_view_modules_tf1_0.json", RESOURCES)
    grandchild_vpc = "module.child1.module.grandchild1.aws_vpc.grandchild"
    # root SG -> child1 output -> grandchild output -> the VPC: one edge
    assert depends(g, "aws_security_group.parent", grandchild_vpc)
    # child2's SG gets the VPC id through its input variable, fed by child1's output
    assert depends(g, "module.child2.aws_security_group.child", grandchild_vpc)
    assert {attrs["kind"] for attrs in g.nodes.values()} == {"resource"}
    assert g.blast_radius(grandchild_vpc) == (
        "aws_security_group.parent",
        "module.child1.module.grandchild1.aws_security_group.grandchild",
        "module.child2.aws_security_group.child",
    )


def test_resource_edges_of_a_module_depending_on_a_whole_module() -> None:
    g = graph_of("checkov/data_resource_partial_values_eks.json", RESOURCES)
    # `depends_on = [module.a]` on module b: b's data source depends on every resource of module a.
    assert depends(
        g,
        "module.child.module.b.data.aws_eks_cluster.cluster",
        "module.child.module.a.aws_eks_cluster.cluster",
    )
    m = graph_of("terraform-json/module_depends_on_tf0_13.json", RESOURCES)
    assert depends(m, "module.foo.null_resource.resource", "null_resource.bar")


def test_resource_edges_inside_a_module_instance_stay_in_that_instance() -> None:
    g = graph_of("tf-summarize/github_provider_modules.json", RESOURCES)
    demo = 'module.github["demo-repository"]'
    other = 'module.github["terraform-plan-summary"]'
    assert depends(g, f"{demo}.github_branch.main", f"{demo}.github_repository.repository")
    assert not depends(g, f"{demo}.github_branch.main", f"{other}.github_repository.repository")


def _looping_module_doc() -> dict[str, Any]:
    """Module a's input `name` is fed by a's own output, which reads `name`: a loop Terraform refuses,
    through variables and outputs only."""
    module = _module_app("name")
    module["outputs"]["echo"] = {"expression": {"references": ["var.name"]}}
    call = _call(module, "module.a.echo")
    return {
        "format_version": "1.2",
        "resource_changes": [_change("module.a.null_resource.x")],
        "configuration": {"root_module": {"module_calls": {"a": call}}},
    }


def test_wiring_that_loops_still_gives_exact_reachability() -> None:
    doc = _looping_module_doc()
    full = graph_of_doc(doc, FULL)
    assert full.cycles()  # module.a.var.name -> module.a.output.echo -> module.a.var.name
    resources = graph_of_doc(doc, RESOURCES)
    assert_same_reachability(full, resources)
    assert resources.cycles() == []  # no resource takes part in the loop


def test_module_called_many_times_gets_resource_edges_per_call() -> None:
    doc = {
        "format_version": "1.2",
        "resource_changes": [_change(f"module.{m}.null_resource.x") for m in "abc"],
        "configuration": {
            "root_module": {
                "variables": {"va": {}, "vb": {}},
                "module_calls": {
                    "a": _call(_module_app("name"), "var.va"),
                    "b": _call(_module_app("name"), "module.a.id"),
                    "c": _call(_module_app("name"), "module.b.id"),
                },
            }
        },
    }
    g = graph_of_doc(doc, RESOURCES)
    assert list(g.edges()) == [
        ("module.b.null_resource.x", "module.a.null_resource.x"),
        ("module.c.null_resource.x", "module.b.null_resource.x"),
    ]
    assert g.blast_radius("module.a.null_resource.x") == (
        "module.b.null_resource.x",
        "module.c.null_resource.x",
    )
    assert_same_reachability(graph_of_doc(doc, FULL), g)
