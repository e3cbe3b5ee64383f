"""Load the user's books for a command: Beancount's loader, then the billing pass.

The one way a command reaches the books, so every command bills exactly as the plugin
does (the loader runs ``plugins.retainer``; ``Books`` gives the bills behind it).
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from plugins.books import Books, enables_plugin, keep_passes, ledger_postings, remembered, today
from plugins.reports.figures import Period
from plugins.reports.margin import Portfolio, build_portfolio
from scripts.output import fail, find_ledger


@dataclass
class Loaded:
    """A loaded ledger and its billing pass."""

    path: Path
    entries: list[Any]
    errors: list[Any]
    options: dict[str, Any]

    @cached_property
    def books(self) -> Books:
        """The billing pass over these entries: the plugin's own, else made on first use
        (when Beancount's cache answered the load, the plugin did not run)."""
        kept = remembered(self.options, today())
        return kept if kept is not None else Books.of_ledger(self.entries, self.options)

    def portfolio(self, period: Period, client: str | None = None) -> Portfolio:
        """Client Margin over ``period``: the report's own figures, flags and warnings; of
        one client only (its totals and warnings too) when ``client`` is given."""
        made = self.__dict__.setdefault("_portfolios", {})
        if (period, client) not in made:  # a command may ask twice (check: warnings, totals)
            books = self.books
            clients = books.clients if client is None else {client: books.clients[client]}
            postings = ledger_postings(self.entries)
            practice, bills, time = books.practice, books.bills, books.time
            today = books.today
            made[period, client] = build_portfolio(clients, practice, bills, time, postings, period, today)
        return made[period, client]


def load(command: str, given: Path | None) -> Loaded:
    """Load the books or exit with a one-line reason naming the file."""
    path = find_ledger(given)
    if not path.is_file():
        fail(
            command,
            f"no ledger at {path}: run this inside your books (the folder with ledger/main.beancount),"
            " or give --ledger PATH or set RETAINER_LEDGER",
        )
    from beancount import loader  # here, so that ``retainer --help`` stays instant

    keep_passes()  # the command reads the plugin's pass, so it bills nothing twice
    entries, errors, options = loader.load_file(str(path))
    # The command's reports make many small objects; the collector need not walk the loaded
    # books (none of it garbage) on each of its rounds: ~0.6 s of a `statement --all` of the
    # medium bench books. A command's process ends with the command.
    gc.freeze()
    if not enables_plugin(options):
        fail(command, f'{path}: the ledger has no plugin "plugins.retainer" line; add it (see README)')
    return Loaded(path, entries, errors, options)


def error_line(error: Any) -> str:
    """``FILE:LINE: Kind: message``, as bean-check prints an error."""
    source = error.source or {}
    return f"{source.get('filename', '?')}:{source.get('lineno', 0)}: {type(error).__name__}: {error.message}"
