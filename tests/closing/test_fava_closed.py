"""Fava on the demo books with their closed months: the report serves, a difference shows
up among Fava's errors as a ClosedMonthError."""

from __future__ import annotations

from pathlib import Path

from fava.application import create_app
from support import copy_demo

ROOT = Path(__file__).resolve().parent.parent.parent
SLUG = "northwind-it-services"  # the demo's title, slugified


def demo_copy(tmp_path: Path) -> Path:
    return copy_demo(tmp_path)


def test_the_demo_with_closed_months_serves_client_margin(tmp_path: Path) -> None:
    path = demo_copy(tmp_path)
    app = create_app([str(path)], load=True)
    app.testing = True
    ledger = app.config["LEDGERS"][SLUG]
    assert ledger.errors == []
    page = app.test_client().get(f"/{SLUG}/extension/ClientMargin/")
    assert page.status_code == 200
    assert "Cedar Valley Medical Group" in page.get_data(as_text=True)


def test_fava_lists_a_closed_month_that_moved(tmp_path: Path) -> None:
    path = demo_copy(tmp_path)
    contract = tmp_path / "contracts" / "harbor-pine-law.yaml"
    contract.write_text(contract.read_text().replace("monthly_fee: 225.00", "monthly_fee: 250.00", 1))
    app = create_app([str(path)], load=True)
    ledger = app.config["LEDGERS"][SLUG]
    kinds = {type(error).__name__ for error in ledger.errors}
    assert kinds == {"ClosedMonthError"}
    # November 2025 to March 2026 are closed: one error per closed month of this client.
    found = sorted(error.message.split(" is closed")[0] for error in ledger.errors)
    assert found == [f"harbor-pine-law {m}" for m in ("2025-11", "2025-12", "2026-01", "2026-02", "2026-03")]


def test_the_demo_reopens_and_closes_byte_for_byte_and_closes_on(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from scripts.cli import main

    path = demo_copy(tmp_path)
    folder = path.parent

    def files() -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.beancount"))}

    shipped = files()
    assert CliRunner().invoke(main, ["reopen", "2026-03", "--ledger", str(path)]).exit_code == 0
    assert "closed/2026-03.beancount" not in files()
    closed = CliRunner().invoke(main, ["close", "2026-03", "--ledger", str(path)])
    assert closed.exit_code == 0, closed.output
    assert files() == shipped
    april = CliRunner().invoke(main, ["close", "2026-04", "--ledger", str(path)])
    assert april.exit_code == 0, april.output
    app = create_app([str(path)], load=True)
    assert app.config["LEDGERS"][SLUG].errors == []
