"""Load ``contracts/*.yaml`` and ``contracts/practice.yaml`` into domain objects, strictly.

A typo must never change a bill silently, so unknown keys, wrong types, negative money and
unsorted terms are all problems, each with the file and line to fix. A contract with any
problem is left out whole (and its client id remembered, so its time entries are not
reported a second time): one typo gives one error.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

import yaml

from . import yamlnodes as yn
from .model import (
    KINDS,
    UNLIMITED,
    Allowance,
    Block,
    BusinessHours,
    Contact,
    Contract,
    Location,
    Plan,
    Practice,
    Problem,
    Project,
    RateCardExample,
    StaffMember,
    TermKeys,
    Terms,
)
from .yamlnodes import NodeError

PRACTICE_FILE = "practice.yaml"
# \Z, not $: '$' also matches before a final newline, and "acme\n" is not an id. (Other
# modules call .match on these.)
CLIENT_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")
ACCOUNT_COMPONENT = re.compile(r"^[A-Z0-9][A-Za-z0-9-]*\Z")
CURRENCY = re.compile(r"^(?:[A-Z][A-Z0-9'._-]{0,22}[A-Z0-9]|[A-Z])\Z")
_PLUGIN_LINE = re.compile(r'^\s*plugin\s+"plugins\.retainer"(?:\s+"((?:[^"\\]|\\.)*)")?', re.M)
DEFAULT_FOLDER = "../contracts"

_CONTRACT_KEYS = (
    "client", "name", "account", "currency", "aliases", "contact", "ends", "terms", "blocks", "projects",
)  # fmt: skip
_CONTACT_KEYS = ("name", "email", "phone")
_TERM_KEYS = (
    "from",
    "monthly_fee",
    "per_device",
    "devices",
    "included_hours",
    "rates",
    "after_hours_multiplier",
    "rounding_minutes",
    "onsite_minimum_hours",
    "travel",
    "rollover",
    "costs",
    "plan",
)
#: A plan (practice.yaml ``plans:``) is a term body: any term key but ``from`` (and ``plan``).
PLAN_KEYS = tuple(key for key in _TERM_KEYS if key not in ("from", "plan"))
_EXAMPLE_KEYS = ("devices", "hours", "visits")
_TRAVEL_KEYS = ("trip_fee", "per_km", "distance_km", "travel_minutes", "travel_rate")
_ROLLOVER_KEYS = ("months", "max_hours")
_COSTS_KEYS = ("monthly", "per_device")
_BLOCK_KEYS = ("date", "hours", "price", "expires", "kinds")
_PRACTICE_KEYS = (
    "currency",
    "default_cost_rate",
    "staff",
    "target_hourly_rate",
    "target_margin",
    "accrue_through",
    "business_hours",
    "importers",
    "time_metadata",
    "date_order",
    "onsite_words",
    "after_hours_words",
    "name",
    "address",
    "payment_terms",
    "available_hours_per_week",
    "plans",
    "list_rates",
    "rate_card_example",
)
_DATE_ORDERS = ("day-first", "month-first")
#: A Beancount metadata key: what ``time_metadata`` may add to time entries.
_METADATA_KEY = re.compile(r"^[a-z][a-zA-Z0-9_-]*$")
_STAFF_KEYS = ("cost_rate", "name", "aliases")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Bounds of the numbers a contract may hold: generous for any IT practice, and small enough
# that every amount the billing rules compute from them stays exact (see yamlnodes.number).
MAX_MONEY = Decimal(10_000_000)  # a fee, price, rate or cost per hour
MAX_HOURS = Decimal(10_000)  # included hours in a month
MAX_VISIT_HOURS = Decimal(24)  # onsite minimum of one visit
MAX_DEVICES = 100_000
MAX_KM = Decimal(10_000)
MAX_MULTIPLIER = Decimal(10)
MAX_ROLLOVER_MONTHS = 120  # how long unused hours may wait
MAX_ID = 64  # a client id or account component
#: ``<`` and ``>`` in a display name: it becomes the payee of the posted transactions, and
#: Fava 1.30's journal shows a payee as HTML, so markup there would run in the browser.
_MARKUP = re.compile("[<>]")


@dataclass
class ContractSet:
    """Everything read from a contracts folder, with the problems found on the way."""

    contracts: dict[str, Contract] = field(default_factory=dict)
    practice: Practice = field(default_factory=Practice)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    failed_clients: set[str] = field(default_factory=set)


def camel_case(client: str) -> str:
    """``acme-dental`` -> ``AcmeDental``: the default account component of a client."""
    return "".join(part[:1].upper() + part[1:] for part in client.split("-"))


def contracts_folder_of(ledger_path: Path | str) -> Path | None:
    """The contracts folder named by the ledger's ``plugin "plugins.retainer"`` line.

    Returns None when the ledger does not enable the plugin. A relative folder is taken
    relative to the ledger file, as the plugin itself does.
    """
    ledger = Path(ledger_path)
    match = _PLUGIN_LINE.search(ledger.read_text(encoding="utf-8"))
    if match is None:
        return None
    return resolve_folder(match.group(1) or DEFAULT_FOLDER, ledger.parent)


def resolve_folder(config: str, base: Path) -> Path:
    folder = Path(config.strip()).expanduser()
    # normpath, not resolve(): keep the user's symlinks, drop the "ledger/../" in messages.
    return Path(os.path.normpath(folder if folder.is_absolute() else base / folder))


def load_contracts(folder: Path | str) -> ContractSet:
    """Read every ``*.yaml``/``*.yml`` contract of ``folder`` (sorted by name) and the practice."""
    folder = Path(folder)
    result = ContractSet()
    if not folder.is_dir():
        result.problems.append(
            Problem(
                "ContractError",
                f"contracts folder {folder} not found: create it, or fix the folder given to "
                'plugin "plugins.retainer"',
                Location(str(folder), 0),
            )
        )
        return result
    paths = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    practice_path = next((p for p in paths if p.name in (PRACTICE_FILE, "practice.yml")), None)
    if practice_path is not None:
        result.files.append(str(practice_path))
        practice, problems = load_practice(practice_path)
        result.practice = practice
        result.problems.extend(problems)
    accounts: dict[str, str] = {}
    for path in paths:
        if path == practice_path:
            continue
        result.files.append(str(path))
        contract, problems = load_contract(path, result.practice)
        if contract is not None:
            clash = _clash(contract, result.contracts, accounts)
            if clash is not None:
                problems.append(clash)
        if problems or contract is None:
            result.problems.extend(problems)
            result.failed_clients.add(path.stem)
            if contract is not None:
                result.failed_clients.add(contract.client)
            else:
                result.failed_clients.update(_client_id_guess(path))
            continue
        result.contracts[contract.client] = contract
        accounts[contract.account] = contract.client
    return result


def _clash(contract: Contract, known: dict[str, Contract], accounts: dict[str, str]) -> Problem | None:
    where = Location(contract.filename, 1)
    if contract.client in known:
        other = known[contract.client].filename
        return Problem(
            "ContractError",
            f"client id '{contract.client}' is already used by {other}: each client needs its own id",
            where,
        )
    if contract.account in accounts:
        return Problem(
            "ContractError",
            f"account '{contract.account}' is already used by client '{accounts[contract.account]}':"
            " set a different 'account:'",
            where,
        )
    return None


def _client_id_guess(path: Path) -> set[str]:
    """The client id of a broken file, if a ``client:`` line can still be read from it."""
    try:
        match = re.search(r"^client:\s*['\"]?([a-z0-9-]+)", path.read_text(encoding="utf-8"), re.M)
    except (OSError, UnicodeDecodeError):
        return set()
    return {match.group(1)} if match else set()


def _read(path: Path) -> tuple[yaml.Node | None, list[Problem]]:
    filename = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem("ContractError", f"cannot read file: {exc}", Location(filename, 1))]
    try:
        return yn.compose(text, filename), []
    except NodeError as exc:
        return None, [Problem("ContractError", exc.message, exc.where)]


class _Collector:
    """Collects located problems so one pass reports every mistake in a file."""

    def __init__(self, filename: str, kind: str) -> None:
        self.filename = filename
        self.kind = kind
        self.problems: list[Problem] = []

    def add(self, where: Location, message: str) -> None:
        self.problems.append(Problem(self.kind, message, where))

    def unknown(self, key: str, node: yaml.Node, allowed: tuple[str, ...], what: str) -> None:
        near = _nearest(key, allowed)
        hint = f" (did you mean '{near}'?)" if near else ""
        self.add(
            yn.where(node, self.filename),
            f"unknown key '{yn.short(key)}' in {what}{hint}; allowed: {', '.join(allowed)}",
        )


def _nearest(key: str, allowed: tuple[str, ...]) -> str | None:
    import difflib

    found = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return found[0] if found else None


def load_contract(path: Path, practice: Practice) -> tuple[Contract | None, list[Problem]]:
    """One client's contract, or None with the problems that stop it from being billed."""
    filename = str(path)
    root, problems = _read(path)
    if root is None:
        if not problems:
            problems = [
                Problem(
                    "ContractError",
                    "file is empty: write a contract (see docs/reference.md, 2.1)",
                    Location(filename, 1),
                )
            ]
        return None, problems
    out = _Collector(filename, "ContractError")
    values: dict[str, yaml.Node] = {}
    try:
        for key, node in yn.mapping(root, filename, "a contract"):
            if key in _CONTRACT_KEYS:
                values[key] = node
            else:
                out.unknown(key, node, _CONTRACT_KEYS, "the contract")
    except NodeError as exc:
        out.add(exc.where, exc.message)
        return None, out.problems

    def get(key: str, read: Callable[[yaml.Node], object]) -> object:
        if key not in values:
            return None
        try:
            return read(values[key])
        except NodeError as exc:
            out.add(exc.where, exc.message)
            return None

    top = Location(filename, 1)
    client = get("client", lambda n: yn.string(n, filename, "client", max_length=MAX_ID))
    if client is None and "client" not in values:
        out.add(top, "missing 'client:': give the client id used by time entries, e.g. acme-dental")
    elif isinstance(client, str) and not CLIENT_ID.fullmatch(client):
        out.add(
            yn.where(values["client"], filename),
            f"client id '{client}' must be lowercase letters, digits and single dashes, e.g. acme-dental",
        )
        client = None
    name = get("name", lambda n: _display_name(n, filename))
    account = get("account", lambda n: yn.string(n, filename, "account", max_length=MAX_ID))
    if isinstance(account, str) and not ACCOUNT_COMPONENT.fullmatch(account):
        out.add(
            yn.where(values["account"], filename),
            f"account '{account}' must start with a capital letter or digit and hold only letters,"
            " digits and dashes, e.g. AcmeDental",
        )
    currency = get("currency", lambda n: yn.string(n, filename, "currency"))
    if isinstance(currency, str) and not CURRENCY.fullmatch(currency):
        out.add(yn.where(values["currency"], filename), f"currency '{currency}' must look like USD or EUR")
    aliases = get("aliases", lambda n: _strings(n, filename, "aliases"))
    ends = get("ends", lambda n: yn.date(n, filename, "ends"))
    contact = get("contact", lambda n: _contact(n, filename))
    terms: tuple[Terms, ...] = ()
    if "terms" not in values:
        out.add(top, "missing 'terms:': give at least one term with 'from:' (docs/reference.md, 2.1)")
    else:
        terms = _terms(values["terms"], out, practice.plans)
    if terms and isinstance(ends, datetime.date) and ends < terms[0].start:
        out.add(
            yn.where(values["ends"], filename),
            f"ends {ends} is before the first term starts ({terms[0].start})",
        )
    elif terms and isinstance(ends, datetime.date):
        for late in (t for t in terms if t.start > ends):
            out.add(
                late.where or top,
                f"the term from {late.start} starts after the agreement ends ({ends}): move 'ends',"
                " or delete the term",
            )
    blocks: tuple[Block, ...] = ()
    if "blocks" in values and terms:
        last = ends if isinstance(ends, datetime.date) else None
        blocks = _blocks(values["blocks"], terms[0].start, last, out)
    projects: tuple[Project, ...] = ()
    if "projects" in values and terms:
        from .project_yaml import read_projects  # here: it builds on this module's readers

        projects, found = read_projects(
            values["projects"], filename, terms[0].start, ends if isinstance(ends, datetime.date) else None
        )
        out.problems.extend(found)
    if out.problems or not isinstance(client, str) or not terms:
        return None, out.problems
    account_name = account if isinstance(account, str) else camel_case(client)
    if not ACCOUNT_COMPONENT.fullmatch(account_name):
        out.add(top, f"cannot make an account name from '{client}': set 'account:', e.g. Acme")
        return None, out.problems
    contract = Contract(
        client=client,
        name=name if isinstance(name, str) else client,
        account=account_name,
        currency=currency if isinstance(currency, str) else practice.currency,
        terms=terms,
        aliases=tuple(aliases) if isinstance(aliases, list) else (),
        ends=ends if isinstance(ends, datetime.date) else None,
        filename=filename,
        display_path=f"{path.parent.name}/{path.name}",
        blocks=blocks,
        projects=projects,
        contact=contact if isinstance(contact, Contact) else None,
    )
    return contract, []


def _display_name(node: yaml.Node, filename: str) -> str:
    name = yn.string(node, filename, "name")
    if _MARKUP.search(name):
        raise NodeError(
            yn.where(node, filename),
            f"name '{name}' holds '<' or '>': the name is the payee of the posted transactions and"
            " Fava shows payees as HTML, so write it without them (e.g. 'Smith and Sons', not '<b>')",
        )
    return name


def _contact(node: yaml.Node, filename: str) -> Contact:
    """``contact: {name, email, phone}``: the one person statements are addressed to."""
    fields: dict[str, str] = {}
    for key, value in yn.mapping(node, filename, "contact"):
        if key not in _CONTACT_KEYS:
            raise _unknown_key(key, value, _CONTACT_KEYS, "contact", filename)
        fields[key] = yn.string(value, filename, f"contact.{key}").strip()
        if key == "email" and "@" not in fields[key]:
            raise NodeError(
                yn.where(value, filename), f"contact.email '{fields[key]}' is not an e-mail address"
            )
    if "name" not in fields:
        raise NodeError(
            yn.where(node, filename), "contact needs a name: contact: {name: Jane Ortiz, email: ...}"
        )
    return Contact(**fields)


def _unknown_key(key: str, node: yaml.Node, allowed: tuple[str, ...], what: str, filename: str) -> NodeError:
    """The error for a key ``what`` does not have, with the nearest allowed one as a hint."""
    near = _nearest(key, allowed)
    hint = f" (did you mean '{near}'?)" if near else ""
    message = f"unknown key '{key}' in {what}{hint}; allowed: {', '.join(allowed)}"
    return NodeError(yn.where(node, filename), message)


def _address(node: yaml.Node, filename: str) -> tuple[str, ...]:
    """The practice's address: a list of lines, or one block of text (``address: |``)
    taken line by line; each line is one-line text like any other."""
    if isinstance(node, yaml.ScalarNode):
        text, _ = yn.scalar(node, filename, "address")
        lines = [yn.one_line(line, node, filename, "address") for line in text.splitlines()]
    else:
        lines = _strings(node, filename, "address")
    return tuple(line.strip() for line in lines if line.strip())


def _strings(node: yaml.Node, filename: str, what: str) -> list[str]:
    if isinstance(node, yaml.ScalarNode):
        return [yn.string(node, filename, what)]
    return [yn.string(item, filename, what) for item in yn.sequence(node, filename, what)]


def _terms(node: yaml.Node, out: _Collector, plans: Mapping[str, Plan] | None = None) -> tuple[Terms, ...]:
    filename = out.filename
    try:
        items = yn.sequence(node, filename, "terms")
    except NodeError as exc:
        out.add(exc.where, exc.message)
        return ()
    if not items:
        out.add(yn.where(node, filename), "terms is empty: give at least one term with 'from:'")
        return ()
    merged: list[Terms] = []
    previous = Terms(start=datetime.date.min)
    for item in items:
        terms = _one_term(item, previous, out, plans)
        if terms is None:
            return ()
        if merged and terms.start <= merged[-1].start:
            word = "repeats" if terms.start == merged[-1].start else "comes before"
            out.add(
                terms.where or yn.where(item, filename),
                f"term from {terms.start} {word} the term before it ({merged[-1].start}):"
                " list terms oldest first, one per date",
            )
            return ()
        merged.append(terms)
        previous = terms
    return tuple(merged)


def _one_term(
    node: yaml.Node, previous: Terms, out: _Collector, plans: Mapping[str, Plan] | None = None
) -> Terms | None:
    """Read one ``- from: ...`` item, inheriting what it does not set from ``previous``.

    With ``plan: NAME`` the term is the one before, then the plan's keys, then its own.
    """
    filename = out.filename
    before = len(out.problems)
    start: datetime.date | None = None
    plan: Plan | None = None
    try:
        pairs = list(yn.mapping(node, filename, "a term"))
    except NodeError as exc:
        out.add(exc.where, exc.message)
        return None
    own: list[tuple[str, yaml.Node]] = []
    for key, value in pairs:
        try:
            if key == "from":
                start = yn.date(value, filename, "from")
            elif key == "plan":
                plan = _plan_named(value, plans or {}, filename)
            else:
                own.append((key, value))
        except NodeError as exc:
            out.add(exc.where, exc.message)
    keys = read_term_keys(own, out, _TERM_KEYS, "a term")
    here = yn.where(node, filename)
    if start is None and all(key != "from" for key, _ in pairs):
        out.add(here, "a term needs 'from: YYYY-MM-DD', the first day it is in force")
    if len(out.problems) > before or start is None:
        return None
    base = plan.keys.over(previous) if plan is not None else previous
    terms = replace(keys.over(base), start=start, where=here)
    for problem in term_problems(terms):
        out.add(here, problem)
    return None if len(out.problems) > before else terms


def term_problems(terms: Terms) -> list[str]:
    """What a merged term lacks: a device price without a count, or the other way round."""
    found = []
    for device in terms.per_device:
        if device not in terms.devices:
            found.append(f"per_device.{device} has a price but no count: add devices: {{{device}: N}}")
    for device in terms.devices:
        if device not in terms.per_device:
            found.append(f"devices.{device} has a count but no price: add per_device: {{{device}: PRICE}}")
    for device in terms.costs.per_device if terms.costs is not None else ():
        if device not in terms.devices:
            found.append(
                f"costs.per_device.{device} has a cost but no count: add devices: {{{device}: N}}"
                " (and its price under per_device)"
            )
    return found


def term_keys_of(node: yaml.Node, filename: str, what: str) -> tuple[TermKeys, list[Problem]]:
    """A plan-like term body (no ``from``/``plan``) read by the term code, with its problems:
    how a what-if's proposed keys are checked exactly as a contract's would be."""
    out = _Collector(filename, "ContractError")
    try:
        pairs = list(yn.mapping(node, filename, what))
    except NodeError as exc:
        return TermKeys(), [Problem("ContractError", exc.message, exc.where)]
    return read_term_keys(pairs, out, PLAN_KEYS, what), out.problems


def _plan_named(node: yaml.Node, plans: Mapping[str, Plan], filename: str) -> Plan:
    name = yn.string(node, filename, "plan").strip()
    if name in plans:
        return plans[name]
    if not plans:
        raise NodeError(
            yn.where(node, filename),
            f"unknown plan '{yn.short(name)}': practice.yaml has no plans: (docs/reference.md, 2.3)",
        )
    near = _nearest(name, tuple(plans))
    hint = f" (did you mean '{near}'?)" if near else ""
    raise NodeError(
        yn.where(node, filename),
        f"unknown plan '{yn.short(name)}'{hint}; practice.yaml's plans: {', '.join(plans)}",
    )


def read_term_keys(
    pairs: Sequence[tuple[str, yaml.Node]], out: _Collector, allowed: tuple[str, ...], what: str
) -> TermKeys:
    """The keys of a term body (a term's own keys, a plan, a what-if), each checked.

    One function for every term body, so a plan or a ``--set`` is refused exactly where a
    term's key would be; each problem goes to ``out`` and the key is left out.
    """
    filename = out.filename
    fields: dict[str, object] = {}
    for key, value in pairs:
        try:
            if key not in allowed or key in ("from", "plan"):
                out.unknown(key, value, allowed, what)
            elif key == "monthly_fee":
                fields["monthly_fee"] = _money(value, filename, "monthly_fee")
            elif key == "per_device":
                prices = _map(value, filename, key)
                fields[key] = {k: _money(v, filename, f"per_device.{k}") for k, v in prices}
            elif key == "devices":
                fields[key] = {
                    k: yn.whole(v, filename, f"devices.{k}", maximum=MAX_DEVICES)
                    for k, v in _map(value, filename, key)
                }
            elif key == "included_hours":
                fields[key] = {k: _allowance(v, filename, k) for k, v in _kinds(value, filename, key)}
            elif key == "rates":
                fields[key] = {k: _money(v, filename, f"rates.{k}") for k, v in _kinds(value, filename, key)}
            elif key == "after_hours_multiplier":
                fields[key] = _multiplier(value, filename)
            elif key == "rounding_minutes":
                fields[key] = yn.whole(value, filename, key, maximum=24 * 60)
            elif key == "onsite_minimum_hours":
                fields[key] = yn.number(value, filename, key, maximum=MAX_VISIT_HOURS)
            elif key == "travel":
                fields["travel"] = _travel(value, filename)
            elif key == "rollover":
                fields["rollover"] = _rollover(value, filename)
            elif key == "costs":
                fields["costs_monthly"], fields["costs_per_device"] = _costs(value, filename)
        except NodeError as exc:
            out.add(exc.where, exc.message)
    return TermKeys(**fields)  # type: ignore[arg-type]


def _money(node: yaml.Node, filename: str, what: str) -> Decimal:
    return yn.number(node, filename, what, maximum=MAX_MONEY)


def _multiplier(node: yaml.Node, filename: str) -> Decimal:
    """After-hours work costs at least the normal rate: 0 would give it away unnoticed."""
    why = (
        f"after_hours_multiplier must be from 1 to {MAX_MULTIPLIER} (1.5 bills after-hours work at"
        " one and a half times the rate); to give work away write rates: {KIND: 0}"
    )
    try:
        value = yn.number(node, filename, "after_hours_multiplier", maximum=MAX_MULTIPLIER)
    except NodeError as exc:
        if "must be from" not in exc.message:
            raise
        raise NodeError(exc.where, f"{why}, got {yn.short(str(node.value))}") from None
    if value < 1:
        raise NodeError(yn.where(node, filename), f"{why}, got {value}")
    return value


def _map(node: yaml.Node, filename: str, what: str) -> list[tuple[str, yaml.Node]]:
    return list(yn.mapping(node, filename, what))


def _kinds(node: yaml.Node, filename: str, what: str) -> list[tuple[str, yaml.Node]]:
    pairs = _map(node, filename, what)
    for key, value in pairs:
        if key not in KINDS:
            raise NodeError(
                yn.where(value, filename), f"{what}: unknown kind '{yn.short(key)}'; use remote or onsite"
            )
    return pairs


def _allowance(node: yaml.Node, filename: str, kind: str) -> Allowance:
    text, _ = yn.scalar(node, filename, f"included_hours.{kind}")
    if text.strip().lower() == UNLIMITED:
        return UNLIMITED
    try:
        return yn.number(node, filename, f"included_hours.{kind}", maximum=MAX_HOURS)
    except NodeError as exc:
        if "must be a number" not in exc.message:
            raise  # out of range, too many decimals: that message says what is allowed
        raise NodeError(
            yn.where(node, filename),
            f"included_hours.{kind} must be a number of hours or 'unlimited', got '{yn.short(text)}'",
        ) from None


def _travel(node: yaml.Node, filename: str) -> dict[str, Decimal]:
    """The ``travel`` keys given (merged over the term before by ``TermKeys.over``)."""
    changes: dict[str, Decimal] = {}
    for key, value in yn.mapping(node, filename, "travel"):
        if key not in _TRAVEL_KEYS:
            near = _nearest(key, _TRAVEL_KEYS)
            hint = f" (did you mean '{near}'?)" if near else ""
            raise NodeError(
                yn.where(value, filename),
                f"unknown key '{yn.short(key)}' in travel{hint}; allowed: {', '.join(_TRAVEL_KEYS)}",
            )
        bound = MAX_KM if key == "distance_km" else MAX_MONEY
        changes[key] = yn.number(value, filename, f"travel.{key}", maximum=bound)
    return changes


def _unknown_in(key: str, value: yaml.Node, allowed: tuple[str, ...], what: str, filename: str) -> NodeError:
    near = _nearest(key, allowed)
    hint = f" (did you mean '{near}'?)" if near else ""
    return NodeError(
        yn.where(value, filename), f"unknown key '{key}' in {what}{hint}; allowed: {', '.join(allowed)}"
    )


def _rollover(node: yaml.Node, filename: str) -> dict[str, object]:
    """``rollover: {months: N, max_hours: H}``: the keys given, merged key by key over the
    term before; ``months: 0`` switches rollover off."""
    found: dict[str, object] = {}
    for key, value in yn.mapping(node, filename, "rollover"):
        if key == "months":
            found["months"] = yn.whole(value, filename, "rollover.months", maximum=MAX_ROLLOVER_MONTHS)
        elif key == "max_hours":
            found["max_hours"] = yn.number(value, filename, "rollover.max_hours", maximum=MAX_HOURS)
        else:
            raise _unknown_in(key, value, _ROLLOVER_KEYS, "rollover", filename)
    return found


def _costs(node: yaml.Node, filename: str) -> tuple[Decimal | None, dict[str, Decimal]]:
    """``costs: {monthly: M, per_device: {type: C}}``: the keys given (monthly, device costs),
    merged key by key over the term before."""
    monthly: Decimal | None = None
    prices: dict[str, Decimal] = {}
    for key, value in yn.mapping(node, filename, "costs"):
        if key == "monthly":
            monthly = yn.number(value, filename, "costs.monthly", maximum=MAX_MONEY)
        elif key == "per_device":
            prices = {
                k: yn.number(v, filename, f"costs.per_device.{k}", maximum=MAX_MONEY)
                for k, v in _map(value, filename, key)
            }
        else:
            raise _unknown_in(key, value, _COSTS_KEYS, "costs", filename)
    return monthly, prices


def _blocks(
    node: yaml.Node, starts: datetime.date, ends: datetime.date | None, out: _Collector
) -> tuple[Block, ...]:
    """The prepaid blocks, each checked on its own so one pass reports every mistake."""
    filename = out.filename
    try:
        items = yn.sequence(node, filename, "blocks")
    except NodeError as exc:
        out.add(exc.where, exc.message)
        return ()
    found = []
    for index, item in enumerate(items):
        try:
            block = _block(item, index, filename)
        except NodeError as exc:
            out.add(exc.where, exc.message)
            continue
        if block is None:
            out.add(yn.where(item, filename), "a block needs date, hours and price, e.g. "
                    "{date: 2026-01-05, hours: 20, price: 2200.00}")
            continue
        where = block.where or yn.where(item, filename)
        if block.date < starts or (ends is not None and block.date > ends):
            span = f"{starts} to {ends}" if ends is not None else f"from {starts}"
            out.add(
                where,
                f"block of {block.date} is dated outside the contract's terms ({span}):"
                " fix its date, or the terms' from / ends",
            )
            continue
        found.append(block)
    return tuple(found)


def _block(node: yaml.Node, index: int, filename: str) -> Block | None:
    fields: dict[str, object] = {}
    places: dict[str, yaml.Node] = {}
    for key, value in yn.mapping(node, filename, "a block"):
        places[key] = value
        if key in ("date", "expires"):
            fields[key] = yn.date(value, filename, f"blocks: {key}")
        elif key in ("hours", "price"):
            bound = MAX_HOURS if key == "hours" else MAX_MONEY
            amount = yn.number(value, filename, f"blocks: {key}", maximum=bound)
            if not amount:
                raise NodeError(yn.where(value, filename), f"blocks: {key} must be more than 0, got {amount}")
            fields[key] = amount
        elif key == "kinds":
            kinds = _strings(value, filename, "blocks: kinds")
            for kind in kinds:
                if kind not in KINDS:
                    raise NodeError(
                        yn.where(value, filename),
                        f"blocks: unknown kind '{kind}' in kinds; use remote or onsite",
                    )
            if not kinds:
                raise NodeError(
                    yn.where(value, filename), "blocks: kinds is empty; leave it out for both kinds"
                )
            fields[key] = tuple(dict.fromkeys(kinds))
        else:
            near = _nearest(key, _BLOCK_KEYS)
            hint = f" (did you mean '{near}'?)" if near else ""
            raise NodeError(
                yn.where(value, filename),
                f"unknown key '{key}' in a block{hint}; allowed: {', '.join(_BLOCK_KEYS)}",
            )
    if not all(key in fields for key in ("date", "hours", "price")):
        return None
    date, expires = fields["date"], fields.get("expires")
    assert isinstance(date, datetime.date)
    if isinstance(expires, datetime.date) and expires < date:
        raise NodeError(
            yn.where(places["expires"], filename),
            f"block of {date} expires {expires}, before it is bought: expires is the last day it can be used",
        )
    return Block(index=index, where=yn.where(places["date"], filename), **fields)  # type: ignore[arg-type]


def load_practice(path: Path) -> tuple[Practice, list[Problem]]:
    """Practice settings, and the problems found in them.

    A broken setting is left out (its default stands) and reported at its line; the
    settings that read fine still apply. So a typo under ``importers:`` does not move the
    ``accrue_through`` horizon or drop every cost rate: the books change only where the
    broken setting itself matters, and that is reported.
    """
    filename = str(path)
    root, problems = _read(path)
    problems = [replace(p, kind="PracticeError") for p in problems]
    if root is None:
        return Practice(filename=filename), problems
    out = _Collector(filename, "PracticeError")
    settings: dict[str, object] = {"filename": filename}
    raw_importers: dict[str, object] = {}
    try:
        pairs = list(yn.mapping(root, filename, "practice.yaml"))
    except NodeError as exc:
        return Practice(filename=filename), [Problem("PracticeError", exc.message, exc.where)]
    for key, value in pairs:
        try:
            if key == "currency":
                currency = yn.string(value, filename, key)
                if not CURRENCY.fullmatch(currency):
                    raise NodeError(yn.where(value, filename), f"currency '{currency}' must look like USD")
                settings[key] = currency
            elif key in ("default_cost_rate", "target_hourly_rate"):
                settings[key] = _money(value, filename, key)
            elif key == "target_margin":
                margin = yn.number(value, filename, key, minimum=Decimal(-1), maximum=Decimal(1))
                if margin >= 1:
                    raise NodeError(
                        yn.where(value, filename),
                        f"target_margin is a ratio below 1 (0.45 for 45%), got {margin}",
                    )
                settings[key] = margin
            elif key == "accrue_through":
                settings[key] = _year_month(value, filename)
            elif key == "staff":
                settings[key] = _staff_members(value, out)
            elif key == "business_hours":
                settings[key] = _business_hours(value, filename)
            elif key == "time_metadata":
                settings[key] = _time_metadata(value, filename)
            elif key == "date_order":
                order = yn.string(value, filename, key).strip()
                if order not in _DATE_ORDERS:
                    raise NodeError(
                        yn.where(value, filename),
                        f"date_order must be day-first or month-first, got '{order}'",
                    )
                settings[key] = order
            elif key in ("onsite_words", "after_hours_words"):
                settings[key] = tuple(w.strip() for w in _strings(value, filename, key) if w.strip())
            elif key in ("name", "payment_terms"):
                settings[key] = yn.string(value, filename, key).strip()
            elif key == "address":
                settings[key] = _address(value, filename)
            elif key == "available_hours_per_week":
                settings[key] = _hours_per_week(value, filename)
            elif key == "plans":
                settings[key] = _plans(value, out)
            elif key == "list_rates":
                rates = _kinds(value, filename, key)
                settings[key] = {k: _money(v, filename, f"list_rates.{k}") for k, v in rates}
            elif key == "rate_card_example":
                settings[key] = _rate_card_example(value, filename)
            elif key == "importers":
                raw = _free_form(value, filename, "importers")
                if not isinstance(raw, dict):
                    raise NodeError(yn.where(value, filename), "importers must be a mapping")
                raw_importers = raw
            else:
                out.unknown(key, value, _PRACTICE_KEYS, "practice.yaml")
        except NodeError as exc:
            out.add(exc.where, exc.message)
    return Practice(importers=raw_importers, **settings), out.problems  # type: ignore[arg-type]


def _plans(node: yaml.Node, out: _Collector) -> dict[str, Plan]:
    """Every plan that reads clean, each read by the term code; a broken plan is left out
    (reported at its line), so contracts naming it get an 'unknown plan' error too."""
    plans = {}
    for name, value in yn.mapping(node, out.filename, "plans"):
        if not CLIENT_ID.fullmatch(name):
            out.add(
                yn.where(value, out.filename),
                f"plan name '{yn.short(name)}' must be lowercase letters, digits and single dashes,"
                " e.g. business",
            )
            continue
        before = len(out.problems)
        try:
            pairs = list(yn.mapping(value, out.filename, f"plans.{name}"))
        except NodeError as exc:
            out.add(exc.where, exc.message)
            continue
        keys = read_term_keys(pairs, out, PLAN_KEYS, f"plans.{name}")
        if len(out.problems) == before:
            plans[name] = Plan(name=name, keys=keys, where=yn.where(value, out.filename))
    return plans


def _rate_card_example(node: yaml.Node, filename: str) -> RateCardExample:
    """``rate_card_example: {devices: {type: N}, hours: {remote: H, onsite: H}, visits: N}``."""
    fields: dict[str, object] = {}
    for key, value in yn.mapping(node, filename, "rate_card_example"):
        what = f"rate_card_example.{key}"
        if key == "devices":
            counts = _map(value, filename, what)
            fields[key] = {k: yn.whole(v, filename, f"{what}.{k}", maximum=MAX_DEVICES) for k, v in counts}
        elif key == "hours":
            hours = _kinds(value, filename, what)
            fields[key] = {k: yn.number(v, filename, f"{what}.{k}", maximum=MAX_HOURS) for k, v in hours}
        elif key == "visits":
            fields[key] = yn.whole(value, filename, what, maximum=31)
        else:
            raise _unknown_in(key, value, _EXAMPLE_KEYS, "rate_card_example", filename)
    example = RateCardExample(**fields)  # type: ignore[arg-type]
    if example.visits and not example.hours.get("onsite"):
        raise NodeError(
            yn.where(node, filename),
            "rate_card_example: visits need onsite hours to share among them: add hours: {onsite: N}",
        )
    return example


def _free_form(node: yaml.Node, filename: str, what: str) -> object:
    """Plain Python data of a subtree whose keys their own readers check (importer settings)."""
    yn.plain_tree(node, filename, what)
    try:
        return yaml.safe_load(yaml.serialize(node))
    except Exception as exc:  # e.g. a timestamp 2026-13-45 or '!!int x': ValueError, not YAMLError
        reason = getattr(exc, "problem", None) or str(exc) or type(exc).__name__
        raise NodeError(yn.where(node, filename), f"{what}: cannot read a value: {reason}") from None


def _hours_per_week(node: yaml.Node, filename: str) -> Decimal:
    """A week's working hours: above 0 (utilization divides by it), at most the week's 168."""
    hours = yn.number(node, filename, "available_hours_per_week", maximum=Decimal(168))
    if not hours:
        raise NodeError(
            yn.where(node, filename),
            "available_hours_per_week is a staff member's working hours in a week: give more"
            " than 0, e.g. 40",
        )
    return hours


def _year_month(node: yaml.Node, filename: str) -> tuple[int, int]:
    text, _ = yn.scalar(node, filename, "accrue_through")
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise NodeError(
            yn.where(node, filename), f"accrue_through must be a month like 2026-10, got '{yn.short(text)}'"
        )
    year = int(match.group(1))
    if not yn.FIRST_YEAR <= year <= yn.LAST_YEAR:
        raise NodeError(
            yn.where(node, filename),
            f"accrue_through must be a month in the years {yn.FIRST_YEAR} to {yn.LAST_YEAR},"
            f" got '{yn.short(text)}'",
        )
    return year, int(match.group(2))


def _time_metadata(node: yaml.Node, filename: str) -> tuple[str, ...]:
    """Extra time-entry keys, each a Beancount metadata key (naming a built-in one is harmless)."""
    keys: list[str] = []
    for item in yn.sequence(node, filename, "time_metadata"):
        key = yn.string(item, filename, "time_metadata item").strip()
        if not _METADATA_KEY.match(key):
            raise NodeError(
                yn.where(item, filename),
                f"time_metadata: '{key}' is not a metadata key (lowercase letter first, then"
                " letters, digits, '-' or '_')",
            )
        keys.append(key)
    return tuple(keys)


def _staff_members(node: yaml.Node, out: _Collector) -> dict[str, StaffMember]:
    """Every staff member that reads fine: one broken cost rate leaves out that member only."""
    members = {}
    for key, value in yn.mapping(node, out.filename, "staff"):
        try:
            members[key] = _staff(key, value, out.filename)
        except NodeError as exc:
            out.add(exc.where, exc.message)
    return members


def _staff(key: str, node: yaml.Node, filename: str) -> StaffMember:
    fields: dict[str, object] = {}
    for name, value in yn.mapping(node, filename, f"staff.{key}"):
        if name == "cost_rate":
            fields[name] = _money(value, filename, f"staff.{key}.cost_rate")
        elif name == "name":
            fields[name] = yn.string(value, filename, f"staff.{key}.name")
        elif name == "aliases":
            fields[name] = tuple(_strings(value, filename, f"staff.{key}.aliases"))
        else:
            near = _nearest(name, _STAFF_KEYS)
            hint = f" (did you mean '{near}'?)" if near else ""
            raise NodeError(
                yn.where(value, filename),
                f"unknown key '{yn.short(name)}' in staff.{yn.short(key)}{hint};"
                f" allowed: {', '.join(_STAFF_KEYS)}",
            )
    return StaffMember(key=key, **fields)  # type: ignore[arg-type]


def _business_hours(node: yaml.Node, filename: str) -> BusinessHours:
    hours = BusinessHours()
    for key, value in yn.mapping(node, filename, "business_hours"):
        if key == "weekdays":
            days = []
            for item in yn.sequence(value, filename, "business_hours.weekdays"):
                day = yn.string(item, filename, "weekday").strip().lower()[:3]
                if day not in _WEEKDAYS:
                    raise NodeError(yn.where(item, filename), f"unknown weekday '{item.value}'; use mon..sun")
                days.append(_WEEKDAYS.index(day))
            hours = replace(hours, weekdays=frozenset(days))
        elif key in ("start", "end"):
            text, _ = yn.scalar(value, filename, key)
            # Composed nodes keep the text, so an unquoted 18:00 is not YAML 1.1's 1080.
            try:
                moment = datetime.time.fromisoformat(text.strip())
            except ValueError:
                raise NodeError(
                    yn.where(value, filename), f'business_hours.{key} must be a time like "08:00"'
                ) from None
            hours = replace(hours, start=moment) if key == "start" else replace(hours, end=moment)
        else:
            raise NodeError(
                yn.where(value, filename),
                f"unknown key '{yn.short(key)}' in business_hours; allowed: weekdays, start, end",
            )
    return hours
