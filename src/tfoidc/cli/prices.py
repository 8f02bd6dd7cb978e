"""`tfoidc prices update` (refresh the user catalog from the AWS Price List API) and
`tfoidc prices show TYPE` (what the catalog knows for a resource type)."""

from __future__ import annotations

import os
from pathlib import Path

import click
from rich.table import Table

from tfoidc.cli.console import stderr, stdout
from tfoidc.cli.context import load_config_from_context
from tfoidc.cost.catalog import Price, default_user_catalog_path, load_catalog
from tfoidc.cost.pricers import CATALOG_PREFIXES
from tfoidc.cost.update import DEFAULT_REGIONS, SERVICES, update_catalog
from tfoidc.errors import InputError


@click.group("prices")
def prices_group() -> None:
    """The price catalog: refresh it from AWS, show what it knows.

    \b
    The shipped catalog is read-only; `update` writes a user catalog that takes precedence:
    --output, else $TFOIDC_PRICES, else $TFOIDC_HOME/prices.json, else ~/.cache/tfoidc/prices.json.
    """


def _csv(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


@prices_group.command("update")
@click.option(
    "--regions",
    default=",".join(DEFAULT_REGIONS),
    show_default=True,
    help="Comma-separated AWS regions to fetch prices for.",
)
@click.option(
    "--services",
    default=None,
    help=f"Comma-separated Price List service codes (default: all of {', '.join(SERVICES)}).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="User catalog to write (merged over its current content).",
)
@click.option(
    "--environment",
    "-e",
    default=None,
    help="Use the credentials tfoidc obtains for this tfoidc.toml environment "
    "(GitLab ID token; --local: your own). Default: boto3's credential chain.",
)
@click.option("--local", "local", is_flag=True, help="With -e: use local_role_arn and your own credentials.")
@click.option("--profile", default=None, help="AWS profile for --local.")
@click.pass_context
def update_command(
    ctx: click.Context,
    regions: str,
    services: str | None,
    output: Path | None,
    environment: str | None,
    local: bool,
    profile: str | None,
) -> None:
    """Fetch on-demand prices with the Price List API (GetProducts, us-east-1) into the user catalog."""
    region_list, service_list = _csv(regions), _csv(services)
    if local and environment is None:
        raise InputError("--local needs --environment")
    credentials = _credentials(ctx, environment, local, profile) if environment else None
    target = output if output is not None else default_user_catalog_path()
    total, per_service = update_catalog(
        target, regions=region_list, services=service_list or None, credentials=credentials
    )
    counts = ", ".join(f"{code} {n}" for code, n in per_service.items())
    stderr.print(f"wrote {target}: {total} prices ({counts})", markup=False)


def _credentials(ctx: click.Context, environment: str, local: bool, profile: str | None) -> dict[str, str]:
    """The environment's plan credentials (the Price List API needs no more), the one way every command
    obtains them."""
    from tfoidc.identity.credentials import obtain_credentials
    from tfoidc.lifecycle.session import Overrides, credential_request, local_session

    config = load_config_from_context(ctx)
    env = config.environments.get(environment)
    if env is None:
        known = ", ".join(sorted(config.environments)) or "none"
        raise InputError(f"no environment {environment!r} in tfoidc.toml (known: {known})")
    environ = dict(os.environ)
    if local:
        session = local_session(environment, env, environ=environ, profile=profile)
        keys = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
        return {k: session.terraform_env[k] for k in keys}
    request = credential_request(
        environment, env, "plan", Overrides(), environ=environ, flags=("--environment", "--local")
    )
    return obtain_credentials(request, environ=environ).credentials.as_env()


@prices_group.command("show")
@click.argument("resource_type", metavar="TYPE")
@click.option("--region", default=None, help="Only this region (default: every region in the catalog).")
@click.option("--match", "match", default=None, help="Only keys containing this text, e.g. m5.large.")
@click.option(
    "--catalog",
    "catalog_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="User catalog to read (default: as for update).",
)
def show_command(
    resource_type: str, region: str | None, match: str | None, catalog_path: Path | None
) -> None:
    """Print the prices the catalog holds for a resource TYPE (e.g. aws_instance) or a key prefix
    (e.g. ec2/instance-hour/m5)."""
    if "/" in resource_type:
        prefixes: tuple[str, ...] = (resource_type,)
    elif resource_type in CATALOG_PREFIXES:
        prefixes = CATALOG_PREFIXES[resource_type]
    else:
        raise InputError(
            f"tfoidc does not price {resource_type}; priced types: {', '.join(sorted(CATALOG_PREFIXES))}"
        )
    catalog = load_catalog(catalog_path)
    rows = [
        p
        for prefix in prefixes
        for p in catalog.prices(region=region, prefix=prefix)
        if match is None or match in p.key
    ]
    if not rows:
        where = f" in {region}" if region else ""
        raise InputError(
            f"the catalog has no prices for {resource_type}{where}"
            + (f" matching {match!r}" if match else "")
        )
    stdout.print(_table(resource_type, rows))
    stdout.print(f"{len(rows)} prices; USD; monthly = hourly x 730", markup=False)


def _table(title: str, rows: list[Price]) -> Table:
    table = Table(title=f"Prices for {title}", title_justify="left")
    table.add_column("key", no_wrap=True)
    table.add_column("region", no_wrap=True)
    table.add_column("price", justify="right", no_wrap=True)
    for column in ("unit", "date", "source"):
        table.add_column(column, overflow="fold")
    for p in rows:
        table.add_row(
            p.key, p.region, format(p.amount, "f"), p.unit, p.date, f"{p.source_file}; {p.reference}"
        )
    return table


COMMANDS: list[click.Command] = [prices_group]
