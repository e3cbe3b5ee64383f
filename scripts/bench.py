"""Benchmark Retainer at practice scale: generate books, time bean-check, Fava and import.

Usage (``make bench`` runs the defaults)::

    .venv/bin/python scripts/bench.py [--sizes small,medium,large] [--runs 3]
        [--out bench/results.md] [--workdir bench/books] [--skip fava,import,statements]

Beancount itself is the floor we cannot go below, so every figure is a ratio against
Beancount doing the same work without us: ``bean-check`` of the books with the plugin
line, without it, and with the plugin's output *materialized* (written in as text with
Beancount's printer). Each measurement runs in a fresh subprocess, because Fava reloads
and ``bean-check`` both start cold, and import time is part of what a user waits for.

The books are deterministic (a seeded ``random.Random``), so two runs on two machines
time the same bytes. They are regenerated only when the generator or the size changes
(a stamp file in each size's folder records both).
"""

from __future__ import annotations

import argparse
import calendar
import compileall
import datetime
import hashlib
import importlib.metadata
import json
import os
import pickle
import platform
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
#: Bump when the generated books change shape, so old books in the workdir are rebuilt.
GENERATOR_VERSION = "3"
SEED = 20260101
TITLE = "Bench Practice"
TODAY = "2030-01-01"  # RETAINER_TODAY: the horizon comes from accrue_through anyway
PLUGIN_LINE = 'plugin "plugins.retainer" "../contracts"'


@dataclass(frozen=True)
class Size:
    """One benchmark size: how many clients, over which years, with about how much time."""

    name: str
    clients: int
    first_year: int
    years: int
    entries: int  # target number of time entries (the generator lands within a few %)

    @property
    def last_month(self) -> tuple[int, int]:
        return self.first_year + self.years - 1, 12


SIZES: dict[str, Size] = {
    size.name: size
    for size in (
        Size("tiny", clients=8, first_year=2025, years=1, entries=1_500),
        Size("practice", clients=5, first_year=2023, years=3, entries=4_000),  # a one-person shop
        Size("small", clients=20, first_year=2023, years=3, entries=15_000),
        Size("medium", clients=50, first_year=2021, years=5, entries=100_000),
        Size("large", clients=100, first_year=2016, years=10, entries=500_000),
    )
}

STAFF = {f"tech{n:02d}": Decimal(30 + 3 * n) for n in range(1, 11)}
UNLISTED_STAFF = "contractor"  # costs default_cost_rate
NOTES = (
    "Reset password and MFA",
    "Patched workstations",
    "Printer offline again",
    "Replaced switch in server room",
    "Backup job failed: reran and verified",
    "Onboarded new hire laptop",
    "Firewall rule change",
    "VPN client reinstall",
    "Monthly service report",
    "Email migration follow-up",
)
CONTRACT_KINDS = (
    "flat",  # monthly fee, remote unlimited, onsite included, rounding, minimum, travel
    "per-device",  # per_device x devices, included hours, a mid-month term change
    "break-fix",  # no fee, no included hours, rates, after-hours multiplier, trip fee
    "term-changes",  # a price rise and device change every January
    "ends",  # agreement ends mid-month, partway through the period
    "late-start",  # starts mid-month: a prorated first month
    "unlimited",  # everything included, no rates at all
    "pro-bono-onsite",  # rates: {onsite: 0}, travel by distance
)


# --------------------------------------------------------------------------- generation


@dataclass
class Client:
    """What the generator needs to know about a client to write time inside its terms."""

    client: str
    name: str
    account: str
    kind: str
    start: datetime.date
    ends: datetime.date | None
    weight: float  # relative amount of work


@dataclass
class BookPaths:
    """Where one size's books live; the three ledgers share contracts and time."""

    root: Path

    @property
    def contracts(self) -> Path:
        return self.root / "contracts"

    @property
    def ledger_dir(self) -> Path:
        return self.root / "ledger"

    @property
    def plugin(self) -> Path:
        return self.ledger_dir / "main.beancount"

    @property
    def noplugin(self) -> Path:
        return self.ledger_dir / "noplugin.beancount"

    @property
    def materialized(self) -> Path:
        return self.ledger_dir / "materialized.beancount"

    @property
    def accruals(self) -> Path:
        return self.ledger_dir / "accruals.beancount"

    @property
    def floor(self) -> Path:
        """The books with the plugin's entries handed in by ``scripts.floor_plugin``."""
        return self.ledger_dir / "floor.beancount"

    @property
    def read_floor(self) -> Path:
        """The floor's books, with the plugin's reading of the time (and nothing billed)."""
        return self.ledger_dir / "readfloor.beancount"

    @property
    def generated(self) -> Path:
        """The plugin's entries for these books, pickled, for the floor."""
        return self.ledger_dir / "generated.pickle"

    @property
    def toggl(self) -> Path:
        return self.root / "toggl-export.csv"

    @property
    def stamp(self) -> Path:
        return self.root / ".stamp-bench"


def _month_add(year: int, month: int, count: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + count
    return index // 12, index % 12 + 1


def make_clients(size: Size) -> list[Client]:
    """The size's clients, cycling through every kind of contract."""
    rng = random.Random(f"{SEED}-clients-{size.name}")
    months = size.years * 12
    found = []
    for index in range(size.clients):
        kind = CONTRACT_KINDS[index % len(CONTRACT_KINDS)]
        start = datetime.date(size.first_year, 1, 1)
        ends = None
        if kind == "late-start":
            year, month = _month_add(size.first_year, 1, index % max(1, months // 3))
            start = datetime.date(year, month, 9 + index % 15)
        if kind == "ends":
            year, month = _month_add(size.first_year, 1, max(2, months * 3 // 5 + index % 5))
            ends = datetime.date(year, month, 20)
        slug = f"client-{index:03d}"
        found.append(
            Client(
                client=slug,
                name=f"Client {index:03d} {kind.title()}",
                account=f"Client{index:03d}",
                kind=kind,
                start=start,
                ends=ends,
                weight=rng.uniform(0.4, 1.6),
            )
        )
    return found


def contract_yaml(client: Client, size: Size) -> str:
    """A contract of the client's kind (every contract key appears in some contract)."""
    head = [
        f"# Benchmark contract ({client.kind}); generated by scripts/bench.py",
        f"client: {client.client}",
        f"name: {client.name}",
        f"account: {client.account}",
        f"aliases: [{client.name.upper()}]",
    ]
    if client.ends is not None:
        head.append(f"ends: {client.ends.isoformat()}")
    head.append("terms:")
    first = client.start.isoformat()
    kind = client.kind
    terms: list[str]
    if kind in ("flat", "ends", "late-start"):
        terms = [
            f"  - from: {first}",
            "    monthly_fee: 900.00",
            "    included_hours: {remote: unlimited, onsite: 4}",
            "    rates: {remote: 95, onsite: 125}",
            "    after_hours_multiplier: 1.5",
            "    rounding_minutes: 15",
            "    onsite_minimum_hours: 1",
            "    travel: {trip_fee: 45, per_km: 0.55, distance_km: 30}",
        ]
    elif kind == "per-device":
        year, month = _month_add(size.first_year, 1, size.years * 6)
        terms = [
            f"  - from: {first}",
            "    monthly_fee: 250",
            "    per_device: {workstation: 45, server: 150}",
            "    devices: {workstation: 12, server: 1}",
            "    included_hours: {remote: 6, onsite: 2}",
            "    rates: {remote: 105, onsite: 135}",
            "    rounding_minutes: 6",
            f"  - from: {datetime.date(year, month, 15).isoformat()}",
            "    devices: {workstation: 15}",
            "    included_hours: {remote: 8}",
        ]
    elif kind == "break-fix":
        terms = [
            f"  - from: {first}",
            "    rates: {remote: 95.00, onsite: 120.00}",
            "    after_hours_multiplier: 2",
            "    rounding_minutes: 15",
            "    onsite_minimum_hours: 1",
            "    travel: {trip_fee: 50.00}",
        ]
    elif kind == "term-changes":
        terms = [
            f"  - from: {first}",
            "    monthly_fee: 600",
            "    per_device: {workstation: 40}",
            "    devices: {workstation: 8}",
            "    included_hours: {remote: 5, onsite: 1}",
            "    rates: {remote: 90, onsite: 115}",
            "    travel: {trip_fee: 30}",
        ]
        for offset in range(1, size.years):
            terms += [
                f"  - from: {size.first_year + offset}-01-01",
                f"    monthly_fee: {600 + 25 * offset}",
                f"    devices: {{workstation: {8 + offset}}}",
            ]
    elif kind == "unlimited":
        terms = [
            f"  - from: {first}",
            "    monthly_fee: 2400",
            "    included_hours: {remote: unlimited, onsite: unlimited}",
        ]
    else:  # pro-bono-onsite
        terms = [
            f"  - from: {first}",
            "    monthly_fee: 400",
            "    included_hours: {remote: 3}",
            "    rates: {remote: 85, onsite: 0}",
            "    rounding_minutes: 30",
            "    travel: {per_km: 0.6, distance_km: 42}",
        ]
    return "\n".join([*head, *terms]) + "\n"


def practice_yaml(size: Size) -> str:
    year, month = size.last_month
    staff = "\n".join(f"  {key}: {{cost_rate: {rate}}}" for key, rate in STAFF.items())
    return (
        "# Benchmark practice; generated by scripts/bench.py\n"
        "currency: USD\n"
        "default_cost_rate: 35\n"
        f"staff:\n{staff}\n"
        "target_hourly_rate: 110\n"
        "target_margin: 0.45\n"
        f"accrue_through: {year}-{month:02d}\n"
    )


def _days(size: Size) -> Iterator[datetime.date]:
    day = datetime.date(size.first_year, 1, 1)
    last = datetime.date(size.first_year + size.years - 1, 12, 31)
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


def time_entries(size: Size, clients: Sequence[Client]) -> Iterator[tuple[datetime.date, str]]:
    """``(date, text)`` of every time entry, in date order: workdays busy, weekends quiet."""
    rng = random.Random(f"{SEED}-time-{size.name}")
    workdays = sum(1 for day in _days(size) if day.weekday() < 5)
    total_weight = sum(c.weight for c in clients)
    per_day = size.entries / workdays / total_weight  # expected entries per weight unit and workday
    staff = [*STAFF, UNLISTED_STAFF]
    serial = 0
    for day in _days(size):
        factor = per_day if day.weekday() < 5 else per_day * 0.05
        for client in clients:
            if day < client.start or (client.ends is not None and day > client.ends):
                continue
            expected = factor * client.weight
            count = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
            onsite_day = rng.random() < 0.12
            for _ in range(count):
                serial += 1
                kind = "onsite" if onsite_day and rng.random() < 0.7 else "remote"
                hours = Decimal(rng.choice((5, 10, 15, 20, 25, 30, 45, 50, 60, 75, 90, 120, 180))) / 60
                text = (
                    f'{day} custom "time" "{client.client}" "{kind}" {hours.quantize(Decimal("0.01"))}\n'
                    f'  staff: "{rng.choice(staff)}"\n'
                    f'  note: "{rng.choice(NOTES)}"\n'
                    f'  id: "bench:{serial:08d}"\n'
                )
                if rng.random() < 0.05:
                    text += "  after-hours: TRUE\n"
                if rng.random() < 0.08:
                    text += "  billable: FALSE\n"
                yield day, text


def main_ledger(size: Size, clients: Sequence[Client], *, plugin: bool, extra_include: str | None) -> str:
    """The top-level ledger: options, opens, monthly client payments and payroll."""
    lines = [
        f"; {size.name} benchmark books, generated by scripts/bench.py (deterministic).",
        f'option "title" "{TITLE}"',
        'option "operating_currency" "USD"',
        "",
    ]
    if plugin:
        lines.append(PLUGIN_LINE)
    lines += [
        '2000-01-01 custom "fava-extension" "plugins.margin"',
        "",
        'include "time/*.beancount"',
    ]
    if extra_include:
        lines.append(f'include "{extra_include}"')
    start = datetime.date(size.first_year, 1, 1)
    lines.append("")
    for account in (
        "Assets:Bank:Checking",
        "Equity:Owner:Capital",
        "Expenses:Payroll:Wages",
        "Expenses:Office:Rent",
        "Expenses:Labor:Allocated",
    ):
        lines.append(f"{start} open {account} USD")
    for client in clients:
        lines.append(f"{client.start} open Assets:Receivable:{client.account} USD")
        lines.append(f"{client.start} open Expenses:Clients:{client.account}:Software USD")
    lines += [
        "",
        f'{start} * "Owner" "Opening capital"',
        "  Assets:Bank:Checking  250000.00 USD",
        "  Equity:Owner:Capital",
    ]
    rng = random.Random(f"{SEED}-ledger-{size.name}")
    for year in range(size.first_year, size.first_year + size.years):
        for month in range(1, 13):
            last = datetime.date(year, month, calendar.monthrange(year, month)[1])
            lines += [
                "",
                f'{last} * "Payroll" "Wages {year}-{month:02d}"',
                f"  Expenses:Payroll:Wages  {30000 + 100 * (year - size.first_year)}.00 USD",
                "  Assets:Bank:Checking",
                "",
                f'{datetime.date(year, month, 1)} * "Landlord" "Rent"',
                "  Expenses:Office:Rent  2500.00 USD",
                "  Assets:Bank:Checking",
            ]
            paid = datetime.date(year, month, 12)
            for client in clients:
                if paid < client.start or (client.ends is not None and paid > client.ends):
                    continue
                lines += [
                    "",
                    f'{paid} * "{client.name}" "Payment"',
                    f"  Assets:Bank:Checking  {rng.randrange(400, 3000)}.00 USD",
                    f"  Assets:Receivable:{client.account}",
                ]
                if month % 6 == 0:
                    lines += [
                        "",
                        f'{paid} * "SaaS vendor" "Licences for {client.name}"',
                        f"  Expenses:Clients:{client.account}:Software  {rng.randrange(20, 200)}.00 USD",
                        "  Assets:Bank:Checking",
                    ]
    return "\n".join(lines) + "\n"


def _stamp_text(size: Size) -> str:
    return json.dumps({"version": GENERATOR_VERSION, "size": size.__dict__}, sort_keys=True)


def plugin_digest() -> str:
    """A hash of the plugin's source: the materialized books are its output, so they are
    printed again whenever it changes (the rest of the books only when the generator does)."""
    digest = hashlib.sha256()
    plugin_files = [*(ROOT / "plugins").glob("*.py"), *(ROOT / "plugins" / "billing").glob("*.py")]
    for path in sorted(plugin_files):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def generate(size: Size, paths: BookPaths, *, force: bool = False) -> int:
    """Write the size's books (unless already there); returns the number of time entries."""
    stamp = _stamp_text(size)
    if not force and paths.stamp.is_file():
        recorded = json.loads(paths.stamp.read_text(encoding="utf-8"))
        if recorded.get("stamp") == stamp:
            if recorded.get("plugin") != plugin_digest() or not paths.read_floor.is_file():
                materialize(paths)
                recorded["plugin"] = plugin_digest()
                paths.stamp.write_text(json.dumps(recorded), encoding="utf-8")
            return int(recorded["entries"])
    if paths.root.exists():
        shutil.rmtree(paths.root)
    paths.contracts.mkdir(parents=True)
    (paths.ledger_dir / "time").mkdir(parents=True)
    clients = make_clients(size)
    (paths.contracts / "practice.yaml").write_text(practice_yaml(size), encoding="utf-8")
    for client in clients:
        (paths.contracts / f"{client.client}.yaml").write_text(contract_yaml(client, size), encoding="utf-8")
    count = 0
    by_month: dict[str, list[str]] = {}
    for day, text in time_entries(size, clients):
        by_month.setdefault(f"{day.year}-{day.month:02d}", []).append(text)
        count += 1
    for month, texts in by_month.items():
        body = "\n".join(texts)
        (paths.ledger_dir / "time" / f"{month}.beancount").write_text(body, encoding="utf-8")
    paths.plugin.write_text(main_ledger(size, clients, plugin=True, extra_include=None), encoding="utf-8")
    paths.noplugin.write_text(main_ledger(size, clients, plugin=False, extra_include=None), encoding="utf-8")
    materialize(paths)
    paths.materialized.write_text(
        main_ledger(size, clients, plugin=False, extra_include=paths.accruals.name), encoding="utf-8"
    )
    if size.name == "large" or size.name == "tiny":
        write_toggl_export(size, clients, paths.toggl, rows=100_000 if size.name == "large" else 500)
    record = {"stamp": stamp, "entries": count, "plugin": plugin_digest()}
    paths.stamp.write_text(json.dumps(record), encoding="utf-8")
    return count


def materialize(paths: BookPaths) -> None:
    """Write what the plugin generates for these books as Beancount text (its printer).

    The books without the plugin line are loaded, then billed with the plugin's own
    billing pass (``plugins.books``): exactly the entries ``plugins.retainer`` appends on a
    normal load.
    """
    from beancount import loader
    from beancount.parser import printer

    from plugins.books import Books

    loader.initialize(use_cache=False)  # no 90 MB pickle beside the books
    entries, errors, _ = loader.load_file(str(paths.noplugin))
    if errors:
        raise SystemExit(f"{paths.noplugin}: {len(errors)} errors before billing: {errors[0].message}")
    books = Books.of(entries, paths.contracts)
    generated = books.drain(entries)
    if books.errors:
        raise SystemExit(f"{paths.root}: the plugin reported {len(books.errors)} errors: {books.errors[0]}")
    with paths.accruals.open("w", encoding="utf-8") as out:
        out.write("; What plugins.retainer generates for these books, printed by Beancount.\n\n")
        printer.print_entries(generated, file=out)
    with paths.generated.open("wb") as binary:
        pickle.dump(generated, binary, protocol=pickle.HIGHEST_PROTOCOL)
    text = paths.plugin.read_text(encoding="utf-8")
    if PLUGIN_LINE not in text:
        raise SystemExit(f"{paths.plugin}: no line {PLUGIN_LINE!r} to hand the floor's entries in for")
    floors = ((paths.floor, paths.generated.name), (paths.read_floor, f"{paths.generated.name} read"))
    for ledger, config in floors:
        floor_line = f'plugin "scripts.floor_plugin" "{config}"'
        ledger.write_text(text.replace(PLUGIN_LINE, floor_line), encoding="utf-8")


def write_toggl_export(size: Size, clients: Sequence[Client], path: Path, rows: int) -> None:
    """A Toggl Track detailed report of new work in the books' last two years.

    The rows fall between existing entries, so ``retainer import`` has to merge into
    existing month files and de-duplicate against them.
    """
    rng = random.Random(f"{SEED}-toggl-{size.name}")
    last_year, _ = size.last_month
    first = datetime.date(max(size.first_year, last_year - 1), 1, 1)
    last = datetime.date(last_year, 12, 31)
    span = (last - first).days + 1
    active = [c for c in clients if c.ends is None or c.ends >= last]
    users = [(f"Tech {key[-2:]}", f"{key}@example.com") for key in STAFF]
    header = (
        "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,"
        "End date,End time,Duration,Tags,Amount (USD)\n"
    )
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(header)
        for _ in range(rows):
            client = rng.choice(active)
            day = first + datetime.timedelta(days=rng.randrange(span))
            if day < client.start:
                day = client.start
            minutes = rng.choice((5, 10, 15, 20, 30, 45, 60, 90, 120))
            start_minutes = rng.randrange(8 * 60, 17 * 60)
            end_minutes = start_minutes + minutes
            user, email = rng.choice(users)
            onsite = rng.random() < 0.12
            tags = "On-site" if onsite else ""
            billable = "No" if rng.random() < 0.08 else "Yes"
            out.write(
                f"{user},{email},{client.name},Support,,{rng.choice(NOTES)} #{rng.randrange(10**9)},"
                f"{billable},{day},{start_minutes // 60:02d}:{start_minutes % 60:02d}:00,{day},"
                f"{end_minutes // 60:02d}:{end_minutes % 60:02d}:00,"
                f"{minutes // 60:02d}:{minutes % 60:02d}:00,{tags},0.00\n"
            )


# --------------------------------------------------------------------------- measuring


@dataclass
class Sample:
    """One subprocess: wall seconds, CPU seconds (user + system) and peak resident MiB.

    CPU time is reported beside wall time because it barely moves when something else
    runs on the machine, so its ratios stay meaningful on a shared 2-core box.
    """

    seconds: float
    rss_mib: float
    cpu: float = 0.0


@dataclass
class Series:
    """Repeated samples of one measurement, and the exact command behind them."""

    command: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def rss(self) -> float:
        return statistics.median(s.rss_mib for s in self.samples)

    def spread(self) -> str:
        times = [s.seconds for s in self.samples]
        return f"{min(times):.2f}–{max(times):.2f}"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["RETAINER_TODAY"] = TODAY
    env["PYTHONHASHSEED"] = "0"
    return env


# A child's peak-RSS high-water mark starts at its parent's RSS at fork() and survives
# exec(): forked straight from this process (which holds the large books while it writes
# them, ~1 GB), every child would report at least that. So a small launcher process forks
# the command, waits for it and reports the command's own wall time, CPU time and RSS.
_LAUNCHER = """
import os, sys, time
report, argv = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(argv[0], argv)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(report, "w") as out:
    cpu = usage.ru_utime + usage.ru_stime
    out.write(f"{seconds} {usage.ru_maxrss} {cpu} {os.waitstatus_to_exitcode(status)}")
"""


def run_measured(
    argv: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[Sample, str]:
    """Run ``argv`` in a fresh process (``env``: variables added); its own wall time, CPU
    time (its children's included) and peak RSS."""
    with tempfile.NamedTemporaryFile("r", suffix=".rusage") as report:
        launcher = [sys.executable, "-c", _LAUNCHER, report.name, *argv]
        environment = {**_env(), **(env or {})}
        proc = subprocess.run(
            launcher, cwd=cwd, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        text = proc.stdout.decode("utf-8", "replace")
        fields = report.read().split()
    if proc.returncode != 0 or len(fields) != 4 or fields[3] != "0":
        raise SystemExit(f"{shlex.join(argv)} failed:\n{text[-3000:]}")
    seconds, max_rss_kib, cpu = float(fields[0]), int(fields[1]), float(fields[2])
    return Sample(seconds, max_rss_kib / 1024, cpu), text


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def bean_check(ledger: Path) -> list[str]:
    return [_rel(BIN / "bean-check"), "--no-cache", _rel(ledger)]


def measure_checks(paths: BookPaths, runs: int, log: Callable[[str], None]) -> dict[str, Series]:
    """bean-check with the plugin, without its line, materialized, and with the plugin's
    entries handed in (the floor: its reading of them taken off); interleaved runs."""
    variants = {
        "plugin": paths.plugin,
        "noplugin": paths.noplugin,
        "materialized": paths.materialized,
        "floor": paths.floor,
        "read floor": paths.read_floor,
    }
    series = {name: Series(shlex.join(bean_check(ledger))) for name, ledger in variants.items()}
    for run in range(runs):
        for name, ledger in variants.items():
            if name in ("floor", "read floor"):
                sample = _floor_check(ledger)
            else:
                sample, _ = run_measured(bean_check(ledger), cwd=ROOT)
            series[name].samples.append(sample)
            log(
                f"  run {run + 1}/{runs} bean-check {name:12s} {sample.seconds:7.2f} s"
                f" (cpu {sample.cpu:6.2f} s) {sample.rss_mib:7.0f} MiB"
            )
    return series


def _floor_check(ledger: Path) -> Sample:
    """One bean-check of the floor's books, less the CPU its plugin spent reading the pickle
    (``scripts.floor_plugin``): what Beancount spends on the plugin's entries, and no more."""
    from scripts.floor_plugin import REPORT_VARIABLE

    with tempfile.NamedTemporaryFile("r", suffix=".floor") as report:
        sample, _ = run_measured(bean_check(ledger), cwd=ROOT, env={REPORT_VARIABLE: report.name})
        reading = sum(float(line) for line in report.read().split())
    return Sample(sample.seconds - reading, sample.rss_mib, sample.cpu - reading)


FAVA_CHILD = "--fava-child"
#: The pages timed against Fava's income statement, and their names in the results.
FAVA_PAGES = {
    "margin": "Client Margin",
    "recurring": "Recurring Revenue",
    "utilization": "Utilization",
    "statements": "every client's statement",
}


def fava_child(ledger: str, requests: int) -> None:
    """In a fresh process: load Fava once, warm up, then time both pages alternately."""
    from fava.application import create_app

    started = time.perf_counter()
    app = create_app([str(Path(ledger).resolve())], load=True)  # Fava wants an absolute path
    app.testing = True
    client = app.test_client()
    load_seconds = time.perf_counter() - started
    location = client.get("/").headers.get("Location", "")
    slug = location.strip("/").split("/")[0]
    pages: dict[str, list[str]] = {
        "margin": [f"/{slug}/extension/ClientMargin/"],
        "recurring": [f"/{slug}/extension/RecurringRevenue/"],
        "utilization": [f"/{slug}/extension/Utilization/"],
        "statements": _statement_urls(app, slug),
        "income_statement": [f"/{slug}/api/income_statement"],
    }
    timings: dict[str, list[float]] = {name: [] for name in pages}
    for urls in pages.values():  # warm: the first request builds caches
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"GET {url}: {response.status_code}")
    for _ in range(requests):
        for name, urls in pages.items():
            started = time.perf_counter()  # "statements": every client's, one after another
            for url in urls:
                response = client.get(url)
                assert response.status_code == 200, url
            timings[name].append(time.perf_counter() - started)
    found = {"load": load_seconds, "timings": timings, "clients": len(pages["statements"])}
    print(json.dumps(found))


def _statement_urls(app: Any, slug: str) -> list[str]:
    """The statement page of every client billed in the books' last accrued month."""
    from plugins.billing.rules import books_horizon, month_label
    from plugins.reports.statement import billed_clients

    books = app.config["LEDGERS"][slug].extensions.get_extension("ClientMargin").books
    month = books_horizon(books.practice, books.today)
    return [
        f"/{slug}/extension/ClientMargin/statement?client={client}&month={month_label(month)}"
        for client in billed_clients(books, month)
    ]


RELOAD_CHILD = "--reload-child"


def _edit_first_entry(time_file: Path, text: str, run: int) -> None:
    """``text`` (the month's time file as generated) with other hours for its first entry
    in each run: the edit a user saves from Fava's editor."""
    first_line = text.split("\n", 1)[0]
    edited = first_line.rsplit(" ", 1)[0] + f" {run + 1}.25"
    time_file.write_text(text.replace(first_line, edited, 1), encoding="utf-8")


def _full_collections() -> list[float]:
    """``[seconds, started]``: from now on, ``seconds`` adds up this thread's CPU in the
    collector's full collections (a caller zeroes it per reload)."""
    import gc

    full = [0.0, 0.0]

    def collector(phase: str, info: dict[str, int]) -> None:
        if info["generation"] == 2:
            if phase == "start":
                full[1] = time.thread_time()
            else:
                full[0] += time.thread_time() - full[1]

    gc.callbacks.append(collector)
    return full


#: The ledgers a reload is measured on, each in a Fava process of its own.
RELOAD_LEDGERS = ("plugin", "noplugin", "materialized", "floor")


def reload_child(root: str, runs: int, name: str) -> None:
    """In a fresh process: Fava's reload after editing one time entry of the last month.

    A copy of the books is loaded as the ledger ``name`` (with the plugin line, without it,
    materialized, or the floor: its entries handed in), by Fava's own ``FavaLedger`` as the
    server holds it; then, ``runs`` times, the first entry of the last month's time file
    gets other hours and the ledger reloads. Prints the CPU seconds of each reload (the
    reloading thread's), of the collector's full collections within it, and how many
    clients the plugin billed again in each (``plugins.memo``: the others' bills are the
    last load's).

    One ledger per process, as Fava holds one: in a heap shared by several, when the
    collector runs a full collection, and what it walks, depends on all of them (and the
    plugin's pass leaves the whole heap frozen, ``plugins.billing.gcpause``).
    """
    import tempfile

    from fava.core import FavaLedger

    from plugins.memo import memo_for

    source = BookPaths(Path(root))
    with tempfile.TemporaryDirectory(prefix="bench-reload-") as folder:
        paths = BookPaths(Path(folder))
        shutil.copytree(source.contracts, paths.contracts)
        shutil.copytree(source.ledger_dir, paths.ledger_dir)
        last = sorted((paths.ledger_dir / "time").glob("*.beancount"))[-1]
        ledger_path = {
            "plugin": paths.plugin,
            "noplugin": paths.noplugin,
            "materialized": paths.materialized,
            "floor": paths.floor,
        }
        # The polling watcher: no watcher thread whose CPU would count (and no inotify limit).
        ledger = FavaLedger(str(ledger_path[name]), poll_watcher=True)
        text = last.read_text(encoding="utf-8")
        found: dict[str, Any] = {"reload": [], "full collections": [], "billed": [], "clients": 0}
        full = _full_collections()
        for run in range(runs):
            _edit_first_entry(last, text, run)
            full[0] = 0.0
            started = time.thread_time()  # this thread's CPU: the reload itself
            ledger.load_file()
            found["reload"].append(time.thread_time() - started)
            found["full collections"].append(full[0])
            memo = memo_for(ledger.options) if name == "plugin" else None
            if memo is not None:
                found["billed"].append(len(memo.billed))
                found["clients"] = len(memo.billed) + len(memo.reused)
    print(json.dumps(found))


MEMO_RUNS = "--memo-pairs"
MEMO_CHILD = "--memo-child"


MEMO_VARIANTS = ("memo", "none", "unheld")


def memo_pairs(root: str, runs: int) -> None:
    """What the bills memo (``plugins.memo``) and the held heap (``gc_paused(hold=True)``)
    save a Fava reload: processes with both ("memo"), without the memo ("none") and with
    the heap left unfrozen after the pass ("unheld"), in turn (two rounds), each holding
    one ``FavaLedger`` over a copy of the books and reloading it ``runs`` times after an
    edit. Prints, per variant, the
    median CPU seconds of a reload, of the plugin's call within it, and of the collector's
    full collections within it (the noisiest part: they walk a heap holding two loads).

    Separate processes, not two ledgers in one: in one heap, when the collector runs a
    full collection depends on both ledgers' objects, and it ran in the memo's reloads or
    in the other's by the heap's make-up, not by what each reload does.
    """
    found: dict[str, dict[str, list[float]]] = {}
    for _ in range(2):
        for variant in MEMO_VARIANTS:
            argv = [sys.executable, str(Path(__file__)), MEMO_CHILD, root, str(runs), variant]
            done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=True)
            for name, values in json.loads(done.stdout.strip().splitlines()[-1]).items():
                found.setdefault(variant, {}).setdefault(name, []).extend(values)
    medians = {v: {name: statistics.median(values) for name, values in d.items()} for v, d in found.items()}
    print(json.dumps({"median": medians, "runs": found}))


def memo_child(root: str, runs: int, variant: str) -> None:
    """One process of ``memo_pairs``: ``variant`` "none" has the plugin keep no memo (its
    ``memo_for`` replaced, in this process only), "unheld" has it leave the heap unfrozen
    (its ``gc_paused`` told not to hold)."""
    import tempfile

    from fava.core import FavaLedger

    import plugins.retainer

    if variant == "none":
        plugins.retainer.memo_for = lambda options_map: None
    if variant == "unheld":
        paused = plugins.retainer.gc_paused

        def unheld(*, long_lived: bool = False, hold: bool = False) -> Any:
            return paused(long_lived=long_lived)

        plugins.retainer.gc_paused = unheld
    plugin = plugins.retainer.retainer
    inside: list[float] = []

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return plugin(*args, **kwargs)
        finally:
            inside.append(time.thread_time() - started)

    plugins.retainer.retainer = timed
    full = _full_collections()
    source = BookPaths(Path(root))
    timings: dict[str, list[float]] = {"reload": [], "plugin": [], "full collections": []}
    with tempfile.TemporaryDirectory(prefix="bench-memo-") as folder:
        paths = BookPaths(Path(folder))
        shutil.copytree(source.contracts, paths.contracts)
        shutil.copytree(source.ledger_dir, paths.ledger_dir)
        ledger = FavaLedger(str(paths.plugin), poll_watcher=True)
        last = max((paths.ledger_dir / "time").glob("*.beancount"))
        text = last.read_text(encoding="utf-8")
        for run in range(runs):
            _edit_first_entry(last, text, run)
            inside.clear()
            full[0] = 0.0
            started = time.thread_time()
            ledger.load_file()
            timings["reload"].append(time.thread_time() - started)
            timings["plugin"].append(sum(inside))
            timings["full collections"].append(full[0])
    print(json.dumps(timings))


def measure_reload(paths: BookPaths, runs: int) -> dict[str, Any]:
    """Each ledger reloaded in a process of its own, in two rounds (the second in the
    reverse order), ``runs`` reloads per ledger in all."""
    found: dict[str, Any] = {"reload": {}, "full collections": {}, "billed": [], "clients": 0}
    child_argv = [_rel(Path(sys.executable)), _rel(Path(__file__)), RELOAD_CHILD, _rel(paths.root)]
    for round_ in range(2):
        order = RELOAD_LEDGERS if round_ == 0 else tuple(reversed(RELOAD_LEDGERS))
        count = (runs + 1 - round_) // 2  # 5 runs: 3, then 2
        for name in order if count else ():
            _, output = run_measured([*child_argv, str(count), name], cwd=ROOT)
            child = json.loads(output.strip().splitlines()[-1])
            for key in ("reload", "full collections"):
                found[key].setdefault(name, []).extend(child[key])
            found["billed"].extend(child["billed"])
            found["clients"] = child["clients"] or found["clients"]
    found["command"] = shlex.join([*child_argv, "N", "|".join(RELOAD_LEDGERS)])
    return found


def measure_fava(paths: BookPaths, requests: int) -> dict[str, Any]:
    argv = [_rel(Path(sys.executable)), _rel(Path(__file__)), FAVA_CHILD, _rel(paths.plugin), str(requests)]
    _, output = run_measured(argv, cwd=ROOT)
    found: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    found["command"] = shlex.join(argv)
    return found


def measure_import(paths: BookPaths, runs: int, log: Callable[[str], None]) -> Series:
    """``retainer import`` of the Toggl export into a fresh copy of the books, per run."""
    copy = paths.root.parent / f"{paths.root.name}-import"
    series = Series("")
    for run in range(runs):
        if copy.exists():
            shutil.rmtree(copy)
        shutil.copytree(paths.contracts, copy / "contracts")
        shutil.copytree(paths.ledger_dir, copy / "ledger")
        argv = [
            _rel(BIN / "retainer"),
            "import",
            "--ledger",
            _rel(copy / "ledger" / "main.beancount"),
            _rel(paths.toggl),
        ]
        series.command = shlex.join(argv)
        sample, _ = run_measured(argv, cwd=ROOT)
        series.samples.append(sample)
        log(f"  run {run + 1}/{runs} retainer import      {sample.seconds:7.2f} s {sample.rss_mib:7.0f} MiB")
    shutil.rmtree(copy)  # 65 MB of books we no longer need
    return series


def measure_statements(paths: BookPaths, size: Size, runs: int, log: Callable[[str], None]) -> dict[str, Any]:
    """``retainer statement --all`` of the last month, as PDFs: each run first as a first
    run (no Beancount cache, an empty PDF cache), then again (both caches as the first left
    them, the files already written: what a user's second run finds)."""
    month = f"{size.last_month[0]}-{size.last_month[1]:02d}"
    pickle = paths.ledger_dir / f".{paths.plugin.name}.picklecache"
    first, again = Series(""), Series("")
    clients = 0
    for run in range(runs):
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch) / "statements"
            argv = [_rel(BIN / "retainer"), "statement", "--all", month]
            argv += ["--ledger", _rel(paths.plugin), "-o", str(out)]
            env = {"RETAINER_CACHE_DIR": str(Path(scratch) / "pdf-cache")}
            first.command = shlex.join([*argv[:-1], "OUT"])
            again.command = first.command
            pickle.unlink(missing_ok=True)
            sample, _ = run_measured(argv, cwd=ROOT, env=env)
            first.samples.append(sample)
            clients = len(list(out.glob("*.pdf")))
            repeat, _ = run_measured(argv, cwd=ROOT, env=env)
            again.samples.append(repeat)
        log(
            f"  run {run + 1}/{runs} statement --all ({clients} PDFs) first {sample.seconds:6.2f} s,"
            f" again {repeat.seconds:6.2f} s"
        )
    pickle.unlink(missing_ok=True)
    return {"first": first, "again": again, "clients": clients, "month": month}


def measure_startup(runs: int) -> tuple[Series, Series]:
    """Start-up with Beancount's loader alone, and with ``plugins.retainer`` imported too.

    The difference is what importing the plugin costs every ``bean-check`` and Fava start.
    """
    found = []
    for code in ("import beancount.loader", "import beancount.loader, plugins.retainer"):
        argv = [_rel(Path(sys.executable)), "-c", code]
        series = Series(shlex.join(argv))
        for _ in range(runs):
            series.samples.append(run_measured(argv, cwd=ROOT)[0])
        found.append(series)
    return found[0], found[1]


def heavy_modules() -> list[str]:
    """Modules the plugin must not pull in (click, fava, jinja2): they slow every check."""
    code = "import sys, plugins.retainer; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    loaded = set(out.stdout.split())
    return sorted(name for name in ("click", "fava", "jinja2", "flask") if name in loaded)


# --------------------------------------------------------------------------- verification


def balances(ledger: Path) -> dict[str, dict[str, Decimal]]:
    """Account -> currency -> balance of a ledger, after a full load."""
    from beancount import loader
    from beancount.core import data

    loader.initialize(use_cache=False)
    entries, errors, _ = loader.load_file(str(ledger))
    if errors:
        raise SystemExit(f"{ledger}: {len(errors)} errors: {errors[0].message}")
    found: dict[str, dict[str, Decimal]] = {}
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                units = posting.units
                assert units is not None and units.number is not None
                per = found.setdefault(posting.account, {})
                per[units.currency] = per.get(units.currency, Decimal(0)) + units.number
    return found


def verify(paths: BookPaths) -> bool:
    """The plugin's books, the materialized books and the floor's balance to the same figure
    per account."""
    billed = balances(paths.plugin)
    return billed == balances(paths.materialized) == balances(paths.floor)


# --------------------------------------------------------------------------- reporting


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for package in ("beancount", "fava", "beangulp", "PyYAML", "retainer"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, cwd=ROOT, check=False
    ).stdout.strip()
    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "commit": commit or "unknown",
        # Other work on the machine disturbs wall time most: compare CPU columns when high.
        "load average at the end (1, 5, 15 min)": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


@dataclass
class SizeResult:
    size: Size
    entries: int
    bytes: int
    checks: dict[str, Series]
    verified: bool
    fava: dict[str, Any] | None = None
    imports: Series | None = None
    reload: dict[str, Any] | None = None  # Fava reload CPU seconds, with and without the plugin
    statements: dict[str, Any] | None = None  # retainer statement --all, first run and again


def _ratio(value: float, target: float, goal: float | None = None) -> str:
    verdict = "met" if value <= target else "MISSED"
    if goal is not None and value <= goal:
        verdict = "met (goal too)"
    return f"{value:.3f} (target ≤ {target:.2f}{f', goal {goal:.2f}' if goal else ''}: {verdict})"


def report(
    results: list[SizeResult], startup: tuple[Series, Series], heavy: list[str], argv: Sequence[str]
) -> str:
    """The markdown of ``bench/results.md``: machine, commands, figures, ratios."""
    info = machine()
    lines = [
        "# Benchmark results",
        "",
        "Generated by `scripts/bench.py` (`make bench`); do not edit by hand.",
        f"Run: `{shlex.join(['.venv/bin/python', 'scripts/bench.py', *argv])}`"
        f" on {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}.",
        "",
        "## Machine",
        "",
        *(f"- {key}: {value}" for key, value in info.items()),
        "",
        "## Books",
        "",
        "| size | clients | years | time entries | ledger MB | plugin = materialized |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.size.name} | {r.size.clients} | {r.size.years} | {r.entries:,} | {r.bytes / 1e6:.1f} |"
            f" {'yes' if r.verified else 'NO'} |"
        )
    lines += [
        "",
        "## bean-check",
        "",
        "Each run is a fresh process. Wall: median seconds (min–max); CPU: median user+system"
        " seconds; RSS: median peak resident MiB. *Floor*: the books with the plugin's entries,"
        " made beforehand, handed in by a plugin that does no work (`scripts/floor_plugin.py`;"
        " its reading of them is taken off): what Beancount spends on the plugin's entries, the"
        " least any plugin adding them can cost. *Floor, the time read*: the same, after the"
        " plugin's own import and reading of the contracts and the time, billing nothing: the"
        " least a plugin that reads the time in each check can cost. *Own*: with plugin −"
        " floor, the plugin's own work (its import, reading the time, billing, posting).",
        "",
        "| size | variant | wall s | CPU s | RSS MiB |",
        "|---|---|---|---:|---:|",
    ]
    labels = {
        "plugin": "with plugin",
        "noplugin": "without plugin line",
        "materialized": "materialized",
        "floor": "floor (its entries handed in)",
        "read floor": "floor, the time read",
    }
    for r in results:
        for key, label in labels.items():
            series = r.checks[key]
            lines.append(
                f"| {r.size.name} | {label} | {series.median:.2f} ({series.spread()}) | {series.cpu:.2f}"
                f" | {series.rss:.0f} |"
            )
    lines += [
        "",
        "| size | with/without (wall) | with/without (CPU) | with/materialized (wall)"
        " | with/materialized (CPU) | RSS with/without | RSS with/materialized | µs per entry (with, wall)"
        " | plugin µs per entry (CPU, with − without) | floor / without (CPU)"
        " | floor, the time read / without (CPU) | own CPU s (with − floor) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        p, n, m = r.checks["plugin"], r.checks["noplugin"], r.checks["materialized"]
        lines.append(
            f"| {r.size.name} | {p.median / n.median:.3f} | {p.cpu / n.cpu:.3f} | {p.median / m.median:.3f}"
            f" | {p.cpu / m.cpu:.3f} | {p.rss / n.rss:.3f} | {p.rss / m.rss:.3f}"
            f" | {p.median / r.entries * 1e6:.1f} | {(p.cpu - n.cpu) / r.entries * 1e6:.2f}"
            f" | {r.checks['floor'].cpu / n.cpu:.3f} | {r.checks['read floor'].cpu / n.cpu:.3f}"
            f" | {p.cpu - r.checks['floor'].cpu:.2f} |"
        )
    lines += [
        "",
        f"Start-up: `{startup[0].command}` {startup[0].median:.3f} s; `{startup[1].command}`"
        f" {startup[1].median:.3f} s: importing the plugin costs"
        f" {(startup[1].median - startup[0].median) * 1000:.0f} ms. Heavy modules on the plugin's"
        f" import path (click, fava, jinja2, flask): {', '.join(heavy) or 'none'}.",
        "",
    ]
    with_fava = [r for r in results if r.fava]
    if with_fava:
        lines += [
            "## Fava (one warm app per size; median seconds per request)",
            "",
            "Each page against Fava's own `/api/income_statement` on the same server (the ratio"
            " after each figure); \"statements\" is every billed client's statement page of the"
            " last accrued month, one after another.",
            "",
            "| size | app load | /api/income_statement | Client Margin | Recurring Revenue"
            " | Utilization | statements (clients) |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in with_fava:
            assert r.fava is not None
            page = {name: statistics.median(times) for name, times in r.fava["timings"].items()}
            income = page["income_statement"]
            cells = [
                f"{page[name]:.3f} ({page[name] / income:.2f})" if name in page else "not measured"
                for name in FAVA_PAGES
            ]
            lines.append(
                f"| {r.size.name} | {r.fava['load']:.2f} | {income:.3f} | {' | '.join(cells)}"
                f" ({r.fava.get('clients', '?')}) |"
            )
        lines.append("")
    with_reload = [r for r in results if r.reload]
    if with_reload:
        lines += [
            "## Fava reload after editing one time entry of the last month",
            "",
            "Fava's `FavaLedger` holds one ledger over a copy of the books, in a process of its"
            " own, as a Fava server does; each run edits the hours of the last month's first entry"
            " and reloads it. Each ledger has two such processes, one after the other ledgers'"
            " and one before. Median CPU seconds per reload (min–max). *Materialized*: the"
            " plugin's transactions written in as text, read by Beancount and indexed by Fava like"
            " the rest; *full collections*: the collector's within a reload, with the plugin and"
            " without its line (the plugin's pass leaves the heap frozen in Fava's process, so"
            " the next reload does not walk the books held meanwhile:"
            " `plugins/billing/gcpause.py`); *billed again*: the clients the plugin billed anew"
            " in a reload (the others' bills are the last load's, `plugins.memo`); *floor*: the"
            " plugin's entries handed in again on every reload by a plugin that does no work, the"
            " heap frozen after it as the plugin leaves it (`scripts/floor_plugin.py`): what"
            " Beancount and Fava spend on the plugin's entries.",
            "",
            "| size | with plugin | without plugin line | materialized | floor | with / without"
            " | with / materialized | materialized / without | floor / without"
            " | full collections, with / without | billed again |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in with_reload:
            assert r.reload is not None
            found = r.reload["reload"]
            w, wo = found["plugin"], found["noplugin"]
            m = found.get("materialized") or wo
            fl = found.get("floor") or wo
            med = statistics.median
            collections = r.reload.get("full collections") or {}
            fw, fwo = (med(collections.get(k) or [0.0]) for k in ("plugin", "noplugin"))
            billed = r.reload.get("billed") or [0]
            lines.append(
                f"| {r.size.name} | {med(w):.2f} ({min(w):.2f}–{max(w):.2f})"
                f" | {med(wo):.2f} ({min(wo):.2f}–{max(wo):.2f})"
                f" | {med(m):.2f} ({min(m):.2f}–{max(m):.2f})"
                f" | {med(fl):.2f} ({min(fl):.2f}–{max(fl):.2f})"
                f" | {med(w) / med(wo):.3f} | {med(w) / med(m):.3f} | {med(m) / med(wo):.3f}"
                f" | {med(fl) / med(wo):.3f}"
                f" | {fw:.2f} / {fwo:.2f}"
                f" | {max(billed)} of {r.reload.get('clients', '?')} |"
            )
        lines.append("")
    with_import = [r for r in results if r.imports]
    if with_import:
        lines += ["## retainer import of a Toggl export", ""]
        for r in with_import:
            assert r.imports is not None
            check = r.checks["plugin"].median
            lines.append(
                f"- {r.size.name}: {r.imports.median:.2f} s ({r.imports.spread()}), {r.imports.rss:.0f} MiB;"
                f" one bean-check of the books {check:.2f} s; ratio {r.imports.median / check:.3f}"
            )
        lines.append("")
    with_statements = [r for r in results if r.statements]
    if with_statements:
        lines += [
            "## retainer statement --all (a PDF for every client billed in the last month)",
            "",
            "First run: no Beancount cache and an empty PDF cache. Again: the same command right"
            " after, with both caches as the first run left them (a PDF whose page is unchanged is"
            " read back, not printed). Wall: median seconds (min–max); CPU includes the printing"
            " processes. Against one `bean-check --no-cache` of the same books, with the plugin.",
            "",
            "| size | PDFs | first run wall s | CPU s | again wall s | bean-check wall s"
            " | first / bean-check | again / bean-check |",
            "|---|---:|---|---:|---|---:|---:|---:|",
        ]
        for r in with_statements:
            assert r.statements is not None
            f, a, bean = r.statements["first"], r.statements["again"], r.checks["plugin"]
            lines.append(
                f"| {r.size.name} | {r.statements['clients']} | {f.median:.2f} ({f.spread()}) | {f.cpu:.2f}"
                f" | {a.median:.2f} ({a.spread()}) | {bean.median:.2f} | {f.median / bean.median:.3f}"
                f" | {a.median / bean.median:.3f} |"
            )
        lines.append("")
    lines += ["## Targets", ""]
    largest = results[-1]
    p, n, m = (largest.checks[k] for k in ("plugin", "noplugin", "materialized"))
    lines += [
        f"On the {largest.size.name} books:",
        "",
        f"- with plugin / materialized: wall {_ratio(p.median / m.median, 1.00, 0.90)};"
        f" CPU {_ratio(p.cpu / m.cpu, 1.00, 0.90)}",
        f"- with / without plugin line: wall {_ratio(p.median / n.median, 1.15, 1.05)};"
        f" CPU {_ratio(p.cpu / n.cpu, 1.15, 1.05)}",
        f"- peak memory with / without: {_ratio(p.rss / n.rss, 1.10)}"
        f" (materialized / without: {m.rss / n.rss:.3f})",
    ]
    for r in results:  # issue 18: at every size, a small practice included
        rp, rn = r.checks["plugin"], r.checks["noplugin"]
        lines.append(
            f"- {r.size.name}: with / without plugin line, CPU {_ratio(rp.cpu / rn.cpu, 1.10, 1.05)};"
            f" with / materialized, CPU {_ratio(rp.cpu / r.checks['materialized'].cpu, 0.95)}"
            f" (floor / without {r.checks['floor'].cpu / rn.cpu:.3f}: Beancount's share;"
            f" with the time read {r.checks['read floor'].cpu / rn.cpu:.3f})"
        )
        if r.reload:
            w, wo = (statistics.median(r.reload["reload"][k]) for k in ("plugin", "noplugin"))
            m = statistics.median(r.reload["reload"].get("materialized") or [wo])
            fl = statistics.median(r.reload["reload"].get("floor") or [wo])
            lines.append(
                f"- {r.size.name}: Fava reload with / without plugin, CPU {_ratio(w / wo, 1.05)}"
                f" (with / materialized {w / m:.3f}; materialized / without {m / wo:.3f};"
                f" floor / without {fl / wo:.3f})"
            )
    if largest.fava:
        income = statistics.median(largest.fava["timings"]["income_statement"])
        for name, title in FAVA_PAGES.items():
            if name in largest.fava["timings"]:
                page = statistics.median(largest.fava["timings"][name])
                if name == "statements":  # each client's statement is a page of its own
                    clients = max(1, int(largest.fava.get("clients", 1)))
                    each = _ratio(page / clients / income, 1.0)
                    lines.append(
                        f"- one client's statement page / income statement: {each}"
                        f" (all {clients}, one after another: {page / income:.3f})"
                    )
                    continue
                lines.append(f"- {title} / income statement: {_ratio(page / income, 1.0)}")
    else:
        lines.append("- Fava pages / income statement: not measured (skipped)")
    hundred = [r for r in with_statements if r.size.clients >= 100]  # the target is for 100 clients
    if not hundred:
        lines.append("- statement --all for 100 clients / bean-check: not measured (no size of 100 clients)")
    for r in hundred:
        assert r.statements is not None
        check = r.checks["plugin"].median
        f, a = r.statements["first"].median, r.statements["again"].median
        lines.append(
            f"- {r.size.name}: statement --all for {r.statements['clients']} clients / one bean-check:"
            f" first run {_ratio(f / check, 1.0)}; again {_ratio(a / check, 1.0)}"
        )
    if largest.imports:
        lines.append(f"- import / bean-check: {_ratio(largest.imports.median / p.median, 0.5)}")
    else:
        lines.append("- import / bean-check: not measured (skipped, or no Toggl export at this size)")
    # The plugin's own µs per entry (CPU, with − without), small books up: a practice's
    # few thousand entries are dominated by the fixed start-up, which the practice row shows.
    grown = [r for r in results if r.size.name not in ("tiny", "practice")]
    if len(grown) > 1:
        per_entry = [(r.checks["plugin"].cpu - r.checks["noplugin"].cpu) / r.entries * 1e6 for r in grown]
        figures = ", ".join(f"{r.size.name} {cost:.2f} µs" for r, cost in zip(grown, per_entry, strict=True))
        low, high = min(per_entry), max(per_entry)
        # Growth is the largest books' cost per entry over the smallest's: above 1, the pass
        # gets dearer per entry as books grow. Below 1 is the fixed start-up spread thinner.
        growth = _ratio(per_entry[-1] / per_entry[0], 1.2) if per_entry[0] > 0 else "not measurable"
        spread = f"{high / low:.3f}" if low > 0 else "not measurable"
        lines.append(
            f"- linear growth of the plugin's CPU µs per entry, with − without ({figures}):"
            f" {grown[-1].size.name} / {grown[0].size.name} {growth}; max/min {spread}"
        )
    lines += ["", "## Commands", ""]
    for r in results:
        lines.append(f"- {r.size.name}:")
        for series in r.checks.values():
            lines.append(f"  - `{series.command}`")
        if r.fava:
            lines.append(f"  - `{r.fava['command']}`")
        if r.reload:
            lines.append(f"  - `{r.reload['command']}`")
        if r.imports:
            lines.append(f"  - `{r.imports.command}` (into a fresh copy of the books each run)")
        if r.statements:
            lines.append(f"  - `{r.statements['first'].command}` (first run, then again)")
    lines += [
        "",
        "`--no-cache` keeps Beancount's pickle cache out of every figure. Each variant is run in",
        "turn within a round (plugin, without, materialized, the floors), so drift on the machine",
        "hits them alike.",
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--sizes", default="practice,small,medium,large", help="comma-separated: " + ",".join(SIZES)
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of each bean-check and import (default 3)")
    parser.add_argument("--requests", type=int, default=5, help="timed requests of each Fava page")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "books")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: fava,import,statements")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the books even if present")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.sizes.split(",") if name.strip()]
    unknown = [name for name in names if name not in SIZES]
    if unknown:
        parser.error(f"unknown size(s) {', '.join(unknown)}: use {', '.join(SIZES)}")
    args.size_list = [SIZES[name] for name in sorted(names, key=list(SIZES).index)]
    args.skip_set = {part.strip() for part in args.skip.split(",") if part.strip()}
    return args


def run(argv: Sequence[str], log: Callable[[str], None] = print) -> list[SizeResult]:
    """Generate, measure and report; returns the results (the smoke test reads them)."""
    args = parse_args(argv)
    fava = "fava" not in args.skip_set
    imports = "import" not in args.skip_set
    statements = "statements" not in args.skip_set
    # Every run as a user's second run: with the project's bytecode cached. Where
    # PYTHONDONTWRITEBYTECODE is set (as on shared CI machines) each bean-check would
    # otherwise compile the plugin's modules again, a cost only the plugin variant pays.
    compileall.compile_dir(str(ROOT / "plugins"), quiet=1)
    results = []
    for size in args.size_list:
        paths = BookPaths(args.workdir.resolve() / size.name)
        started = time.perf_counter()
        entries = generate(size, paths, force=args.regenerate)
        size_bytes = sum(
            p.stat().st_size
            for p in paths.ledger_dir.rglob("*.beancount")
            if p.name not in (paths.accruals.name,)
        )
        log(f"{size.name}: {entries:,} time entries, books ready in {time.perf_counter() - started:.1f} s")
        result = SizeResult(size, entries, size_bytes, measure_checks(paths, args.runs, log), verify(paths))
        if fava:
            result.fava = measure_fava(paths, args.requests)
            log(f"  fava: {json.dumps({k: statistics.median(v) for k, v in result.fava['timings'].items()})}")
            result.reload = measure_reload(paths, max(5, args.runs))  # reloads vary most: 5, not 3
            reloads = {k: statistics.median(v) for k, v in result.reload["reload"].items()}
            log(f"  reload: {json.dumps(reloads)}")
        if imports and paths.toggl.is_file():  # written for the large and tiny books only
            result.imports = measure_import(paths, args.runs, log)
        if statements:
            result.statements = measure_statements(paths, size, args.runs, log)
        results.append(result)
    startup = measure_startup(max(5, args.runs))
    text = report(results, startup, heavy_modules(), argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    log(text)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == [FAVA_CHILD]:
        fava_child(argv[1], int(argv[2]))
        return 0
    if argv[:1] == [RELOAD_CHILD]:
        reload_child(argv[1], int(argv[2]), argv[3])
        return 0
    if argv[:1] == [MEMO_RUNS]:  # by hand: python scripts/bench.py --memo-pairs bench/books/medium 6
        memo_pairs(argv[1], int(argv[2]))
        return 0
    if argv[:1] == [MEMO_CHILD]:
        memo_child(argv[1], int(argv[2]), argv[3])
        return 0
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    run(argv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
