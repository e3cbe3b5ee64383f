"""Read a contract's ``projects:`` (docs/reference.md §2.1, 2.2.8), strictly, every problem located.

A project is sold at a fixed price and billed by milestones (or once, on ``billed``), so
what can go wrong is money that does not add up or lands on the wrong day: milestones
that do not sum to the price, a date outside the contract, both ``billed`` and
``milestones`` or neither, two projects with one id or one tracker name. Each is a
``ContractError`` at the line to fix, and the contract is then not billed (one typo, one
error), as for any other contract key.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import yaml

from . import yamlnodes as yn
from .contracts import CLIENT_ID, MAX_HOURS, MAX_MONEY, _nearest, _strings
from .model import ZERO, Location, Milestone, Problem, Project
from .yamlnodes import NodeError

PROJECT_KEYS = ("id", "name", "aliases", "price", "billed", "milestones", "budget_hours")
MILESTONE_KEYS = ("date", "amount")
#: The same shape as a client id: lowercase words joined by single dashes.
PROJECT_ID = CLIENT_ID

#: ``(day) -> why it is outside the contract, or None``.
OutsideContract = Callable[[datetime.date], "str | None"]


def read_projects(
    node: yaml.Node, filename: str, starts: datetime.date, ends: datetime.date | None
) -> tuple[tuple[Project, ...], list[Problem]]:
    """The projects of a ``projects:`` node, or the problems that stop the contract.

    ``starts`` and ``ends`` are the contract's: a milestone is receivable only on a day
    the agreement is in force.
    """

    def outside(day: datetime.date) -> str | None:
        if day < starts:
            return f"is before the contract starts ({starts}): move it, or add an earlier term"
        if ends is not None and day > ends:
            return f"is after the contract ends ({ends}): move it, or move 'ends'"
        return None

    problems: list[Problem] = []
    try:
        items = yn.sequence(node, filename, "projects")
    except NodeError as exc:
        return (), [Problem("ContractError", exc.message, exc.where)]
    found: list[Project] = []
    first_line: dict[str, int] = {}
    tracker_name: dict[str, str] = {}
    for item in items:
        project = _project(item, filename, outside, problems)
        if project is None:
            continue
        line = project.where.lineno if project.where else 0
        here = project.where or Location(filename, 1)
        if project.id in first_line:
            problems.append(
                Problem(
                    "ContractError",
                    f"project id '{project.id}' is already used by the project at line"
                    f" {first_line[project.id]}: give each project its own id",
                    here,
                )
            )
            continue
        first_line[project.id] = line
        for name in dict.fromkeys(n.casefold() for n in project.names()):
            other = tracker_name.setdefault(name, project.id)
            if other != project.id:
                problems.append(
                    Problem(
                        "ContractError",
                        f"project '{project.id}' and project '{other}' are both called '{name}': a"
                        " tracker's project name must mean one project, so keep it in one of them",
                        here,
                    )
                )
        found.append(project)
    return tuple(found), problems


def _project(
    node: yaml.Node, filename: str, outside: OutsideContract, problems: list[Problem]
) -> Project | None:
    """One ``- id: ...`` item, or None with its problems added."""
    before = len(problems)
    here = yn.where(node, filename)

    def add(where: Location, message: str) -> None:
        problems.append(Problem("ContractError", message, where))

    values: dict[str, yaml.Node] = {}
    try:
        for key, value in yn.mapping(node, filename, "a project"):
            if key in PROJECT_KEYS:
                values[key] = value
            else:
                add(yn.where(value, filename), _unknown(key, PROJECT_KEYS, "a project"))
    except NodeError as exc:
        add(exc.where, exc.message)
        return None
    fields: dict[str, object] = {}
    readers: dict[str, Callable[[yaml.Node], object]] = {
        "id": lambda n: yn.string(n, filename, "project id"),
        "name": lambda n: yn.string(n, filename, "project name"),
        "aliases": lambda n: _strings(n, filename, "project aliases"),
        "price": lambda n: yn.number(n, filename, "project price", maximum=MAX_MONEY),
        "billed": lambda n: yn.date(n, filename, "billed"),
        "milestones": lambda n: _milestones(n, filename),
        "budget_hours": lambda n: yn.number(n, filename, "budget_hours", maximum=MAX_HOURS),
    }
    for key, value in values.items():
        try:
            fields[key] = readers[key](value)
        except NodeError as exc:
            add(exc.where, exc.message)
    project_id = fields.get("id")
    if "id" not in values:
        add(here, "a project needs 'id:', the name time entries give as project: (e.g. office-move)")
    elif isinstance(project_id, str) and not PROJECT_ID.match(project_id):
        add(
            yn.where(values["id"], filename),
            f"project id '{project_id}' must be lowercase letters, digits and single dashes,"
            " e.g. office-move",
        )
    label = f"project '{project_id}'" if isinstance(project_id, str) else "the project"
    if "price" not in values:
        add(here, f"{label} needs 'price:', the fixed price of the whole project")
    if "billed" in values and "milestones" in values:
        add(
            yn.where(values["milestones"], filename),
            f"{label} has both 'billed:' and 'milestones:': keep 'billed: DATE' to bill the whole price"
            " on one day, or 'milestones:' to bill it in parts",
        )
    elif "billed" not in values and "milestones" not in values:
        add(
            here,
            f"{label} needs 'billed: DATE' (the whole price on one day) or 'milestones:'"
            " (a list of {date, amount} adding up to the price)",
        )
    if len(problems) > before:
        return None
    assert isinstance(project_id, str)
    price = fields["price"]
    assert isinstance(price, Decimal)
    billed = fields.get("billed")
    if isinstance(billed, datetime.date):
        milestones: tuple[Milestone, ...] = (Milestone(billed, price, yn.where(values["billed"], filename)),)
    else:
        listed = fields["milestones"]
        assert isinstance(listed, tuple)
        milestones = listed
        total = sum((m.amount for m in milestones), ZERO)
        if total != price:
            add(
                yn.where(values["milestones"], filename),
                f"the milestones of project '{project_id}' add up to {total}, not its price {price}:"
                " make the amounts add up to the price (or change the price)",
            )
    for milestone in milestones:
        why = outside(milestone.date)
        if why is not None:
            what = "billed" if billed is not None else "milestone"
            add(milestone.where or here, f"{what} {milestone.date} of project '{project_id}' {why}")
    if len(problems) > before:
        return None
    name = fields.get("name")
    aliases = fields.get("aliases")
    budget = fields.get("budget_hours")
    return Project(
        id=project_id,
        name=name if isinstance(name, str) else project_id,
        price=price,
        milestones=tuple(sorted(milestones, key=lambda m: m.date)),
        aliases=tuple(aliases) if isinstance(aliases, list) else (),
        budget_hours=budget if isinstance(budget, Decimal) else None,
        billed=billed if isinstance(billed, datetime.date) else None,
        where=here,
    )


def _milestones(node: yaml.Node, filename: str) -> tuple[Milestone, ...]:
    items = yn.sequence(node, filename, "milestones")
    if not items:
        raise NodeError(
            yn.where(node, filename), "milestones is empty: list {date, amount} parts of the price"
        )
    found = []
    for item in items:
        values: dict[str, yaml.Node] = {}
        for key, value in yn.mapping(item, filename, "a milestone"):
            if key not in MILESTONE_KEYS:
                raise NodeError(yn.where(value, filename), _unknown(key, MILESTONE_KEYS, "a milestone"))
            values[key] = value
        for key in MILESTONE_KEYS:
            if key not in values:
                raise NodeError(
                    yn.where(item, filename),
                    f"a milestone needs '{key}:' (write {{date: 2026-03-31, amount: 1500}})",
                )
        found.append(
            Milestone(
                yn.date(values["date"], filename, "milestone date"),
                yn.number(values["amount"], filename, "milestone amount", maximum=MAX_MONEY),
                yn.where(item, filename),
            )
        )
    return tuple(found)


def _unknown(key: str, allowed: tuple[str, ...], what: str) -> str:
    near = _nearest(key, allowed)
    hint = f" (did you mean '{near}'?)" if near else ""
    return f"unknown key '{key}' in {what}{hint}; allowed: {', '.join(allowed)}"
