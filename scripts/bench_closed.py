"""Measure what closed months cost a ``bean-check``: the bench books with and without them.

Generates the bench books of a size (``scripts/bench.py``), copies them, closes the first
months of the copy (the files ``retainer close`` writes, made from one load of the books:
closing month by month gives the same bytes, since closing never changes an open month),
then times ``bean-check --no-cache`` on both, interleaved.

Usage: ``python scripts/bench_closed.py [--size small|medium] [--close N] [--runs 3]``
"""

from __future__ import annotations

import argparse
import shutil
import statistics
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
    wall_open, cpu_open, rss_open = medians["open"]
    wall_closed, cpu_closed, rss_closed = medians["closed"]
    print(
        f"closed / open: wall {wall_closed / wall_open:.3f}, cpu {cpu_closed / cpu_open:.3f},"
        f" memory {rss_closed / rss_open:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
