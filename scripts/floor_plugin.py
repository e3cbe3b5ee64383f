"""The bench's floor: a Beancount plugin that hands in the retainer plugin's entries, made
beforehand, and does no work of its own.

What a check or a Fava reload of these books costs with it, against the same books without
a plugin line, is what Beancount and Fava spend on the plugin's entries (sorting, padding,
balancing, validating and indexing them): the least any plugin that adds these entries can
cost. The rest of a check with ``plugins.retainer`` is the plugin's own work.

``plugin "scripts.floor_plugin" "generated.pickle"``: the entries ``plugins.retainer``
generates for the books (``scripts/bench.py`` pickles them when it materializes the
books), relative to the ledger. With ``"generated.pickle read"`` the plugin first reads
the contracts and the time as ``plugins.retainer`` does (``plugins.books.Books.of``, its
import included), and bills nothing: the least a plugin that reads the time can cost.
Reading the pickle is not the floor: its CPU is appended to the file named by
``$RETAINER_FLOOR_REPORT``, and the bench takes it off. In a process that loads the books
again (Fava), the entries are read once and handed in again on every reload, as the
retainer plugin's memo hands in a client's last transactions. The pass pauses the collector
with the retainer plugin's own ``gc_paused``, so it ends as that plugin's does: the entries
moved to the oldest generation at once, or, in Fava, the heap frozen (and looked through
now and then).

Besides that pause (``plugins.billing.gcpause``, ~3 ms to import), only modules Beancount
has already imported are imported here, so importing the floor costs next to nothing.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from plugins.billing.gcpause import gc_paused

__plugins__ = ("floor",)

REPORT_VARIABLE = "RETAINER_FLOOR_REPORT"
_kept: dict[str, list[Any]] = {}


def floor(entries: list[Any], options_map: dict[str, Any], config: str) -> tuple[list[Any], list[Any]]:
    """``entries`` and the pickled entries of ``config``; no errors."""
    started = time.process_time()
    held = "fava.core" in sys.modules  # as plugins.books.keeps_passes, without importing it
    name, _, reading = config.partition(" ")
    path = os.path.join(os.path.dirname(options_map["filename"]), name)
    with gc_paused(long_lived=True, hold=held):  # as plugins.retainer's pass
        if reading == "read":
            from plugins.books import Books, contracts_folder

            Books.of(entries, contracts_folder(options_map, "../contracts"))
            started = time.process_time()  # the reading counts; the pickle below does not
        generated = _kept.get(path)
        if generated is None:
            import pickle

            with open(path, "rb") as file:
                generated = pickle.load(file)
            if held:
                _kept[path] = generated
        report = os.environ.get(REPORT_VARIABLE)
        if report:
            with open(report, "a", encoding="utf-8") as out:
                out.write(f"{time.process_time() - started}\n")
    return entries + generated, []
