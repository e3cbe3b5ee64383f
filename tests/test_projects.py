"""Fixed-price projects (rule 8) on real ledgers: the contract key, what the plugin
posts per account and month, and the time entries that name a project."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from support import WriteBooks

ACME = """\
client: acme-dental
name: Acme Dental LLC
terms:
  - from: 2026-01-01
    monthly_fee: 900.00
    included_hours: {remote: 2, onsite: 1}
    rates: {remote: 95, onsite: 125}
    rounding_minutes: 15
    onsite_minimum_hours: 1
    travel: {trip_fee: 45}
projects:
  - id: office-move
    name: Office move
    aliases: [Move 2026]
    price: 3000.00
    milestones: [{date: 2026-02-15, amount: 1000.00}, {date: 2026-03-31, amount: 2000.00}]
    budget_hours: 6
  - id: dms-setup
    price: 1200.00
    billed: 2026-03-10
"""

PRACTICE = """\
default_cost_rate: 40
staff: {alice: {cost_rate: 50}}
target_margin: 0.45
accrue_through: 2026-03
"""

AGREEMENT_TIME = """\
2026-02-04 custom "time" "acme-dental" "remote" 3
  staff: "alice"
2026-02-05 custom "time" "acme-dental" "onsite" 0.5
  staff: "bob"
"""

PROJECT_TIME = """\
2026-02-03 custom "time" "acme-dental" "onsite" 5
  staff: "alice"
  project: "office-move"
2026-02-05 custom "time" "acme-dental" "remote" 1.1
  staff: "bob"
  project: "office-move"
2026-03-02 custom "time" "acme-dental" "onsite" 2
  staff: "bob"
  project: "office-move"
  after-hours: TRUE
2026-03-09 custom "time" "acme-dental" "remote" 1
  staff: "alice"
  project: "dms-setup"
"""

INCOME = "Income:Clients:AcmeDental"


def test_milestones_are_receivable_on_their_dates(write_books: WriteBooks) -> None:
    books = write_books(AGREEMENT_TIME + PROJECT_TIME, {"acme-dental": ACME}, PRACTICE)
    assert books.errors == []
    projects = [t for t in books.transactions() if t.narration.startswith("Project")]
    assert [(str(t.date), t.meta["project"], t.postings[0].units.number) for t in projects] == [
        ("2026-02-15", "office-move", D("1000.00")),
        ("2026-03-10", "dms-setup", D("1200.00")),
        ("2026-03-31", "office-move", D("2000.00")),
    ]
    assert books.posted(f"{INCOME}:Projects", "2026-01") == 0
    assert books.posted(f"{INCOME}:Projects", "2026-02") == D("-1000.00")
    # March: the whole dms-setup price on its billed day, and the move's second part.
    assert books.posted(f"{INCOME}:Projects", "2026-03") == D("-3200.00")
    for posting in projects[0].postings:
        assert posting.account in ("Assets:Receivable:AcmeDental", f"{INCOME}:Projects")
    assert projects[0].narration == "Project Office move, milestone 1 of 2"
    assert projects[0].meta["milestone"] == "1 of 2"
    assert "milestone" not in projects[1].meta  # billed: one receivable for the whole price
    assert "retainer" in projects[0].tags


def test_project_time_leaves_the_agreement_figures_alone(write_books: WriteBooks) -> None:
    """The same month with and without project time: retainer, hourly and travel agree;
    only labor (rule 6) grows by the project hours."""
    without = write_books(AGREEMENT_TIME, {"acme-dental": ACME}, PRACTICE)
    with_projects = write_books(AGREEMENT_TIME + PROJECT_TIME, {"acme-dental": ACME}, PRACTICE)
    assert without.errors == [] and with_projects.errors == []
    for month in ("2026-01", "2026-02", "2026-03"):
        for part in ("Retainer", "Hourly", "Travel"):
            account = f"{INCOME}:{part}"
            assert with_projects.posted(account, month) == without.posted(account, month), (part, month)
    # February's agreement work: remote 3 h for 2 included -> 1 h * 95 = 95.00; onsite
    # 0.5 h + a 0.5 h shortfall to the visit minimum = 1 h, all included; one visit: 45.00.
    # The 5 h onsite project day is no visit and no unit (else 4 h beyond at 125 and 45 more).
    assert with_projects.posted(f"{INCOME}:Hourly", "2026-02") == D("-95.00")
    assert with_projects.posted(f"{INCOME}:Travel", "2026-02") == D("-45.00")
    # Labor, February: agreement alice 3 * 50 + bob 0.5 * 40 = 170.00; projects alice
    # 5 * 50 + bob 1.1 * 40 = 294.00; together 464.00. March: projects only, bob 2 * 40 +
    # alice 1 * 50 = 130.00.
    labor = "Expenses:Clients:AcmeDental:Labor"
    assert without.posted(labor, "2026-02") == D("170.00")
    assert with_projects.posted(labor, "2026-02") == D("464.00")
    assert with_projects.posted(labor, "2026-03") == D("130.00")
    february = next(t for t in with_projects.transactions() if t.narration == "Labor 2026-02")
    assert february.meta["hours"] == D("9.60")  # 3 + 0.5 + 5 + 1.1
    assert february.meta["project-hours"] == D("6.10")
    # Without project time the labor posting carries no project-hours key at all.
    plain = next(t for t in without.transactions() if t.narration == "Labor 2026-02")
    assert "project-hours" not in plain.meta


def test_a_contract_without_projects_posts_exactly_as_before(write_books: WriteBooks) -> None:
    """No ``projects:`` key: nothing named Project, and no project metadata anywhere."""
    plain = ACME.split("projects:")[0]
    books = write_books(AGREEMENT_TIME, {"acme-dental": plain}, PRACTICE)
    assert books.errors == []
    assert {t.narration.split()[0] for t in books.transactions()} == {"Retainer", "Hourly", "Travel", "Labor"}
    assert all("project" not in t.meta and "project-hours" not in t.meta for t in books.transactions())


def test_an_unknown_project_is_an_error_with_a_hint(write_books: WriteBooks) -> None:
    time = AGREEMENT_TIME + (
        '2026-02-10 custom "time" "acme-dental" "remote" 2\n'
        '  staff: "alice"\n'
        '  project: "ofice-move"\n'
        '2026-02-11 custom "time" "acme-dental" "remote" 2\n'
        '  project: "Office move"\n'
    )
    books = write_books(time, {"acme-dental": ACME}, PRACTICE)
    errors = books.errors_named("TimeEntryError")
    assert len(errors) == 2
    first, second = sorted(errors, key=lambda e: e.source["lineno"])
    assert first.source["lineno"] == 6  # the plugin line, then two 2-line entries
    assert "unknown project 'ofice-move' for 'acme-dental' (did you mean 'office-move'?)" in first.message
    assert "office-move, dms-setup" in first.message
    # A project's display name is not its id; the hint gives the id to write.
    assert "(did you mean 'office-move'?)" in second.message
    # Neither entry is billed: not as agreement work (2 h remote would be beyond the 2
    # included hours after February's 3), and not as labor.
    assert books.posted(f"{INCOME}:Hourly", "2026-02") == D("-95.00")
    assert books.posted("Expenses:Clients:AcmeDental:Labor", "2026-02") == D("170.00")


def test_a_project_on_a_client_without_projects(write_books: WriteBooks) -> None:
    plain = ACME.split("projects:")[0]
    time = '2026-02-10 custom "time" "acme-dental" "remote" 2\n  project: "office-move"\n'
    books = write_books(time, {"acme-dental": plain}, PRACTICE)
    (error,) = books.errors_named("TimeEntryError")
    assert "has no projects" in error.message and "contracts/acme-dental.yaml" in error.message


def test_a_project_that_is_not_a_string(write_books: WriteBooks) -> None:
    time = '2026-02-10 custom "time" "acme-dental" "remote" 2\n  project: 12\n'
    books = write_books(time, {"acme-dental": ACME}, PRACTICE)
    (error,) = books.errors_named("TimeEntryError")
    assert "project must be a quoted project id" in error.message


def test_milestones_after_the_horizon_wait(write_books: WriteBooks) -> None:
    """Accrued through February: the March receivables are not posted yet (rule 0)."""
    books = write_books(PROJECT_TIME, {"acme-dental": ACME}, PRACTICE.replace("2026-03", "2026-02"))
    assert books.errors == []
    assert books.posted(f"{INCOME}:Projects") == D("-1000.00")


BASE = "client: bad-co\nends: 2026-06-30\nterms:\n  - from: 2026-01-01\n    monthly_fee: 100\nprojects:\n"


@pytest.mark.parametrize(
    ("projects", "line", "says"),
    [
        (
            "  - id: move\n    price: 3000\n    milestones: [{date: 2026-02-15, amount: 1500},"
            " {date: 2026-03-31, amount: 1400}]\n",
            9,
            "the milestones of project 'move' add up to 2900, not its price 3000",
        ),
        (
            "  - id: move\n    price: 100\n    billed: 2026-02-01\n"
            "  - id: move\n    price: 200\n    billed: 2026-03-01\n",
            10,
            "project id 'move' is already used by the project at line 7",
        ),
        (
            "  - id: move\n    price: 100\n    billed: 2025-12-31\n",
            9,
            "billed 2025-12-31 of project 'move' is before the contract starts (2026-01-01)",
        ),
        (
            "  - id: move\n    price: 100\n    milestones:\n      - {date: 2026-07-01, amount: 100}\n",
            10,
            "milestone 2026-07-01 of project 'move' is after the contract ends (2026-06-30)",
        ),
        (
            "  - id: move\n    price: 100\n    billed: 2026-02-01\n"
            "    milestones: [{date: 2026-02-01, amount: 100}]\n",
            10,
            "project 'move' has both 'billed:' and 'milestones:'",
        ),
        (
            "  - id: move\n    price: 100\n",
            7,
            "project 'move' needs 'billed: DATE' (the whole price on one day) or 'milestones:'",
        ),
        ("  - name: Move\n    price: 100\n    billed: 2026-02-01\n", 7, "a project needs 'id:'"),
        ("  - id: move\n    billed: 2026-02-01\n", 7, "project 'move' needs 'price:'"),
        (
            "  - id: Office Move\n    price: 1\n    billed: 2026-02-01\n",
            7,
            "project id 'Office Move' must be lowercase",
        ),
        (
            "  - id: move\n    price: 100\n    billed: 2026-02-01\n    budget_hour: 5\n",
            10,
            "unknown key 'budget_hour' in a project (did you mean 'budget_hours'?)",
        ),
        (
            "  - id: move\n    price: 100\n    milestones: [{date: 2026-02-01, amout: 100}]\n",
            9,
            "unknown key 'amout' in a milestone (did you mean 'amount'?)",
        ),
        ("  - id: move\n    price: -5\n    billed: 2026-02-01\n", 8, "project price must not be negative"),
        (
            "  - id: move\n    price: 100\n    billed: 2026-02-01\n"
            "  - id: dms\n    aliases: [MOVE]\n    price: 100\n    billed: 2026-02-01\n",
            10,
            "project 'dms' and project 'move' are both called 'move'",
        ),
        ("  id: move\n", 7, "projects must be a list"),
    ],
)
def test_bad_projects_are_located_contract_errors(
    write_books: WriteBooks, projects: str, line: int, says: str
) -> None:
    good = "client: good-co\nterms:\n  - from: 2026-01-01\n    monthly_fee: 500\n"
    books = write_books("", {"bad-co": BASE + projects, "good-co": good})
    errors = books.errors_named("ContractError")
    assert len(errors) == 1, [e.message for e in errors]
    assert errors[0].source["filename"].endswith("bad-co.yaml")
    assert errors[0].source["lineno"] == line, errors[0].message
    assert says in errors[0].message
    # The broken contract is not billed; the other client still is.
    assert books.posted("Income:Clients:GoodCo:Retainer", "2026-01") == D("-500.00")
    assert books.posted("Income:Clients:BadCo:Retainer") == 0
