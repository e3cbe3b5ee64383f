"""Generate the demo practice's books: ``ledger/time/*.beancount`` and ``ledger/main.beancount``.

The demo is Northwind IT Services, a small practice with six clients (``contracts/*.yaml``).
Everything is derived from a fixed seed and fixed dates, never the clock, so running this
twice gives the same bytes and the demo stays reviewable in git.

Contracts are read with the plugin's own loader (``plugins.billing.contracts``) and the time
files are written with the importer's own code (``importers.timefile``), so they are byte for
byte what ``retainer import`` writes. Bank payments of receivables are not guessed: the books
are first generated without them, loaded through Beancount with the ``plugins.retainer``
plugin, and each month's invoice (the ``#retainer`` postings to ``Assets:Receivable:<Acct>``)
is then paid in the next month.

Usage: ``python scripts/make_demo.py [--root PATH]``
"""

from __future__ import annotations

import argparse
import calendar
import datetime
import math
import random
import shutil
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from importers.durations import hours_from_seconds
from importers.timefile import merge
from plugins.billing.contracts import ContractSet, load_contracts
from plugins.billing.model import EXPENSE_ROOT, Contract, TimeEntry
from plugins.billing.rules import Month, month_label, month_of, months, next_month
from plugins.writes import books_lock

ROOT = Path(__file__).resolve().parent.parent
SEED = 2026

#: The months the demo ships closed (``retainer close``), so a newcomer sees the mechanism.
CLOSED_MONTHS = ((2025, 11), (2025, 12), (2026, 1), (2026, 2), (2026, 3))

FIRST_DAY = datetime.date(2025, 11, 1)
LAST_DAY = datetime.date(2026, 11, 20)  # after accrue_through (practice.yaml): waits unbilled
CURRENCY = "USD"
PRACTICE_NAME = "Northwind IT Services"

STAFF = ("alice", "bob", "carol")
FIRST_ID = 4_100_000_000
CENT = Decimal("0.01")


# --------------------------------------------------------------------------------------
# Contracts: read by the plugin's own loader; time is only generated while one is in force.


def read_contracts(folder: Path) -> ContractSet:
    """The contracts and practice settings of ``folder``, exactly as the plugin reads them.

    Any problem the loader reports stops the generator: the demo must check clean.
    """
    books = load_contracts(folder)
    if books.problems:
        for problem in books.problems:
            print(problem, file=sys.stderr)
        raise SystemExit(f"make_demo: {len(books.problems)} problem(s) in the contracts in {folder}")
    if books.practice.accrue_through is None:
        raise SystemExit(f"make_demo: set accrue_through in {folder / 'practice.yaml'}: the demo is dated")
    return books


# --------------------------------------------------------------------------------------
# How each client uses the practice.


@dataclass(frozen=True)
class Profile:
    """How much and what kind of work a client asks for; tuned so margins look like life."""

    client: str
    remote_per_weekday: float  # mean remote tickets per working day
    remote_minutes: Sequence[int]  # durations to draw from (whole minutes)
    visits_per_month: float  # mean onsite visits in a full month
    visit_minutes: Sequence[int]
    visit_entries: tuple[int, int]  # onsite entries per visit (min, max)
    staff_weights: tuple[int, int, int]  # alice, bob, carol
    weekend_call: float  # chance of an after-hours call on a weekend day
    evening_share: float  # share of weekday tickets worked after hours
    unbillable_share: float  # share of tickets that are warranty rework or internal
    weekly_check: bool  # Monday backup/RMM review
    notes_remote: Sequence[str]
    notes_onsite: Sequence[str]
    pcs: Sequence[str]
    places: Sequence[str]
    busy_months: dict[int, float] = field(default_factory=dict)  # month -> ticket multiplier


GENERIC_REMOTE = (
    "Reset password and MFA for {user}",
    "Outlook profile rebuilt for {user}, mailbox not syncing",
    "Printer offline at {place}: reinstalled driver",
    "VPN would not connect for {user}: reissued certificate",
    "RMM alert: low disk space on {pc}, cleaned up temp files",
    "Teams audio dropping on {pc}",
    "Set up shared mailbox for {place}",
    "OneDrive sync conflicts cleaned up for {user}",
    "Blocked phishing sender and purged the message from mailboxes",
    "Slow logon on {pc}: removed startup bloat",
    "Added {user} to distribution lists and shared calendars",
    "Installed Acrobat and browser updates on {pc}",
    "Restored deleted folder from backup for {user}",
    "Browser redirect adware removed from {pc}",
    "Wi-Fi drops at {place}: adjusted access point channels",
    "Mapped network drives for {user}",
    "Reviewed failed Windows update on {pc}",
    "Mail forwarding rule set up for {user} while on leave",
    "Locked out after password change: cleared cached credentials for {user}",
    "Remote session: Excel add-in crashing for {user}",
)

GENERIC_ONSITE = (
    "Replaced failing SSD in {pc}",
    "Installed new workstation at {place}",
    "Swapped UPS battery in the network closet",
    "Printer jam and maintenance kit at {place}, tested scan-to-email",
    "New hire desk setup at {place}: dock and monitors",
    "Relabeled patch panel and tidied the rack",
    "Ran new network drop to {place}",
    "Replaced failed power supply in {pc}",
    "Site walk-through: checked backups, UPS and firewall",
)

UNBILLABLE = (
    "Warranty rework: re-imaged {pc} after our failed update",
    "Warranty rework: redid printer mapping from last visit",
    "Internal: updated client documentation and password vault",
    "Follow-up call to confirm last week's fix, no charge",
)

USERS = (
    "Maria", "James", "Priya", "Daniel", "Sofia", "Kevin", "Hannah", "Luis", "Grace",
    "Omar", "Emily", "Tom", "Aisha", "Ben", "Chloe", "Marco", "Nina", "Raj", "Lena", "Sam",
)  # fmt: skip

QUICK = (6, 6, 12, 12, 15, 15, 18, 20, 24, 30, 36, 45)
CALLS = (6, 12, 15, 15, 18, 20, 24, 30, 30, 36, 45, 60)
VISITS = (30, 45, 60, 75, 90, 105, 120, 150, 180)

PROFILES: tuple[Profile, ...] = (
    Profile(
        client="harbor-pine-law",
        remote_per_weekday=0.16,
        remote_minutes=(10, 12, 15, 17, 20, 20, 25, 30, 40),
        visits_per_month=0.7,
        visit_minutes=(25, 40, 45, 50, 70, 80, 95),
        visit_entries=(1, 1),
        staff_weights=(2, 6, 2),
        weekend_call=0.0,
        evening_share=0.02,
        unbillable_share=0.04,
        weekly_check=False,
        notes_remote=(
            *GENERIC_REMOTE,
            "Document management search index rebuilt",
            "Scan-to-PDF workflow fixed for the paralegal",
            "E-signature add-in for Word installed for {user}",
            "Court e-filing portal certificate renewed",
            "Billing software update applied on {pc}",
        ),
        notes_onsite=(
            *GENERIC_ONSITE,
            "Replaced scanner rollers and recalibrated",
            "Conference room display and camera setup",
        ),
        pcs=("reception PC", "HPL-WS01", "HPL-WS02", "HPL-LT03"),
        places=("reception", "the conference room", "the partner's office"),
    ),
    Profile(
        client="bayview-dental",
        remote_per_weekday=2.7,
        remote_minutes=CALLS,
        visits_per_month=1.5,
        visit_minutes=(45, 60, 90, 105, 120, 150),
        visit_entries=(1, 2),
        staff_weights=(1, 4, 6),
        weekend_call=0.10,
        evening_share=0.07,
        unbillable_share=0.03,
        weekly_check=True,
        notes_remote=(
            *GENERIC_REMOTE,
            "Imaging sensor not detected in operatory {n}",
            "Practice management software slow on front desk PCs",
            "Intraoral camera driver reinstalled in operatory {n}",
            "Front desk cannot print claim forms",
            "X-ray viewer license error in operatory {n}",
            "Softphone app reinstalled at the front desk",
            "Dr. {user} cannot open patient charts from home",
            "Appointment reminder texts not sending: reconnected integration",
            "Card terminal lost network at checkout",
            "Insurance portal login issues for {user}",
            "Imaging bridge lost its database path in operatory {n}",
        ),
        notes_onsite=(
            *GENERIC_ONSITE,
            "Replaced imaging sensor cable in operatory {n}",
            "Moved X-ray workstation to operatory {n}",
            "Network switch in sterilization room reseated and cabled",
        ),
        pcs=("front desk PC", "BFD-OP1", "BFD-OP2", "BFD-OP3", "BFD-OP4", "BFD-OFFICE", "BFD-PANO"),
        places=("the front desk", "operatory 2", "the sterilization room", "the doctor's office"),
    ),
    Profile(
        client="cedar-valley-medical",
        remote_per_weekday=1.95,
        remote_minutes=QUICK,
        visits_per_month=2.6,
        visit_minutes=VISITS,
        visit_entries=(1, 2),
        staff_weights=(3, 4, 3),
        weekend_call=0.05,
        evening_share=0.05,
        unbillable_share=0.03,
        weekly_check=True,
        notes_remote=(
            *GENERIC_REMOTE,
            "EHR client update on {pc}",
            "Label printer at the lab station not printing",
            "Fax server queue stuck, restarted the service",
            "Badge printer driver reinstalled at {place}",
            "e-Prescribing token re-registered for Dr. {user}",
            "Patient kiosk at {place} frozen, restarted and updated",
            "Shared drive permissions for the billing team",
            "Transcription software dictation mic not recognized on {pc}",
        ),
        notes_onsite=(
            *GENERIC_ONSITE,
            "Reimaged exam room PC at {place}",
            "Replaced label printer at the {place} lab",
            "Installed wall-mounted workstation in exam room",
            "Replaced switch in server room",
        ),
        pcs=("CV-WS07", "CV-WS12", "CV-WS17", "CV-WS23", "CV-WS31", "CV-WS38", "CV-KIOSK1"),
        places=("Elm Street clinic", "Riverside clinic", "North Hill clinic", "the billing office"),
    ),
    Profile(
        client="lumen-architects",
        remote_per_weekday=0.42,
        remote_minutes=(6, 12, 15, 18, 24, 30, 36, 42, 48),
        visits_per_month=0.8,
        visit_minutes=(36, 48, 60, 72, 90),
        visit_entries=(1, 2),
        staff_weights=(3, 3, 4),
        weekend_call=0.01,
        evening_share=0.03,
        unbillable_share=0.04,
        weekly_check=True,
        notes_remote=(
            *GENERIC_REMOTE,
            "CAD application crash on {pc}: graphics driver rollback",
            "Plotter queue stuck, cleared the spooler",
            "NAS share permissions for a new project folder",
            "CAD license server restarted",
            "Large file transfer link set up for a consultant",
        ),
        notes_onsite=(
            *GENERIC_ONSITE,
            "Replaced failing drive in the NAS and rebuilt the array",
            "Plotter roll feed repaired",
        ),
        pcs=("LAS-WS01", "LAS-WS03", "LAS-WS05", "LAS-WS08", "LAS-NAS"),
        places=("the studio floor", "the model shop", "the front office"),
    ),
    Profile(
        client="kestrel-auto",
        remote_per_weekday=0.3,
        remote_minutes=(12, 15, 20, 25, 30, 40, 50, 65),
        visits_per_month=1.2,
        visit_minutes=(25, 30, 40, 45, 55, 70, 90),
        visit_entries=(1, 1),
        staff_weights=(3, 7, 0),
        weekend_call=0.02,
        evening_share=0.05,
        unbillable_share=0.0,
        weekly_check=False,
        notes_remote=(
            "Shop management software would not open",
            "Parts catalog login broken after update",
            "Card reader at the counter offline",
            "Email bouncing: fixed DNS records",
            "Reset password for {user}",
            "Camera DVR remote viewing app set up for the owner",
        ),
        notes_onsite=(
            "Replaced failing SSD in reception PC",
            "Diagnostic laptop Wi-Fi fixed in the shop bay",
            "Camera DVR not recording: replaced drive and updated firmware",
            "Counter PC replaced and data migrated",
            "Receipt printer and cash drawer reconnected",
            "Shop Wi-Fi access point replaced",
        ),
        pcs=("reception PC", "counter PC", "diagnostic laptop"),
        places=("the counter", "the shop bay"),
    ),
    Profile(
        client="greenleaf-cpa",
        remote_per_weekday=0.6,
        remote_minutes=(10, 12, 15, 18, 24, 30, 36, 45),
        visits_per_month=0.8,
        visit_minutes=(45, 60, 75, 90, 120),
        visit_entries=(1, 2),
        staff_weights=(1, 1, 2),
        weekend_call=0.02,
        evening_share=0.04,
        unbillable_share=0.03,
        weekly_check=True,
        notes_remote=(
            *GENERIC_REMOTE,
            "Tax software update pushed to all workstations",
            "Client portal upload failing for {user}",
            "Scanner profile for tax documents set up on {pc}",
            "Temp staff account set up for tax season",
            "Accounting company file locked: cleared the lock",
            "Patched Exchange server",
        ),
        notes_onsite=(
            *GENERIC_ONSITE,
            "Installed dual monitors for tax season staff",
            "High-volume scanner installed at {place}",
        ),
        pcs=("GL-WS01", "GL-WS04", "GL-WS06", "GL-WS09", "GL-SRV01"),
        places=("the front office", "the partners' offices", "the file room"),
        busy_months={2: 1.7, 3: 1.8, 4: 1.6},
    ),
)


# --------------------------------------------------------------------------------------
# Time entries.


@dataclass
class Entry:
    """A time entry while it is generated: ``start`` orders a day's entries, then it is
    numbered and turned into the ``TimeEntry`` the importers write."""

    date: datetime.date
    start: int  # minutes after midnight, only for ordering within the day
    client: str
    kind: str
    minutes: int
    staff: str
    note: str
    after_hours: bool = False
    billable: bool = True
    id: str = ""
    project: str | None = None  # a fixed-price project of the client

    def time_entry(self) -> TimeEntry:
        return TimeEntry(
            date=self.date,
            client=self.client,
            kind=self.kind,
            hours=hours_from_seconds(self.minutes * 60),
            staff=self.staff,
            after_hours=self.after_hours,
            billable=self.billable,
            note=self.note,
            id=self.id,
            project=self.project,
        )


def days(first: datetime.date, last: datetime.date) -> Iterator[datetime.date]:
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


def poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: enough for the small means used here, and reproducible."""
    if mean <= 0:
        return 0
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def pick_staff(rng: random.Random, weights: tuple[int, int, int]) -> str:
    return rng.choices(STAFF, weights=weights)[0]


def fill(rng: random.Random, template: str, profile: Profile) -> str:
    """Fill a note template; every note keeps to plain text (no quotes) for Beancount."""
    return template.format(
        user=rng.choice(USERS),
        pc=rng.choice(profile.pcs),
        place=rng.choice(profile.places),
        n=rng.randint(1, 6),
    )


def business_start(rng: random.Random) -> int:
    return rng.randint(8 * 60, 17 * 60 + 15)


def evening_start(rng: random.Random) -> int:
    return rng.choice((rng.randint(18 * 60 + 30, 22 * 60), rng.randint(6 * 60, 7 * 60 + 15)))


def ticket(rng: random.Random, profile: Profile, day: datetime.date, weekend: bool) -> Entry:
    """One remote ticket: usually in business hours, sometimes in the evening."""
    after_hours = weekend or rng.random() < profile.evening_share
    staff = pick_staff(rng, profile.staff_weights)
    entry = Entry(
        date=day,
        start=evening_start(rng) if after_hours else business_start(rng),
        client=profile.client,
        kind="remote",
        minutes=rng.choice(profile.remote_minutes),
        staff=staff,
        note=fill(rng, rng.choice(profile.notes_remote), profile),
        after_hours=after_hours,
    )
    if weekend:
        entry.minutes = max(entry.minutes, rng.choice((30, 45, 60, 75, 90)))
    if rng.random() < profile.unbillable_share:
        entry.billable = False
        entry.note = fill(rng, rng.choice(UNBILLABLE), profile)
    return entry


def visit(rng: random.Random, profile: Profile, day: datetime.date) -> list[Entry]:
    """A site visit: one or more onsite entries by one person, back to back."""
    staff = pick_staff(rng, profile.staff_weights)
    start = rng.choice((8 * 60 + 30, 9 * 60, 10 * 60, 13 * 60, 14 * 60))
    entries = []
    for _ in range(rng.randint(*profile.visit_entries)):
        minutes = rng.choice(profile.visit_minutes)
        entries.append(
            Entry(
                date=day,
                start=start,
                client=profile.client,
                kind="onsite",
                minutes=minutes,
                staff=staff,
                note=fill(rng, rng.choice(profile.notes_onsite), profile),
            )
        )
        start += minutes + rng.choice((0, 5, 10))
    return entries


def weekdays_in(month: Month, contract: Contract) -> list[datetime.date]:
    first = datetime.date(month[0], month[1], 1)
    last = datetime.date(month[0], month[1], calendar.monthrange(*month)[1])
    return [
        day
        for day in days(first, min(last, LAST_DAY))
        if day.weekday() < 5 and contract.terms_on(day) is not None
    ]


def monthly_entries(rng: random.Random, profile: Profile, contract: Contract, month: Month) -> list[Entry]:
    """Everything one client asks for in one month, only on days its contract is in force."""
    working = weekdays_in(month, contract)
    if not working:
        return []
    entries: list[Entry] = []
    share = len(working) / 21.7
    # Site visits on a few distinct working days.
    count = min(len(working), poisson(rng, profile.visits_per_month * share))
    for day in sorted(rng.sample(working, count)):
        entries.extend(visit(rng, profile, day))
    # Remote tickets, weekend call-outs and Monday checks, day by day.
    busy = profile.busy_months.get(month[1], 1.0)
    first = datetime.date(month[0], month[1], 1)
    last = datetime.date(month[0], month[1], calendar.monthrange(*month)[1])
    for day in days(first, min(last, LAST_DAY)):
        if contract.terms_on(day) is None:
            continue
        if day.weekday() >= 5:
            if rng.random() < profile.weekend_call:
                entries.append(ticket(rng, profile, day, weekend=True))
            continue
        for _ in range(poisson(rng, profile.remote_per_weekday * busy)):
            entries.append(ticket(rng, profile, day, weekend=False))
        if profile.weekly_check and day.weekday() == 0:
            entries.append(
                Entry(
                    date=day,
                    start=8 * 60 + rng.randint(0, 40),
                    client=profile.client,
                    kind="remote",
                    minutes=6,
                    staff="bob",
                    note="Weekly backup verification and RMM alert review",
                )
            )
    return entries


def nth_weekday(month: Month, weekday: int, n: int) -> datetime.date:
    """The n-th given weekday (Monday = 0) of a month: patch windows fall on a fixed one."""
    day = datetime.date(month[0], month[1], 1)
    day += datetime.timedelta(days=(weekday - day.weekday()) % 7)
    return day + datetime.timedelta(weeks=n - 1)


def recurring_entries(rng: random.Random, clients: dict[str, Contract], month: Month) -> list[Entry]:
    """Fixed monthly routines: the clinic's patch window and service report."""
    entries: list[Entry] = []
    cedar = clients["cedar-valley-medical"]
    window = nth_weekday(month, 1, 3)  # third Tuesday, the evening after Patch Tuesday
    if cedar.terms_on(window) is not None and window <= LAST_DAY:
        entries.append(
            Entry(
                date=window,
                start=20 * 60,
                client=cedar.client,
                kind="remote",
                minutes=rng.choice((60, 75, 90, 105)),
                staff="alice",
                note="Patched Exchange server and domain controllers (maintenance window)",
                after_hours=True,
            )
        )
    report = nth_weekday(month, 3, 1)  # first Thursday
    if cedar.terms_on(report) is not None and report <= LAST_DAY:
        entries.append(
            Entry(
                date=report,
                start=16 * 60,
                client=cedar.client,
                kind="remote",
                minutes=30,
                staff="alice",
                note="Internal: monthly service report and license true-up",
                billable=False,
            )
        )
    return entries


def project_entries() -> list[Entry]:
    """One-off projects that make the year look lived in (and exercise after-hours onsite)."""
    d = datetime.date
    return [
        Entry(d(2025, 11, 4), 9 * 60, "lumen-architects", "onsite", 150, "alice",
              "Onboarding audit: documented network, NAS and licenses"),
        Entry(d(2025, 11, 5), 9 * 60, "cedar-valley-medical", "onsite", 180, "alice",
              "Onboarding audit at Elm Street clinic: network, servers, backups"),
        Entry(d(2025, 11, 5), 9 * 60 + 15, "cedar-valley-medical", "onsite", 165, "bob",
              "Onboarding audit at Riverside clinic: workstations and printers"),
        Entry(d(2025, 12, 9), 9 * 60, "bayview-dental", "onsite", 180, "carol",
              "Onboarding: inventoried operatories and imaging PCs"),
        Entry(d(2025, 12, 10), 10 * 60, "bayview-dental", "remote", 120, "carol",
              "Onboarding: RMM agents and backup agents deployed"),
        Entry(d(2026, 1, 6), 9 * 60, "kestrel-auto", "onsite", 150, "bob",
              "Network assessment and firewall replacement quote"),
        Entry(d(2026, 1, 21), 8 * 60 + 30, "bayview-dental", "onsite", 210, "alice",
              "Installed new imaging server and migrated the image database"),
        Entry(d(2026, 1, 21), 8 * 60 + 30, "bayview-dental", "onsite", 180, "carol",
              "Repointed operatory imaging bridges to the new server"),
        Entry(d(2026, 2, 3), 9 * 60, "greenleaf-cpa", "onsite", 120, "carol",
              "Onboarding: inventory, backups and tax software licenses"),
        Entry(d(2026, 2, 18), 9 * 60, "cedar-valley-medical", "onsite", 90, "bob",
              "Replaced failed 24-port PoE switch at North Hill clinic"),
        Entry(d(2026, 3, 14), 8 * 60, "cedar-valley-medical", "onsite", 270, "alice",
              "Weekend server migration: file server to new host", after_hours=True),
        Entry(d(2026, 3, 14), 8 * 60, "cedar-valley-medical", "onsite", 240, "bob",
              "Weekend server migration: remapped drives and printers", after_hours=True),
        Entry(d(2026, 4, 9), 13 * 60, "lumen-architects", "onsite", 120, "carol",
              "Replaced two failing NAS drives and rebuilt the array"),
        Entry(d(2026, 5, 12), 10 * 60, "harbor-pine-law", "onsite", 75, "bob",
              "Installed replacement document scanner and scan profiles"),
        Entry(d(2026, 6, 16), 9 * 60, "greenleaf-cpa", "onsite", 195, "carol",
              "Installed three new workstations for new hires"),
        Entry(d(2026, 6, 16), 13 * 60, "greenleaf-cpa", "remote", 90, "alice",
              "Onboarded new hires: laptops + M365"),
        Entry(d(2026, 8, 13), 10 * 60, "lumen-architects", "remote", 120, "alice",
              "Handover to the acquirer's IT: credentials, documentation, backups"),
        Entry(d(2026, 8, 14), 10 * 60, "lumen-architects", "remote", 45, "alice",
              "Internal: offboarding checklist and RMM agent removal", billable=False),
        Entry(d(2026, 9, 22), 19 * 60, "bayview-dental", "remote", 150, "carol",
              "Imaging server would not start after power cut: restored service",
              after_hours=True),
    ]  # fmt: skip


#: The fixed-price project of the demo (contracts/harbor-pine-law.yaml): a document-management
#: setup estimated at 20 h that the partners kept changing. Its ids come from a sequence of
#: their own, so the agreement entries keep theirs.
FIXED_PRICE_FIRST_ID = 4_099_900_000


def fixed_price_entries() -> list[Entry]:
    """The DMS project's time: 29 h for a 20 h budget (alice 17 h, bob 12 h)."""
    d = datetime.date
    dms = "dms-setup"
    return [
        Entry(d(2026, 5, 19), 9 * 60, "harbor-pine-law", "onsite", 240, "alice",
              "DMS kickoff: mapped matter folders and naming rules with the partners", project=dms),
        Entry(d(2026, 5, 20), 10 * 60, "harbor-pine-law", "remote", 180, "alice",
              "DMS: built cabinets and matter workspaces, imported the client list", project=dms),
        Entry(d(2026, 5, 27), 9 * 60, "harbor-pine-law", "onsite", 300, "bob",
              "DMS: migrated 2019-2026 matter files from the file server", project=dms),
        Entry(d(2026, 6, 2), 13 * 60, "harbor-pine-law", "remote", 150, "alice",
              "DMS: partners changed the folder structure, rebuilt the cabinets", project=dms),
        Entry(d(2026, 6, 3), 9 * 60, "harbor-pine-law", "remote", 240, "bob",
              "DMS: re-filed migrated documents into the new structure", project=dms),
        Entry(d(2026, 6, 9), 9 * 60, "harbor-pine-law", "onsite", 180, "alice",
              "DMS: Outlook and Word integration, staff training", project=dms),
        Entry(d(2026, 6, 16), 14 * 60, "harbor-pine-law", "remote", 120, "alice",
              "DMS: second round of folder changes requested by the partners", project=dms),
        Entry(d(2026, 6, 17), 9 * 60, "harbor-pine-law", "remote", 180, "bob",
              "DMS: re-filed documents again, fixed broken document profiles", project=dms),
        Entry(d(2026, 6, 23), 9 * 60, "harbor-pine-law", "onsite", 150, "alice",
              "DMS: go-live support and cleanup", project=dms),
    ]  # fmt: skip


def generate_time(rng: random.Random, clients: dict[str, Contract]) -> list[Entry]:
    """All time entries of the demo year, sorted as an importer writes them, with ids."""
    entries: list[Entry] = []
    for month in months(month_of(FIRST_DAY), month_of(LAST_DAY)):
        for profile in PROFILES:
            entries.extend(monthly_entries(rng, profile, clients[profile.client], month))
        entries.extend(recurring_entries(rng, clients, month))
    entries.extend(project_entries())
    for entry in entries:
        if clients[entry.client].terms_on(entry.date) is None or entry.date > LAST_DAY:
            raise SystemExit(f"make_demo: {entry.client} has no terms on {entry.date}")
    entries.sort(key=lambda e: (e.date, e.start, e.client, e.staff, e.kind, e.minutes, e.note))
    next_id = FIRST_ID
    for entry in entries:
        next_id += rng.randint(3, 97)
        entry.id = f"toggl:{next_id}"
    extra = fixed_price_entries()
    for number, entry in enumerate(extra, start=1):
        entry.id = f"toggl:{FIXED_PRICE_FIRST_ID + number}"
    entries.extend(extra)
    entries.sort(key=lambda e: (e.date, e.start, e.client, e.staff, e.kind, e.minutes, e.note))
    return entries


def time_files(entries: list[Entry]) -> dict[str, str]:
    """File name (``YYYY-MM.beancount``) -> text, one file per month, entries in date order.

    Each file is what ``retainer import`` writes into a new month file: ``merge`` of the
    month's entries into an empty file, so its header and syntax come from the importer.
    """
    by_month: dict[Month, list[TimeEntry]] = defaultdict(list)
    for entry in entries:
        by_month[month_of(entry.date)].append(entry.time_entry())
    return {f"{month_label(month)}.beancount": merge("", found) for month, found in sorted(by_month.items())}


# --------------------------------------------------------------------------------------
# The books.

HEADER = """\
; {name}: the Retainer demo practice.
;
; A small IT practice (Alice, Bob and Carol) supporting six clients on monthly service
; agreements from November 2025. The contracts are in ../contracts/*.yaml; the time
; entries in time/*.beancount are as `retainer import` writes them from a time tracker.
; The plugin line below turns contracts + time into each month's retainer, hourly
; overage, travel and allocated labor (tagged #retainer). Books are accrued through
; {through} (accrue_through in practice.yaml): {waiting} time waits unbilled.
; Kestrel Auto Repair buys prepaid blocks of hours; Greenleaf CPA rolls unused included
; hours over; Cedar Valley's tool licences are costs and its visits bill the drive.
; Bayview Family Dental quietly costs more than it pays: see the Client Margin report.
; Harbor & Pine's fixed-price document-management setup ran past its budget: see
; `retainer projects`.
; November 2025 to March 2026 are closed (closed/*.beancount, written by `retainer close`):
; their bills stand as issued, and a change to them is reported, never re-billed.
;
; Generated by scripts/make_demo.py (deterministic); edit that script, not this file.
"""


def txn(day: datetime.date, payee: str, narration: str, *postings: tuple[str, Decimal]) -> str:
    """A two-or-more-posting transaction; the last posting's amount is left to balance."""
    lines = [f'{day} * "{payee}" "{narration}"']
    for index, (account, amount) in enumerate(postings):
        if index == len(postings) - 1:
            lines.append(f"  {account}")
        else:
            lines.append(f"  {account:<44} {amount:>10} {CURRENCY}")
    return "\n".join(lines) + "\n"


def last_weekday(month: Month, day: int) -> datetime.date:
    """The given day of the month, moved back to a Friday when it falls on a weekend."""
    date = datetime.date(month[0], month[1], min(day, calendar.monthrange(*month)[1]))
    while date.weekday() >= 5:
        date -= datetime.timedelta(days=1)
    return date


def money(text: str) -> Decimal:
    return Decimal(text).quantize(CENT)


@dataclass
class Dated:
    """A chunk of ledger text and its date, so the books can be written in date order."""

    date: datetime.date
    order: int
    text: str


def opens(clients: dict[str, Contract]) -> list[Dated]:
    """Open directives for the practice's own accounts and each client's accounts."""
    start = FIRST_DAY
    own = (
        "Assets:Bank:Checking",
        "Equity:Owner:Capital",
        "Equity:Owner:Draws",
        "Expenses:Labor:Allocated",
        "Expenses:Payroll:Wages",
        "Expenses:Payroll:Taxes",
        "Expenses:Office:Rent",
        "Expenses:Office:Phone",
        "Expenses:Office:Insurance",
        "Expenses:Software:RMM",
        "Expenses:Software:Microsoft365",
        "Expenses:Software:TimeTracking",
        "Expenses:Software:PasswordManager",
        "Expenses:Bank:Fees",
    )
    items = [Dated(start, 0, f"{start} open {account:<44} {CURRENCY}\n") for account in own]
    for contract in sorted(clients.values(), key=lambda c: (c.starts, c.client)):
        names = contract.accounts
        # A contract without a monthly retainer in any of its terms (break/fix)
        # never posts to a Retainer income account, so none is opened for it.
        retainer = [names.retainer] if any(terms.monthly_retainer for terms in contract.terms) else []
        accounts = [names.receivable, *retainer, names.hourly, names.travel, names.labor]
        accounts += [f"{EXPENSE_ROOT}:{contract.account}:{kind}" for kind in ("Hardware", "Licenses")]
        for account in accounts:
            items.append(Dated(contract.starts, 0, f"{contract.starts} open {account:<44} {CURRENCY}\n"))
    return items


def practice_costs(rng: random.Random) -> list[Dated]:
    """Owner's capital, payroll, rent and subscriptions: the practice's own books."""
    items = [
        Dated(
            FIRST_DAY,
            1,
            txn(
                FIRST_DAY,
                "Alice Moreau",
                "Owner's opening capital",
                ("Assets:Bank:Checking", money("15000")),
                ("Equity:Owner:Capital", Decimal(0)),
            ),
        )
    ]
    for month in months(month_of(FIRST_DAY), month_of(LAST_DAY)):
        first = datetime.date(month[0], month[1], 1)
        monthly: list[tuple[datetime.date, str, str, str, Decimal]] = [
            (first, "Harborview Coworking", "Office rent", "Expenses:Office:Rent", money("650")),
            (
                datetime.date(*month, 3),
                "PatchPilot RMM",
                "RMM and remote access, monthly",
                "Expenses:Software:RMM",
                money("189"),
            ),
            (
                datetime.date(*month, 5),
                "Microsoft",
                "Microsoft 365 Business Premium, 3 seats",
                "Expenses:Software:Microsoft365",
                money("66"),
            ),
            (
                datetime.date(*month, 6),
                "Toggl",
                "Toggl Track Starter, 3 seats",
                "Expenses:Software:TimeTracking",
                money("30"),
            ),
            (
                datetime.date(*month, 12),
                "Keystone Mobile",
                "Phones and hotspot",
                "Expenses:Office:Phone",
                money("94.37"),
            ),
            (
                datetime.date(month[0], month[1], calendar.monthrange(*month)[1]),
                "First Harbor Bank",
                "Account fees",
                "Expenses:Bank:Fees",
                money("12"),
            ),
        ]
        if month[1] in (1, 4, 7, 10):
            monthly.append(
                (
                    datetime.date(*month, 15),
                    "Cobalt Mutual",
                    "Professional liability insurance, quarterly",
                    "Expenses:Office:Insurance",
                    money("415"),
                )
            )
        if month == (2026, 1):
            monthly.append(
                (
                    datetime.date(2026, 1, 8),
                    "VaultKey",
                    "Team password manager, annual",
                    "Expenses:Software:PasswordManager",
                    money("144"),
                )
            )
        payday = last_weekday(month, 28)
        wages = money("1650") + money("1900")  # Bob and Carol, part time
        taxes = (wages * Decimal("0.0765")).quantize(CENT)
        for day, payee, narration, account, amount in monthly:
            if day <= LAST_DAY:
                items.append(
                    Dated(day, 1, txn(day, payee, narration, (account, amount),
                                      ("Assets:Bank:Checking", Decimal(0))))
                )  # fmt: skip
        if payday <= LAST_DAY:
            items.append(
                Dated(
                    payday,
                    1,
                    txn(
                        payday,
                        "Payroll",
                        f"Payroll {payday:%B %Y}: Bob Tanaka, Carol Nguyen",
                        ("Expenses:Payroll:Wages", wages),
                        ("Expenses:Payroll:Taxes", taxes),
                        ("Assets:Bank:Checking", Decimal(0)),
                    ),
                )
            )
            items.append(
                Dated(
                    payday,
                    2,
                    txn(
                        payday,
                        "Alice Moreau",
                        "Owner's draw",
                        ("Equity:Owner:Draws", money("1500") + money(str(rng.choice((0, 250, 500))))),
                        ("Assets:Bank:Checking", Decimal(0)),
                    ),
                )
            )
    return items


def client_costs(clients: dict[str, Contract]) -> list[Dated]:
    """Direct costs bought for a client and not rebilled: they count against its margin."""
    d = datetime.date
    rows: list[tuple[datetime.date, str, str, str, str, str]] = [
        (d(2026, 2, 17), "cedar-valley-medical", "Hardware", "NetSupply Direct",
         "Replacement 24-port PoE switch for North Hill clinic", "612.45"),
        (d(2026, 4, 8), "lumen-architects", "Hardware", "NetSupply Direct",
         "2x 8TB NAS drives for the RAID rebuild", "389.98"),
        (d(2026, 5, 11), "harbor-pine-law", "Hardware", "OfficeTech Outlet",
         "Replacement document scanner", "429.00"),
        (d(2026, 3, 4), "kestrel-auto", "Hardware", "NetSupply Direct",
         "UPS battery for the counter PC", "89.99"),
        (d(2026, 7, 2), "greenleaf-cpa", "Licenses", "Fortigate Partner Store",
         "Firewall security subscription renewal, 1 year", "349.00"),
        (d(2026, 1, 19), "bayview-dental", "Hardware", "NetSupply Direct",
         "Imaging server RAM and SSDs", "742.60"),
    ]  # fmt: skip
    for month in months((2026, 1), month_of(LAST_DAY)):
        rows.append(
            (d(*month, 2), "bayview-dental", "Licenses", "ShieldPoint Security",
             "Endpoint protection, 14 seats (included in the fee)", "58.80")
        )  # fmt: skip
    items = []
    for day, client, kind, payee, narration, amount in rows:
        account = f"{EXPENSE_ROOT}:{clients[client].account}:{kind}"
        text = txn(day, payee, narration, (account, money(amount)), ("Assets:Bank:Checking", Decimal(0)))
        items.append(Dated(day, 1, text))
    return items


#: Kestrel Auto pays two months late, and only half of its August invoice.
LATE_PAYER = "kestrel-auto"
PARTIAL = ("kestrel-auto", (2026, 8), Decimal("0.50"))


def payments(
    rng: random.Random,
    clients: dict[str, Contract],
    invoices: dict[tuple[str, Month], Decimal],
) -> list[Dated]:
    """Each month's invoice paid on the 10th-20th of the next month (the late payer later)."""
    items = []
    for (client, month), total in sorted(invoices.items()):
        if total <= 0:
            continue
        contract = clients[client]
        day_of_month = rng.randint(10, 20)
        if client == LATE_PAYER:
            paid_in = next_month(next_month(month))
            day_of_month = rng.randint(5, 18)
        else:
            paid_in = next_month(month)
        day = datetime.date(*paid_in, day_of_month)
        if day > LAST_DAY:
            continue
        amount, narration = total, f"Payment, invoice {month_label(month)}"
        if (client, month) == PARTIAL[:2]:
            amount = (total * PARTIAL[2]).quantize(Decimal("1"))
            narration = f"Partial payment, invoice {month_label(month)}"
        text = txn(
            day,
            contract.name,
            narration,
            ("Assets:Bank:Checking", amount),
            (contract.accounts.receivable, Decimal(0)),
        )
        items.append(Dated(day, 3, text))
    return items


def main_text(sections: list[Dated], accrue_through: Month) -> str:
    """The whole ledger: header, options, plugin, then dated entries in date order."""
    waiting = datetime.date(*next_month(accrue_through), 1)
    head = [
        HEADER.format(name=PRACTICE_NAME, through=month_label(accrue_through), waiting=f"{waiting:%B %Y}"),
        f'option "title" "{PRACTICE_NAME}"',
        f'option "operating_currency" "{CURRENCY}"',
        "",
        'plugin "plugins.retainer" "../contracts"    ; path relative to this ledger file',
        '2026-01-01 custom "fava-extension" "plugins.margin"',
        '2025-01-01 custom "fava-option" "default-page" "extension/ClientMargin/"',
        "; Time exports dropped into ../imports are imported from the browser (Import time page).",
        '2025-01-01 custom "fava-option" "import-config" "../importers/config.py"',
        '2025-01-01 custom "fava-option" "import-dirs" "../imports"',
        '2026-01-01 custom "fava-extension" "importers.fava_import"',
        "",
        'include "time/*.beancount"',
        "",
    ]
    body: list[str] = []
    previous = ""
    for item in sorted(sections, key=lambda i: (i.date, i.order)):
        one_line = item.text.count("\n") == 1
        if body and not (one_line and previous.count("\n") == 1):
            body.append("\n")  # a blank line between transactions, none between opens
        body.append(item.text)
        previous = item.text
    return "\n".join(head) + "\n" + "".join(body)


# --------------------------------------------------------------------------------------
# Invoices, as the plugin bills them.


def invoice_totals(
    root: Path, times: dict[str, str], books: str, clients: dict[str, Contract]
) -> dict[tuple[str, Month], Decimal]:
    """Load the books without payments through the plugin; sum each month's receivable.

    The plugin is the installed ``plugins.retainer`` (this repository, as for the imports above).
    """
    try:
        from beancount import loader
        from beancount.core import data
    except ImportError as exc:  # pragma: no cover - environment problem
        raise SystemExit(f"make_demo: cannot import beancount: {exc}") from None
    by_account = {contract.accounts.receivable: client for client, contract in clients.items()}
    with tempfile.TemporaryDirectory(prefix="make_demo-") as tmp:
        base = Path(tmp)
        shutil.copytree(root / "contracts", base / "contracts")
        (base / "ledger" / "time").mkdir(parents=True)
        for name, text in times.items():
            (base / "ledger" / "time" / name).write_text(text, encoding="utf-8")
        (base / "ledger" / "main.beancount").write_text(books, encoding="utf-8")
        entries, errors, _ = loader.load_file(str(base / "ledger" / "main.beancount"))
    if errors:
        for error in errors:
            print(f"{error.source}: {error.message}", file=sys.stderr)
        raise SystemExit(f"make_demo: the demo books have {len(errors)} error(s)")
    totals: dict[tuple[str, Month], Decimal] = defaultdict(Decimal)
    for entry in entries:
        if not isinstance(entry, data.Transaction) or "retainer" not in entry.tags:
            continue
        for posting in entry.postings:
            client = by_account.get(posting.account)
            if client is not None and posting.units is not None:
                number: Any = posting.units.number
                totals[(client, month_of(entry.date))] += number
    if not totals:
        raise SystemExit("make_demo: the plugin posted no #retainer receivables")
    return dict(totals)


# --------------------------------------------------------------------------------------


def build(root: Path) -> dict[Path, str]:
    """Every file of the demo ledger and its text; nothing is written here."""
    books = read_contracts(root / "contracts")
    clients = books.contracts
    through = books.practice.accrue_through
    assert through is not None  # read_contracts insists on it
    missing = {p.client for p in PROFILES} - clients.keys()
    if missing:
        raise SystemExit(f"make_demo: no contract for {', '.join(sorted(missing))}")
    rng = random.Random(SEED)
    entries = generate_time(rng, clients)
    times = time_files(entries)
    sections = opens(clients) + practice_costs(rng) + client_costs(clients)
    invoices = invoice_totals(root, times, main_text(sections, through), clients)
    sections += payments(rng, clients, invoices)
    files = {root / "ledger" / "time" / name: text for name, text in times.items()}
    files[root / "ledger" / "main.beancount"] = main_text(sections, through)
    files.update(close_months(root, files, CLOSED_MONTHS))
    return files


def close_months(root: Path, files: dict[Path, str], closing: Sequence[Month]) -> dict[Path, str]:
    """Close ``closing`` in order exactly as ``retainer close`` does (``scripts.closebooks``),
    on a copy of the books; the closed files and the ledger with its include line."""
    from scripts.closebooks import plan_close
    from scripts.ledger import load
    from scripts.writing import write_changes

    with tempfile.TemporaryDirectory(prefix="make_demo-") as tmp:
        base = Path(tmp)
        shutil.copytree(root / "contracts", base / "contracts")
        for path, text in files.items():
            copy = base / path.relative_to(root)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_text(text, encoding="utf-8")
        ledger = base / "ledger" / "main.beancount"
        written: set[Path] = set()
        for month in closing:
            changes = plan_close(load("close", ledger), month)
            write_changes(changes, ledger)
            written.update(changes)
        return {root / path.relative_to(base): path.read_text(encoding="utf-8") for path in sorted(written)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root (default: this one)")
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()
    files = build(root)
    changes = {path: text.encode("utf-8") for path, text in sorted(files.items())}
    with books_lock(root / "ledger") as books:  # the importer's write path: all files or none
        books.commit(changes, command="make demo")
    entries = sum(text.count('custom "time"') for text in files.values())
    print(f"make_demo: wrote {len(files)} files, {entries} time entries under {root / 'ledger'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
