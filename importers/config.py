"""beangulp import configuration for Retainer: ``CONFIG`` for Fava, ``main`` for the shell.

Run it as beangulp's command line, from the repository::

    python importers/config.py identify ~/Downloads
    python importers/config.py extract -e ledger/main.beancount export.csv

or point Fava's import page at it from the ledger::

    2026-01-01 custom "fava-option" "import-config" "../importers/config.py"
    2026-01-01 custom "fava-option" "import-dirs" "../imports"

Fava 1.30 previews ``custom`` entries there but cannot store them: the ledger's
``importers.fava_import`` extension (the Import time page) imports the dropped files.

The books are ``RETAINER_LEDGER`` if set, else ``ledger/main.beancount`` beside the
folder this file is in (the books of the repository it belongs to). For exports whose
dates do not settle day/month order, set ``RETAINER_DATE_ORDER=day-first`` (or
``month-first``), or ``date_order:`` in practice.yaml. ``retainer import`` is the
simpler way to write entries straight into ``ledger/time/``; both read files the same way.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

if __name__ != "importers.config":
    # Run as a script (``sys.path[0]`` is this folder) or by Fava's runpy: import the
    # repository's ``importers`` package, never this folder's modules as top-level ones.
    _HERE = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
    if str(_HERE.parent) not in sys.path:
        sys.path.append(str(_HERE.parent))

import beangulp

from importers.dates import DAY_FIRST, MONTH_FIRST, DateOrder
from importers.ingest import importers


def _date_order() -> DateOrder | None:
    value = os.environ.get("RETAINER_DATE_ORDER", "").strip()
    if value in (DAY_FIRST, MONTH_FIRST):
        return value
    if value:
        raise SystemExit(f"RETAINER_DATE_ORDER must be {DAY_FIRST} or {MONTH_FIRST}, got {value!r}")
    return None


CONFIG = importers(
    os.environ.get("RETAINER_LEDGER") or Path(__file__).resolve().parent.parent / "ledger" / "main.beancount",
    _date_order(),
)
HOOKS: list[object] = []


def main() -> None:
    """beangulp's ``identify``/``extract``/``archive`` commands over :data:`CONFIG`."""
    beangulp.Ingest(CONFIG, HOOKS)()


if __name__ == "__main__":
    main()
