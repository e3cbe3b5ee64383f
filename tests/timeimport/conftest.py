"""Fixtures of the importer tests (the books themselves are in ``importer_books.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from timeimport.support_books import Books, write_books


@pytest.fixture
def books(tmp_path: Path) -> Books:
    """A fresh small practice: Acme Dental (retainer) and Beta Law (hourly)."""
    return write_books(tmp_path / "practice")
