"""``retainer new-client ID --plan NAME``: a contract on a practice plan, checked, then written."""

from __future__ import annotations

import datetime
import os
import tempfile
from pathlib import Path

import click

from plugins.billing.contracts import CLIENT_ID, load_contract
from plugins.billing.model import Practice
from plugins.billing.new_contract import NewClientError, contract_text, parse_devices
from plugins.books import contracts_folder, today
from scripts.ledger import load
from scripts.output import fail, find_ledger, ledger_option
from scripts.writing import locked, write_changes

COMMAND = "new-client"


@click.command(COMMAND)
@click.argument("client")
@ledger_option
@click.option("--plan", "plan_name", required=True, metavar="NAME", help="A plan of contracts/practice.yaml.")
@click.option("--name", metavar="TEXT", help="Display name (default: the id).")
@click.option("--from", "start", metavar="YYYY-MM-DD", help="First day in force (default: today).")
@click.option("--devices", metavar="TYPE=N,...", help="Device counts for the plan's per-device prices.")
def new_client_command(
    client: str, ledger: Path | None, plan_name: str, name: str | None, start: str | None, devices: str | None
) -> None:
    """Write contracts/CLIENT.yaml: one term on a practice plan.

    The contract is read by the same loader as the books before it is written, so it
    loads clean (a plan with per-device prices needs --devices counts for them). An
    existing contract is never overwritten. Edit the file afterwards for aliases, a
    contact, or keys of its own over the plan's (docs/reference.md, 2.1).

    \b
    Examples:
      retainer new-client acme-dental --plan business --devices workstation=12,server=1
      retainer new-client corner-cafe --plan essentials --name "Corner Café" --from 2027-01-01
    """
    if not CLIENT_ID.fullmatch(client):
        fail(
            COMMAND,
            f"client id {client!r} must be lowercase letters, digits and single dashes, e.g. acme-dental",
        )
    try:
        counts = parse_devices(devices)
        day = datetime.date.fromisoformat(start) if start else today()
    except NewClientError as exc:
        fail(COMMAND, str(exc))
    except ValueError:
        fail(COMMAND, f"--from {start!r} is not a date: write it as YYYY-MM-DD, e.g. 2027-01-01")
    path = find_ledger(ledger)
    with locked(COMMAND, path):
        loaded = load(COMMAND, path)
        books = loaded.books
        folder = contracts_folder(loaded.options)
        target = folder / f"{client}.yaml"
        for existing in (target, target.with_suffix(".yml")):
            if existing.exists():
                fail(COMMAND, f"{existing} already exists: nothing written (edit it, or pick another id)")
        if client in books.clients or client in books.contracts.failed_clients:
            fail(COMMAND, f"client id {client!r} is already used by a contract in {folder}: nothing written")
        if plan_name not in books.practice.plans:
            offered = ", ".join(books.practice.plans) or "none (add plans: to contracts/practice.yaml)"
            fail(COMMAND, f"--plan {plan_name!r}: unknown plan; practice.yaml's plans: {offered}")
        text = contract_text(
            client,
            plan_name,
            day,
            name,
            counts,
            [f"On the {plan_name} plan (written by retainer new-client)."],
        )
        problems = _problems(text, client, books.practice)
        if problems:
            fail(COMMAND, f"the contract would not load, nothing written: {problems[0]}")
        write_changes({target: text}, loaded.path)
    click.echo(f"  wrote {os.path.relpath(target)}")
    click.echo(f"retainer: new client {client} on the {plan_name} plan from {day}.")


def _problems(text: str, client: str, practice: Practice) -> list[str]:
    """What the real loader says of ``text`` (read from a scratch copy)."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / f"{client}.yaml"
        path.write_text(text, encoding="utf-8")
        contract, problems = load_contract(path, practice)
    found = [p.message for p in problems]
    return found if found or contract is not None else ["the loader read no contract"]
