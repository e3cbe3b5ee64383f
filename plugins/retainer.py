"""Beancount plugin: accrue each client's retainer, hourly overage, travel and labor cost.

Enable it in the ledger with the contracts folder, relative to the ledger file::

    plugin "plugins.retainer" "../contracts"

A thin adapter over the billing pass (``plugins.books``): it bills the time in the books
under the contracts in ``contracts/*.yaml`` and appends the transactions described in
docs/reference.md. It never raises: every problem becomes a Beancount error at the YAML
or ledger line to fix.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from beancount.core import data

from plugins.billing.gcpause import gc_paused
from plugins.books import Books, ContractError, contracts_folder, keeps_passes, remember, unfinished_write
from plugins.memo import memo_for

__plugins__ = ("retainer",)


def retainer(
    entries: data.Directives, options_map: dict[str, Any], config: str | None = None
) -> tuple[data.Directives, list[Any]]:
    """The plugin entry point (``__plugins__``)."""
    folder = contracts_folder(options_map, config)
    try:
        # One pause of the cyclic collector for the whole pass: with two (reading, then
        # billing), the collection between them walks every time entry just read.
        kept = keeps_passes()  # Fava's pages or a command read this pass again (books.remembered)
        # The entries it makes stay with the ledger; a process that loads the books again
        # keeps them, and the rest of its heap, out of the collector's walks (gcpause).
        with gc_paused(long_lived=True, hold=kept):
            # A process that loads the books again (Fava, on every save) bills only the
            # clients whose contract, practice or time changed since (plugins.memo).
            books = Books.of(entries, folder, memo=memo_for(options_map) if kept else None)
            if kept:
                generated = books.transactions(entries)
                remember(options_map, books)
            else:  # bean-check: let each client's time and bills go once posted
                generated = books.drain(entries)
    except Exception as exc:  # never crash bean-check: a bug is still one clear error
        error = ContractError(
            data.new_metadata(str(folder), 0), f"could not bill the contracts: {exc!r}", None
        )
        return entries, [error]
    _watch(options_map, books.contracts.files)
    unfinished = unfinished_write(options_map)
    return entries + generated, books.errors if unfinished is None else [unfinished, *books.errors]


def _watch(options_map: dict[str, Any], files: Iterable[str]) -> None:
    """List the YAML files, and the folder holding them, as includes.

    Beancount's cache (its input hash stats every include) and Fava's watcher key on this
    list, so edits to a contract are noticed. A *new* contract file is not one of the
    files, but it changes its folder's mtime: with the folder listed, the cache is
    refreshed and Fava's polling watcher (``fava --poll-watcher``) reloads. Fava's default
    watcher keeps events of listed files only; ``plugins.margin.watch`` has it watch the
    listed folders too.
    """
    includes = options_map.setdefault("include", [])
    for name in files:
        path = Path(name).resolve()
        # The folder with a final "/": Fava's editor then lists it as the folder it is,
        # not as one more file to open.
        for watched in (str(path), os.path.join(path.parent, "")):
            if watched not in includes:
                includes.append(watched)
