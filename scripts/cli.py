"""The ``retainer`` command: import time, check the books, report on clients.

Each command is a thin adapter: it finds the ledger and contracts, calls the billing core
or Beancount, and prints. Heavy imports (Beancount's loader) happen inside the commands so
that ``retainer --help`` stays instant.
"""

from __future__ import annotations

import click

from scripts.commands.adjust import adjust_command
from scripts.commands.check import check_command
from scripts.commands.close import close_command, reopen_command
from scripts.commands.hook import install_hook_command
from scripts.commands.import_ import import_command
from scripts.commands.margin import margin_command
from scripts.commands.mrr import mrr_command
from scripts.commands.new_client import new_client_command
from scripts.commands.projects import projects_command
from scripts.commands.rate_card import rate_card_command
from scripts.commands.recover import recover_command
from scripts.commands.reprice import reprice_command
from scripts.commands.statement import statement_command
from scripts.commands.utilization import utilization_command


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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


main.add_command(check_command, "check")
main.add_command(import_command, "import")
main.add_command(margin_command, "margin")
main.add_command(mrr_command, "mrr")
main.add_command(utilization_command, "utilization")
main.add_command(recover_command, "recover")
main.add_command(projects_command, "projects")
main.add_command(statement_command, "statement")
main.add_command(close_command, "close")
main.add_command(reopen_command, "reopen")
main.add_command(adjust_command, "adjust")
main.add_command(install_hook_command, "install-hook")
main.add_command(reprice_command, "reprice")
main.add_command(new_client_command, "new-client")
main.add_command(rate_card_command, "rate-card")
