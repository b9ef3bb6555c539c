"""The o2c command: serve, demo and migrate here; the operator's commands, each a gRPC client of
the server with --json for scripts, in the `cli_*` modules beside it."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from adapters.persistence.engine import UnsupportedDatabase
from adapters.reference.billing_reference import BillingReferenceError
from adapters.security.dev_keys import NoDevelopmentKey
from entrypoints import settings
from entrypoints.cli_billing import billing_cycle
from entrypoints.cli_exceptions import exceptions
from entrypoints.cli_lineage import lineage
from entrypoints.cli_metrics import metrics
from entrypoints.cli_reconcile import reconcile
from entrypoints.cli_routes import routes
from entrypoints.cli_server import migrate_only, serve, why_not
from entrypoints.log_format import configure_logging

# Commands that log as the server does; the others print only what they were asked for.
LOGGING_COMMANDS = ("serve", "migrate")

app = typer.Typer(
    name="o2c",
    help="o2c process APIs: serve them, and operate them from the command line.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(routes, name="routes")
app.add_typer(exceptions, name="exceptions")
app.command("billing-cycle")(billing_cycle)
app.command("reconcile")(reconcile)
app.command("lineage")(lineage)
app.command("metrics")(metrics)


@app.callback()
def configure(context: typer.Context) -> None:
    """o2c process APIs: serve them, and operate them from the command line."""
    quiet = context.invoked_subcommand not in LOGGING_COMMANDS and "O2C_LOG_LEVEL" not in os.environ
    values = settings.read()
    configure_logging("WARNING" if quiet else values["O2C_LOG_LEVEL"], values["O2C_LOG_FORMAT"])


@app.command("serve")
def serve_command() -> None:
    """Serve the gRPC APIs on the configured address."""
    raise typer.Exit(serve())


@app.command("demo")
def demo_command() -> None:
    """Drive a closed-won, time-approval and billing scenario."""
    from entrypoints.demo import run_demo

    raise typer.Exit(run_demo())


@app.command("demo-vendors")
def demo_vendors_command() -> None:
    """The same process driven by vendor events, against simulated vendors."""
    from entrypoints.demo_vendors import run_vendor_demo

    raise typer.Exit(run_vendor_demo())


@app.command("migrate")
def migrate_command() -> None:
    """Bring the database schema up to date."""
    raise typer.Exit(migrate_only())


@app.command("status")
def status_command() -> None:
    """Is the server ready, and does the outbox publish."""
    from entrypoints.status import run_status

    raise typer.Exit(run_status())


@app.command("token")
def token_command(
    system: Annotated[str, typer.Option(help="crm, psa, erp, billing, operations, admin")],
    legal_entities: Annotated[
        str, typer.Option(help="CRM legal-entity codes, e.g. US01,GB01")
    ] = "*",
    ttl: Annotated[int, typer.Option(help="seconds it stays valid")] = 3600,
    subject: Annotated[str, typer.Option(help="who calls (default <system>-dev)")] = "",
    scope: Annotated[
        list[str],
        typer.Option(help="a scope beyond the system's RPCs', e.g. dashboard:finance; repeatable"),
    ] = [],  # noqa: B006 (typer reads the default; it is never changed)
) -> None:
    """Print a development bearer token for a caller."""
    import attrs

    from entrypoints.grpc.dev_tokens import development_principal, development_token

    entities = frozenset(code.strip() for code in legal_entities.split(",") if code.strip())
    principal = development_principal(system, entities or frozenset({"*"}), subject)
    principal = attrs.evolve(principal, scopes=principal.scopes | frozenset(scope))
    print(development_token(settings.read(), principal, ttl))


def main(argv: list[str] | None = None) -> int:
    """Runs one command; its exit status. A setting o2c cannot use is one line, status 2."""
    try:
        return exit_status(app(args=argv, prog_name="o2c", standalone_mode=False))
    except typer.TyperException as error:  # a usage error: the usage and what is wrong
        show = getattr(error, "show", None)
        show() if show else print(f"o2c: {error.format_message()}", file=sys.stderr)
        return error.exit_code
    except typer.Abort:
        return 1
    except (settings.SettingError, NoDevelopmentKey, BillingReferenceError) as error:
        print(f"o2c: {error}", file=sys.stderr)
        return 2
    except UnsupportedDatabase as error:
        print(f"o2c: {why_not(error)}", file=sys.stderr)
        return 2


def exit_status(result: object) -> int:
    """What a command returned or exited with (click answers an Exit with its code)."""
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    raise SystemExit(main())
