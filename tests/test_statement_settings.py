"""``contact:`` in a contract and the practice's letterhead keys: strict, with located errors."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from support import WriteBooks

from plugins.billing.contracts import load_contracts
from plugins.billing.model import Contact

GOOD = """\
client: good-co
terms:
  - from: 2026-01-01
    monthly_fee: 500
    included_hours: {remote: unlimited}
"""
TIME = '2026-01-05 custom "time" "good-co" "remote" 1\n'


def contract(contact: str) -> str:
    return f"client: bad-co\n{contact}\nterms:\n  - from: 2026-01-01\n    monthly_fee: 100\n"


@pytest.mark.parametrize(
    ("contact", "line", "says"),
    [
        (
            "contact: {name: Jo, emial: jo@bad.example}",
            2,
            "unknown key 'emial' in contact (did you mean 'email'?); allowed: name, email, phone",
        ),
        ("contact: {email: jo@bad.example}", 2, "contact needs a name"),
        ("contact: {name: Jo, email: jo at bad}", 2, "contact.email 'jo at bad' is not an e-mail address"),
        ("contact: Jo Smith", 2, "contact must be a mapping"),
        ("contact:\n  name: Jo\n  phone:\n", 4, "contact.phone is empty"),
        ("contac: {name: Jo}", 2, "unknown key 'contac' in the contract (did you mean 'contact'?)"),
    ],
)
def test_contact_mistakes(write_books: WriteBooks, contact: str, line: int, says: str) -> None:
    books = write_books(TIME, {"good-co": GOOD, "bad-co": contract(contact)})
    [error] = books.errors
    assert type(error).__name__ == "ContractError"
    assert error.source["filename"].endswith("contracts/bad-co.yaml")
    assert error.source["lineno"] == line
    assert says in error.message
    # The contract with the typo is not billed; the other one is (500 for January).
    assert books.posted("Income:Clients:BadCo:Retainer") == D(0)
    assert books.posted("Income:Clients:GoodCo:Retainer", "2026-01") == D("-500.00")


def test_contact_and_letterhead_are_read(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "good-co.yaml").write_text(
        GOOD + 'contact: {name: " Jo Smith ", email: jo@good.example, phone: 2075550100}\n', encoding="utf-8"
    )
    (folder / "practice.yaml").write_text(
        "name: Northwind IT\naddress: |\n  12 Harbour St\n  Portland, ME 04101\npayment_terms: Net 14\n",
        encoding="utf-8",
    )
    books = load_contracts(folder)
    assert books.problems == []
    # An unquoted phone number stays the digits written, not a number.
    assert books.contracts["good-co"].contact == Contact("Jo Smith", "jo@good.example", "2075550100")
    practice = books.practice
    assert (practice.name, practice.address, practice.payment_terms) == (
        "Northwind IT", ("12 Harbour St", "Portland, ME 04101"), "Net 14",
    )  # fmt: skip
    (folder / "practice.yaml").write_text('address: ["12 Harbour St", "Portland"]\n', encoding="utf-8")
    assert load_contracts(folder).practice.address == ("12 Harbour St", "Portland")


def test_a_contract_without_contact_has_none(tmp_path: object) -> None:
    from pathlib import Path

    (Path(str(tmp_path)) / "good-co.yaml").write_text(GOOD, encoding="utf-8")
    assert load_contracts(Path(str(tmp_path))).contracts["good-co"].contact is None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            "payment_term: Net 14\n",
            "unknown key 'payment_term' in practice.yaml (did you mean 'payment_terms'?)",
        ),
        ("name: [Northwind]\n", "name must be a single value"),
        ("address: {street: x}\n", "address must be a list"),
    ],
)
def test_letterhead_mistakes(write_books: WriteBooks, text: str, says: str) -> None:
    books = write_books(TIME, {"good-co": GOOD}, "accrue_through: 2026-01\n" + text)
    [error] = books.errors
    assert type(error).__name__ == "PracticeError"
    assert error.source["lineno"] == 2
    assert says in error.message
