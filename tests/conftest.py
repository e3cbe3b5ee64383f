"""Shared fixtures: write a small practice (contracts + ledger) to disk and load it for real."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import textwrap
from pathlib import Path

import pytest
from beancount import loader
from support import PLUGIN_LINE, Books, WriteBooks

# The PDFs tests print (and the commands they run) are kept in a folder of this run, never in
# the user's cache.
os.environ["RETAINER_CACHE_DIR"] = tempfile.mkdtemp(prefix="retainer-test-cache-")
atexit.register(shutil.rmtree, os.environ["RETAINER_CACHE_DIR"], ignore_errors=True)


@pytest.fixture
def write_books(tmp_path: Path) -> WriteBooks:
    """Write ``contracts/<name>.yaml`` files and ``ledger/main.beancount``, then load them.

    The ledger text gets the plugin line prepended; ``practice`` defaults to a fixed
    horizon so the tests never depend on today's date.
    """

    def write(
        ledger: str,
        contracts: dict[str, str],
        practice: str | None = "accrue_through: 2026-03\n",
    ) -> Books:
        folder = tmp_path / "contracts"
        folder.mkdir(exist_ok=True)
        for name, text in contracts.items():
            (folder / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
        if practice is not None:
            (folder / "practice.yaml").write_text(textwrap.dedent(practice), encoding="utf-8")
        (tmp_path / "ledger").mkdir(exist_ok=True)
        path = tmp_path / "ledger" / "main.beancount"
        path.write_text(PLUGIN_LINE + textwrap.dedent(ledger), encoding="utf-8")
        entries, errors, options = loader.load_file(str(path))
        return Books(path, entries, errors, options)

    return write
