"""Fixtures for the Client Margin report: a small practice on disk, served by Fava."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from margin.margin_books import CONTRACTS, LEDGER, PRACTICE, WriteLedger, fava_app


@pytest.fixture
def write_ledger(tmp_path: Path) -> WriteLedger:
    """Write ``contracts/`` and ``ledger/main.beancount`` (plugin line first); return its path."""

    def write(
        ledger: str = LEDGER,
        contracts: dict[str, str] | None = None,
        practice: str = PRACTICE,
    ) -> Path:
        folder = tmp_path / "contracts"
        folder.mkdir(exist_ok=True)
        for name, text in (CONTRACTS if contracts is None else contracts).items():
            (folder / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
        (folder / "practice.yaml").write_text(practice, encoding="utf-8")
        (tmp_path / "ledger").mkdir(exist_ok=True)
        path = tmp_path / "ledger" / "main.beancount"
        path.write_text('plugin "plugins.retainer" "../contracts"\n' + ledger, encoding="utf-8")
        return path

    return write


@pytest.fixture
def client(write_ledger: WriteLedger) -> FlaskClient:
    """A Flask test client on the standard test practice."""
    return fava_app(write_ledger()).test_client()
