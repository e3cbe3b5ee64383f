"""The ``retainer`` command as a user runs it: help, and ``check`` on good and broken books."""

from __future__ import annotations

from click.testing import CliRunner
from support import WriteBooks

from scripts.cli import main

CONTRACT = """\
client: good-co
terms:
  - from: 2026-01-01
    monthly_fee: 500
    rates: {remote: 100}
"""


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "check" in result.output
    for command in main.commands:
        sub = CliRunner().invoke(main, [command, "--help"])
        assert sub.exit_code == 0, command
        assert "Usage:" in sub.output


def test_check_summarises_good_books(write_books: WriteBooks) -> None:
    books = write_books('2026-01-05 custom "time" "good-co" "remote" 1.25\n', {"good-co": CONTRACT})
    result = CliRunner().invoke(main, ["check", "--ledger", str(books.path)])
    assert result.exit_code == 0, result.output
    # Jan-Mar retainers 3 * 500 + January's 1.25 h * 100 = 1,625.00
    assert "GoodCo" in result.output
    assert "1,625.00" in result.output


def test_check_fails_with_the_place_to_fix(write_books: WriteBooks) -> None:
    broken = CONTRACT.replace("monthly_fee", "monthy_fee")
    books = write_books("", {"good-co": broken})
    result = CliRunner().invoke(main, ["check", "--ledger", str(books.path)])
    assert result.exit_code == 1
    assert "contracts/good-co.yaml:4: ContractError: unknown key 'monthy_fee'" in result.output
