"""The ``retainer`` command: import time, check the books, report on clients.

Each command is a thin adapter: it finds the ledger and contracts, calls the billing core
or Beancount, and prints. Heavy imports (Beancount's loader) happen inside the commands so
that ``retainer --help`` stays instant.
"""

from __future__ import annotations

import importlib

import click

#: Each command and where it lives, imported only when it runs (or ``--help`` lists it): a
#: command starts without importing every other one (Beancount's loader, Jinja, Fava's parts).
COMMANDS = {
    "check": "scripts.commands.check:check_command",
    "import": "scripts.commands.import_:import_command",
    "margin": "scripts.commands.margin:margin_command",
    "mrr": "scripts.commands.mrr:mrr_command",
    "utilization": "scripts.commands.utilization:utilization_command",
    "recover": "scripts.commands.recover:recover_command",
    "projects": "scripts.commands.projects:projects_command",
    "statement": "scripts.commands.statement:statement_command",
    "close": "scripts.commands.close:close_command",
    "reopen": "scripts.commands.close:reopen_command",
    "adjust": "scripts.commands.adjust:adjust_command",
    "install-hook": "scripts.commands.hook:install_hook_command",
    "reprice": "scripts.commands.reprice:reprice_command",
    "new-client": "scripts.commands.new_client:new_client_command",
    "rate-card": "scripts.commands.rate_card:rate_card_command",
}


class LazyGroup(click.Group):
    """A group whose commands are imported by name when needed (click's documented pattern
    for lazily loaded subcommands)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = COMMANDS.get(cmd_name)
        if where is None:
            return None
        module, name = where.split(":")
        command: click.Command = getattr(importlib.import_module(module), name)
        return command


@click.group(
    cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(package_name="retainer")
def main() -> None:
    """Retainer: plain-text books for IT consultants on flat monthly agreements.

    Contracts live in contracts/*.yaml, time in ledger/time/*.beancount, and the
    plugins.retainer Beancount plugin bills each month: retainer, hourly overage, travel,
    prepaid blocks and project milestones, with labor and tool costs. Browse margins with
    `fava ledger/main.beancount`; every command here reads the same billing pass.

    \b
    Every command takes --ledger PATH (default: $RETAINER_LEDGER, else
    ledger/main.beancount here or in a folder above); reports take --format json.
    The reference of every key and command: docs/reference.md.

    \b
    Examples:
      retainer check
      retainer import ~/Downloads/Toggl_time_entries_2026-06.csv
      retainer margin --from 2026-01 --format json
      retainer statement --all 2026-06
      retainer close 2026-06
    """
