"""Make Fava's file watcher notice a *new* contract file.

The plugin lists each contract file and the contracts folder in ``options["include"]``.
Fava 1.30 watches the listed files only (its default watcher, on watchfiles, watches each
file's parent folder but keeps events for the listed files alone), so a new
``contracts/*.yaml`` went unnoticed until another file changed. Fava does watch folders
recursively, for document folders: passing the listed folders there makes a file added to
one of them a change, and the next request reloads.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from fava.core import FavaLedger


def watch_listed_folders(ledger: FavaLedger) -> None:
    """Add the folders in the ledger's includes to the folders its watcher watches.

    Called after each load (Fava sets the watched paths on every load, without them).
    A ledger listing no folder is left as Fava set it.
    """
    listed = [Path(name) for name in ledger.options["include"] if Path(name).is_dir()]
    if not listed:
        return
    files, folders = ledger.paths_to_watch()
    ledger.watcher.update(files, [*folders, *listed])
