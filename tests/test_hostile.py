"""The hostile corpus (tests/hostile/): each file is one bad input and says what it must give.

Every case's first line reads ``# expect: CLASS LINE MESSAGE-FRAGMENT`` (``;`` in ledgers;
``A|B`` when either class is right). The case is put into a small practice beside a good
client, loaded by the real Beancount loader, and must give exactly that one located error,
while the good client is still billed as usual: one contract's (or one setting's) problem
never stops another client's bill.

A ledger case opens ``Expenses:Labor:Allocated`` itself when the first client (by id) has
a month without labor: the billing pass dates the ``Open`` it adds by the first client's
use, not the earliest use (a bug of the pass, reported to its owner), which would add a
second, unrelated error.
"""

from __future__ import annotations

import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from beancount import loader
from support import Books

HOSTILE = Path(__file__).parent / "hostile"
_EXPECT = re.compile(r"^[#;] expect: (?P<kinds>[\w|]+) (?P<line>\d+) (?P<says>.+)$")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")

GOOD = """\
client: good-co
terms:
  - from: 2026-01-01
    monthly_fee: 500
    included_hours: {remote: 1}
    rates: {remote: 100}
"""
OTHER = """\
client: bad-co
terms:
  - from: 2026-01-01
    rates: {remote: 100}
"""
PRACTICE = "accrue_through: 2026-02\ndefault_cost_rate: 30\n"
TIME = """\
plugin "plugins.retainer" "../contracts"
2026-01-05 custom "time" "good-co" "remote" 2
2026-01-06 custom "time" "bad-co" "remote" 1
"""


def _cases(folder: str) -> list[Path]:
    return sorted((HOSTILE / folder).iterdir())


def _expect(path: Path) -> tuple[set[str], int, str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = _EXPECT.match(first)
    assert match, f"{path.name}: first line must be an '# expect:' line"
    return set(match["kinds"].split("|")), int(match["line"]), match["says"]


def _load(root: Path, contracts: dict[str, str], practice: str, ledger: str) -> Books:
    folder = root / "contracts"
    folder.mkdir()
    for name, text in contracts.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    (folder / "practice.yaml").write_text(practice, encoding="utf-8")
    (root / "ledger").mkdir()
    path = root / "ledger" / "main.beancount"
    path.write_text(ledger, encoding="utf-8")
    entries, errors, options = loader.load_file(str(path))
    return Books(path, entries, errors, options)


def _assert_one_located_error(books: Books, case: Path, filename: str) -> None:
    kinds, line, says = _expect(case)
    assert len(books.errors) == 1, [(type(e).__name__, e.message) for e in books.errors]
    [error] = books.errors
    assert type(error).__name__ in kinds
    assert error.source["filename"].endswith(filename)
    assert error.source["lineno"] == line
    assert says in error.message
    # The message is one printable line: the bad value never reaches a terminal raw.
    assert not _CONTROL.search(error.message)


def _assert_good_co_billed(books: Books) -> None:
    # 500 a month for January and February (accrue_through 2026-02), nothing in March;
    # January's hourly: 2 h - 1 h included = 1 h x 100 = 100.00.
    assert books.posted("Income:Clients:GoodCo:Retainer", "2026-01") == D("-500.00")
    assert books.posted("Income:Clients:GoodCo:Retainer", "2026-02") == D("-500.00")
    assert books.posted("Income:Clients:GoodCo:Retainer", "2026-03") == D(0)
    assert books.posted("Income:Clients:GoodCo:Hourly", "2026-01") == D("-100.00")


@pytest.mark.parametrize("case", _cases("contracts"), ids=lambda p: p.stem)
def test_hostile_contract_is_one_located_error_and_other_clients_bill(
    tmp_path: Path, case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETAINER_TODAY", "2026-06-15")
    text = case.read_text(encoding="utf-8")
    books = _load(tmp_path, {"good-co": GOOD, "bad-co": text}, PRACTICE, TIME)
    _assert_one_located_error(books, case, "contracts/bad-co.yaml")
    _assert_good_co_billed(books)
    # Labor at the default 30 an hour: good-co's 2 h = 60.00 (bad-co is not billed).
    assert books.posted("Expenses:Clients:GoodCo:Labor", "2026-01") == D("60.00")
    assert books.posted("Income:Clients:BadCo:Hourly") == D(0)


@pytest.mark.parametrize("case", _cases("practice"), ids=lambda p: p.stem)
def test_hostile_practice_setting_is_one_located_error_and_the_rest_stands(
    tmp_path: Path, case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Today" is June: if a broken setting threw the whole practice.yaml away, the
    # accrue_through horizon would go with it and March-June would be posted too.
    monkeypatch.setenv("RETAINER_TODAY", "2026-06-15")
    text = case.read_text(encoding="utf-8")
    ledger = TIME.replace('2026-01-06 custom "time" "bad-co" "remote" 1\n', "")
    books = _load(tmp_path, {"good-co": GOOD}, text, ledger)
    _assert_one_located_error(books, case, "contracts/practice.yaml")
    assert books.posted("Income:Clients:GoodCo:Retainer", "2026-01") == D("-500.00")
    assert books.posted("Income:Clients:GoodCo:Hourly", "2026-01") == D("-100.00")
    if "accrue_through: 2026-02" in text:
        _assert_good_co_billed(books)
    else:  # the broken horizon itself: "the current month" stands, and says so above
        assert books.posted("Income:Clients:GoodCo:Retainer", "2026-06") == D("-500.00")


@pytest.mark.parametrize("case", _cases("ledger"), ids=lambda p: p.stem)
def test_hostile_ledger_is_one_located_error_and_other_clients_bill(
    tmp_path: Path, case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETAINER_TODAY", "2026-06-15")
    ledger = case.read_text(encoding="utf-8")
    books = _load(tmp_path, {"good-co": GOOD, "bad-co": OTHER}, PRACTICE, ledger)
    _assert_one_located_error(books, case, "ledger/main.beancount")
    _assert_good_co_billed(books)
    # bad-co's other months still bill: February's 1 h x 100 (when the case has one).
    if '2026-02-06 custom "time" "bad-co" "remote" 1\n' in ledger:
        assert books.posted("Income:Clients:BadCo:Hourly", "2026-02") == D("-100.00")
