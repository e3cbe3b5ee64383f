"""Measure what closed months cost a ``bean-check``: the bench books with and without them.

Generates the bench books of a size (``scripts/bench.py``), copies them, closes the first
months of the copy (the files ``retainer close`` writes, made from one load of the books:
closing month by month gives the same bytes, since closing never changes an open month),
then times ``bean-check --no-cache`` on both, interleaved, and says where the difference
goes: Beancount's parse and booking, the plugin, validation (the loader's own timings).

Usage: ``python scripts/bench_closed.py [--size small|medium] [--close N] [--runs 3]``
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from scripts import bench
from scripts.closebooks import CLOSED_GLOB, closed_file, closed_text
from scripts.writing import write_changes


def close_first_months(ledger: Path, count: int) -> list[str]:
    """Write the closed files of the books' first ``count`` months and the include line."""
    from beancount import loader
    from beancount.core import data

    from plugins.billing.rules import month_label, month_of, months
    from plugins.books import Books

    entries, errors, options = loader.load_file(str(ledger))
    if errors:
        raise SystemExit(f"bench_closed: the books have {len(errors)} error(s)")
    books = Books.of_ledger(entries, options)
    first = min(month_of(contract.starts) for contract in books.clients.values())
    closing = months(first, (9999, 12))[:count]
    by_month: dict[tuple[int, int], list[data.Transaction]] = {month: [] for month in closing}
    for entry in books.transactions(entries):
        if isinstance(entry, data.Transaction) and month_of(entry.date) in by_month:
            by_month[month_of(entry.date)].append(entry)
    changes: dict[Path, str | None] = {
        closed_file(ledger, month): closed_text(month, found) for month, found in by_month.items()
    }
    text = ledger.read_text(encoding="utf-8")
    changes[ledger] = text + f'\ninclude "{CLOSED_GLOB}"\n'
    write_changes(changes, ledger)
    return [month_label(month) for month in closing]


#: The loader's phases, as its ``log_timings`` names them, and what they are called here.
PHASES = {
    "parse": "parse",
    "booking": "booking",
    "plugins.retainer": "plugin",
    "beancount.ops.validate": "validation",
}
_PHASES_CHILD = """
import sys
from beancount import loader
loader.initialize(use_cache=False)
loader.load_file(sys.argv[1], log_timings=print)
"""


def phases(ledger: Path) -> dict[str, float]:
    """Milliseconds of each of ``PHASES`` in one load of ``ledger`` (a fresh process)."""
    out = subprocess.run(
        [sys.executable, "-c", _PHASES_CHILD, str(ledger)], capture_output=True, text=True, check=True
    ).stdout
    found: dict[str, float] = {}
    for line in out.splitlines():
        # "Operation: 'booking'      Time:      242 ms"
        name, _, rest = line.partition("Time:")
        operation = name.split("'")[1] if name.count("'") >= 2 else ""
        if operation in PHASES and rest.strip().endswith("ms"):
            found[PHASES[operation]] = float(rest.split()[0])
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", default="small", choices=sorted(bench.SIZES))
    parser.add_argument("--close", type=int, default=24, help="months to close (default 24)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=bench.ROOT / "bench" / "books")
    args = parser.parse_args(argv)
    size = bench.SIZES[args.size]
    paths = bench.BookPaths(args.workdir.resolve() / size.name)
    entries = bench.generate(size, paths)
    closed = bench.BookPaths(args.workdir.resolve() / f"{size.name}-closed")
    if closed.root.exists():
        shutil.rmtree(closed.root)
    shutil.copytree(paths.root, closed.root)
    names = close_first_months(closed.plugin, args.close)
    print(f"{size.name}: {entries:,} time entries; closed {names[0]} .. {names[-1]} ({len(names)} months)")
    series: dict[str, list[bench.Sample]] = {"open": [], "closed": []}
    for run in range(args.runs):
        for name, ledger in (("open", paths.plugin), ("closed", closed.plugin)):
            sample, _ = bench.run_measured(bench.bean_check(ledger), cwd=bench.ROOT)
            series[name].append(sample)
            print(
                f"  run {run + 1}/{args.runs} bean-check {name:6s} {sample.seconds:6.2f} s"
                f" (cpu {sample.cpu:.2f} s, {sample.rss_mib:.0f} MiB)",
                flush=True,
            )
    medians = {}
    for name, samples in series.items():
        wall = statistics.median(s.seconds for s in samples)
        cpu = statistics.median(s.cpu for s in samples)
        rss = statistics.median(s.rss_mib for s in samples)
        medians[name] = (wall, cpu, rss)
        print(f"{name:6s}: median wall {wall:.2f} s, cpu {cpu:.2f} s, peak {rss:.0f} MiB")
    timings: dict[str, list[dict[str, float]]] = {"open": [], "closed": []}
    for _ in range(args.runs):
        for name, ledger in (("open", paths.plugin), ("closed", closed.plugin)):
            timings[name].append(phases(ledger))
    print("where the time goes (median ms of the loader's own timings):")
    for phase in PHASES.values():
        open_ms = statistics.median(t.get(phase, 0.0) for t in timings["open"])
        closed_ms = statistics.median(t.get(phase, 0.0) for t in timings["closed"])
        change = closed_ms - open_ms
        print(f"  {phase:10s} open {open_ms:7.0f}  closed {closed_ms:7.0f}  closed - open {change:+7.0f}")
    wall_open, cpu_open, rss_open = medians["open"]
    wall_closed, cpu_closed, rss_closed = medians["closed"]
    print(
        f"closed / open: wall {wall_closed / wall_open:.3f}, cpu {cpu_closed / cpu_open:.3f},"
        f" memory {rss_closed / rss_open:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
